"""The board matrix of a release, read from the app's twister scenarios (app/sample.yaml), and
the commands that build and test it in a west workspace:

    west build -b BOARD app -d DIR [-S SNIPPET] -- -DEXTRA_CONF_FILE=... -DCONFIG_...=y
    west twister -T app -p PLATFORM -O DIR

twister's `extra_args` are CMake cache settings (-D), its `extra_configs` Kconfig assignments,
which Zephyr's kconfig.cmake also takes from CMake cache variables named CONFIG_*.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vigil.budget.budgetfile import board_dir_name
from vigil.errors import VigilError
from vigil.fileio import load_yaml
from vigil.settings import REPO_ROOT

SAMPLE_YAML = REPO_ROOT / "app" / "sample.yaml"
QEMU_BOARD = "qemu_an505"  # the portable core's own Cortex-M33 image (scons qemu), not a Zephyr board
QEMU_IMAGE = "vigil-qemu"


@dataclass(frozen=True)
class Scenario:
    name: str
    platforms: tuple[str, ...]
    extra_configs: tuple[str, ...] = ()
    extra_args: tuple[str, ...] = ()
    snippets: tuple[str, ...] = ()
    build_only: bool = False
    filter: str | None = None  # a twister filter expression: only twister can evaluate it


@dataclass(frozen=True)
class Build:
    """One `west build` of the release: a board with one scenario's settings."""

    board: str
    scenario: Scenario

    @property
    def folder(self) -> str:
        return f"{board_dir_name(self.board)}-{self.scenario.name}"


def load_scenarios(path: Path = SAMPLE_YAML) -> list[Scenario]:
    doc = load_yaml(path, "twister scenarios")
    tests = doc.get("tests") if isinstance(doc, dict) else None
    if not isinstance(tests, dict) or not tests:
        raise VigilError(f"{path}: expected a 'tests:' mapping of scenarios")
    common = doc.get("common") or {}
    scenarios = []
    for name, entry in tests.items():
        entry = {**common, **(entry or {})}
        platforms = entry.get("platform_allow") or []
        if isinstance(platforms, str):
            platforms = platforms.split()
        if not platforms:
            raise VigilError(f"{path}: scenario {name} has no platform_allow")
        scenarios.append(
            Scenario(
                name=str(name),
                platforms=tuple(platforms),
                extra_configs=tuple(entry.get("extra_configs") or ()),
                extra_args=tuple(entry.get("extra_args") or ()),
                snippets=tuple(entry.get("required_snippets") or ()),
                build_only=bool(entry.get("build_only", False)),
                filter=entry.get("filter"),
            )
        )
    return scenarios


def zephyr_boards(scenarios: list[Scenario]) -> list[str]:
    """Every board of every scenario, in the order sample.yaml first names them."""
    return list(dict.fromkeys(p for s in scenarios for p in s.platforms))


def twister_platforms(scenarios: list[Scenario]) -> list[str]:
    """The platforms twister runs scenarios on (native_sim, QEMU): those of the scenarios that
    are not build-only."""
    return list(dict.fromkeys(p for s in scenarios if not s.build_only for p in s.platforms))


def builds_for(board: str, scenarios: list[Scenario]) -> tuple[list[Build], list[tuple[Scenario, str]]]:
    """The builds of one board, and the scenarios left to twister with the reason (a filter
    expression only twister evaluates)."""
    builds, left = [], []
    for s in scenarios:
        if board not in s.platforms:
            continue
        if s.filter:
            left.append((s, f"filter {s.filter!r} is evaluated by twister"))
        else:
            builds.append(Build(board, s))
    return builds, left


def west_build_command(build: Build, build_dir: Path, app: Path = REPO_ROOT / "app") -> list[str]:
    command = ["west", "build", "-b", build.board, str(app), "-d", str(build_dir)]
    for snippet in build.scenario.snippets:
        command += ["-S", snippet]
    cmake = [f"-D{arg}" for arg in build.scenario.extra_args] + [f"-D{cfg}" for cfg in build.scenario.extra_configs]
    if cmake:
        command += ["--", *cmake]
    return command


def twister_command(platform: str, out_dir: Path, app: Path = REPO_ROOT / "app") -> list[str]:
    return ["west", "twister", "-T", str(app), "-p", platform, "-O", str(out_dir)]
