"""Mutation testing, on demand (`vigil bench mutation`; never part of a normal test run).

C core: every mutant of modules/vigil/src/<file>.c (vigil.bench.c_mutants) is built in an
isolated copy of the repository and the tests that cover that file run against it; a mutant
the tests do not notice survives. Python: mutmut over vigil/budget, vigil/regress/compare.py
and vigil/protocol, in a staged copy laid out as mutmut expects. Mutants listed in
mutation-equivalents.yml (one line of reason each) cannot be told apart from the original by
any test and do not count against the score. The report says the score and every survivor.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from vigil.bench.c_mutants import Mutant, mutants_of
from vigil.errors import VigilError
from vigil.fileio import load_yaml, write_text_atomic
from vigil.settings import REPO_ROOT, cache_dir, data_dir

EQUIVALENTS = Path(__file__).with_name("mutation-equivalents.yml")
CORE = "modules/vigil/src"


def _nodes(path: str, *tests: str) -> list[str]:
    """pytest node ids of some tests of one file."""
    return [f"{path}::{t}" for t in tests]


def node_file(entry: str) -> str:
    """The file of a C_TESTS entry: a test file, or a node id (file::test)."""
    return entry.split("::", 1)[0]


# Tests no C mutant can fail: the Cortex-M33 runs compare with the host library, which carries
# the same mutant; reference-only tests check a Python definition.
MARKS = ("-m", "not cortex_m33 and not reference_only")
# What each C file's mutants are run against: fast, specific tests first (pytest stops at the
# first failure, so a killed mutant costs little), broader ones after.
C_TESTS = {
    "recognizer.c": ["tests/vigil/core/test_postprocess.py"],
    "detector.c": ["tests/vigil/core/test_postprocess.py"],
    "result.c": [
        "tests/vigil/protocol/test_c_protocol_edges.py",
        "tests/vigil/protocol/test_result_line.py",
        "tests/vigil/core/test_session_edges.py",
    ],
    "stream_frame.c": [
        "tests/vigil/protocol/test_c_protocol_edges.py",
        "tests/vigil/protocol/test_stream_frames.py",
        "tests/vigil/core/test_session_edges.py",
    ],
    "session.c": ["tests/vigil/core/test_session_edges.py", "tests/vigil/core/test_replay.py"],
    "audio_frontend.c": ["tests/vigil/core/test_session_edges.py"],
    "status.c": ["tests/vigil/core/test_session_edges.py"],
    "replay.c": ["tests/vigil/core/test_replay.py"],
    # The front-ends read their references from VIGIL_CACHE (tests/vigil/core/references.py).
    "crc32.c": _nodes(
        "tests/vigil/core/test_abi.py", "test_crc32_at_the_edges", "test_crc32_is_zlibs_whole_and_in_pieces"
    ),
    "fft.c": [
        "tests/vigil/core/test_fft.py",
        *_nodes("tests/vigil/core/test_mfcc.py", "test_host_c_equals_tensorflow"),
        *_nodes("tests/vigil/core/test_mfcc_configs.py", "test_host_equals_tensorflow"),
    ],
    "mfcc.c": ["tests/vigil/core/test_mfcc.py", "tests/vigil/core/test_mfcc_configs.py"],
    "image.c": ["tests/vigil/core/test_image.py"],
    "model_check.c": ["tests/vigil/core/test_model_check_mutants.py"],
    "tflite_reader.c": ["tests/vigil/core/test_model_check_mutants.py"],
}
# pytest plugins a file's tests do not use, not loaded for its mutants (hypothesis adds about
# 0.6 s to every start; the model checks' mutant tests use none of it).
C_PYTEST_OPTIONS = {
    "model_check.c": ("-p", "no:hypothesispytest"),
    "tflite_reader.c": ("-p", "no:hypothesispytest"),
}
DEFAULT_C_FILES = (
    "recognizer.c",
    "detector.c",
    "result.c",
    "stream_frame.c",
    "session.c",
    "audio_frontend.c",
    "status.c",
    "replay.c",
    "crc32.c",
)
PYTHON_TARGETS = ("vigil/budget/*", "vigil/regress/compare.py", "vigil/protocol/*")
# pytest arguments that pick the tests mutmut maps to each function: the slow ones (headless
# chromium drawing the budget page, seconds per mutant) are left out; every figure and table of
# that page is checked by fast tests.
PYTHON_TESTS = ("-m", "not slow", "tests/vigil/budget", "tests/vigil/regress/test_compare.py", "tests/vigil/protocol")
# Excluded from the Python mutants (none: budget/render.py is mutated since its rewrite landed).
PYTHON_SKIP: tuple[str, ...] = ()
KILLED, SURVIVED, TIMEOUT, INVALID, EQUIVALENT = "killed", "survived", "timeout", "invalid", "equivalent"


@dataclass(frozen=True)
class Outcome:
    key: str  # the mutant, stable across unrelated edits
    where: str  # file:line:column (C) or the mutmut name (Python)
    status: str  # killed | survived | timeout | invalid (does not build) | equivalent
    seconds: float = 0.0
    detail: str = ""  # the change; for an equivalent mutant, why


@dataclass
class MutationRun:
    target: str  # a C file or the Python packages
    tests: tuple[str, ...]
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def score(self) -> float:
        """Killed (timeouts included) over all mutants that build, equivalents excluded."""
        killed = self.count(KILLED) + self.count(TIMEOUT)
        counted = killed + self.count(SURVIVED)
        return killed / counted if counted else 1.0

    @property
    def survivors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == SURVIVED]


@dataclass
class MutationReport:
    runs: list[MutationRun]

    def to_json(self) -> dict:
        return {
            "format": "vigil-mutation/1",
            "runs": [
                {
                    "target": r.target,
                    "tests": list(r.tests),
                    "score": r.score,
                    "seconds": round(r.seconds, 1),
                    "counts": {s: r.count(s) for s in (KILLED, SURVIVED, TIMEOUT, INVALID, EQUIVALENT)},
                    "outcomes": [vars(o) for o in r.outcomes],
                }
                for r in self.runs
            ],
        }


def load_equivalents(path: Path = EQUIVALENTS) -> dict[str, str]:
    """mutant key -> the reason no test can tell it from the original."""
    if not path.is_file():
        return {}
    doc = load_yaml(path, "equivalent mutants") or {}
    if not isinstance(doc, dict) or not all(isinstance(v, str) and v.strip() for v in doc.values()):
        raise VigilError(f"{path}: expected 'mutant key: reason' lines")
    return {str(k): v for k, v in doc.items()}


# -- an isolated copy of the repository ---------------------------------------------------------


def repository_files(root: Path = REPO_ROOT) -> list[str]:
    """Tracked and new (not ignored) files: what a checkout of this working tree holds."""
    out = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    return sorted(f for f in out.split("\0") if f and (root / f).is_file())


def make_copy(dest: Path, root: Path = REPO_ROOT, rename: dict[str, str] | None = None) -> Path:
    """A fresh copy of the working tree in `dest` (build outputs are not copied)."""
    if dest.exists():
        shutil.rmtree(dest)
    for rel in repository_files(root):
        target = rel
        for old, new in (rename or {}).items():
            if rel.startswith(old):
                target = new + rel[len(old) :]
        (dest / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, dest / target)
    return dest


def test_environment(copy_scripts: Path | None) -> dict[str, str]:
    """The environment the tests of a copy run in: its own package, the real data and cache."""
    env = dict(os.environ)
    env["VIGIL_DATA"] = str(data_dir())
    env["VIGIL_CACHE"] = str(cache_dir() if "VIGIL_CACHE" in os.environ else REPO_ROOT / "build" / "test-cache")
    if copy_scripts is None:
        env.pop("PYTHONPATH", None)
    else:
        env["PYTHONPATH"] = str(copy_scripts)
    return env


# -- the C core --------------------------------------------------------------------------------


@dataclass
class _Worker:
    root: Path

    def build(self) -> bool:
        result = subprocess.run(
            [sys.executable, "-m", "SCons", "-Q", "-C", str(self.root), "build/host/libvigil.so"],
            capture_output=True,
            text=True,
        )
        return result.returncode == 0

    def test(self, tests: list[str], timeout: float) -> tuple[str, float]:
        t0 = time.perf_counter()
        try:
            result = subprocess.run(
                [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
                + [*MARKS, *tests],
                cwd=self.root,
                env=test_environment(self.root / "scripts"),
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return TIMEOUT, time.perf_counter() - t0
        return (SURVIVED if result.returncode == 0 else KILLED), time.perf_counter() - t0


def run_c(
    files: list[str],
    workdir: Path,
    jobs: int = 2,
    only: set[str] | None = None,
    progress: Callable[[str], None] = lambda _: None,
    done: Callable[[list[MutationRun]], None] = lambda _: None,
) -> list[MutationRun]:
    """Every mutant of each core file against its tests, `jobs` isolated copies at a time;
    `done` sees the runs so far after each file (a long run reports as it goes)."""
    if jobs < 1:
        raise VigilError(f"--jobs {jobs}: at least one isolated copy is needed")
    equivalents = load_equivalents()
    unknown = [f for f in files if f not in C_TESTS]
    if unknown:
        raise VigilError(f"no tests known for {', '.join(unknown)} (known: {', '.join(sorted(C_TESTS))})")
    workdir = Path(workdir).resolve()  # the tests run with the copy as their working folder
    workers = [_Worker(make_copy(workdir / f"worker-{i}")) for i in range(jobs)]
    runs = []
    for name in files:
        runs.append(_run_file(f"{CORE}/{name}", name, workers, only, equivalents, progress))
        done(runs)
    return runs


def _run_file(rel, name, workers, only, equivalents, progress) -> MutationRun:
    tests = [t for t in C_TESTS[name] if (REPO_ROOT / node_file(t)).exists()]
    if not tests:
        raise VigilError(f"{rel}: none of its tests exist ({', '.join(C_TESTS[name])})")
    run = MutationRun(rel, tuple(tests))
    args = [*C_PYTEST_OPTIONS.get(name, ()), *tests]  # what pytest is given: options, then the tests
    t0 = time.perf_counter()
    for w in workers:
        if not w.build():
            raise VigilError(f"{w.root}: the unmutated core does not build")
    status, baseline = workers[0].test(args, timeout=1800)
    if status != SURVIVED:
        raise VigilError(f"{rel}: its tests fail without any mutant ({' '.join(args)})")
    timeout = 4 * baseline + 30
    original = (REPO_ROOT / rel).read_text()
    mutants = [m for m in mutants_of(REPO_ROOT / rel, rel) if only is None or m.key in only]
    done: list[Outcome] = []

    def lane(index: int) -> None:
        for m in mutants[index :: len(workers)]:
            outcome = _try(m, workers[index], rel, original, args, timeout, equivalents)
            done.append(outcome)
            progress(f"{rel}: {len(done)}/{len(mutants)} ({outcome.status}: {outcome.where})")

    with ThreadPoolExecutor(len(workers)) as pool:
        list(pool.map(lane, range(len(workers))))
    for w in workers:
        w.build()  # back to the unmutated library for the next file
    order = {m.key: i for i, m in enumerate(mutants)}
    run.outcomes = sorted(done, key=lambda o: order[o.key])
    run.seconds = time.perf_counter() - t0
    return run


def _try(m: Mutant, w: _Worker, rel: str, original: str, tests, timeout: float, equivalents) -> Outcome:
    change = f"{m.original} -> {m.replacement or '(removed)'}"
    if m.key in equivalents:
        return Outcome(m.key, m.where, EQUIVALENT, 0.0, equivalents[m.key])
    path = w.root / rel
    path.write_text(m.apply(original))
    try:
        if not w.build():
            return Outcome(m.key, m.where, INVALID, 0.0, change)
        status, seconds = w.test(tests, timeout)
        return Outcome(m.key, m.where, status, round(seconds, 2), change)
    finally:
        path.write_text(original)


# -- Python, with mutmut -----------------------------------------------------------------------


def mutmut_config(targets: tuple[str, ...], tests: tuple[str, ...]) -> str:
    def toml_list(items) -> str:
        return "[" + ", ".join(json.dumps(i) for i in items) + "]"

    return (
        "\n[tool.mutmut]\n"
        'source_paths = ["src/vigil"]\n'
        f"only_mutate = {toml_list('src/' + t for t in targets)}\n"
        f"do_not_mutate = {toml_list('src/' + t for t in PYTHON_SKIP)}\n"
        f"pytest_add_cli_args_test_selection = {toml_list(tests)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]\n'
        'also_copy = ["modules", "SConstruct", "models.yml", "boards", "app", "docs", "README.md", "scripts"]\n'
    )


def run_python(
    workdir: Path,
    jobs: int = 2,
    targets: tuple[str, ...] = PYTHON_TARGETS,
    tests: tuple[str, ...] = PYTHON_TESTS,
    progress: Callable[[str], None] = lambda _: None,
) -> MutationRun:
    """mutmut over the given packages, in a copy where vigil is src/vigil (mutmut's layout)."""
    equivalents = load_equivalents()
    workdir = Path(workdir).resolve()
    stage = make_copy(workdir / "python", rename={"scripts/vigil/": "src/vigil/"})
    with open(stage / "pyproject.toml", "a") as f:
        f.write(mutmut_config(targets, tests))
    env = test_environment(None)
    t0 = time.perf_counter()
    progress("mutmut run (this takes a while)")
    result = subprocess.run(
        [sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs)],
        cwd=stage,
        env=env,
        capture_output=True,
        text=True,
    )
    if not list((stage / "mutants").rglob("*.py.meta")):
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise VigilError(f"mutmut found nothing to report in {stage}: " + " | ".join(tail))
    run = MutationRun("python: " + ", ".join(targets), tests)
    for meta in sorted((stage / "mutants").rglob("*.py.meta")):
        codes = json.loads(meta.read_text()).get("exit_code_by_key", {})
        for name, code in codes.items():
            status = _mutmut_status(code)
            detail = ""
            if status == SURVIVED:
                detail = _mutmut_diff(stage, env, name)
                if name in equivalents:
                    status, detail = EQUIVALENT, equivalents[name]
            run.outcomes.append(Outcome(name, name, status, 0.0, detail))
    run.seconds = time.perf_counter() - t0
    return run


