"""Output and cache paths a command cannot use are refused before any work, with one line
(FileExistsError, IsADirectoryError and NotADirectoryError tracebacks before)."""

from __future__ import annotations

import pytest

from tests.forked_cli import assert_clean_error, forked


@pytest.fixture()
def a_file(tmp_path):
    path = tmp_path / "a_file"
    path.write_text("keep me")
    return path


def _untouched(tmp_path, a_file):
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"] and a_file.read_text() == "keep me"


def test_codegen_out_that_is_a_file_or_under_one(model_mirror, tmp_path, a_file):
    model = model_mirror / "kws_ref_model.tflite"
    assert_clean_error(forked(["models", "codegen", model, "--out", a_file]), a_file, "is a file, expected the folder")
    assert_clean_error(forked(["models", "codegen", model, "--out", a_file / "gen"]), "is a file, not a folder")
    _untouched(tmp_path, a_file)


def test_convert_out_that_is_a_folder_is_refused_before_tensorflow(model_mirror, tmp_path, a_file):
    outcome = forked(
        ["models", "convert", model_mirror / "kws_ref_model_float32.tflite", "--task", "kws", "--out", tmp_path]
    )
    assert_clean_error(outcome, tmp_path, "is a folder, expected the converted model")
    assert outcome.seconds < 10  # refused before the conversion ran
    _untouched(tmp_path, a_file)


def test_vigil_cache_that_is_a_file(data_dir, tmp_path, a_file):
    outcome = forked(
        ["classify", "--task", "kws", data_dir / "samples" / "kws" / "yes_1000ms.wav"], env={"VIGIL_CACHE": str(a_file)}
    )
    assert_clean_error(outcome, a_file, "VIGIL_CACHE is not a folder")
    _untouched(tmp_path, a_file)


def test_run_options_out_of_range(tmp_path):
    suite = tmp_path / "s.yml"
    suite.write_text("model: vww_96_int8\nclips:\n  - files: samples/vww/*.bmp\n")
    for extra, problem in (
        (["--exe-args", "'unbalanced"], '--exe-args "\'unbalanced": No closing quotation'),
        (["--baud", "-9600"], "--baud -9600"),
        (["--timeout", "0"], "--timeout 0"),
        (["--top", "-1"], "--top -1"),
    ):
        outcome = forked(["regress", "run", suite, "--target", "native_sim", "--exe", "/bin/true", *extra])
        assert_clean_error(outcome, problem)
