"""Real photographs bundled with scikit-image, and deterministic crops of them.

Which photos show a person was decided by looking at them; the labels are part of this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vigil.errors import VigilError


@dataclass(frozen=True)
class Photo:
    name: str  # file in skimage/data
    person: bool
    # Region (x0, y0, x1, y1) as fractions of the frame that holds the person, if any;
    # crops for 'person' keep it in view, crops for 'no person' avoid it.
    person_box: tuple[float, float, float, float] | None = None


PHOTOS = (
    Photo("astronaut.png", True, (0.05, 0.05, 0.6, 1.0)),
    Photo("camera.png", True, (0.15, 0.05, 0.7, 1.0)),
    Photo("chelsea.png", False),
    Photo("coffee.png", False),
    Photo("rocket.jpg", False),
    Photo("motorcycle_left.png", False),
    Photo("motorcycle_right.png", False),
    Photo("hubble_deep_field.jpg", False),
    Photo("retina.jpg", False),
    Photo("brick.png", False),
    Photo("grass.png", False),
    Photo("gravel.png", False),
    Photo("coins.png", False),
    Photo("moon.png", False),
    Photo("page.png", False),
    Photo("text.png", False),
    Photo("ihc.png", False),
    Photo("color.png", False),
)


def photo_dir() -> Path:
    try:
        import skimage
    except ImportError:
        raise VigilError("scikit-image is not installed; it provides the bundled test photos") from None
    return Path(skimage.__file__).parent / "data"


def load_photo(photo: Photo) -> np.ndarray:
    from vigil.io.image import read_image

    return read_image(photo_dir() / photo.name)


def random_crop(
    pixels: np.ndarray,
    rng: np.random.Generator,
    min_frac: float = 0.6,
    keep: tuple[float, float, float, float] | None = None,
) -> np.ndarray:
    """A square-ish crop of at least `min_frac` of the short side, containing `keep` if given."""
    h, w = pixels.shape[:2]
    for _ in range(50):
        side = int(min(h, w) * rng.uniform(min_frac, 1.0))
        x0 = int(rng.integers(0, w - side + 1))
        y0 = int(rng.integers(0, h - side + 1))
        if keep is None or _covers((x0 / w, y0 / h, (x0 + side) / w, (y0 + side) / h), keep):
            return pixels[y0 : y0 + side, x0 : x0 + side]
    return pixels


def _covers(crop, box, fraction: float = 0.6) -> bool:
    """Does the crop contain at least `fraction` of the box's area?"""
    ix = max(0.0, min(crop[2], box[2]) - max(crop[0], box[0]))
    iy = max(0.0, min(crop[3], box[3]) - max(crop[1], box[1]))
    return ix * iy >= fraction * (box[2] - box[0]) * (box[3] - box[1])
