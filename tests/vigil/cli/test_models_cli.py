"""`vigil models` from the command line: outputs, and every kind of bad input."""

import json

import pytest

from tests.vigil.models.helpers import with_builtin


def test_inspect_json_has_the_documented_keys(cli):
    code, out, err = cli("models", "inspect", "kws_ref_model", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert {"ops", "macs", "params", "flash_bytes", "arena_bytes", "inputs", "outputs"} <= set(doc)
    assert doc["ops"][0] == {"name": "CONV_2D", "version": 3}
    assert doc["flash_bytes"] == 53936 and doc["inputs"][0]["zero_point"] == 83


def test_fetch_prints_where_each_file_came_from(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("VIGIL_CACHE", str(tmp_path))
    code, out, _ = cli("models", "fetch", "vww_96_int8")
    assert code == 0 and "vww_96.h5" in out and "keras" in out


def test_codegen_writes_the_three_sources(cli, tmp_path):
    code, out, _ = cli("models", "codegen", "micro_speech_quantized", "--out", tmp_path / "gen")
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "gen").iterdir()) == [
        "micro_speech_quantized_model.c",
        "micro_speech_quantized_model.h",
        "micro_speech_quantized_op_resolver.h",
    ]


def test_validate_a_path_borrowing_labels_with_like(cli, model_mirror, data_dir):
    code, out, err = cli(
        "models", "validate", model_mirror / "kws_ref_model.tflite", "--samples", data_dir / "samples" / "kws", "--json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["passed"] and doc["max_tflite_tflm_lsb"] <= 1 and len(doc["samples"]) == 6


def _one_line_error(code, err, *fragments):
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("vigil: error: ") and "Traceback" not in err
    for fragment in fragments:
        assert str(fragment) in lines[0]


def test_missing_file(cli, tmp_path):
    missing = tmp_path / "nope.tflite"
    code, _, err = cli("models", "inspect", missing)
    _one_line_error(code, err, missing, "file not found")


def test_unknown_model_name(cli):
    code, _, err = cli("models", "inspect", "no_such_model")
    _one_line_error(code, err, "no_such_model", "known: kws_ref_model")


def test_truncated_tflite(cli, model_mirror, tmp_path):
    bad = tmp_path / "cut.tflite"
    bad.write_bytes((model_mirror / "vww_96_int8.tflite").read_bytes()[:20000])
    code, _, err = cli("models", "codegen", bad, "--out", tmp_path / "gen")
    _one_line_error(code, err, bad, "truncated")
    assert not (tmp_path / "gen").exists()


def test_not_a_tflite(cli, data_dir, tmp_path):
    wav = data_dir / "samples" / "kws" / "yes_1000ms.wav"
    code, _, err = cli("models", "inspect", wav)
    _one_line_error(code, err, wav, "not a TFLite model")


def test_float_io_model_where_int8_is_required(cli, model_mirror, tmp_path, data_dir):
    float_model = model_mirror / "vww_96_float.tflite"
    code, _, err = cli("models", "codegen", float_model, "--out", tmp_path / "gen")
    _one_line_error(code, err, float_model, "float32 input")
    assert not (tmp_path / "gen").exists()
    code, _, err = cli(
        "models", "validate", float_model, "--like", "vww_96_int8", "--samples", data_dir / "samples" / "vww"
    )
    _one_line_error(code, err, float_model, "int8")


def test_unsupported_op(cli, model_mirror, tmp_path):
    bad = tmp_path / "atan2.tflite"
    bad.write_bytes(with_builtin((model_mirror / "micro_speech_quantized.tflite").read_bytes(), "SOFTMAX", "ATAN2"))
    code, _, err = cli("models", "codegen", bad, "--out", tmp_path / "gen")
    _one_line_error(code, err, bad, "ATAN2")
    assert not (tmp_path / "gen").exists()


def test_sha256_mismatch(cli, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "audio_preprocessor_int8.tflite").write_bytes(b"tampered")
    monkeypatch.setenv("VIGIL_CACHE", str(tmp_path / "cache"))
    code, _, err = cli("models", "fetch", "micro_speech_quantized", "--mirror", mirror)
    _one_line_error(code, err, mirror / "audio_preprocessor_int8.tflite", "sha256 mismatch")
    assert not (tmp_path / "cache" / "models" / "micro_speech_quantized" / "audio_preprocessor_int8.tflite").exists()


def test_malformed_manifest(cli, tmp_path):
    bad = tmp_path / "models.yml"
    bad.write_text("models:\n  m:\n    task: kws\n")
    code, _, err = cli("models", "fetch", "m", "--manifest", bad)
    _one_line_error(code, err, bad, "missing 'labels'")


def test_convert_of_a_bad_source_leaves_no_output(cli, model_mirror, tmp_path):
    out = tmp_path / "out.tflite"
    code, _, err = cli(
        "models", "convert", model_mirror / "micro_speech_quantized.tflite", "--task", "kws", "--out", out
    )
    _one_line_error(code, err, "not a float model")
    assert not out.exists()


@pytest.mark.parametrize("args", [("models",), ("models", "inspect")])
def test_usage_errors_exit_2(args):
    from vigil.cli.main import main

    with pytest.raises(SystemExit) as e:
        main(list(args))
    assert e.value.code == 2


def test_profile_option_and_its_deprecated_target_alias(cli):
    code, out, err = cli("models", "inspect", "micro_speech_quantized", "--profile", "native_sim_64", "--json")
    assert code == 0 and '"target": "native_sim_64"' in out and "deprecated" not in err
    code, old, err = cli("models", "inspect", "micro_speech_quantized", "--target", "native_sim_64", "--json")
    assert code == 0 and old == out and "--target is deprecated here, use --profile" in err


def test_generated_files_name_the_command_that_made_them(cli, tmp_path, model_mirror):
    code, _, err = cli(
        "models", "codegen", str(model_mirror / "kws_ref_model.tflite"), "--like", "kws_ref_model", "--name", "kws",
        "--profile", "cortex-m55", "--out", tmp_path,
    )  # fmt: skip
    assert code == 0, err
    command = "vigil models codegen kws_ref_model.tflite --like kws_ref_model --name kws --profile cortex-m55"
    for name in ("kws_model.c", "kws_model.h", "kws_op_resolver.h"):
        assert (tmp_path / name).read_text().splitlines()[0].startswith(f"/* Generated by `{command}` from"), name
    header = (tmp_path / "kws_model.h").read_text()
    assert "#define VIGIL_MODEL_KWS_FE_NUM_FRAMES 49\n" in header  # derived once, from the front-end spec
    assert "#define VIGIL_MODEL_KWS_ARENA_BYTES VIGIL_MODEL_KWS_ARENA_BYTES_CORTEX_M55\n" in header


def test_an_image_front_end_choice_is_a_macro_to_test(cli, tmp_path):
    code, _, err = cli("models", "codegen", "vww_96_int8", "--name", "vww", "--out", tmp_path)
    assert code == 0, err
    header = (tmp_path / "vww_model.h").read_text()
    assert "#define VIGIL_MODEL_VWW_FE_FIT_STRETCH 1\n" in header and "FIT_CROP" not in header
    assert "#define VIGIL_MODEL_VWW_FE_WIDTH 96\n" in header
