"""The README's two commands are the contract: .ci/run runs the second verbatim, and
scripts/setup.sh plus pyproject.toml / constraints.txt install everything the code and the tests
call - every program they run (found by reading the code, resolved to its Debian package by
dpkg) and every third-party module they import or run with `python -m` (resolved to its
distribution by importlib.metadata)."""

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CODE = ("scripts", "tests")
LOCAL_MODULES = {"vigil", "tests", "west_commands"}


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    head = text.split("## In a Zephyr workspace")[0]
    return re.findall(r"```sh\n(.+?)\n```", head, flags=re.S)


def test_readme_starts_with_exactly_two_commands():
    commands = readme_commands()
    assert len(commands) == 2
    setup_and_run, setup_and_test = commands
    assert setup_and_run.startswith("./scripts/setup.sh && ") and "vigil release" in setup_and_run
    assert setup_and_test == "./scripts/setup.sh && .venv/bin/python -m pytest"


def test_ci_runs_the_readme_test_command_and_nothing_else():
    lines = [line for line in (REPO / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert lines == ["set -euo pipefail", 'cd "$(dirname "$0")/.."', readme_commands()[1]]


def python_files() -> list[Path]:
    return sorted(p for root in CODE for p in (REPO / root).rglob("*.py") if "__pycache__" not in p.parts)


@cache
def trees() -> dict[Path, ast.AST]:
    return {p: ast.parse(p.read_text(), str(p)) for p in python_files()}


def programs_called() -> dict[str, set[str]]:
    """Programs the code runs: first items of argument lists, which()/require_tool() arguments and
    upper-case string constants, kept when they name a program on PATH."""
    found: dict[str, set[str]] = {}
    for path, tree in trees().items():
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.List) and node.elts and isinstance(node.elts[0], ast.Constant):
                names.append(node.elts[0].value)
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if func in ("which", "require_tool"):
                    names.append(node.args[0].value)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                if all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets):
                    names.append(node.value.value)
            for name in names:
                if isinstance(name, str) and re.fullmatch(r"[a-z][a-z0-9+._-]*", name) and shutil.which(name):
                    found.setdefault(name, set()).add(str(path.relative_to(REPO)))
    return found


def setup_packages() -> list[str]:
    text = (REPO / "scripts" / "setup.sh").read_text()
    block = re.search(r"^debs=\((.*?)^\)", text, flags=re.S | re.M).group(1)
    return [w for line in block.splitlines() for w in line.split("#")[0].split()]


def debian_package(program: str) -> str | None:
    path = Path(shutil.which(program)).resolve()
    for candidate in (str(path), shutil.which(program)):
        out = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if out.returncode == 0:
            return out.stdout.split(":")[0].strip()
    return None  # not from a Debian package (e.g. a program of the virtual environment)


def priority(package: str) -> str:
    return subprocess.run(["dpkg-query", "-W", "-f=${Priority}", package], capture_output=True, text=True).stdout


def installed_by_setup() -> set[str]:
    """setup.sh's packages and everything they depend on (as apt resolves them here)."""
    listed = setup_packages()
    out = subprocess.run(
        [
            "apt-cache",
            "depends",
            "--recurse",
            "--installed",
            "--no-recommends",
            "--no-suggests",
            "--no-conflicts",
            "--no-breaks",
            "--no-replaces",
            "--no-enhances",
            *listed,
        ],
        capture_output=True,
        text=True,
    ).stdout
    deps = {line.split(":", 1)[1].strip().strip("<>") for line in out.splitlines() if "Depends:" in line}
    return (
        set(listed)
        | {d.split(":")[0] for d in deps}
        | {line.strip() for line in out.splitlines() if line[:1].isalnum()}
    )


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("dpkg") is None, reason="needs Debian's dpkg to map programs to packages")
def test_setup_installs_every_debian_program_the_code_and_tests_run():
    programs = programs_called()
    assert {"arm-none-eabi-gcc", "qemu-system-arm", "espeak-ng", "sox", "cmake"} <= set(programs)  # the scan works
    installed = installed_by_setup()
    missing = []
    for program, users in sorted(programs.items()):
        package = debian_package(program)
        if package is None or priority(package) in ("required", "important"):
            continue  # part of every Debian system, or not a Debian program
        if package not in installed:
            missing.append(f"{program} ({package}, used by {', '.join(sorted(users))})")
    assert not missing, "scripts/setup.sh installs neither these nor a package depending on them: " + "; ".join(missing)
    setup = (REPO / "scripts" / "setup.sh").read_text()
    assert "apt-get update" in setup and "-c constraints.txt" in setup


