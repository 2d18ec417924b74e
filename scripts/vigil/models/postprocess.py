"""Post-processing parameters of a model (models.yml `postprocess:`), checked and typed."""

from __future__ import annotations

from dataclasses import dataclass

from vigil.schema import Node, optional


@dataclass(frozen=True)
class RecognizerParams:
    stride_ms: int
    window_ms: int
    suppression_ms: int
    min_results: int
    thresholds: dict[str, float]
    silence: str | None
    unknown: str | None


@dataclass(frozen=True)
class DetectorParams:
    on_threshold: float
    off_threshold: float
    on_count: int
    off_count: int


DEFAULT_RECOGNIZER = {
    "stride_ms": 100,
    "window_ms": 1000,
    "suppression_ms": 1500,
    "min_results": 3,
    "threshold": 0.8,
    "silence": "silence",
    "unknown": "unknown",
}
DEFAULT_DETECTOR = {"on_threshold": 0.6, "off_threshold": 0.4, "on_count": 2, "off_count": 2}


RECOGNIZER_KEYS = ("kind", "threshold", "thresholds", *(k for k in DEFAULT_RECOGNIZER if k != "threshold"))
DETECTOR_KEYS = ("kind", *DEFAULT_DETECTOR)
# The C recognizer's and detector's limits (modules/vigil/include/vigil/recognizer.h, detector.h).
RECOGNIZER_MAX_LABELS = 16
RECOGNIZER_MAX_RESULTS = 64
UINT32_MAX = 2**32 - 1
COUNT_MAX = 255  # uint8_t on_count, off_count


def recognizer_params(where: str, labels: tuple[str, ...], pp: dict) -> RecognizerParams:
    """`pp` is the model's `postprocess:` mapping; `where` names the file and the model."""
    node = Node(where, pp, "postprocess")
    entries = node.mapping(optional=RECOGNIZER_KEYS)
    if not 2 <= len(labels) <= RECOGNIZER_MAX_LABELS:
        node.fail(f"a recognizer takes 2 to {RECOGNIZER_MAX_LABELS} labels, the model has {len(labels)}")

    def positive(key: str, high: int) -> int:
        entry = optional(entries, key)
        return DEFAULT_RECOGNIZER[key] if entry is None else entry.integer(low=1, high=high)

    stride_ms = positive("stride_ms", UINT32_MAX)
    window_ms = positive("window_ms", UINT32_MAX)
    suppression_ms = positive("suppression_ms", UINT32_MAX)
    min_results = positive("min_results", RECOGNIZER_MAX_RESULTS)
    entry = optional(entries, "threshold")
    threshold = DEFAULT_RECOGNIZER["threshold"] if entry is None else entry.number(low=0.0, high=1.0)
    thresholds = dict.fromkeys(labels, float(threshold))
    entry = optional(entries, "thresholds")
    if entry is not None:
        for label, value in entry.entries():
            if label not in labels:
                value.fail(f"'{label}' is not one of the model's labels ({', '.join(labels)})")
            thresholds[label] = value.number(low=0.0, high=1.0)
    special = {}
    for key in ("silence", "unknown"):
        if key not in entries:  # the default names a class only where the model has it
            special[key] = DEFAULT_RECOGNIZER[key] if DEFAULT_RECOGNIZER[key] in labels else None
        elif entries[key].is_null:
            special[key] = None  # stated: the model has no such class
        else:
            special[key] = entries[key].string(choices=labels)
    return RecognizerParams(
        stride_ms, window_ms, suppression_ms, min_results, thresholds, special["silence"], special["unknown"]
    )


def detector_params(where: str, pp: dict) -> DetectorParams:
    node = Node(where, pp, "postprocess")
    entries = node.mapping(optional=DETECTOR_KEYS)

    def value(key: str, read):
        entry = optional(entries, key)
        return DEFAULT_DETECTOR[key] if entry is None else read(entry)

    on = value("on_threshold", lambda n: n.number(low=0.0, high=1.0))
    off = value("off_threshold", lambda n: n.number(low=0.0, high=1.0))
    params = DetectorParams(
        float(on),
        float(off),
        value("on_count", lambda n: n.integer(low=1, high=COUNT_MAX)),
        value("off_count", lambda n: n.integer(low=1, high=COUNT_MAX)),
    )
    if params.off_threshold > params.on_threshold:
        node.fail(f"off_threshold ({params.off_threshold:g}) is above on_threshold ({params.on_threshold:g})")
    return params
