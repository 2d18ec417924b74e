"""Recognizer and detector in C: semantics, and agreement with an independent Python reference."""

import ctypes

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.core import native
from vigil.core.abi import Status
from vigil.errors import VigilError
from vigil.models.postprocess import RecognizerParams
from vigil.reference.recognizer import ReferenceRecognizer

LABELS = ("silence", "unknown", "yes", "no")
PARAMS = RecognizerParams(
    stride_ms=100,
    window_ms=1000,
    suppression_ms=1500,
    min_results=3,
    thresholds={"silence": 0.8, "unknown": 0.8, "yes": 0.7, "no": 0.9},
    silence="silence",
    unknown="unknown",
)


def c_recognizer(params=PARAMS):
    return native.Recognizer(
        LABELS,
        params.thresholds,
        params.window_ms,
        params.suppression_ms,
        params.min_results,
        params.silence,
        params.unknown,
    )


def one_hot(label, p=0.95):
    x = np.full(len(LABELS), (1 - p) / (len(LABELS) - 1), np.float32)
    x[LABELS.index(label)] = p
    return x


def test_one_spoken_word_gives_one_detection():
    rec = c_recognizer()
    timeline = ["silence"] * 10 + ["yes"] * 8 + ["silence"] * 10
    hits = [rec.process(one_hot(w), 100 * k) for k, w in enumerate(timeline)]
    found = [h for h in hits if h]
    # The 1 s average passes 0.7 when 8 of the 10 results in the window say "yes": at 1.7 s.
    assert [h.label for h in found] == ["yes"] and found[0].time_ms == 1700


def test_silence_unknown_and_low_scores_are_never_detected():
    rec = c_recognizer()
    for k, w in enumerate(["silence"] * 5 + ["unknown"] * 5):
        assert rec.process(one_hot(w), 100 * k) is None
    rec = c_recognizer()
    for k in range(10):
        assert rec.process(one_hot("no", 0.85), 100 * k) is None  # 'no' needs 0.9


def test_suppression_then_a_second_detection():
    rec = c_recognizer()
    found = [rec.process(one_hot("yes"), 100 * k) for k in range(40)]
    times = [h.time_ms for h in found if h]
    assert times == [200, 1700, 3200]


def test_time_going_backwards_is_an_error():
    rec = c_recognizer()
    rec.process(one_hot("yes"), 500)
    with pytest.raises(VigilError, match="invalid argument"):
        rec.process(one_hot("yes"), 400)


def test_invalid_configuration():
    with pytest.raises(VigilError):
        native.Recognizer(LABELS, 1.5, 1000, 1500, 3)
    with pytest.raises(VigilError):
        native.Recognizer(("only",), 0.5, 1000, 1500, 3)


# Thresholds that are float32-exact (dyadic): a window of identical results averages to
# exactly the threshold, so the `>=` edge is reached, not only approached.
EXACT = RecognizerParams(
    stride_ms=100,
    window_ms=1000,
    suppression_ms=1500,
    min_results=3,
    thresholds={"silence": 0.75, "unknown": 0.75, "yes": 0.625, "no": 0.875},
    silence="silence",
    unknown="unknown",
)
GAPS = (0, 10, 100, 100, 100, 250, 999, 1000, 1500)
LEVELS = (0.625, 0.875, 0.75, 1.0, 0.5, 0.9375)


def vector(label: int, level: float) -> np.ndarray:
    """`level` on one label, the rest spread over the others (still exact for dyadic levels)."""
    x = np.full(len(LABELS), np.float32((1.0 - level) / (len(LABELS) - 1)), np.float32)
    x[label] = np.float32(level)
    return x


steps_strategy = st.lists(
    st.tuples(
        st.sampled_from(GAPS),
        st.integers(0, len(LABELS) - 1),
        st.one_of(st.sampled_from(LEVELS), st.floats(0, 1, width=32)),
        st.integers(1, 6),  # the same result repeated: windows of identical results
    ),
    min_size=1,
    max_size=30,
)


