"""Verdicts on answers against goldens, at the edges: tolerances met exactly and one step over,
stream goldens of other lengths, detections at the ends of a keyword's window, accuracy sums.
Expected values are written from the rules in vigil/regress/compare.py's docstring."""

import numpy as np
import pytest

from vigil.regress.compare import HIT_AFTER_MS, Accuracy, StreamMetrics, judge_clip, judge_stream, keyword_metrics
from vigil.regress.generate import Clip, Occurrence, Stream
from vigil.regress.golden import GoldenClip, GoldenStream
from vigil.regress.suite import Tolerance
from vigil.regress.targets import Answer, StreamAnswer

CLIP = Clip("yes_1", "audio", np.zeros(16000, np.int16), "yes", "test")
GOLDEN = GoldenClip("yes", (-128, 100, -20))


@pytest.mark.parametrize(
    "answer, steps, problems, diff",
    [
        (Answer("yes", (-128, 100, -20), 0), 0, (), 0),
        (Answer("yes", (-126, 100, -20), 0), 2, (), 2),  # exactly at the tolerance
        (Answer("yes", (-128, 103, -20), 0), 2, ("scores differ by 3 steps (tolerance 2)",), 3),
        (Answer("yes", (-128, 100, -21), 0), 0, ("scores differ by 1 steps (tolerance 0)",), 1),
        (Answer("no", (-128, 100, -20), 0), 0, ("label no, golden yes",), 0),
        (
            Answer("no", (-128, 90, -20), 0),
            5,
            ("label no, golden yes", "scores differ by 10 steps (tolerance 5)"),
            10,
        ),
        (Answer("yes", (-128, 100), 0), 9, ("2 scores, golden has 3",), None),
        (Answer("yes", (-128, 100, -20, 0), 0), 9, ("4 scores, golden has 3",), None),
        (Answer(None, (), -8), 9, ("status -8",), None),
        (Answer("yes", (-128, 100, -20), 1), 9, ("status 1",), None),
    ],
)
def test_judge_clip(answer, steps, problems, diff):
    v = judge_clip(CLIP, GOLDEN, answer, Tolerance(score_steps=steps))
    assert v.problems == problems and v.passed == (not problems) and v.max_diff == diff
    assert (v.ident, v.expected, v.golden, v.label, v.status) == ("yes_1", "yes", "yes", answer.label, answer.status)


RATE = 16000
TRUTH = (Occurrence("yes", 1000, 1500), Occurrence("no", 5000, 5600))
STREAM = Stream("s", np.zeros(10 * RATE, np.int16), TRUTH, "test")
PEAK = (10, -5, 127)
STREAM_GOLDEN = GoldenStream((("yes", 1800), ("no", 5900)), PEAK)


def stream_answer(detections=(("yes", 1800), ("no", 5900)), peak=PEAK, status=0):
    return StreamAnswer(tuple(detections), Answer("none", tuple(peak), status))


