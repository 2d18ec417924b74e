"""models.yml checked when it is loaded: post-processing and front-end values of the wrong type
or out of the C core's range, and duplicate names, are one line naming the file and the key."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO
from vigil.errors import VigilError
from vigil.models.manifest import load_manifest

MANIFEST = (REPO / "models.yml").read_text()


def _edited(tmp_path, old: str, new: str, count: int = 1):
    assert MANIFEST.count(old) >= count, old
    path = tmp_path / "models.yml"
    path.write_text(MANIFEST.replace(old, new, count))
    return path


def _refused(path) -> str:
    with pytest.raises(VigilError) as e:
        load_manifest(path)
    text = str(e.value)
    assert text.startswith(f"{path}: ") and "\n" not in text
    return text


KWS_PP = "      min_results: 3\n      threshold: 0.8\n"
VWW_PP = "      on_threshold: 0.6\n      off_threshold: 0.4\n      on_count: 2\n      off_count: 2\n"


@pytest.mark.parametrize(
    "old, new, problem",
    [
        (
            KWS_PP,
            "      min_results: 3\n      threshold: high\n",
            "postprocess.threshold: must be a finite number, got 'high'",
        ),
        (
            KWS_PP,
            "      min_results: 3\n      threshold: true\n",
            "postprocess.threshold: must be a finite number, got True",
        ),
        (KWS_PP, "      min_results: 3\n      threshold: .nan\n", "postprocess.threshold: must be a finite number"),
        (KWS_PP, "      min_results: 3\n      threshold: 1.0000001\n", "postprocess.threshold: must be from 0 to 1"),
        (
            KWS_PP,
            "      min_results: 65\n      threshold: 0.8\n",
            "postprocess.min_results: must be from 1 to 64, got 65",
        ),
        (
            KWS_PP,
            "      min_results: 0\n      threshold: 0.8\n",
            "postprocess.min_results: must be from 1 to 64, got 0",
        ),
        (KWS_PP, "      min_results: 2.5\n      threshold: 0.8\n", "postprocess.min_results: must be an integer"),
        (KWS_PP, KWS_PP + "      thresholds: {maybe: 0.5}\n", "postprocess.thresholds.maybe: 'maybe' is not one of"),
        (KWS_PP, KWS_PP + "      patience: 3\n", "postprocess: unknown key 'patience'"),
        (
            "      silence: silence\n      unknown: unknown\n    release:\n      # Floors",
            "      silence: quiet\n      unknown: unknown\n    release:\n      # Floors",
            "postprocess.silence: must be one of",
        ),
        (
            VWW_PP,
            VWW_PP.replace("on_count: 2", "on_count: 256"),
            "postprocess.on_count: must be from 1 to 255, got 256",
        ),
        (VWW_PP, VWW_PP.replace("on_count: 2", "on_count: '2'"), "postprocess.on_count: must be an integer, got '2'"),
        (
            VWW_PP,
            VWW_PP.replace("off_threshold: 0.4", "off_threshold: 0.7"),
            "off_threshold (0.7) is above on_threshold (0.6)",
        ),
        ("      kind: detector\n", "      kind: recognizer\n", "postprocess.kind: a vww model takes a detector"),
        (
            "      sample_rate: 16000\n      clip_samples: 16000\n      frame_length",
            "      clip_samples: 16000\n      frame_length",
            "frontend.sample_rate: is missing",
        ),
        (
            "      sample_rate: 16000\n      clip_samples: 16000\n      frame_length",
            "      sample_rate: fast\n      clip_samples: 16000\n      frame_length",
            "frontend.sample_rate: must be an integer, got 'fast'",
        ),
        ("      width: 96\n", "      width: wide\n", "frontend.width: must be an integer, got 'wide'"),
    ],
)
def test_bad_values_are_refused_naming_the_key(tmp_path, old, new, problem):
    assert problem in _refused(_edited(tmp_path, old, new))


@pytest.mark.parametrize(
    "old, new",
    [
        (KWS_PP, "      min_results: 64\n      threshold: 1\n"),  # the limits themselves
        (KWS_PP, "      min_results: 1\n      threshold: 0\n"),
        (KWS_PP, KWS_PP + '      thresholds: {"yes": 0.95, stop: 0.5}\n'),
        (VWW_PP, VWW_PP.replace("off_threshold: 0.4", "off_threshold: 0.6").replace("on_count: 2", "on_count: 255")),
        (
            "      silence: silence\n      unknown: unknown\n    release:\n      # Floors",
            "      silence: null\n      unknown: unknown\n    release:\n      # Floors",
        ),
    ],
)
def test_values_at_the_limits_load(tmp_path, old, new):
    manifest = load_manifest(_edited(tmp_path, old, new))
    assert manifest.get("kws_ref_model").recognizer() and manifest.get("vww_96_int8").detector()


def test_thresholds_per_label_and_a_stated_null_class_are_read(tmp_path):
    manifest = load_manifest(
        _edited(
            tmp_path,
            "      silence: silence\n      unknown: unknown\n    release:\n      # Floors",
            '      thresholds: {"yes": 0.95}\n      silence: null\n'
            "      unknown: unknown\n    release:\n      # Floors",
        )
    )
    params = manifest.get("kws_ref_model").recognizer()
    assert params.thresholds["yes"] == 0.95 and params.thresholds["no"] == 0.8 and params.silence is None


def test_a_model_named_twice_is_refused(tmp_path):
    doubled = MANIFEST + "\n" + MANIFEST[MANIFEST.index("  vww_96_int8:") : MANIFEST.index("  micro_speech_quantized:")]
    path = tmp_path / "models.yml"
    path.write_text(doubled)
    line = 1 + doubled[: doubled.rindex("  vww_96_int8:")].count("\n")
    assert _refused(path) == f"{path}: line {line}: duplicate key 'vww_96_int8'"


def test_codegen_never_writes_a_bad_front_end_value(cli, model_mirror, tmp_path):
    path = _edited(tmp_path, "      width: 96\n", "      width: wide\n")
    code, out, err = cli("models", "codegen", "vww_96_int8", "--manifest", path, "--out", tmp_path / "gen")
    assert code == 2 and out == "" and re.fullmatch(rf"vigil: error: {re.escape(str(path))}: .*width.*\n", err)
    assert not (tmp_path / "gen").exists()
