"""Labelled sample folders: the label is the parent folder's name or the file name's prefix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vigil.errors import VigilError

EXTENSIONS = {"kws": (".wav",), "vww": (".png", ".bmp", ".jpg", ".jpeg")}


@dataclass(frozen=True)
class Sample:
    path: Path
    label: str | None  # None when neither the folder nor the name names a known label


def label_of(path: Path, labels: tuple[str, ...]) -> str | None:
    if path.parent.name in labels:
        return path.parent.name
    stem = path.stem.lower()
    for label in sorted(labels, key=len, reverse=True):
        if stem == label.lower() or stem.startswith(label.lower() + "_"):
            return label
    return None


def discover(folder: Path, task: str, labels: tuple[str, ...]) -> list[Sample]:
    folder = Path(folder)
    if not folder.is_dir():
        raise VigilError(f"{folder}: sample folder not found")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS[task])
    if not files:
        raise VigilError(f"{folder}: no {'/'.join(EXTENSIONS[task])} samples found")
    return [Sample(p, label_of(p, labels)) for p in files]
