"""The replay walk (modules/vigil/src/replay.c) the app runs over its embedded samples: each
sample through the session as a clip, a long clip (stream) or a camera frame, in order, with
undescribable samples reported and counted. The reference is the same session driven request
by request from Python, as the samples' descriptions say."""

import ctypes as C

import numpy as np
import pytest

from tests.vigil.core.test_session_edges import (
    KWS_LABELS,
    VWW_LABELS,
    Script,
    _onehot,
    kws_binding,
    make_session,
    noise,
    vww_binding,
)
from vigil.core import native
from vigil.core.replay import ReplaySample, ReplayTarget, Sample, replay, replay_library, sample_table
from vigil.protocol.result_line import ResultLine, parse_line

EINVAL = -1


def sessions():
    def kws_scores(k, x):
        return _onehot(4, 2 + k % 2)

    def vww_scores(k, x):
        return [0, 100]

    return [
        make_session(kws_binding(Script(KWS_LABELS, kws_scores)), vww_binding(Script(VWW_LABELS, vww_scores)))
        for _ in range(2)
    ]


def frame(width=8, height=6, fmt="rgb565", seed=0):
    bpp = {"gray8": 1, "rgb565": 2, "rgb888": 3}[fmt]
    return np.random.default_rng(seed).integers(0, 256, (height, width, bpp), dtype=np.uint8)


SAMPLES = [
    ReplaySample("yes", "audio", noise(16000, 1)),
    ReplaySample("short", "audio", noise(5, 2)),
    ReplaySample("cam565", "image", frame().reshape(-1), 8, 6, 2),
    ReplaySample("long", "audio", noise(40000, 3)),
    ReplaySample("gray", "image", frame(fmt="gray8").reshape(-1), 8, 6, 1),
    ReplaySample("rgb", "image", frame(5, 3, "rgb888").reshape(-1), 5, 3, 3),
    ReplaySample("empty", "audio", np.zeros(0, np.int16)),
    ReplaySample("dot", "image", np.array([7], np.uint8), 1, 1, 1),  # the smallest frame: 1 x 1 gray
]


def by_hand(s, samples):
    out = []
    for x in samples:
        if x.kind == "audio":
            out += s.audio_clip(x.ident, x.values)
        else:
            fmt = {1: "gray8", 2: "rgb565", 3: "rgb888"}[x.pixel_format]
            out += s.image(x.ident, x.values.reshape(x.height, x.width, x.pixel_format), fmt)  # bytes = format
    return out


def test_replay_sends_every_sample_as_the_app_would():
    walked, manual = sessions()
    failures, lines = replay(walked, SAMPLES)
    expected = by_hand(manual, SAMPLES)
    strip = [line.split(" us=")[0] for line in lines]  # inference times differ
    assert failures == 0 and strip == [line.split(" us=")[0] for line in expected]
    kinds = [(p.use_case, p.sample_id) for p in map(parse_line, lines) if isinstance(p, ResultLine)]
    assert kinds == [
        ("kws", "yes"),
        ("kws", "short"),
        ("vww", "cam565"),
        ("kws", "long"),
        ("vww", "gray"),
        ("vww", "rgb"),
        ("kws", "empty"),
        ("vww", "dot"),
    ]
    assert any(" detect " in line for line in lines)  # the long clip ran as a stream


@pytest.mark.parametrize(
    "bad",
    [
        ReplaySample("wrongsize", "image", frame().reshape(-1)[:-1], 8, 6, 2),
        ReplaySample("toolong", "image", np.zeros(8 * 6 * 2 + 1, np.uint8), 8, 6, 2),
        ReplaySample("noformat", "image", frame().reshape(-1), 8, 6, 0),
        ReplaySample("badformat", "image", frame().reshape(-1), 8, 6, 4),
        ReplaySample("nowidth", "image", np.zeros(0, np.uint8), 0, 6, 2),
        ReplaySample("noheight", "image", np.zeros(0, np.uint8), 8, 0, 2),
        ReplaySample("nodata", "image", np.zeros(0, np.uint8), 8, 6, 2, length=96),
        ReplaySample("nopcm", "audio", np.zeros(0, np.int16), length=100),
        ReplaySample("whatisit", "video", np.zeros(4, np.uint8)),
    ],
    ids=lambda b: b.ident,
)
def test_an_undescribable_sample_is_reported_counted_and_the_rest_still_run(bad):
    walked, _ = sessions()
    failures, lines = replay(walked, [SAMPLES[1], bad, SAMPLES[2]])
    assert failures == 1
    results = [parse_line(line) for line in lines]
    use_case = "vww" if bad.kind == "image" else "kws"
    assert results[1] == ResultLine(use_case, bad.ident, None, (), 0, 1.0, 0, EINVAL)
    assert [r.sample_id for r in results] == ["short", bad.ident, "cam565"] and results[2].status == 0


def test_failed_requests_are_counted():
    s = make_session(kws_binding(Script(KWS_LABELS)), None)  # no person model: images fail (ENOTSUP)
    failures, lines = replay(s, SAMPLES)
    assert failures == 4 and len([line for line in lines if "status=-5" in line]) == 4
    assert replay(s, [])[0] == 0


def test_frame_geometry_and_argument_checks():
    lib = replay_library()
    rgb = frame(5, 3, "rgb888").reshape(-1)
    table, keep = sample_table([ReplaySample("rgb", "image", rgb, 5, 3, 3)])
    f = native.Frame()
    assert lib.vigil_replay_frame(table, C.byref(f)) == 0
    assert (f.width, f.height, f.stride, f.format) == (5, 3, 15, 3)
    assert C.addressof(f.data.contents) == rgb.ctypes.data
    assert lib.vigil_replay_frame(None, C.byref(f)) == EINVAL
    assert lib.vigil_replay_frame(table, None) == EINVAL
    audio, keep2 = sample_table([ReplaySample("a", "audio", noise(10))])
    assert lib.vigil_replay_frame(audio, C.byref(f)) == EINVAL
    target = ReplayTarget()
    lib.vigil_replay_session_target.argtypes = [C.c_void_p, C.POINTER(ReplayTarget)]
    s = make_session(kws_binding(Script(KWS_LABELS)), None)
    assert lib.vigil_replay_session_target(None, C.byref(target)) == EINVAL
    assert lib.vigil_replay_session_target(s._state, None) == EINVAL
    assert lib.vigil_replay_session_target(s._state, C.byref(target)) == 0
    assert target.ctx == C.cast(s._state, C.c_void_p).value
    assert lib.vigil_replay_run(audio, 1, None) == EINVAL
    assert lib.vigil_replay_run(None, 1, C.byref(target)) == EINVAL
    assert lib.vigil_replay_run(None, 0, C.byref(target)) == 0
    for missing in ("audio_clip", "image", "fail"):
        partial = ReplayTarget.from_buffer_copy(target)
        setattr(partial, missing, type(getattr(partial, missing))())
        assert lib.vigil_replay_run(audio, 1, C.byref(partial)) == EINVAL, missing
    assert s.lines == []  # refused before any sample ran
    assert C.sizeof(Sample) == lib.vigil_host_sizeof_sample()
    del keep, keep2
