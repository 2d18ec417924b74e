"""The device session (modules/vigil/src/session.c) with a scripted engine: every request kind,
every status, stream timing at hop and stride boundaries, chunkings, the info line at its length
limits, and the console frames that reach it. Fast (no model runs): expected lines are written
from the protocol's specification (result.h, session.h, stream_frame.h) and checked with the
Python parser; tensors are compared with the front-end run on its own."""

from __future__ import annotations

import ctypes as C
import re
import zlib

import numpy as np
import pytest

from vigil.core import native
from vigil.core import session as cs
from vigil.errors import VigilError
from vigil.protocol.result_line import AckLine, DetectLine, InfoLine, ResultLine, parse_line
from vigil.protocol.stream import AUDIO, END, IMAGE, QUERY, STREAM, audio_frame, encode_frame, image_frame

EINVAL, EAGAIN, ENOSPC, EOVERFLOW, ENOTSUP, EARENA, EINVOKE, EFRAME = -1, -2, -3, -4, -5, -8, -9, -11
KWS_LABELS = ("silence", "unknown", "yes", "no")
VWW_LABELS = ("no_person", "person")
SCALE, ZP = 1 / 256, -128  # output quantization: q = 127 is p = 255/256
SHA_KWS, SHA_VWW = "aeea4368" + "0" * 56, "5f0c1d2e" + "1" * 56
RATE, CLIP, HOP = 16000, 16000, 320


class Script:
    """An engine whose scores come from a function of the invocation number and the input."""

    def __init__(self, labels, scores=None):
        self.labels = labels
        self.inputs: list[np.ndarray] = []
        self.scores = scores or (lambda k, x: _onehot(len(labels), 0))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        self.inputs.append(x.copy())
        return np.asarray(self.scores(len(self.inputs) - 1, x), np.int8)


def _onehot(n: int, index: int, high: int = 127, low: int = -128) -> np.ndarray:
    q = np.full(n, low, np.int8)
    q[index] = high
    return q


def kws_binding(script: Script, name="kws_ref_model", sha=SHA_KWS) -> cs.ModelBinding:
    return cs.ModelBinding(name, sha, script.labels, 0.5847029, 83, SCALE, ZP, np.zeros((49, 10), np.int8), script)


def vww_binding(script: Script, labels=VWW_LABELS, size=(8, 6)) -> cs.ModelBinding:
    return cs.ModelBinding(
        "vww_96_int8",
        SHA_VWW,
        labels,
        1 / 255,
        -128,
        SCALE,
        ZP,
        np.zeros((size[1], size[0], 3), np.int8),
        script,
        image_size=size,
        pixel_scale=1 / 255,
    )


def make_session(kws=None, vww=None, stride_ms=100, threshold=0.5, suppression_ms=1500, **kw) -> cs.Session:
    options = {}
    if kws is not None:
        options["audio"] = cs.mfcc_frontend(CLIP, 0.5847029, 83)
        options["recognizer"] = native.recognizer_config(kws.labels, threshold, 1000, suppression_ms, 3)
    if vww is not None:
        options["detector"] = native.DetectorConfig(0.625, 0.375, 2, 2)
    options.update(kw)
    return cs.Session("0.1.0", kws, vww, stride_ms=stride_ms, **options)


def parsed(lines):
    return [parse_line(line) for line in lines]


def noise(n: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).integers(-3000, 3000, n).astype(np.int16)


def mfcc_tensor(samples: np.ndarray) -> np.ndarray:
    m = native.Mfcc()
    m.push(samples)
    return m.tensor(0.5847029, 83)


# -- set-up -----------------------------------------------------------------------------------


def raw_init(session: cs.Session, **fields) -> int:
    cfg = cs.SessionConfig.from_buffer_copy(session._cfg)
    for name, value in fields.items():
        setattr(cfg, name, value)
    state = C.create_string_buffer(cs.session_library().vigil_host_sizeof_session())
    return cs.session_library().vigil_session_init(state, C.byref(cfg))


def test_init_refuses_incomplete_configurations():
    s = make_session(kws_binding(Script(KWS_LABELS)), vww_binding(Script(VWW_LABELS)))
    lib = cs.session_library()
    assert raw_init(s) == 0
    for field, value in (("write_line", cs.LINE_FN()), ("firmware", None), ("engine", None)):
        assert raw_init(s, **{field: value}) == EINVAL, field
    assert lib.vigil_session_init(None, C.byref(s._cfg)) == EINVAL
    state = C.create_string_buffer(lib.vigil_host_sizeof_session())
    assert lib.vigil_session_init(state, None) == EINVAL
    for field in ("input", "invoke"):
        engine = cs.EngineApi(s._engine.input, s._engine.invoke)
        setattr(engine, field, getattr(cs, f"{field.upper()}_FN")())
        assert raw_init(s, engine=C.pointer(engine)) == EINVAL, field
    assert raw_init(s, frame_buffer=None, frame_capacity=16) == EINVAL
    assert raw_init(s, frame_buffer=None, frame_capacity=0) == 0


