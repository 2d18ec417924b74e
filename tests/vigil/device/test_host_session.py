"""The firmware's session (modules/vigil/src/session.c) run on the host with TFLM's Python
runtime as its engine, fed through the console stream protocol, against the independent
reference chain (TensorFlow / numpy front-ends, TFLM, Python recognizer)."""

import dataclasses

import numpy as np
import pytest

from vigil.core import session as cs
from vigil.core.abi import Status
from vigil.core.native import recognizer_config_for
from vigil.datasets import photos, recipes, speech
from vigil.datasets.camera import camera_frame, from_rgb565
from vigil.datasets.labelled import discover
from vigil.device.host import host_session
from vigil.io.image import read_image
from vigil.io.wav import read_wav
from vigil.models.resolve import resolve_model
from vigil.protocol.result_line import AckLine, DetectLine, InfoLine, ResultLine, parse_line
from vigil.protocol.stream import END, QUERY, STREAM, audio_frame, encode_frame, image_frame, sample_id
from vigil.reference.chain import ReferenceChain

EFRAME, ENOTSUP, EARENA, EAGAIN, EINVAL = Status.EFRAME, Status.ENOTSUP, Status.EARENA, Status.EAGAIN, Status.EINVAL


@pytest.fixture(scope="module")
def models(manifest):
    return {name: resolve_model(name, manifest) for name in ("kws_ref_model", "vww_96_int8", "micro_speech_quantized")}


@pytest.fixture(scope="module")
def chains(models):
    return {name: ReferenceChain(m) for name, m in models.items()}


@pytest.fixture()
def device(models):
    return host_session(models["kws_ref_model"], models["vww_96_int8"])


def parsed(lines):
    return [parse_line(line) for line in lines]


def only_result(lines) -> ResultLine:
    results = [x for x in parsed(lines) if isinstance(x, ResultLine)]
    assert len(results) == 1, lines
    return results[0]


@pytest.fixture(scope="module")
def clips(data_dir):
    files = sorted((data_dir / "samples" / "kws").glob("*.wav"))
    files += [s.path for s in discover(recipes.materialize(recipes.KWS_PARITY), "kws", ())][::4]
    return {sample_id(f.stem): read_wav(f) for f in files}


@pytest.fixture(scope="module")
def stream_audio(data_dir):
    """Pink noise with two real keywords at known times."""
    x = speech.background(7.0, 0.01, 4)
    for at, name in ((1.5, "yes_1000ms.wav"), (4.5, "no_1000ms.wav")):
        word = read_wav(data_dir / "samples" / "kws" / name)
        start = int(at * 16000)
        x[start : start + word.size] = np.clip(x[start : start + word.size].astype(int) + word, -32768, 32767)
    return x


def test_boot_and_query_report_models_and_status(device, models):
    info = parsed(device.info())[0]
    assert isinstance(info, InfoLine) and info.status == 0 and info.sample_id == "boot"
    assert info.models == {"kws_ref_model": "aeea4368", "vww_96_int8": "597a384c"}
    assert parsed(device.feed(encode_frame(QUERY, "q7"))) == [dataclasses.replace(info, sample_id="q7")]


def test_clips_match_the_reference_chain(device, chains, clips):
    chain = chains["kws_ref_model"]
    for name, x in clips.items():
        result = only_result(device.feed(audio_frame(name, x)))
        want = chain.clip_scores(x)
        assert result.status == 0 and result.sample_id == name
        assert result.label == chain.label(want), name
        # Features are bit-identical to TensorFlow on these clips (tests/vigil/core/test_mfcc.py)
        assert list(result.scores) == want.tolist(), name


def test_stream_detections_match_the_reference_and_ignore_chunking(device, chains, stream_audio):
    reference = chains["kws_ref_model"].stream(stream_audio)
    want = [(d.label, d.time_ms) for d in reference.detections]
    assert want and want[0][0] == "yes"
    for chunk in (16000, 7777, 320, 30001):
        lines = []
        for start in range(0, stream_audio.size, chunk):
            answer = parsed(device.feed(audio_frame("mic", stream_audio[start : start + chunk], STREAM)))
            assert isinstance(answer[-1], AckLine) and answer[-1].samples == min(start + chunk, stream_audio.size)
            lines += answer
        end = parsed(device.feed(encode_frame(END, "mic")))
        got = [(d.label, d.time_ms) for d in lines + end if isinstance(d, DetectLine)]
        assert got == want, chunk
        assert end[-1].label == want[-1][0] and list(end[-1].scores) == reference.peak.tolist()


def test_a_long_clip_runs_as_a_stream(device, chains, stream_audio):
    lines = parsed(device.audio_clip("long", stream_audio))  # 7 s: more than a console frame holds
    reference = chains["kws_ref_model"].stream(stream_audio)
    assert [(d.label, d.time_ms) for d in lines if isinstance(d, DetectLine)] == [
        (d.label, d.time_ms) for d in reference.detections
    ]
    assert isinstance(lines[-1], ResultLine) and lines[-1].sample_id == "long"