@pytest.mark.parametrize(
    "answer, tol, problems",
    [
        (stream_answer(), Tolerance(0, 0), ()),
        (stream_answer([("yes", 1900), ("no", 5800)]), Tolerance(0, 100), ()),  # moved exactly the tolerance
        (
            stream_answer([("yes", 1901), ("no", 5900)]),
            Tolerance(0, 100),
            ("detections [yes@1901, no@5900], golden [yes@1800, no@5900]",),
        ),
        (
            stream_answer([("yes", 1800), ("no", 5799)]),
            Tolerance(0, 100),
            ("detections [yes@1800, no@5799], golden [yes@1800, no@5900]",),
        ),
        (
            stream_answer([("no", 1800), ("no", 5900)]),
            Tolerance(0, 0),
            ("detections [no@1800, no@5900], golden [yes@1800, no@5900]",),
        ),
        (stream_answer([("yes", 1800)]), Tolerance(0, 0), ("detections [yes@1800], golden [yes@1800, no@5900]",)),
        (stream_answer([]), Tolerance(0, 0), ("detections none, golden [yes@1800, no@5900]",)),
        (
            stream_answer([("yes", 1800), ("no", 5900), ("no", 9000)]),
            Tolerance(0, 0),
            ("detections [yes@1800, no@5900, no@9000], golden [yes@1800, no@5900]",),
        ),
        (stream_answer(peak=(12, -5, 127)), Tolerance(2, 0), ()),  # peak exactly at the tolerance
        (stream_answer(peak=(10, -8, 127)), Tolerance(2, 0), ("peak scores differ by 3 steps (tolerance 2)",)),
        (stream_answer(peak=(10, -5, 126)), Tolerance(0, 0), ("peak scores differ by 1 steps (tolerance 0)",)),
        # a peak of another length is a regression whatever the tolerance: 0, 2 or 4 scores for 3
        (stream_answer(peak=()), Tolerance(127, 0), ("0 peak scores, golden has 3",)),
        (stream_answer(peak=(10, -5)), Tolerance(127, 0), ("2 peak scores, golden has 3",)),
        (stream_answer(peak=(10, -5, 127, 0)), Tolerance(127, 0), ("4 peak scores, golden has 3",)),
        (stream_answer(peak=(), status=-9), Tolerance(127, 0), ("status -9",)),
        (
            stream_answer([], peak=(), status=-2),
            Tolerance(0, 0),
            ("status -2", "detections none, golden [yes@1800, no@5900]"),
        ),
    ],
)
def test_judge_stream(answer, tol, problems):
    v = judge_stream(STREAM, STREAM_GOLDEN, answer, tol, RATE)
    assert v.problems == problems and v.passed == (not problems) and v.ident == "s"
    assert v.golden == STREAM_GOLDEN.detections and v.detections == answer.detections
    assert v.golden_metrics == StreamMetrics(2, 0, 0, 10.0)


def test_judge_stream_with_empty_goldens():
    golden = GoldenStream((), ())
    v = judge_stream(STREAM, golden, stream_answer([], peak=()), Tolerance(0, 0), RATE)
    assert v.passed and v.metrics == StreamMetrics(0, 0, 2, 10.0)


def test_keyword_metrics_at_the_ends_of_a_keywords_window():
    yes = TRUTH[0]
    last = yes.end_ms + HIT_AFTER_MS
    assert HIT_AFTER_MS == 1500
    m = keyword_metrics([("yes", yes.start_ms), ("no", 5000 + 600 + 1500)], TRUTH, 10.0)
    assert m == StreamMetrics(2, 0, 0, 10.0)
    m = keyword_metrics([("yes", yes.start_ms - 1), ("yes", last + 1)], TRUTH, 10.0)
    assert m == StreamMetrics(0, 2, 2, 10.0)
    m = keyword_metrics([("yes", last)], TRUTH, 10.0)
    assert m == StreamMetrics(1, 0, 1, 10.0)
    # one spoken word matches one detection: the second is a false accept; the label must match
    m = keyword_metrics([("yes", 1200), ("yes", 1300), ("no", 1400)], TRUTH, 7200.0)
    assert m == StreamMetrics(1, 2, 1, 7200.0) and m.false_accepts_per_hour == 1.0
    # a later occurrence of the same word is matched once the first is taken
    twice = (Occurrence("up", 0, 500), Occurrence("up", 1000, 1500))
    assert keyword_metrics([("up", 1200), ("up", 1300)], twice, 4.0) == StreamMetrics(2, 0, 0, 4.0)
    assert keyword_metrics([], twice, 0.0).false_accepts_per_hour == 0.0
    assert StreamMetrics(0, 3, 0, 1800.0).false_accepts_per_hour == 6.0


def test_accuracy_counts_per_class_and_failures():
    acc = Accuracy(("yes", "no", "up"))
    for expected, predicted in [
        ("yes", "yes"),
        ("yes", "yes"),
        ("yes", "no"),
        ("no", "no"),
        ("no", None),
        ("no", None),
        ("up", "no"),
        (None, "yes"),
    ]:
        acc.add(expected, predicted)
    assert acc.matrix == {"yes": {"yes": 2, "no": 1}, "no": {"no": 1, "(failed)": 2}, "up": {"no": 1}}
    assert (acc.total, acc.correct, acc.top1) == (7, 3, 3 / 7)
    assert acc.per_class() == {"no": (1, 3), "up": (0, 1), "yes": (2, 3)}
    assert list(acc.per_class()) == ["no", "up", "yes"]
    empty = Accuracy(("yes",))
    assert (empty.total, empty.correct, empty.top1, empty.per_class()) == (0, 0, 0.0, {})