def _mutmut_status(code) -> str:
    if code in (1, 3):
        return KILLED
    if code in (36, 24, -24, 152, 255):
        return TIMEOUT
    if code == 0:
        return SURVIVED
    if code in (33, 5):
        return SURVIVED  # no test reaches the mutated function: as good as surviving
    return INVALID


def _mutmut_diff(stage: Path, env: dict, name: str) -> str:
    shown = subprocess.run(
        [sys.executable, "-m", "mutmut", "show", name], cwd=stage, env=env, capture_output=True, text=True
    ).stdout
    changed = [
        line for line in shown.splitlines() if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    return " / ".join(line.strip() for line in changed)[:300]


# -- the report ---------------------------------------------------------------------------------


def write_report(report: MutationReport, out: Path) -> tuple[Path, Path]:
    from vigil.bench.mutation_render import markdown

    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / "mutation.json", out / "mutation.md"
    write_text_atomic(json_path, json.dumps(report.to_json(), indent=1) + "\n")
    write_text_atomic(md_path, markdown(report))
    return json_path, md_path


def survivors_of(path: Path) -> set[str]:
    """The keys of the mutants that survived in an earlier report: to re-run just those."""
    try:
        doc = json.loads(Path(path).read_text())
        return {o["key"] for r in doc["runs"] for o in r["outcomes"] if o["status"] in (SURVIVED, TIMEOUT)}
    except (OSError, ValueError, KeyError, TypeError):
        raise VigilError(f"{path}: not a mutation report (vigil-mutation/1)") from None


def merged(earlier: Path, runs: list[MutationRun]) -> list[MutationRun]:
    """An earlier report with the outcomes of a re-run put in (by key, then by place and change):
    re-running only the survivors gives the full picture again."""
    try:
        doc = json.loads(Path(earlier).read_text())
        old = {r["target"]: [Outcome(**o) for o in r["outcomes"]] for r in doc["runs"]}
    except (OSError, ValueError, KeyError, TypeError):
        raise VigilError(f"{earlier}: not a mutation report (vigil-mutation/1)") from None
    equivalents = load_equivalents()
    out = []
    for run in runs:
        fresh = {(o.where, o.detail.split(" — ")[0]): o for o in run.outcomes}
        fresh_keys = {o.key: o for o in run.outcomes}
        outcomes = []
        for o in old.get(run.target, []):
            if o.key in fresh_keys:
                outcomes.append(fresh_keys.pop(o.key))
            elif o.key in equivalents and o.status in (SURVIVED, EQUIVALENT):
                outcomes.append(Outcome(o.key, o.where, EQUIVALENT, 0.0, equivalents[o.key]))
            else:
                outcomes.append(fresh.get((o.where, o.detail), o))
        outcomes += [o for o in fresh_keys.values() if o not in outcomes]
        out.append(MutationRun(run.target, run.tests, outcomes, run.seconds))
    return out
