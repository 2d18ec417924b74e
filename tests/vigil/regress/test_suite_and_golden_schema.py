"""Suites and goldens checked against their schema: parameters the generator cannot use and
goldens that do not answer the suite's samples are bad input (exit 2, one line naming the file
and the key), never a traceback, an empty golden or a "regression" (exit 1)."""

from __future__ import annotations

import json

import pytest

from tests.forked_cli import assert_clean_error, forked

SPEECH = "model: kws_ref_model\nclips:\n  - speech: {{{}}}\n"
STREAM = "model: kws_ref_model\nstreams:\n  - speech_stream: {{{}}}\n"
PHOTOS = "model: vww_96_int8\nclips:\n  - photos: {{{}}}\n"


@pytest.mark.parametrize(
    "text, problem",
    [
        (SPEECH.format("seed: -1"), "clips[0].speech.seed: must be from 0 to 4294967295, got -1"),
        (SPEECH.format("seed: 4294967296"), "clips[0].speech.seed: must be from 0 to 4294967295"),
        (SPEECH.format("seed: null"), "clips[0].speech.seed: must be an integer, got None"),
        (SPEECH.format("seed: 1.5"), "clips[0].speech.seed: must be an integer, got 1.5"),
        (SPEECH.format("snr_db: []"), "clips[0].speech.snr_db: is an empty list"),
        (SPEECH.format("snr_db: [.inf]"), "clips[0].speech.snr_db[0]: must be a finite number"),
        (SPEECH.format("speeds: [200, 100]"), "clips[0].speech.speeds: must be [low, high], got [200, 100]"),
        (SPEECH.format("speeds: [60]"), "clips[0].speech.speeds[0]: must be from 80 to 450, got 60"),
        (SPEECH.format("pitches: [10, 20, 30]"), "clips[0].speech.pitches: has 3 items, at most 2"),
        (SPEECH.format("words: []"), "clips[0].speech.words: is an empty list"),
        (SPEECH.format("words: [yes]"), "clips[0].speech.words[0]: True is a YAML boolean: quote yes/no/on/off"),
        (SPEECH.format("words: ['../../x']"), "clips[0].speech.words[0]: a word is letters"),
        (SPEECH.format("variants: 0"), "clips[0].speech.variants: must be from 1 to 100, got 0"),
        (SPEECH.format("voices: 3"), "clips[0].speech: unknown key 'voices'"),
        (STREAM.format("seconds: 0"), "streams[0].speech_stream.seconds: must be from 3 to 3600, got 0"),
        (STREAM.format("count: 0"), "streams[0].speech_stream.count: must be from 1 to 1000, got 0"),
        (STREAM.format("gap_s: [4, 2]"), "streams[0].speech_stream.gap_s: must be [shortest, longest]"),
        (STREAM.format("words: []"), "streams[0].speech_stream.words: is an empty list"),
        (
            PHOTOS.format("crops_per_photo: 0, full_frame: false"),
            "crops_per_photo 0 and full_frame false make no photos",
        ),
        (PHOTOS.format("mirror: 1"), "clips[0].photos.mirror: must be true or false, got 1"),
        (
            "name: ../../etc\nmodel: kws_ref_model\nclips:\n  - files: samples/kws/*.wav\n",
            "name: must be a file-name token",
        ),
        ("model: kws_ref_model\nclips:\n  - files: ''\n", "clips[0].files: must not be empty"),
        ("model: kws_ref_model\nmodel: vww_96_int8\nclips: []\n", "line 2: duplicate key 'model'"),
        (
            "model: kws_ref_model\ntolerance: {score_steps: 256}\nclips:\n  - files: x\n",
            "tolerance.score_steps: must be",
        ),
    ],
)
def test_suite_parameters_the_generator_cannot_use(cli, tmp_path, text, problem):
    path = tmp_path / "bad.yml"
    path.write_text(text)
    for command in (["regress", "data", path], ["regress", "golden", path, "--out", tmp_path / "g.json"]):
        code, out, err = cli(*command)
        lines = err.strip().splitlines()
        assert code == 2 and len(lines) == 1 and lines[0].startswith(f"vigil: error: {path}: "), err
        assert problem in lines[0], lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yml"]


def test_suite_parameters_at_their_limits_are_taken(cli, tmp_path):
    path = tmp_path / "edge.yml"
    path.write_text(
        'model: kws_ref_model\nclips:\n  - speech: {seed: 4294967295, words: ["yes"], variants: 1, '
        "snr_db: [null], speeds: [450], pitches: [0, 99], silence: 0}\n"
    )
    code, out, err = cli("regress", "data", path)
    assert code == 0 and out.strip() == "yes: 1", err