def test_init_refuses_inconsistent_kws_and_vww_settings():
    s = make_session(kws_binding(Script(KWS_LABELS)), vww_binding(Script(VWW_LABELS)))
    for change in (
        {"api": None},
        {"step_samples": 0},
        {"sample_rate": 0},
    ):
        audio = cs.AudioFrontend.from_buffer_copy(s._cfg.audio)
        for k, v in change.items():
            setattr(audio, k, v)
        assert raw_init(s, audio=audio) == EINVAL, change
    rec = native.RecognizerConfig.from_buffer_copy(s._cfg.recognizer)
    rec.num_labels = 3
    assert raw_init(s, recognizer=rec) == EINVAL
    rec = native.RecognizerConfig.from_buffer_copy(s._cfg.recognizer)
    rec.min_results = 0
    assert raw_init(s, recognizer=rec) == EINVAL
    assert raw_init(s, detector=native.DetectorConfig(0.4, 0.6, 1, 1)) == EINVAL
    desc = cs.ModelDesc.from_buffer_copy(s._cfg.models[1].contents)
    for field in ("image_width", "image_height"):
        bad = cs.ModelDesc.from_buffer_copy(desc)
        setattr(bad, field, 0)
        models = (C.POINTER(cs.ModelDesc) * 2)(s._cfg.models[0], C.pointer(bad))
        assert raw_init(s, models=models) == EINVAL, field
    bad = cs.ModelDesc.from_buffer_copy(desc)
    bad.num_labels = 1
    assert raw_init(s, models=(C.POINTER(cs.ModelDesc) * 2)(s._cfg.models[0], C.pointer(bad))) == EINVAL
    many = cs.ModelDesc.from_buffer_copy(s._cfg.models[0].contents)
    many.num_labels = 17
    rec = native.RecognizerConfig.from_buffer_copy(s._cfg.recognizer)
    rec.num_labels = 17
    assert raw_init(s, models=(C.POINTER(cs.ModelDesc) * 2)(C.pointer(many), None), recognizer=rec) == EINVAL
    # without their models, the KWS and VWW settings are not looked at
    empty = (C.POINTER(cs.ModelDesc) * 2)()
    assert raw_init(s, models=empty, audio=cs.AudioFrontend(), detector=native.DetectorConfig(2, 3, 0, 0)) == 0


# -- info ---------------------------------------------------------------------------------------


def models_field(lines: list[str]) -> str:
    (line,) = lines
    return re.search(r" models=(\S*) arena=", line).group(1)


def vww_named(name: str) -> cs.ModelBinding:
    return cs.ModelBinding(
        name,
        SHA_VWW,
        VWW_LABELS,
        1 / 255,
        -128,
        SCALE,
        ZP,
        np.zeros((6, 8, 3), np.int8),
        Script(VWW_LABELS),
        image_size=(8, 6),
        pixel_scale=1 / 255,
    )


def test_info_lists_models_with_sha_prefixes_and_the_first_failing_status():
    s = make_session(kws_binding(Script(KWS_LABELS)), vww_binding(Script(VWW_LABELS)), arena=(22804, 23648))
    (info,) = parsed(s.info("boot"))
    assert info == InfoLine("boot", "0.1.0", {"kws_ref_model": "aeea4368", "vww_96_int8": "5f0c1d2e"}, 22804, 23648, 0)
    s = make_session(kws_binding(Script(KWS_LABELS)), vww_binding(Script(VWW_LABELS)), status=(0, EARENA))
    assert parsed(s.info("q1"))[0].status == EARENA
    s = make_session(kws_binding(Script(KWS_LABELS)), vww_binding(Script(VWW_LABELS)), status=(ENOSPC, EARENA))
    assert parsed(s.info("q1"))[0].status == ENOSPC
    s = make_session(None, vww_binding(Script(VWW_LABELS)), status=(EARENA, 0), preprocessor=("pre", "ab" * 32))
    info = parsed(s.info("x"))[0]
    assert (info.models, info.status) == ({"vww_96_int8": "5f0c1d2e", "pre": "abababab"}, 0)  # no KWS: status unused
    s = make_session(kws_binding(Script(KWS_LABELS), sha="1234567"))  # a digest too short to show: not listed
    assert cs.session_library().vigil_session_info(s._state, b"x") == EINVAL and s.lines == []  # nothing to list
    s = make_session(kws_binding(Script(KWS_LABELS), sha="12345678"))  # exactly the 8 characters shown
    assert models_field(s.info("x")) == "kws_ref_model@12345678"
    assert cs.session_library().vigil_session_info(None, b"x") == EINVAL
    assert cs.session_library().vigil_session_info(s._state, None) == EINVAL


def test_info_model_list_is_cut_at_its_buffer():
    """models[256]: at most 255 characters; a name is cut there, a sha prefix shown only whole."""
    a = "a" * 120
    s = make_session(kws_binding(Script(KWS_LABELS), name=a), vww_named("v" * 116), preprocessor=("b" * 9, "c" * 64))
    # 120 + 9, then 1 + 116 + 9: exactly 255, nothing of the third
    assert models_field(s.info("x")) == a + "@aeea4368," + "v" * 116 + "@5f0c1d2e"
    s = make_session(kws_binding(Script(KWS_LABELS), name=a), vww_named("v" * 114), preprocessor=("p", "c" * 64))
    # 253, then ",p" = 255: no room left for p's sha prefix
    assert models_field(s.info("x")) == a + "@aeea4368," + "v" * 114 + "@5f0c1d2e,p"
    s = make_session(kws_binding(Script(KWS_LABELS), name=a), vww_named("v" * 113), preprocessor=("pq", "c" * 64))
    assert models_field(s.info("x")) == a + "@aeea4368," + "v" * 113 + "@5f0c1d2e,pq"
    s = make_session(kws_binding(Script(KWS_LABELS), name="k" * 250))
    assert models_field(s.info("x")) == "k" * 250  # 250 + 9 does not fit: the name alone
    s = make_session(kws_binding(Script(KWS_LABELS), name="k" * 246))
    assert models_field(s.info("x")) == "k" * 246 + "@aeea4368"  # 255: fits exactly
    s = make_session(kws_binding(Script(KWS_LABELS), name="k" * 247))
    assert models_field(s.info("x")) == "k" * 247


# -- clips ------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 319, 320, 321, 15999, 16000])
def test_a_clip_is_padded_with_silence_to_the_window(n):
    script = Script(KWS_LABELS, lambda k, x: _onehot(4, 2))
    s = make_session(kws_binding(script))
    samples = noise(n)
    (line,) = parsed(s.audio_clip("c1", samples))
    padded = np.zeros(CLIP, np.int16)
    padded[:n] = samples
    assert np.array_equal(script.inputs[0], mfcc_tensor(padded))
    assert line == ResultLine("kws", "c1", "yes", tuple(_onehot(4, 2).tolist()), ZP, SCALE, line.time_us, 0)


