"""Post-processing parameters of a model (models.yml `postprocess:`), checked and typed."""

from __future__ import annotations

from dataclasses import dataclass

from vigil.errors import VigilError


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


def recognizer_params(where: str, labels: tuple[str, ...], pp: dict) -> RecognizerParams:
    merged = {**DEFAULT_RECOGNIZER, **{k: v for k, v in pp.items() if k != "kind"}}
    for key in ("stride_ms", "window_ms", "suppression_ms", "min_results"):
        if not isinstance(merged[key], int) or isinstance(merged[key], bool) or merged[key] <= 0:
            raise VigilError(f"{where}: postprocess.{key} must be a positive integer")
    thresholds = {label: float(merged.get("thresholds", {}).get(label, merged["threshold"])) for label in labels}
    if not all(0.0 <= t <= 1.0 for t in thresholds.values()):
        raise VigilError(f"{where}: postprocess thresholds must be probabilities in 0..1")
    special = {k: merged[k] if merged[k] in labels else None for k in ("silence", "unknown")}
    return RecognizerParams(
        merged["stride_ms"],
        merged["window_ms"],
        merged["suppression_ms"],
        merged["min_results"],
        thresholds,
        special["silence"],
        special["unknown"],
    )


def detector_params(where: str, pp: dict) -> DetectorParams:
    merged = {**DEFAULT_DETECTOR, **{k: v for k, v in pp.items() if k != "kind"}}
    try:
        params = DetectorParams(
            float(merged["on_threshold"]),
            float(merged["off_threshold"]),
            int(merged["on_count"]),
            int(merged["off_count"]),
        )
    except (TypeError, ValueError):
        raise VigilError(f"{where}: postprocess of a detector needs numeric thresholds and counts") from None
    if not (0.0 <= params.off_threshold <= params.on_threshold <= 1.0) or params.on_count < 1 or params.off_count < 1:
        raise VigilError(f"{where}: postprocess needs 0 <= off_threshold <= on_threshold <= 1 and counts >= 1")
    return params