@pytest.fixture(scope="module")
def vww_golden(tmp_path_factory):
    """The two shared VWW test images as a suite, and its golden (numpy + TFLM: no TensorFlow)."""
    folder = tmp_path_factory.mktemp("vww-golden")
    suite = folder / "tiny.yml"
    suite.write_text("model: vww_96_int8\ntolerance: {score_steps: 0}\nclips:\n  - files: samples/vww/*.bmp\n")
    golden = folder / "tiny.golden.json"
    outcome = forked(["regress", "golden", suite, "--out", golden])
    assert outcome.code == 0, outcome.describe()
    return suite, json.loads(golden.read_text())


def _first(doc) -> str:
    return sorted(doc["clips"])[0]


GOLDEN_EDITS = {
    "binary": (None, "golden is not UTF-8 text"),
    "a list": ("list", "not a Vigil golden"),
    "clips a list": (lambda d: d.update(clips=list(d["clips"].values())), "clips: expected a mapping, got"),
    "a clip missing": (lambda d: d["clips"].pop(_first(d)), "no answer for clip"),
    "a clip more": (lambda d: d["clips"].update(extra=d["clips"][_first(d)]), "an answer for no clip 'extra'"),
    "an extra key": (lambda d: d.update(comment="x"), "unknown key 'comment'"),
    "an extra clip key": (lambda d: d["clips"][_first(d)].update(note=1), "unknown key 'note'"),
    "one score short": (lambda d: d["clips"][_first(d)]["scores"].pop(), "1 scores, the model has 2 labels"),
    "a score of 200": (lambda d: d["clips"][_first(d)]["scores"].__setitem__(0, 200), "must be from -128 to 127"),
    "a score of true": (lambda d: d["clips"][_first(d)]["scores"].__setitem__(0, True), "must be an integer"),
    "an unknown label": (lambda d: d["clips"][_first(d)].update(label="cat"), "label 'cat'"),
    "a short sha256": (lambda d: d["model"].update(sha256="abc"), "model.sha256: must be 64 lowercase hex digits"),
    "no streams key": (lambda d: d.pop("streams"), "missing 'streams'"),
    "NaN": ("NaN", "holds NaN"),
}


@pytest.mark.parametrize("edit", sorted(GOLDEN_EDITS))
def test_a_malformed_golden_is_bad_input_not_a_regression(vww_golden, tmp_path, edit):
    suite, doc = vww_golden
    change, problem = GOLDEN_EDITS[edit]
    path = tmp_path / "golden.json"
    if change is None:
        path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe" * 10)
    elif change == "NaN":
        path.write_text(json.dumps(doc).replace("[", "[NaN, ", 1))
    elif change == "list":
        path.write_text(json.dumps([doc]))
    else:
        doc = json.loads(json.dumps(doc))
        change(doc)  # in place
        path.write_text(json.dumps(doc))
    report = tmp_path / "report.json"
    outcome = forked(["regress", "run", suite, "--target", "host", "--golden", path, "--json", report])
    assert_clean_error(outcome, path, problem)
    assert not report.exists()


def test_the_unedited_golden_passes(vww_golden, tmp_path):
    suite, doc = vww_golden
    path = tmp_path / "golden.json"
    path.write_text(json.dumps(doc))
    outcome = forked(["regress", "run", suite, "--target", "host", "--golden", path])
    assert outcome.code == 0, outcome.describe()


def test_outputs_that_cannot_be_written_are_refused_before_the_run(vww_golden, tmp_path):
    suite, doc = vww_golden
    golden = tmp_path / "golden.json"
    golden.write_text(json.dumps(doc))
    afile = tmp_path / "a_file"
    afile.write_text("")
    for args, problem in (
        (["--golden", tmp_path], "is a folder, expected a golden"),
        (["--golden", golden, "--junit", tmp_path], "is a folder, expected the JUnit report to write"),
        (["--golden", golden, "--markdown", afile / "r.md"], "is a file, not a folder"),
        (["--golden", golden, "--json", tmp_path / "r.json", "--junit", tmp_path / "r.json"], "different files"),
    ):
        outcome = forked(["regress", "run", suite, "--target", "host", *args])
        assert_clean_error(outcome, problem)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "golden.json"]
    outcome = forked(["regress", "golden", suite, "--out", tmp_path])
    assert_clean_error(outcome, tmp_path, "is a folder")


def test_regress_data_of_an_image_suite(cli, tmp_path):
    """It printed a traceback: the image front-end has no sample rate."""
    path = tmp_path / "v.yml"
    path.write_text("model: vww_96_int8\nclips:\n  - files: samples/vww/*.bmp\n")
    code, out, err = cli("regress", "data", path)
    assert code == 0 and err == "" and out.split() == ["no_person:", "1", "person:", "1"]


def test_a_files_pattern_that_matches_only_a_folder(cli, tmp_path):
    path = tmp_path / "v.yml"
    path.write_text("model: vww_96_int8\nclips:\n  - files: samples/vww/\n")
    code, out, err = cli("regress", "data", path)
    assert code == 2 and err.strip() == f"vigil: error: {path}: no files match 'samples/vww/'"