def test_c_recognizer_equals_python_reference():
    """Detections, their scores (bit for bit) and times equal the reference on sequences drawn so
    that detections, suppressions and averages exactly at a threshold all occur many times."""
    counts = {"detections": 0, "suppressed": 0, "at_threshold": 0, "steps": 0}
    no_suppression = RecognizerParams(**{**EXACT.__dict__, "suppression_ms": 0})

    @settings(max_examples=200, deadline=None, derandomize=True, database=None)
    @given(steps_strategy)
    def check(steps):
        c, ref, eager = (
            c_recognizer(EXACT),
            ReferenceRecognizer(LABELS, EXACT),
            ReferenceRecognizer(LABELS, no_suppression),
        )
        t = 0
        for gap, label, level, repeat in steps:
            p = vector(label, level)
            for k in range(repeat):
                t += gap if k == 0 else 100
                a, b, e = c.process(p, t), ref.process(p, t), eager.process(p, t)
                assert (a is None) == (b is None), (t, p)
                counts["steps"] += 1
                if e is not None and b is None:
                    counts["suppressed"] += 1
                if a is not None:
                    assert (a.label, a.time_ms) == (b.label, b.time_ms)
                    assert np.float32(a.score) == np.float32(b.score)  # the same float32 sum and division
                    counts["detections"] += 1
                    counts["at_threshold"] += a.score == EXACT.thresholds[a.label]

    check()
    assert counts["detections"] >= 100 and counts["suppressed"] >= 100 and counts["at_threshold"] >= 10, counts


def test_an_average_exactly_at_the_threshold_is_detected_one_ulp_below_is_not():
    for level, detected in ((0.625, True), (float(np.nextafter(np.float32(0.625), np.float32(0))), False)):
        rec = c_recognizer(EXACT)
        x = vector(LABELS.index("yes"), level)
        hits = [rec.process(x, 100 * k) for k in range(3)]
        assert [h is not None for h in hits] == [False, False, detected]
        if detected:
            assert hits[2] == native.Detected("yes", 0.625, 200)


def test_a_result_exactly_window_ms_old_leaves_the_window():
    params = RecognizerParams(**{**EXACT.__dict__, "min_results": 2})
    rec = c_recognizer(params)
    yes, quiet = vector(2, 1.0), vector(0, 1.0)
    assert rec.process(yes, 0) is None
    assert rec.process(quiet, 999) is None  # average 0.5 with the first result still in
    rec = c_recognizer(params)
    assert rec.process(yes, 0) is None and rec.process(yes, 999) == native.Detected("yes", 1.0, 999)
    rec = c_recognizer(params)
    rec.process(yes, 0)
    assert rec.process(yes, 1000) is None  # the first left at exactly 1000 ms: one result, below min_results


def test_min_results_exactly_reached():
    for min_results in (1, 2, 5):
        rec = c_recognizer(RecognizerParams(**{**EXACT.__dict__, "min_results": min_results}))
        hits = [rec.process(vector(2, 1.0), 10 * k) for k in range(min_results)]
        assert [h is not None for h in hits] == [False] * (min_results - 1) + [True]


def test_suppression_ends_exactly_at_suppression_ms():
    rec = c_recognizer(RecognizerParams(**{**EXACT.__dict__, "min_results": 1}))
    yes = vector(2, 1.0)
    assert rec.process(yes, 0) is not None
    assert rec.process(yes, 1499) is None
    assert rec.process(yes, 1500) == native.Detected("yes", 1.0, 1500)
    # a detection at time 0 suppresses too (the first detection is not special)
    rec = c_recognizer(RecognizerParams(**{**EXACT.__dict__, "min_results": 1, "suppression_ms": 1}))
    assert [rec.process(yes, t) is not None for t in (0, 0, 1)] == [True, False, True]


