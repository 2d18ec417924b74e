"""A report page as a person sees it: Debian's chromium, headless and offline, takes a screenshot
of it or prints the DOM after its scripts (plotly) have run."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from vigil.errors import VigilError
from vigil.fileio import write_bytes_atomic

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=15000",  # let plotly draw before the page is captured
)
TIMEOUT_S = 180


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise VigilError("chromium not found: scripts/setup.sh installs Debian's chromium")


def _run(html: Path, *args: str) -> subprocess.CompletedProcess:
    html = Path(html).resolve()
    if not html.is_file():
        raise VigilError(f"{html}: page not found")
    with tempfile.TemporaryDirectory(prefix="vigil-chromium-") as profile:
        command = [chromium(), *FLAGS, f"--user-data-dir={profile}", *args, html.as_uri()]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise VigilError(f"{html}: chromium did not finish within {TIMEOUT_S} s") from None
    if result.returncode != 0:
        tail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise VigilError(f"{html}: chromium failed ({tail})")
    return result


def screenshot(html: Path, png: Path, width: int = 1300, height: int = 2600) -> Path:
    """A PNG of the page's top `height` pixels at `width` (chromium names the format by the suffix)."""
    with tempfile.TemporaryDirectory(prefix="vigil-screenshot-") as tmp:
        shot = Path(tmp) / "page.png"
        _run(html, f"--screenshot={shot}", f"--window-size={width},{height}")
        if not shot.is_file() or shot.stat().st_size == 0:
            raise VigilError(f"{html}: chromium wrote no screenshot")
        write_bytes_atomic(Path(png), shot.read_bytes())
    return Path(png)


def dump_dom(html: Path) -> str:
    """The page's DOM after its scripts ran."""
    return _run(html, "--dump-dom").stdout