def test_a_window_of_0_is_the_clip_s_length_and_a_window_of_1_is_refused():
    # 16100 lies inside MLPerf's valid windows [15840, 16160) but is not the 16000 that 0 would
    # give the MFCC alone: only a window of the clip's length sees the peak at sample 16050.
    clip = 16100
    samples = noise(clip, seed=7)
    samples[16050] = 32000
    script = Script(KWS_LABELS, lambda k, x: _onehot(4, 2))
    s = make_session(kws_binding(script), audio=cs.mfcc_frontend(clip, 0.5847029, 83, config=native.mfcc_config()))
    s.audio_clip("w", samples)

    def tensor(window):
        m = native.Mfcc(native.mfcc_config(window_samples=window))
        m.push(samples)
        return m.tensor(0.5847029, 83)

    assert np.array_equal(script.inputs[0], tensor(clip)) and not np.array_equal(script.inputs[0], tensor(16000))
    with pytest.raises(VigilError, match="invalid argument"):
        cs.mfcc_frontend(16000, 0.5, 0, config=native.mfcc_config(window_samples=1))


def test_the_clip_label_is_the_first_highest_score():
    for scores, label in (([-3, 5, 5, 1], "unknown"), ([9, -128, -128, 9], "silence"), ([0, 0, 0, 1], "no")):
        s = make_session(kws_binding(Script(KWS_LABELS, lambda k, x, q=scores: q)))
        assert parsed(s.audio_clip("c", np.zeros(100, np.int16)))[0].label == label


def test_a_clip_the_front_end_cannot_fill_is_not_enough_input():
    """A windowed front-end of 3 frames of 480 samples cannot be full after a 960-sample clip."""
    frontend = cs.windowed_frontend(lambda w: np.full(2, 1, np.int8), lambda: None, RATE, 960, 480, 320, 2, 3)
    script = Script(KWS_LABELS)
    binding = cs.ModelBinding("m", SHA_KWS, KWS_LABELS, 1.0, 0, SCALE, ZP, np.zeros(6, np.int8), script)
    s = cs.Session(
        "0.1.0", binding, None, audio=frontend, recognizer=native.recognizer_config(KWS_LABELS, 0.5, 1000, 0, 1)
    )
    (line,) = parsed(s.audio_clip("short", np.zeros(960, np.int16)))
    assert (line.status, line.label, line.scores) == (EAGAIN, None, ()) and script.inputs == []


def test_requests_for_a_use_case_that_cannot_run():
    s = make_session(None, vww_binding(Script(VWW_LABELS)))
    (line,) = parsed(s.audio_clip("c", np.zeros(10, np.int16)))
    assert (line.use_case, line.sample_id, line.status) == ("kws", "c", ENOTSUP)
    assert parsed(s.audio_end("c"))[0].status == ENOTSUP
    assert s.audio_stream("c", np.zeros(10, np.int16)) == []  # the stream's ack (console) carries the status
    s = make_session(kws_binding(Script(KWS_LABELS)), None, status=(EARENA, 0))
    assert parsed(s.audio_clip("c", np.zeros(10, np.int16)))[0].status == EARENA
    (line,) = parsed(s.image("i", np.zeros((6, 8, 1), np.uint8), "gray8"))
    assert (line.use_case, line.status) == ("vww", ENOTSUP)


class NullInput(cs.Session):
    def _input(self, _ctx, uc, input_ptr):  # "ready", but no tensor
        return 0


class FailingInput(cs.Session):
    def _input(self, _ctx, uc, input_ptr):
        return EARENA


def test_an_engine_without_an_input_tensor_is_an_invoke_failure():
    kws, vww = kws_binding(Script(KWS_LABELS)), vww_binding(Script(VWW_LABELS))
    options = {
        "audio": cs.mfcc_frontend(CLIP, 0.5847029, 83),
        "recognizer": native.recognizer_config(KWS_LABELS, 0.5, 1000, 0, 3),
        "detector": native.DetectorConfig(0.625, 0.375, 2, 2),
    }
    for cls, status in ((NullInput, EINVOKE), (FailingInput, EARENA)):
        s = cls("0.1.0", kws, vww, **options)
        assert parsed(s.audio_clip("c", np.zeros(10, np.int16)))[0].status == status
        assert parsed(s.image("i", np.zeros((6, 8, 1), np.uint8), "gray8"))[0].status == status


def test_an_engine_that_fails_is_a_status_line():
    def broken(k, x):
        raise RuntimeError("no")

    s = make_session(kws_binding(Script(KWS_LABELS, broken)))
    lib = cs.session_library()
    x = np.zeros(100, np.int16)
    status = lib.vigil_session_audio_clip(s._state, b"c", x.ctypes.data_as(C.POINTER(C.c_int16)), x.size)
    assert status == EINVOKE and parse_line(s.lines[-1]).status == EINVOKE
    s._error = None