def test_a_tie_goes_to_the_lower_index():
    rec = c_recognizer(RecognizerParams(**{**EXACT.__dict__, "min_results": 1}))
    assert rec.process(np.array([0, 0, 0.875, 0.875], np.float32), 0) == native.Detected("yes", 0.875, 0)
    rec = c_recognizer(RecognizerParams(**{**EXACT.__dict__, "min_results": 1}))
    # "no" is best, but below its own threshold: nothing, although "yes" would pass its own
    assert rec.process(np.array([0, 0, 0.75, 0.8125], np.float32), 0) is None


def test_the_window_holds_at_most_64_results():
    params = RecognizerParams(**{**EXACT.__dict__, "min_results": 64, "window_ms": 100000, "suppression_ms": 0})
    rec, ref = c_recognizer(params), ReferenceRecognizer(LABELS, params)
    # 63 results that say "yes" at 0.625, then "no" at 1.0: the oldest "yes" results drop out
    # one by one once 64 are held, and "no" takes over when its average reaches 0.875.
    timeline = [vector(2, 0.625)] * 70 + [vector(3, 1.0)] * 70
    got = [rec.process(p, k) for k, p in enumerate(timeline)]
    want = [ref.process(p, k) for k, p in enumerate(timeline)]
    assert [(g.label, g.time_ms, np.float32(g.score)) if g else None for g in got] == [
        (w.label, w.time_ms, np.float32(w.score)) if w else None for w in want
    ]
    assert got[62] is None and got[63] is not None and got[63].label == "yes"
    # n "no" results (1.0) and 64 - n "yes" ones (0.125 on "no"): (n + (64 - n) / 8) / 64 >= 0.875 from n = 55
    assert next(g.time_ms for g in got if g and g.label == "no") == 70 + 54


def test_labels_without_silence_or_unknown():
    rec = native.Recognizer(LABELS, 0.5, 1000, 0, 1, silence=None, unknown=None)
    assert rec.process(vector(0, 1.0), 0) == native.Detected("silence", 1.0, 0)
    # "silence" and "unknown" are ordinary labels now; their tie at 0.5 goes to the lower index
    assert rec.process(vector(1, 1.0), 10) == native.Detected("silence", 0.5, 10)


def test_sixteen_labels_the_most_the_state_holds_agree_with_the_reference():
    # The last column of the score ring is read: with the host library's bounds checks a loop
    # that runs one label too far traps here.
    labels = tuple(f"word{k}" for k in range(native.MAX_LABELS))
    params = RecognizerParams(
        stride_ms=100,
        window_ms=1000,
        suppression_ms=0,
        min_results=3,
        thresholds=dict.fromkeys(labels, 0.625),
        silence=None,
        unknown=None,
    )
    c, ref = native.Recognizer.for_params(labels, params), ReferenceRecognizer(labels, params)
    found, t = [], 0
    for label in (15, 0, 15, 7):
        x = np.full(len(labels), np.float32(1 / 64), np.float32)
        x[label] = np.float32(1 - 15 / 64)
        t += 1000  # the earlier label's results leave the window
        for _ in range(3):
            t += 100
            a, b = c.process(x, t), ref.process(x, t)
            assert (a is None) == (b is None) and (a is None or (a.label, a.score) == (b.label, b.score)), t
            found += [a.label] if a else []
    assert found[0] == "word15" and "word0" in found and found[-1] == "word7", found


def raw_lib():
    lib = native.library()
    lib.vigil_dequantize_scores.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint8,
        ctypes.c_float,
        ctypes.c_int32,
        ctypes.c_void_p,
    ]
    return lib


