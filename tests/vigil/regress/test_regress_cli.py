"""`vigil regress` from the command line: goldens, runs, reports (JUnit XML, JSON, Markdown),
exit codes, and bad suites as one-line errors."""

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from vigil.regress.suite import load_suite


def test_golden_then_run_writes_every_report(cli, small_kws, tmp_path):
    suite_path, _, _ = small_kws
    golden = tmp_path / "golden.json"
    code, out, err = cli("regress", "golden", suite_path, "--out", golden)
    assert code == 0 and "wrote" in out, err
    doc = json.loads(golden.read_text())
    assert doc["model"] == {"name": "kws_ref_model", "sha256": doc["model"]["sha256"]}
    assert doc["model"]["sha256"].startswith("aeea4368") and {"vigil", "tensorflow", "tflite-micro"} <= set(
        doc["tools"]
    )
    junit, report, md = tmp_path / "r.xml", tmp_path / "r.json", tmp_path / "r.md"
    code, out, err = cli(
        "regress",
        "run",
        suite_path,
        "--target",
        "host",
        "--golden",
        golden,
        "--junit",
        junit,
        "--json",
        report,
        "--markdown",
        md,
    )
    assert code == 0, out + err
    assert "vigil regress: PASS" in out
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite.get("failures") == "0" and int(suite.get("tests")) == 8
    result = json.loads(report.read_text())
    assert result["format"] == "vigil-regress/1" and result["passed"] and len(result["streams"]) == 1
    assert set(result["streams"][0]) >= {"hits", "false_accepts", "false_rejects", "false_accepts_per_hour"}
    assert result["accuracy"]["total"] == 6  # noise_1000ms has no expected label
    assert md.read_text().startswith("### vigil regress `small` on `host`: ✅ pass")


def test_a_regression_exits_1_and_names_the_sample(cli, small_kws, tmp_path):
    suite_path, golden_path, _ = small_kws
    doc = json.loads(golden_path.read_text())
    doc["clips"]["yes_1000ms"]["scores"][9] -= 20  # as if the golden had said otherwise
    doc["clips"]["yes_1000ms"]["label"] = "no"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc))
    junit = tmp_path / "r.xml"
    code, out, err = cli("regress", "run", suite_path, "--target", "host", "--golden", edited, "--junit", junit)
    assert code == 1 and "yes_1000ms" in out and "label yes, golden no" in out
    assert err.strip() == "vigil: error: suite small on host: 1 regression(s)"
    failures = [c.get("name") for c in ET.parse(junit).getroot().iter("testcase") if c.find("failure") is not None]
    assert failures == ["yes_1000ms"]


def test_missing_golden_and_missing_exe_are_bad_input(cli, small_kws, tmp_path):
    suite_path, golden_path, _ = small_kws
    code, out, err = cli("regress", "run", suite_path, "--target", "host", "--golden", tmp_path / "none.json")
    assert code == 2 and err.strip().endswith("golden not found; make it with `vigil regress golden`")
    code, out, err = cli("regress", "run", suite_path, "--target", "native_sim", "--golden", golden_path)
    assert code == 2 and "--exe" in err
    code, out, err = cli("regress", "run", suite_path, "--target", "serial", "--golden", golden_path)
    assert code == 2 and "--port" in err


BAD_SUITES = {
    "model: [1]": "'model' must name a models.yml model or a .tflite file",
    "model: kws_ref_model\nclips: []": "no clips and no streams",
    "model: kws_ref_model\nsamples: []": "unknown keys samples",
    "model: kws_ref_model\nclips:\n  - sounds: x": "clips entry 1 must be one of files, speech, photos",
    "model: kws_ref_model\ntolerance: {score_steps: -1}\nclips:\n  - files: x": "tolerance.score_steps must be",
    "model: kws_ref_model\nclips: [": "not valid YAML",
}


@pytest.mark.parametrize("text", sorted(BAD_SUITES))
def test_bad_suite_is_one_line(cli, tmp_path, text):
    path = tmp_path / "bad.yml"
    path.write_text(text)
    code, out, err = cli("regress", "golden", path, "--out", tmp_path / "g.json")
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and str(path) in lines[0] and BAD_SUITES[text] in lines[0], err
    assert not (tmp_path / "g.json").exists()


def test_unmatched_files_and_unknown_suite_names(cli, tmp_path):
    path = tmp_path / "s.yml"
    path.write_text("model: kws_ref_model\nclips:\n  - files: samples/kws/none_*.wav\n")
    code, _, err = cli("regress", "golden", path)
    assert code == 2 and "no files match 'samples/kws/none_*.wav'" in err
    code, _, err = cli("regress", "golden", "no_such_suite")
    assert code == 2 and "known: kws, micro_speech, vww" in err


def test_streams_with_a_stateful_front_end_are_refused(cli, tmp_path):
    path = tmp_path / "s.yml"
    path.write_text("model: micro_speech_quantized\nstreams:\n  - speech_stream: {seconds: 5, count: 1}\n")
    code, _, err = cli("regress", "golden", path)
    assert code == 2 and "streams need a stateless front-end" in err


def test_generated_data_is_deterministic_given_the_seed(manifest, tmp_path, monkeypatch):
    from vigil.regress.generate import suite_samples

    spec = manifest.get("kws_ref_model")
    suite_a = tmp_path / "a.yml"
    suite_a.write_text(
        "model: kws_ref_model\nclips:\n  - speech: {seed: 9, words: [go, tree], variants: 2, "
        "snr_db: [10]}\nstreams:\n  - speech_stream: {seed: 9, seconds: 8, count: 2}\n"
    )
    first = suite_samples(load_suite(suite_a), spec)
    monkeypatch.setenv("VIGIL_CACHE", str(tmp_path / "fresh-cache"))  # regenerate from scratch
    second = suite_samples(load_suite(suite_a), spec)
    assert [c.ident for c in first[0]] == [c.ident for c in second[0]]
    assert all(np.array_equal(a.data, b.data) for a, b in zip(first[0], second[0], strict=True))
    assert np.array_equal(first[1][0].samples, second[1][0].samples) and first[1][0].truth == second[1][0].truth
    assert {c.label for c in first[0]} == {"go", "unknown"}  # "tree" is no keyword of the model
    suite_b = tmp_path / "b.yml"
    suite_b.write_text(suite_a.read_text().replace("seed: 9, words", "seed: 10, words"))
    other = suite_samples(load_suite(suite_b), spec)
    assert [c.ident for c in other[0]] != [c.ident for c in first[0]]
