"""Goldens in a release: made where missing, reused while they still judge this run, made again
when check_golden refuses them (another model, other samples) or the tools changed."""

import dataclasses
import json

import pytest

from vigil.regress.golden import save_golden, tool_versions
from vigil.regress.run import golden_for, prepare
from vigil.regress.suite import load_suite
from vigil.release.regress_stage import ensure_golden, stale_reason, suites


@pytest.fixture(scope="module")
def prepared(manifest, model_mirror):
    return prepare(load_suite("micro_speech"), manifest, [model_mirror])


@pytest.fixture(scope="module")
def golden(prepared):
    return golden_for(prepared)


def test_suites_of_the_named_models_only():
    assert [s.name for s in suites()] == ["kws", "micro_speech", "vww"]
    assert [s.name for s in suites(["vww_96_int8", "micro_speech_quantized"])] == ["micro_speech", "vww"]
    assert suites(["nothing"]) == []


def test_a_golden_for_this_run_is_not_stale(prepared, golden, tmp_path):
    assert stale_reason(golden, tmp_path / "g.json", prepared) is None


def test_other_tools_make_a_golden_stale(prepared, golden, tmp_path):
    old = dataclasses.replace(golden, tools={**golden.tools, "numpy": "1.0.0"})
    reason = stale_reason(old, tmp_path / "g.json", prepared)
    assert reason == f"{tmp_path / 'g.json'}: made with other tools (numpy 1.0.0 -> {tool_versions()['numpy']})"


def test_another_model_or_other_samples_make_it_stale(prepared, golden, tmp_path):
    other_model = dataclasses.replace(golden, model_sha256="0" * 64)
    assert "golden made for model" in stale_reason(other_model, tmp_path / "g.json", prepared)
    other_samples = dataclasses.replace(golden, samples_sha256="1" * 64)
    assert "golden made for other samples" in stale_reason(other_samples, tmp_path / "g.json", prepared)


def test_ensure_golden_reuses_or_remakes(prepared, golden, tmp_path):
    path = tmp_path / "goldens" / "micro_speech.golden.json"
    save_golden(golden, path)
    reused, use = ensure_golden(prepared, path)
    assert (use.made, use.reason) == (False, "up to date") and reused == golden
    doc = json.loads(path.read_text())
    doc["tools"]["tflite-micro"] = "0.0"
    path.write_text(json.dumps(doc))
    remade, use = ensure_golden(prepared, path)
    assert use.made and use.reason.startswith("stale: ") and "tflite-micro 0.0 ->" in use.reason
    assert remade == golden and json.loads(path.read_text())["tools"] == tool_versions()


def test_an_unreadable_golden_is_remade(prepared, golden, tmp_path):
    path = tmp_path / "micro_speech.golden.json"
    path.write_text("{")
    made, use = ensure_golden(prepared, path)
    assert use.made and "not valid JSON" in use.reason and made.clips == golden.clips
    missing, use = ensure_golden(prepared, tmp_path / "new" / "micro_speech.golden.json")
    assert (use.made, use.reason) == (True, "missing")