def test_reset_forgets_results_and_suppression():
    rec = c_recognizer(RecognizerParams(**{**EXACT.__dict__, "min_results": 2}))
    yes = vector(2, 1.0)
    rec.process(yes, 0)
    assert rec.process(yes, 100) is not None
    assert raw_lib().vigil_recognizer_reset(rec._state) == Status.OK
    assert rec.process(yes, 200) is None  # one result since the reset is below min_results
    assert rec.process(yes, 300) == native.Detected("yes", 1.0, 300)  # no suppression left over
    assert raw_lib().vigil_recognizer_reset(rec._state) == Status.OK
    assert rec.process(yes, 0) is None  # time may restart after a reset
    blank = ctypes.create_string_buffer(native.library().vigil_host_sizeof_recognizer())
    assert raw_lib().vigil_recognizer_reset(blank) == Status.EINVAL
    assert raw_lib().vigil_recognizer_reset(None) == Status.EINVAL
    found = native.Detection()
    x = np.zeros(4, np.float32)
    ptr = x.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
    assert raw_lib().vigil_recognizer_process(blank, ptr, 0, ctypes.byref(found)) == Status.EINVAL


def test_process_returns_exactly_1_on_a_detection_and_checks_its_arguments():
    rec = c_recognizer(RecognizerParams(**{**EXACT.__dict__, "min_results": 1}))
    lib, found, yes = raw_lib(), native.Detection(), vector(2, 1.0)
    ptr = yes.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
    assert lib.vigil_recognizer_process(rec._state, ptr, 0, ctypes.byref(found)) == 1
    assert (found.label, found.score, found.time_ms) == (2, 1.0, 0)
    assert lib.vigil_recognizer_process(rec._state, ptr, 1, ctypes.byref(found)) == 0  # suppressed
    assert lib.vigil_recognizer_process(None, ptr, 2, ctypes.byref(found)) == Status.EINVAL
    assert lib.vigil_recognizer_process(rec._state, None, 2, ctypes.byref(found)) == Status.EINVAL
    assert lib.vigil_recognizer_process(rec._state, ptr, 2, None) == Status.EINVAL


