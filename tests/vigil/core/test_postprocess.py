"""Recognizer and detector in C: semantics, and agreement with an independent Python reference."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.core import native
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


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 300), st.lists(st.floats(0, 1, width=32), min_size=4, max_size=4)),
        min_size=1,
        max_size=80,
    )
)
def test_c_recognizer_equals_python_reference(steps):
    c, ref = c_recognizer(), ReferenceRecognizer(LABELS, PARAMS)
    t = 0
    for gap, raw in steps:
        t += gap
        p = np.asarray(raw, np.float32)
        p = p / p.sum() if p.sum() > 0 else np.full(4, 0.25, np.float32)
        p = np.clip(p.astype(np.float32), 0, 1)
        a, b = c.process(p, t), ref.process(p, t)
        assert (a is None) == (b is None)
        if a:
            assert (a.label, a.time_ms) == (b.label, b.time_ms) and a.score == pytest.approx(b.score, abs=1e-6)


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