@pytest.fixture(scope="module")
def frames(data_dir):
    """Camera frames (RGB565) of every photo, the shared grayscale samples, and RGB crops."""
    out = {}
    for p in photos.PHOTOS:
        out[p.name] = (camera_frame(photos.load_photo(p)), "rgb565")
    for f in sorted((data_dir / "samples" / "vww").glob("*.bmp")):
        out[f.name] = (read_image(f), "gray8")
    rgb = photos.load_photo(next(p for p in photos.PHOTOS if p.name == "astronaut.png"))
    out["astronaut-crop"] = (np.ascontiguousarray(rgb[37:137, 11:171]), "rgb888")
    return out


def test_images_match_the_reference_chain(device, chains, frames):
    chain = chains["vww_96_int8"]
    for name, (pixels, fmt) in frames.items():
        result = only_result(device.feed(image_frame(sample_id(name), pixels, fmt)))
        reference_pixels = from_rgb565(pixels) if fmt == "rgb565" else pixels
        want = chain.image_scores(reference_pixels)
        assert result.label == chain.label(want), name
        assert list(result.scores) == want.tolist(), name  # the fixed-point definition: bit-exact


def test_micro_speech_uses_its_preprocessor_model(models, chains, clips):
    device = host_session(models["micro_speech_quantized"])
    info = parsed(device.info())[0]
    assert set(info.models) == {"micro_speech_quantized", "audio_preprocessor_int8"}
    chain = chains["micro_speech_quantized"]
    for name, x in list(clips.items())[:8]:
        result = only_result(device.audio_clip(name, x))
        assert list(result.scores) == chain.clip_scores(x).tolist(), name


def test_input_is_refilled_before_every_invoke(models, clips):
    """TFLM reuses the input tensor's memory during Invoke(): an engine that scribbles over its
    input after every run must not change any result."""
    honest = host_session(models["kws_ref_model"])
    scribbled = host_session(models["kws_ref_model"])
    model = scribbled.models[0]
    run = model.run

    def run_and_scribble(x):
        y = run(x)
        x[:] = np.random.default_rng(0).integers(-128, 128, x.size)
        return y

    model.run = run_and_scribble
    for name, x in list(clips.items())[:6]:
        a, b = only_result(honest.audio_clip("a", x)), only_result(scribbled.audio_clip("a", x))
        assert (a.label, a.scores) == (b.label, b.scores), name


def test_camera_frames_drive_the_person_detector(device, frames):
    person, empty = frames["astronaut.png"][0], frames["coffee.png"][0]
    events = []
    for t, frame in enumerate([empty, person, person, person, empty, empty, empty]):
        lines = parsed(device.image("camera", frame, "rgb565", continuous=True, time_ms=100 * t))
        events += [(d.label, d.time_ms) for d in lines if isinstance(d, DetectLine)]
    assert events == [("person", 200), ("no_person", 500)]  # on after 2 frames, off after 2


def test_requests_that_cannot_run_get_a_status(models):
    kws_only = host_session(models["kws_ref_model"])
    lines = parsed(kws_only.feed(image_frame("img", np.zeros((8, 8, 1), np.uint8), "gray8")))
    assert (lines[0].use_case, lines[0].sample_id, lines[0].status, lines[0].label) == ("vww", "img", ENOTSUP, None)
    assert parsed(kws_only.feed(encode_frame(END, "nothing")))[0].status == EINVAL
    short = parsed(kws_only.feed(audio_frame("s", np.zeros(3000, np.int16), STREAM) + encode_frame(END, "s")))
    assert short[-1].status == EAGAIN  # shorter than one window: no inference ran
    odd = parsed(kws_only.feed(encode_frame(b"A", "odd", b"\x01\x02\x03")))
    assert odd[0].status == EFRAME


def test_a_failed_model_reports_its_status_and_never_hangs(models, clips):
    spec = models["kws_ref_model"].spec
    broken = cs.Session(
        "0.1.0",
        kws=host_session(models["kws_ref_model"]).models[0],
        audio=cs.mfcc_frontend(16000, 0.5847029089927673, 83),
        recognizer=recognizer_config_for(spec.labels, spec.recognizer()),
        status=(EARENA, 0),
    )
    assert parsed(broken.info())[0].status == EARENA
    result = only_result(broken.audio_clip("yes", clips["yes_1000ms"]))
    assert result.status == EARENA and result.scores == ()


def test_damaged_frames_are_answered_and_the_session_continues(device, clips):
    frame = bytearray(audio_frame("hurt", clips["yes_1000ms"]))
    frame[500] ^= 1
    lines = parsed(device.feed(bytes(frame) + b"\xff\xfe garbage" + audio_frame("ok", clips["yes_1000ms"])))
    assert [(x.sample_id, x.status) for x in lines] == [("hurt", EFRAME), ("ok", 0)]
    assert lines[1].label == "yes"


def test_a_frame_bigger_than_the_buffer_is_refused(models):
    small = host_session(models["kws_ref_model"], frame_capacity=1000)
    lines = parsed(small.feed(audio_frame("big", np.zeros(1000, np.int16))))
    assert (lines[0].sample_id, lines[0].status) == ("big", -4)


def test_an_engine_failure_is_a_status_line_not_a_hang(models, clips):
    device = host_session(models["kws_ref_model"])

    def broken(x):
        raise RuntimeError("the interpreter fell over")

    device.models[0].run = broken
    with pytest.raises(RuntimeError, match="fell over"):
        device.audio_clip("yes", clips["yes_1000ms"])
    result = parse_line(device.lines[-1])
    assert (result.sample_id, result.status, result.label) == ("yes", -9, None)