def test_a_full_ring_that_also_drops_by_time_equals_the_reference():
    """More results than the ring holds inside the window, while old ones leave it by time: the
    averages (non-dyadic floats, so the order of the sum shows) equal the reference's bit for bit."""
    params = RecognizerParams(
        stride_ms=10,
        window_ms=500,
        suppression_ms=0,
        min_results=1,
        thresholds={"silence": 1.0, "unknown": 1.0, "yes": 0.3, "no": 0.3},
        silence="silence",
        unknown="unknown",
    )
    rng = np.random.default_rng(7)
    rec, ref = c_recognizer(params), ReferenceRecognizer(LABELS, params)
    t, compared = 0, 0
    for k in range(600):
        t += int(rng.choice([0, 1, 3, 7, 20]))
        p = rng.random(4).astype(np.float32) * np.float32(0.5)
        p[2 + (k // 50) % 2] += np.float32(0.45)
        a, b = rec.process(p, t), ref.process(p, t)
        assert (a is None) == (b is None), k
        if a is not None:
            assert (a.label, a.time_ms, np.float32(a.score)) == (b.label, b.time_ms, np.float32(b.score)), k
            compared += 1
    assert compared > 400 and t > 4 * params.window_ms


@pytest.mark.parametrize(
    "bad",
    [
        np.array([0, 0, 1.0000001, 0], np.float32),
        np.array([0, -1e-7, 1, 0], np.float32),
        np.array([np.nan, 0, 1, 0], np.float32),
    ],
)
def test_a_probability_outside_0_1_is_refused(bad):
    rec = c_recognizer()
    with pytest.raises(VigilError, match="invalid argument"):
        rec.process(bad, 0)
    assert rec.process(np.array([0, 0, 1, 0], np.float32), 0) is None  # and it left no trace
    assert rec.process(np.array([0.0, 0, 1, 0], np.float32), 0) is None


def test_dequantize_clamps_to_probabilities():
    lib = raw_lib()
    q = np.array([-128, -127, 0, 127, 100], np.int8)
    out = np.full(5, -9, np.float32)
    assert lib.vigil_dequantize_scores(q.ctypes.data, 5, ctypes.c_float(1 / 128), -100, out.ctypes.data) == Status.OK
    want = np.clip((q.astype(np.float64) + 100) / 128, 0, 1).astype(np.float32)
    assert np.array_equal(out, want) and out[0] == 0.0 and out[3] == 1.0
    out[:] = -9
    assert lib.vigil_dequantize_scores(q.ctypes.data, 2, ctypes.c_float(1 / 256), -128, out.ctypes.data) == Status.OK
    assert list(out) == [0.0, np.float32(1 / 256), -9, -9, -9]  # exactly count values written
    for scale in (0.0, -1.0, float("nan")):
        assert lib.vigil_dequantize_scores(q.ctypes.data, 5, ctypes.c_float(scale), 0, out.ctypes.data) == Status.EINVAL
    assert lib.vigil_dequantize_scores(None, 5, ctypes.c_float(1.0), 0, out.ctypes.data) == Status.EINVAL
    assert lib.vigil_dequantize_scores(q.ctypes.data, 5, ctypes.c_float(1.0), 0, None) == Status.EINVAL


def test_detector_hysteresis():
    det = native.Detector(0.6, 0.4, on_count=2, off_count=2)
    probabilities = [0.7, 0.3, 0.7, 0.7, 0.5, 0.3, 0.5, 0.3, 0.3, 0.9]
    states = [det.update(p) for p in probabilities]
    assert [s for s, _ in states] == [False, False, False, True, True, True, True, True, False, False]
    assert [c for _, c in states].count(True) == 2


def test_detector_invalid_configuration():
    with pytest.raises(VigilError):
        native.Detector(0.4, 0.6, 1, 1)
    with pytest.raises(VigilError):
        native.Detector(0.6, 0.4, 0, 1)


def test_detector_probabilities_exactly_at_the_thresholds_count():
    det = native.Detector(0.625, 0.375, on_count=2, off_count=3)
    below_on = float(np.nextafter(np.float32(0.625), np.float32(0)))
    above_off = float(np.nextafter(np.float32(0.375), np.float32(1)))
    assert [det.update(p) for p in (0.625, below_on, 0.625, 0.625)] == [
        (False, False),
        (False, False),  # the run toward "present" is broken
        (False, False),
        (True, True),  # on_count consecutive probabilities exactly at on_threshold
    ]
    assert [det.update(p) for p in (0.375, 0.375, above_off, 0.375, 0.375, 0.375)] == [
        (True, False),
        (True, False),
        (True, False),
        (True, False),
        (True, False),
        (False, True),  # off_count consecutive probabilities exactly at off_threshold
    ]
    # after a change the run starts again: one probability is not enough with on_count 2
    assert det.update(1.0) == (False, False) and det.update(1.0) == (True, True)


def test_detector_with_equal_thresholds_and_counts_of_one():
    det = native.Detector(0.5, 0.5, on_count=1, off_count=1)
    assert [det.update(p) for p in (0.5, 0.5, 0.0, 0.0, 1.0)] == [
        (True, True),
        (False, True),  # present, and 0.5 <= off_threshold
        (False, False),
        (False, False),
        (True, True),
    ]
    det = native.Detector(1.0, 0.0, on_count=255, off_count=1)
    states = [det.update(1.0) for _ in range(255)]
    assert states[-2] == (False, False) and states[-1] == (True, True)


def test_detector_update_returns_exactly_1_on_a_change():
    det = native.Detector(0.5, 0.5, on_count=1, off_count=1)
    present = ctypes.c_bool(False)
    assert native.library().vigil_detector_update(det._state, ctypes.c_float(0.75), ctypes.byref(present)) == 1
    assert present.value is True
    assert native.library().vigil_detector_update(det._state, ctypes.c_float(0.75), ctypes.byref(present)) == 0


def test_detector_refuses_probabilities_outside_0_1():
    det = native.Detector(0.625, 0.375, on_count=1, off_count=1)
    for bad in (1.0000001, -1e-9, float("nan")):
        with pytest.raises(VigilError, match="invalid argument"):
            det.update(bad)
    assert det.update(1.0) == (True, True) and det.update(0.0) == (False, True)
    blank = ctypes.create_string_buffer(native.library().vigil_host_sizeof_detector())
    present = ctypes.c_bool(False)
    assert native.library().vigil_detector_update(blank, 0.5, ctypes.byref(present)) == Status.EINVAL
    assert native.library().vigil_detector_update(det._state, 0.5, None) == Status.EINVAL


@pytest.mark.parametrize(
    "on, off, on_count, off_count, ok",
    [
        (1.0, 0.0, 1, 1, True),
        (0.0, 0.0, 1, 1, True),
        (0.5, 0.5, 1, 1, True),
        (1.0000001, 0.5, 1, 1, False),
        (-0.0001, -0.0001, 1, 1, False),
        (0.5, -0.0001, 1, 1, False),
        (0.5, 0.5000001, 1, 1, False),
        (float("nan"), 0.0, 1, 1, False),
        (0.5, float("nan"), 1, 1, False),
        (0.5, 0.4, 0, 1, False),
        (0.5, 0.4, 1, 0, False),
    ],
)
def test_detector_configuration_edges(on, off, on_count, off_count, ok):
    if ok:
        native.Detector(on, off, on_count, off_count)
    else:
        with pytest.raises(VigilError, match="invalid argument"):
            native.Detector(on, off, on_count, off_count)


@pytest.mark.parametrize(
    "change, ok",
    [
        ({}, True),
        ({"labels": ("a", "b")}, True),
        ({"labels": ("only",)}, False),
        ({"labels": tuple(f"l{i}" for i in range(16))}, True),
        ({"labels": tuple(f"l{i}" for i in range(17))}, False),
        ({"min_results": 64}, True),
        ({"min_results": 65}, False),
        ({"min_results": 0}, False),
        ({"window_ms": 1}, True),
        ({"window_ms": 0}, False),
        ({"threshold": 0.0}, True),
        ({"threshold": 1.0}, True),
        ({"threshold": 1.0000001}, False),
        ({"threshold": -1e-9}, False),
        ({"threshold": float("nan")}, False),
        ({"bad_threshold_at": 0}, False),
        ({"bad_threshold_at": 3}, False),
        ({"bad_threshold_at": 4}, True),  # past num_labels: not a threshold of this model
        ({"silence_index": 3}, True),
        ({"silence_index": 4}, False),
        ({"silence_index": -2}, False),
        ({"unknown_index": 3}, True),
        ({"unknown_index": 4}, False),
        ({"unknown_index": -2}, False),
    ],
)
def test_recognizer_configuration_edges(change, ok):
    labels = change.get("labels", LABELS)
    cfg = native.recognizer_config(
        labels[:16], change.get("threshold", 0.5), change.get("window_ms", 1000), 0, change.get("min_results", 3)
    )
    cfg.num_labels = len(labels)  # 17 labels: more than the C struct holds, refused before it reads them
    if "bad_threshold_at" in change:
        cfg.thresholds[change["bad_threshold_at"]] = 1.5
    for key in ("silence_index", "unknown_index"):
        if key in change:
            setattr(cfg, key, change[key])
    lib = native.library()
    state = ctypes.create_string_buffer(lib.vigil_host_sizeof_recognizer())
    assert lib.vigil_recognizer_init(state, ctypes.byref(cfg)) == (Status.OK if ok else Status.EINVAL)
    assert lib.vigil_recognizer_init(None, ctypes.byref(cfg)) == Status.EINVAL
    assert lib.vigil_recognizer_init(state, None) == Status.EINVAL