def test_bad_arguments_are_refused_without_a_line():
    s = make_session(kws_binding(Script(KWS_LABELS)), vww_binding(Script(VWW_LABELS)))
    lib = cs.session_library()
    pcm = C.POINTER(C.c_int16)
    x = np.zeros(4, np.int16).ctypes.data_as(pcm)
    assert lib.vigil_session_audio_clip(None, b"c", x, 4) == EINVAL
    assert lib.vigil_session_audio_clip(s._state, None, x, 4) == EINVAL
    assert lib.vigil_session_audio_clip(s._state, b"c", pcm(), 4) == EINVAL
    assert lib.vigil_session_audio_stream(None, b"c", x, 4) == EINVAL
    assert lib.vigil_session_audio_stream(s._state, None, x, 4) == EINVAL
    assert lib.vigil_session_audio_stream(s._state, b"c", pcm(), 4) == EINVAL
    assert lib.vigil_session_audio_end(None, b"c") == EINVAL
    assert lib.vigil_session_audio_end(s._state, None) == EINVAL
    frame = native.Frame()
    assert lib.vigil_session_image(None, b"i", C.byref(frame), False, 0) == EINVAL
    assert lib.vigil_session_image(s._state, None, C.byref(frame), False, 0) == EINVAL
    assert lib.vigil_session_image(s._state, b"i", None, False, 0) == EINVAL
    assert lib.vigil_session_feed(None, b"", 0) == EINVAL
    assert lib.vigil_session_feed(s._state, None, 1) == EINVAL
    assert lib.vigil_session_feed(s._state, None, 0) == 0
    assert lib.vigil_session_audio_clip(s._state, b"c", pcm(), 0) == 0  # no samples: a clip of silence
    assert s.lines and parse_line(s.lines[-1]).status == 0
    before = len(s.lines)
    lib.vigil_session_fail.argtypes = [C.c_void_p, C.c_int, C.c_char_p, C.c_int32]
    assert lib.vigil_session_fail(s._state, 0, b"mic", EINVAL) == 0
    assert parse_line(s.lines[-1]) == ResultLine("kws", "mic", None, (), 0, 1.0, 0, EINVAL)
    assert lib.vigil_session_fail(s._state, 1, b"cam", -10) == 0 and parse_line(s.lines[-1]).use_case == "vww"
    assert lib.vigil_session_fail(s._state, 2, b"x", -10) == EINVAL
    assert lib.vigil_session_fail(s._state, -1, b"x", -10) == EINVAL
    assert lib.vigil_session_fail(s._state, 0, b"x", 0) == EINVAL
    assert lib.vigil_session_fail(s._state, 0, None, -1) == EINVAL
    assert lib.vigil_session_fail(None, 0, b"x", -1) == EINVAL
    assert len(s.lines) == before + 2


# -- streams ----------------------------------------------------------------------------------


def stream_script(yes_from: int, yes_to: int) -> Script:
    """'silence' except inferences yes_from..yes_to-1, which say 'yes'."""
    return Script(KWS_LABELS, lambda k, x: _onehot(4, 2 if yes_from <= k < yes_to else 0))


def run_stream(s: cs.Session, samples: np.ndarray, chunk: int, ident: str = "st") -> list:
    out = []
    for start in range(0, samples.size, chunk):
        out += s.audio_stream(ident, samples[start : start + chunk])
    return out + s.audio_end(ident)


@pytest.mark.parametrize("chunk", [1, 7, 320, 333, 16000, 48000])
def test_stream_inferences_detections_and_result_do_not_depend_on_chunking(chunk):
    samples = noise(3 * RATE, seed=4)
    script = stream_script(5, 12)
    s = make_session(kws_binding(script))
    lines = parsed(run_stream(s, samples, chunk))
    # the window is full at 1 s, then one inference per 100 ms stride: 1000, 1100, ..., 3000 ms
    assert len(script.inputs) == 21
    assert np.array_equal(script.inputs[0], mfcc_tensor(samples[:CLIP]))
    assert np.array_equal(script.inputs[20], mfcc_tensor(samples[2 * RATE : 3 * RATE]))
    # "yes" from inference 5 (1500 ms): the window holds the results of the last 1000 ms (10), and
    # the average of p("yes") = 255/256 reaches 0.5 with the sixth "yes", at 2000 ms
    detections = [x for x in lines if isinstance(x, DetectLine)]
    assert [(d.label, d.time_ms) for d in detections] == [("yes", 2000)]
    assert detections[0].score == round(6 * 255 / 256 / 10, 3)
    (result,) = [x for x in lines if isinstance(x, ResultLine)]
    assert (result.sample_id, result.label, result.status) == ("st", "yes", 0)
    assert result.scores == (127, -128, 127, -128)  # the peak of each label over the stream


def test_stride_of_one_hop_and_strides_between_hops():
    samples = noise(RATE + 5 * HOP, seed=2)
    for stride_ms, expected in ((0, 6), (20, 6), (39, 6), (40, 3), (60, 2), (100, 2), (120, 1)):
        script = stream_script(99, 99)
        s = make_session(kws_binding(script), stride_ms=stride_ms)
        run_stream(s, samples, 1000)
        assert len(script.inputs) == expected, stride_ms


def test_a_stream_that_never_fills_the_window_ends_with_not_enough_input():
    script = stream_script(0, 0)
    s = make_session(kws_binding(script))
    lines = parsed(run_stream(s, noise(CLIP - 1), 5000))
    assert script.inputs == [] and lines == [ResultLine("kws", "st", None, (), 0, 1.0, 0, EAGAIN)]
    lines = parsed(run_stream(s, noise(CLIP), 5000, ident="st2"))
    assert len(script.inputs) == 1 and lines[-1].status == 0 and lines[-1].label == "none"


def test_a_new_id_restarts_the_stream_and_end_needs_the_current_one():
    script = stream_script(0, 50)
    s = make_session(kws_binding(script), suppression_ms=0)
    s.audio_stream("one", noise(CLIP + 10 * HOP))
    assert len(script.inputs) == 3
    assert parsed(s.audio_end("two"))[0].status == EINVAL  # no such stream
    s.audio_stream("two", noise(CLIP - HOP))  # a new stream: the front-end starts over
    assert len(script.inputs) == 3
    assert parsed(s.audio_end("one"))[0].status == EINVAL
    s.audio_stream("two", noise(HOP))
    assert len(script.inputs) == 4
    (result,) = parsed(s.audio_end("two"))
    assert result.status == 0 and result.scores == (-128, -128, 127, -128)
    assert parsed(s.audio_end("two"))[0].status == EINVAL  # ended: a second end has no stream


