"""`vigil classify` against the independent reference (TensorFlow / numpy front-end + TFLM +
Python recognizer) on every test file, on the host and on the Cortex-M33 under QEMU."""

import json

import numpy as np
import pytest
from PIL import Image

from vigil.datasets import recipes, speech
from vigil.datasets.labelled import discover
from vigil.io.image import read_image
from vigil.io.wav import read_wav, write_wav
from vigil.models.resolve import resolve_model
from vigil.reference.chain import ReferenceChain


@pytest.fixture(scope="module")
def kws_files(data_dir, tmp_path_factory):
    files = sorted((data_dir / "samples" / "kws").glob("*.wav"))
    files += [s.path for s in discover(recipes.materialize(recipes.KWS_PARITY), "kws", ())][::3]
    # A stream: background noise with two real keywords at known times.
    stream = speech.background(7.0, 0.01, 4)
    for at, name in ((1.5, "yes_1000ms.wav"), (4.5, "no_1000ms.wav")):
        word = read_wav(data_dir / "samples" / "kws" / name)
        start = int(at * 16000)
        stream[start : start + word.size] = np.clip(stream[start : start + word.size].astype(int) + word, -32768, 32767)
    path = tmp_path_factory.mktemp("stream") / "stream_yes_no.wav"
    write_wav(path, stream)
    return files + [path]


@pytest.fixture(scope="module")
def vww_files(data_dir):
    return (
        sorted((data_dir / "samples" / "vww").glob("*.bmp"))
        + [s.path for s in discover(recipes.materialize(recipes.VWW_TEST), "vww", ())][::6]
    )


def reference_kws(manifest, path):
    chain = ReferenceChain(resolve_model("kws_ref_model", manifest))
    x = read_wav(path)
    if x.size <= 16000:
        return chain.label(chain.clip_scores(x)), None
    hits = [(d.label, d.time_ms / 1000.0) for d in chain.stream(x).detections]
    return (hits[-1][0] if hits else "none"), hits


@pytest.mark.parametrize("target", ["host", "qemu"])
def test_kws_agrees_with_reference_on_every_file(cli, manifest, kws_files, target):
    code, out, err = cli("classify", "--task", "kws", "--target", target, "--json", *kws_files)
    assert code == 0, err
    results = json.loads(out)
    assert [r["file"] for r in results] == [str(f) for f in kws_files]
    for r, f in zip(results, kws_files, strict=True):
        label, detections = reference_kws(manifest, f)
        assert r["label"] == label, f
        if detections is not None:
            assert [(d["label"], d["time_s"]) for d in r["detections"]] == detections
    stream = results[-1]
    assert [d["label"] for d in stream["detections"]] == ["yes"] and 2.5 <= stream["detections"][0]["time_s"] <= 3.5


@pytest.mark.parametrize("target", ["host", "qemu"])
def test_vww_agrees_with_reference_on_every_file(cli, manifest, vww_files, target):
    code, out, err = cli("classify", "--task", "vww", "--target", target, "--json", *vww_files)
    assert code == 0, err
    chain = ReferenceChain(resolve_model("vww_96_int8", manifest))
    for r, f in zip(json.loads(out), vww_files, strict=True):
        assert r["label"] == chain.label(chain.image_scores(read_image(f))), f
        assert set(r["scores"]) == {"no_person", "person"}


def test_micro_speech_runs_on_host_only(cli, data_dir):
    wav = data_dir / "samples" / "kws" / "yes_1000ms.wav"
    code, out, _ = cli("classify", "--task", "kws", "--model", "micro_speech_quantized", "--json", wav)
    assert code == 0 and json.loads(out)[0]["label"] == "yes"
    code, _, err = cli("classify", "--task", "kws", "--model", "micro_speech_quantized", "--target", "qemu", wav)
    assert code == 2 and "--target host" in err


def _write_wav(path, rate=16000, channels=1, width=2, frames=1600):
    import wave

    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(b"\x01\x00" * (frames * channels * width // 2))
    return path


BAD_INPUTS = {
    "stereo.wav": (lambda p: _write_wav(p, channels=2), "2-channel WAV, expected mono"),
    "8khz.wav": (lambda p: _write_wav(p, rate=8000), "sample rate 8000 Hz"),
    "8bit.wav": (lambda p: _write_wav(p, width=1), "8-bit WAV"),
    "truncated.wav": (lambda p: p.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfm"), "not a valid PCM WAV"),
    "empty.wav": (lambda p: p.write_bytes(b""), "empty file"),
    "tiny.png": (lambda p: Image.new("RGB", (1, 1)).save(p), "image is 1x1 pixels"),
    "corrupt.png": (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40), "not a readable image"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
@pytest.mark.parametrize("target", ["host", "qemu"])
def test_bad_input_is_one_line_naming_the_file(cli, tmp_path, name, target):
    make, problem = BAD_INPUTS[name]
    path = tmp_path / name
    make(path)
    task = "vww" if name.endswith(".png") else "kws"
    code, out, err = cli("classify", "--task", task, "--target", target, path)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and str(path) in lines[0] and problem in lines[0], err
    assert out == ""


def test_the_table_shows_what_the_json_says(cli, data_dir):
    wav = data_dir / "samples" / "kws" / "yes_1000ms.wav"
    code, out, _ = cli("classify", "--task", "kws", "--json", wav)
    assert code == 0
    (result,) = json.loads(out)
    code, table, _ = cli("classify", "--task", "kws", wav)
    assert code == 0 and "kws_ref_model on host" in table
    ranked = sorted(result["scores"].items(), key=lambda kv: -kv[1])
    row = next(line for line in table.splitlines() if "yes_1000ms.wav" in line)
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    assert cells[1:] == [
        result["label"],
        f"{result['scores'][result['label']]:.3f}",
        f"{ranked[1][0]} {ranked[1][1]:.3f}",
        "-",  # a clip: no stream, no detections
    ]