def imported_modules() -> dict[str, set[str]]:
    """Top-level third-party modules imported anywhere, and those run as `python -m MODULE`."""
    found: dict[str, set[str]] = {}
    for path, tree in trees().items():
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module.split(".")[0]]
            elif isinstance(node, ast.List) and len(node.elts) > 2 and ast.unparse(node.elts[0]) == "sys.executable":
                flag, module = node.elts[1], node.elts[2]  # [sys.executable, "-m", "MODULE", ...]
                if isinstance(flag, ast.Constant) and flag.value == "-m" and isinstance(module, ast.Constant):
                    names = [module.value]
            for name in names:
                if name not in sys.stdlib_module_names and name not in LOCAL_MODULES and name != "__future__":
                    found.setdefault(name, set()).add(str(path.relative_to(REPO)))
    return found


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> tuple[set[str], dict[str, str]]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    names = {normalized(re.match(r"[A-Za-z0-9_.-]+", r).group()) for r in requirements}
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if m:
            pins[normalized(m.group(1))] = m.group(2)
    return names, pins


def test_every_third_party_module_is_a_declared_and_pinned_dependency():
    modules = imported_modules()
    assert {"numpy", "elftools", "yaml", "pytest", "SCons"} <= set(modules)  # the scan works
    distributions = metadata.packages_distributions()
    names, pins = declared()
    problems = []
    for module, users in sorted(modules.items()):
        dists = distributions.get(module)
        if not dists:
            problems.append(f"{module}: not installed (used by {', '.join(sorted(users))})")
            continue
        dist = normalized(dists[0])
        if dist not in names:
            problems.append(f"{module} ({dist}): not in pyproject.toml's dependencies ({', '.join(sorted(users))})")
        if pins.get(dist) != metadata.version(dists[0]):
            problems.append(
                f"{module} ({dist}): constraints.txt pins {pins.get(dist)}, installed {metadata.version(dists[0])}"
            )
    assert not problems, "; ".join(problems)


# The virtual environment's own installers: `pip freeze` never lists them, and pinning them in
# constraints.txt would make pip change the tool that is running.
BOOTSTRAP = {"pip", "setuptools", "wheel"}


def test_constraints_pin_every_installed_requirement_of_the_declared_dependencies():
    """constraints.txt is a full freeze: each declared package's own requirements are pinned too."""
    names, pins = declared()
    unpinned, todo, seen = set(), sorted(names), set()
    while todo:
        name = todo.pop()
        if name in seen or name in BOOTSTRAP:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            unpinned.add(f"{name} (not installed)")
            continue
        if name not in pins:
            unpinned.add(name)
        for req in requires:
            dep = normalized(re.match(r"[A-Za-z0-9_.-]+", req).group())
            if ";" in req:  # conditional: checked when this machine installed it
                if "extra ==" in req:
                    continue
                try:
                    metadata.version(dep)
                except metadata.PackageNotFoundError:
                    continue
            todo.append(dep)
    assert not unpinned, f"not pinned in constraints.txt: {', '.join(sorted(unpinned))}"


def test_no_shared_data_is_committed():
    """Models and samples are read from VIGIL_DATA, never copied in."""
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True).stdout.split()
    assert not [f for f in tracked if f.endswith((".tflite", ".h5", ".pb", ".wav", ".bmp"))]