def test_a_failed_stream_stays_failed_until_it_ends():
    calls = []

    def flaky(k, x):
        calls.append(k)
        if k == 1:
            raise RuntimeError("engine")
        return _onehot(4, 0)

    s = make_session(kws_binding(Script(KWS_LABELS, flaky)))
    lib = cs.session_library()
    x = noise(CLIP + 10 * HOP)
    ptr = x.ctypes.data_as(C.POINTER(C.c_int16))
    assert lib.vigil_session_audio_stream(s._state, b"f", ptr, x.size) == EINVOKE
    s._error = None
    assert lib.vigil_session_audio_stream(s._state, b"f", ptr, x.size) == EINVOKE  # no further inference
    assert calls == [0, 1]
    assert lib.vigil_session_audio_end(s._state, b"f") == EINVOKE
    assert parse_line(s.lines[-1]).status == EINVOKE
    assert lib.vigil_session_audio_stream(s._state, b"f", ptr, x.size) == 0  # a new stream after the end
    assert calls == [0, 1, 2, 3, 4]


def test_a_long_clip_runs_as_a_stream_and_a_clip_ends_any_stream_of_its_id():
    script = stream_script(3, 40)
    s = make_session(kws_binding(script))
    lines = parsed(s.audio_clip("long", noise(2 * RATE + 1)))
    assert [type(x).__name__ for x in lines] == ["DetectLine", "ResultLine"]
    assert len(script.inputs) == 11 and lines[-1].label == "yes"
    assert parsed(s.audio_end("long"))[0].status == EINVAL
    s.audio_stream("x", noise(CLIP))
    s.audio_clip("x", noise(2 * CLIP))  # the same id, as a long clip: a stream of its own
    assert len(script.inputs) == 11 + 1 + 11


def test_stream_peak_is_per_label_and_detection_time_is_the_stream_position():
    peaks = [[-100, 5, -128, 0], [20, -7, -128, -1], [3, 3, -128, -2]]  # "no" averages below 0.5
    s = make_session(kws_binding(Script(KWS_LABELS, lambda k, x: peaks[k % 3])), stride_ms=20)
    (result,) = [x for x in parsed(run_stream(s, noise(CLIP + 2 * HOP), 999)) if isinstance(x, ResultLine)]
    assert result.scores == (20, 5, -128, 0) and result.label == "none"


def test_sixteen_labels_the_most_a_model_has_peaks_of_every_label_and_the_last_detected():
    # The peak of the last label is kept: with the host library's bounds checks a loop over one
    # label too many traps here.
    labels = tuple(f"word{k}" for k in range(native.MAX_LABELS))
    rng = np.random.default_rng(16)
    outputs = [rng.integers(-128, 0, len(labels)).astype(np.int8) for _ in range(3)]
    for q in outputs:
        q[-1] = 127
    s = make_session(kws_binding(Script(labels, lambda k, x: outputs[k])))
    lines = parsed(run_stream(s, noise(CLIP + 10 * HOP), 4000))
    detections = [x for x in lines if isinstance(x, DetectLine)]
    assert [(d.label, d.time_ms) for d in detections] == [("word15", 1200)]
    (result,) = [x for x in lines if isinstance(x, ResultLine)]
    assert result.scores == tuple(int(v) for v in np.max(outputs, axis=0)) and result.label == "word15"


def test_a_windowed_front_end_stream():
    """micro_speech's shape: features from a callback, 49 frames; reset between streams."""
    resets = []
    frontend = cs.windowed_frontend(
        lambda w: np.full(40, int(w[0]) % 100, np.int8), lambda: resets.append(1), RATE, CLIP, 480, 320, 40, 49
    )
    script = Script(KWS_LABELS)
    binding = cs.ModelBinding("ms", SHA_KWS, KWS_LABELS, 1.0, 0, SCALE, ZP, np.zeros(49 * 40, np.int8), script)
    rec = native.recognizer_config(KWS_LABELS, 0.5, 1000, 0, 1)
    s = cs.Session("0.1.0", binding, None, audio=frontend, recognizer=rec, stride_ms=100)
    ramp = (np.arange(CLIP + 5 * HOP) // 320).astype(np.int16)  # window k starts with value k
    run_stream(s, ramp, 4321)
    assert len(resets) == 1 and len(script.inputs) == 2
    rows = script.inputs[0].reshape(49, 40)
    assert [int(r[0]) for r in rows] == list(range(49))  # oldest frame first
    assert [int(r[0]) for r in script.inputs[1].reshape(49, 40)] == list(range(5, 54))
    s.audio_clip("c", ramp[:CLIP])
    assert len(resets) == 2 and [int(r[0]) for r in script.inputs[2].reshape(49, 40)] == list(range(49))


# -- images -----------------------------------------------------------------------------------


def test_images_continuous_frames_drive_the_detector():
    probabilities = [0.25, 0.75, 0.75, 0.75, 0.25, 0.375, 0.375]
    # p(person) = (q + 128) / 256 exactly
    script = Script(VWW_LABELS, lambda k, x: [0, int(probabilities[k % 7] * 256) - 128])
    s = make_session(None, vww_binding(script))
    lines = []
    for k in range(len(probabilities)):
        lines += parsed(s.image(f"f{k}", np.full((6, 8, 1), k, np.uint8), "gray8", continuous=True, time_ms=40 * k))
    detections = [x for x in lines if isinstance(x, DetectLine)]
    assert [(d.sample_id, d.label, d.score, d.time_ms) for d in detections] == [
        ("f2", "person", 0.75, 80),
        ("f5", "no_person", 0.375, 200),  # 0.25 then 0.375: two at or below off_threshold
    ]
    results = [x for x in lines if isinstance(x, ResultLine)]
    assert [r.label for r in results] == [
        "no_person",
        "person",
        "person",
        "person",
        "no_person",
        "no_person",
        "no_person",
    ]
    assert [r.scores for r in results][1] == (0, 64)
    # a single image never touches the detector
    s.image("single", np.full((6, 8, 1), 1, np.uint8), "gray8")
    assert np.array_equal(
        script.inputs[0], native.image_to_tensor(np.zeros((6, 8, 1), np.uint8), "gray8", 8, 6, 1 / 255, 1 / 255, -128)
    )


def test_the_person_label_is_found_by_name():
    # person first: its index is 0, the other label is reported when it leaves
    script = Script(("person", "nobody"), lambda k, x: [96 if k < 2 else -128, 0])
    s = make_session(None, vww_binding(script, labels=("person", "nobody")))
    lines = []
    for k in range(4):
        lines += parsed(s.image(f"f{k}", np.zeros((6, 8, 1), np.uint8), "gray8", continuous=True, time_ms=k))
    assert [(d.label, d.time_ms) for d in lines if isinstance(d, DetectLine)] == [("person", 1), ("nobody", 3)]
    # no label called person: index 1 is the person
    script = Script(("a", "b", "c"), lambda k, x: [0, 96, 0])
    s = make_session(None, vww_binding(script, labels=("a", "b", "c")))
    lines = []
    for k in range(2):
        lines += parsed(s.image(f"f{k}", np.zeros((6, 8, 1), np.uint8), "gray8", continuous=True, time_ms=k))
    assert [(d.label, d.score) for d in lines if isinstance(d, DetectLine)] == [("b", 0.875)]


def test_an_image_the_pre_processing_refuses_is_a_status_line():
    script = Script(VWW_LABELS)
    s = make_session(None, vww_binding(script))
    (line,) = parsed(s.image("empty", np.zeros((0, 8, 1), np.uint8), "gray8"))
    assert (line.use_case, line.sample_id, line.status) == ("vww", "empty", EINVAL) and script.inputs == []


# -- the console stream -----------------------------------------------------------------------


@pytest.fixture()
def both():
    kws = Script(KWS_LABELS, lambda k, x: _onehot(4, 3))
    vww = Script(VWW_LABELS, lambda k, x: [-128, 127])
    return make_session(kws_binding(kws), vww_binding(vww), frame_capacity=40000), kws, vww


def feed_count(s: cs.Session, data: bytes) -> int:
    return cs.session_library().vigil_session_feed(s._state, data, len(data))


def test_every_frame_kind_gets_exactly_one_final_line(both):
    s, kws, vww = both
    assert feed_count(s, encode_frame(QUERY, "q7")) == 1
    assert parse_line(s.lines[-1]) == InfoLine(
        "q7", "0.1.0", {"kws_ref_model": "aeea4368", "vww_96_int8": "5f0c1d2e"}, 0, 0, 0
    )
    n = len(s.lines)
    assert feed_count(s, audio_frame("clip", noise(100))) == 1
    assert parse_line(s.lines[-1]).label == "no" and len(s.lines) == n + 1
    frames = audio_frame("st", noise(CLIP), STREAM) + audio_frame("st", noise(HOP * 3), STREAM)
    assert feed_count(s, frames + encode_frame(END, "st")) == 3
    acks = [x for x in parsed(s.lines[n + 1 :]) if isinstance(x, AckLine)]
    assert [(a.sample_id, a.samples, a.status) for a in acks] == [("st", CLIP, 0), ("st", CLIP + 3 * HOP, 0)]
    assert parse_line(s.lines[-1]).sample_id == "st" and parse_line(s.lines[-1]).status == 0
    pixels = np.zeros((6, 8, 2), np.uint8)
    assert feed_count(s, image_frame("img", pixels, "rgb565")) == 1
    assert parse_line(s.lines[-1]) == ResultLine(
        "vww", "img", "person", (-128, 127), ZP, SCALE, parse_line(s.lines[-1]).time_us, 0
    )
    assert feed_count(s, b"") == 0 and feed_count(s, b"no frame here") == 0


def test_frames_that_cannot_be_answered_normally(both):
    s, kws, vww = both
    odd = encode_frame(AUDIO, "odd", b"\x01\x02\x03")
    assert feed_count(s, odd) == 1 and parse_line(s.lines[-1]) == ResultLine("kws", "odd", None, (), 0, 1.0, 0, EFRAME)
    assert feed_count(s, encode_frame(STREAM, "odd", b"\x01")) == 1 and parse_line(s.lines[-1]).status == EFRAME
    assert feed_count(s, encode_frame(STREAM, "even", b"\x01\x00")) == 1
    assert parse_line(s.lines[-1]) == AckLine("even", 1, 0)
    assert feed_count(s, encode_frame(END, "never")) == 1 and parse_line(s.lines[-1]).status == EINVAL
    for fmt, length in ((0, 48), (4, 48), (1, 47), (1, 49), (2, 48 * 2 - 1), (3, 48 * 3 + 3)):
        frame = encode_frame(IMAGE, "im", bytes(length), 8, 6, fmt)
        assert feed_count(s, frame) == 1
        assert parse_line(s.lines[-1]) == ResultLine("vww", "im", None, (), 0, 1.0, 0, EFRAME), (fmt, length)
    assert vww.inputs == []
    for fmt, bpp in ((1, 1), (2, 2), (3, 3)):
        assert feed_count(s, encode_frame(IMAGE, "ok", bytes(48 * bpp), 8, 6, fmt)) == 1
        assert parse_line(s.lines[-1]).status == 0
    big = encode_frame(AUDIO, "big", bytes(40002))
    assert feed_count(s, big) == 1 and parse_line(s.lines[-1]) == ResultLine(
        "kws", "big", None, (), 0, 1.0, 0, EOVERFLOW
    )
    exact = encode_frame(AUDIO, "exact", bytes(40000))
    assert feed_count(s, exact) == 1 and parse_line(s.lines[-1]).status == 0


@pytest.mark.parametrize(
    "kind, use_case", [(AUDIO, "kws"), (STREAM, "kws"), (END, "kws"), (IMAGE, "vww"), (QUERY, "frame")]
)
def test_a_damaged_frame_is_answered_in_its_use_case_with_its_id(both, kind, use_case):
    s, *_ = both
    frame = bytearray(encode_frame(kind, "dmg", b"\x00\x01" * 3))
    frame[-1] ^= 0x01
    assert feed_count(s, bytes(frame)) == 1
    assert parse_line(s.lines[-1]) == ResultLine(use_case, "dmg", None, (), 0, 1.0, 0, EFRAME)


def test_a_frame_damaged_before_its_id_is_answered_as_frame(both):
    s, *_ = both
    frame = bytearray(encode_frame(QUERY, "q"))
    frame[4] = ord("Z")
    body = bytes(frame[4:-4])
    frame[-4:] = zlib.crc32(body).to_bytes(4, "little")
    assert feed_count(s, bytes(frame)) == 1
    assert parse_line(s.lines[-1]) == ResultLine("frame", "frame", None, (), 0, 1.0, 0, EFRAME)
    frame = bytearray(encode_frame(IMAGE, "abc"))
    frame[7] = ord(" ")  # the id's second character
    assert feed_count(s, bytes(frame)) == 1
    assert parse_line(s.lines[-1]) == ResultLine("vww", "a", None, (), 0, 1.0, 0, EFRAME)


def test_status_names():
    names = {
        0: "ok",
        -1: "invalid argument",
        -2: "not enough input yet",
        -3: "exceeds build maximum",
        -4: "output buffer too small",
        -5: "use case not built in",
        -6: "model schema version mismatch",
        -7: "operator missing from the op resolver",
        -8: "tensor arena too small",
        -9: "inference failed",
        -10: "input device not ready",
        -11: "damaged stream frame",
        -12: "malformed model",
        -13: "unknown status",
        1: "unknown status",
    }
    assert {code: native.status_name(code) for code in names} == names


# -- edges found by mutation testing ----------------------------------------------------------


class FixedTime(cs.Session):
    """An engine that reports 7 us per inference, or leaves the time alone (None)."""

    time_us: int | None = 7

    def _invoke(self, _ctx, uc, output, time_us):
        scores = np.ascontiguousarray(self.models[uc].run(self.models[uc].input), dtype=np.int8).reshape(-1)
        self._outputs[uc] = scores
        output[0] = scores.ctypes.data
        if self.time_us is not None:
            time_us[0] = self.time_us
        return 0


class NoTime(FixedTime):
    time_us = None


def kws_options(**kw):
    options = {
        "audio": cs.mfcc_frontend(CLIP, 0.5847029, 83),
        "recognizer": native.recognizer_config(KWS_LABELS, 0.5, 1000, 0, 3),
    }
    options.update(kw)
    return options


def test_inference_times_are_the_engines_and_add_up_over_a_stream():
    s = FixedTime("0.1.0", kws_binding(Script(KWS_LABELS)), None, **kws_options())
    assert parsed(s.audio_clip("c", noise(10)))[0].time_us == 7
    s.audio_stream("st", noise(CLIP + 10 * HOP))
    assert parsed(s.audio_end("st"))[0].time_us == 3 * 7  # 1000, 1100, 1200 ms
    s = NoTime("0.1.0", kws_binding(Script(KWS_LABELS)), None, **kws_options())
    assert parsed(s.audio_clip("c", noise(10)))[0].time_us == 0  # not measured: 0, whatever was there


def test_sixteen_labels_is_the_most_a_keyword_model_may_have():
    labels = tuple(f"w{i}" for i in range(16))
    script = Script(labels, lambda k, x: _onehot(16, 15))
    binding = cs.ModelBinding("m", SHA_KWS, labels, 0.5847029, 83, SCALE, ZP, np.zeros((49, 10), np.int8), script)
    s = cs.Session("0.1.0", binding, None, **kws_options(recognizer=native.recognizer_config(labels, 0.5, 1000, 0, 3)))
    assert parsed(s.audio_clip("c", noise(10)))[0].label == "w15"


def windowed_session(step: int, rate: int, stride_ms: int, script: Script) -> cs.Session:
    frontend = cs.windowed_frontend(lambda w: np.ones(1, np.int8), lambda: None, rate, step, step, step, 1, 1)
    binding = cs.ModelBinding("m", SHA_KWS, KWS_LABELS, 1.0, 0, SCALE, ZP, np.zeros(1, np.int8), script)
    rec = native.recognizer_config(KWS_LABELS, 0.5, 1000, 0, 1)
    return cs.Session("0.1.0", binding, None, audio=frontend, recognizer=rec, stride_ms=stride_ms)


@pytest.mark.parametrize(
    "step, rate, stride_ms, hops, inferences",
    [
        (16, 16000, 5, 20, 4),  # a 1 ms hop: one inference per 5 hops
        (1, 1001, 5, 20, 20),  # a hop under 1 ms (0 whole ms): every hop
        (320, 16000, 10, 6, 6),  # a stride shorter than one hop: every hop
    ],
)
def test_strides_in_hops(step, rate, stride_ms, hops, inferences):
    script = Script(KWS_LABELS)
    s = windowed_session(step, rate, stride_ms, script)
    s.audio_stream("st", noise(step * hops))
    assert len(script.inputs) == inferences


def test_a_person_label_anywhere_in_the_list():
    script = Script(("a", "b", "person"), lambda k, x: [0, 0, 96])
    s = make_session(None, vww_binding(script, labels=("a", "b", "person")))
    lines = []
    for k in range(2):
        lines += parsed(s.image(f"f{k}", np.zeros((6, 8, 1), np.uint8), "gray8", continuous=True, time_ms=k))
    assert [(d.label, d.score) for d in lines if isinstance(d, DetectLine)] == [("person", 0.875)]


def test_info_list_ends_where_a_comma_just_fits():
    a = "a" * 120
    s = make_session(kws_binding(Script(KWS_LABELS), name=a), vww_named("v" * 115), preprocessor=("p", "c" * 64))
    # 254 characters, then the comma fits (255) but nothing of the name does
    assert models_field(s.info("x")) == a + "@aeea4368," + "v" * 115 + "@5f0c1d2e,"


def test_a_front_end_failure_is_reported_as_itself_not_as_missing_input():
    def broken(window):
        raise RuntimeError("features")

    frontend = cs.windowed_frontend(broken, lambda: None, RATE, 960, 480, 320, 2, 3)
    binding = cs.ModelBinding("m", SHA_KWS, KWS_LABELS, 1.0, 0, SCALE, ZP, np.zeros(6, np.int8), Script(KWS_LABELS))
    rec = native.recognizer_config(KWS_LABELS, 0.5, 1000, 0, 1)
    s = cs.Session("0.1.0", binding, None, audio=frontend, recognizer=rec)
    x = noise(960)
    lib = cs.session_library()
    assert lib.vigil_session_audio_clip(s._state, b"c", x.ctypes.data_as(C.POINTER(C.c_int16)), x.size) == EINVOKE
    assert parse_line(s.lines[-1]).status == EINVOKE
    frontend.errors.clear()


def test_one_sample_without_data_is_refused():
    s = make_session(kws_binding(Script(KWS_LABELS)))
    lib = cs.session_library()
    null = C.POINTER(C.c_int16)()
    assert lib.vigil_session_audio_clip(s._state, b"c", null, 1) == EINVAL
    assert lib.vigil_session_audio_stream(s._state, b"c", null, 1) == EINVAL
    assert s.lines == []


def test_a_chunk_for_a_firmware_without_keywords_is_acked_with_nothing_received():
    s = make_session(None, vww_binding(Script(VWW_LABELS)))
    assert feed_count(s, audio_frame("st", noise(10), STREAM)) == 1
    assert parse_line(s.lines[-1]) == AckLine("st", 0, ENOTSUP)


# -- the audio front-ends through their interface ---------------------------------------------


PUSH_FN = C.CFUNCTYPE(C.c_int, C.c_void_p, C.POINTER(C.c_int16), C.c_size_t)


class FrontendApi(C.Structure):
    _fields_ = [
        ("reset", C.CFUNCTYPE(C.c_int, C.c_void_p)),
        ("push", PUSH_FN),
        ("ready", C.CFUNCTYPE(C.c_bool, C.c_void_p)),
        ("tensor", C.CFUNCTYPE(C.c_int, C.c_void_p, C.POINTER(C.c_int8))),
    ]


def api_of(binding: cs.AudioFrontendBinding) -> FrontendApi:
    return FrontendApi.from_address(binding.frontend.api)


def test_windowed_push_counts_frames_and_keeps_the_overlap():
    windows = []
    binding = cs.windowed_frontend(
        lambda w: (windows.append(w.copy()), np.full(2, len(windows), np.int8))[1],
        lambda: None,
        RATE,
        960,
        480,
        320,
        2,
        3,
    )
    api, ctx = api_of(binding), binding.frontend.ctx
    ramp = np.arange(2000, dtype=np.int16)

    def push(a, b):
        x = np.ascontiguousarray(ramp[a:b])
        return api.push(ctx, x.ctypes.data_as(C.POINTER(C.c_int16)), x.size)

    # straight after init, without a reset: the first frame needs a whole window
    assert [push(0, 479), push(479, 480), push(480, 799), push(799, 800), push(800, 1440)] == [0, 1, 0, 1, 2]
    assert [(w[0], w[-1], w.size) for w in windows] == [
        (0, 479, 480),
        (320, 799, 480),
        (640, 1119, 480),
        (960, 1439, 480),
    ]
    assert all(np.array_equal(w, ramp[320 * k : 320 * k + 480]) for k, w in enumerate(windows))
    assert api.ready(ctx)
    out = np.zeros(6, np.int8)
    assert api.tensor(ctx, out.ctypes.data_as(C.POINTER(C.c_int8))) == 0 and list(out) == [2, 2, 3, 3, 4, 4]
    assert api.tensor(ctx, None) == EINVAL
    assert api.push(ctx, C.POINTER(C.c_int16)(), 1) == EINVAL and api.push(ctx, C.POINTER(C.c_int16)(), 0) == 0
    assert api.reset(ctx) == 0 and not api.ready(ctx)
    assert api.tensor(ctx, out.ctypes.data_as(C.POINTER(C.c_int8))) == EAGAIN


@pytest.mark.parametrize(
    "config, ok",
    [
        ((1, 1, 1, 1, 1, 1), True),  # every count at its smallest
        ((16000, 512, 512, 512, 1, 1), True),  # the largest window; a step as long as the window
        ((16000, 513, 513, 1, 1, 1), False),
        ((16000, 480, 480, 481, 1, 1), False),  # a step longer than the window
        ((16000, 479, 480, 320, 1, 1), False),  # a clip shorter than one window
        ((16000, 16000, 480, 320, 40, 49), True),  # 1960 features: exactly the most
        ((16000, 16000, 480, 320, 37, 53), False),  # 1961
        ((0, 16000, 480, 320, 1, 1), False),
        ((16000, 16000, 0, 0, 1, 1), False),
        ((16000, 16000, 480, 0, 1, 1), False),
        ((16000, 16000, 480, 320, 0, 1), False),
        ((16000, 16000, 480, 320, 1, 0), False),
    ],
)
def test_windowed_configuration_edges(config, ok):
    rate, clip, window, step, features, frames = config
    if ok:
        cs.windowed_frontend(lambda w: np.zeros(features, np.int8), lambda: None, *config)
    else:
        with pytest.raises(VigilError, match="invalid argument"):
            cs.windowed_frontend(lambda w: np.zeros(features, np.int8), lambda: None, *config)


def test_mfcc_front_end_configuration_edges():
    cs.mfcc_frontend(480, 0.5, 0)  # a clip of exactly one frame
    for clip, scale in ((479, 0.5), (16000, 0.0), (16000, -1.0), (16000, float("nan"))):
        with pytest.raises(VigilError, match="invalid argument"):
            cs.mfcc_frontend(clip, scale, 0)
