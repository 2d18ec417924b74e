"""`vigil bench fuzz`: damaged and invalid inputs for every command (bench/fuzz_families.py),
each run through the real CLI in a forked child - a signal, a hang, a traceback is seen and
counted - and judged against the contract: exit 2 with one line naming the file, nothing left
behind; exit 0 only for input that is still valid, with the original's answer when it is
equivalent. Protocol lines go straight to the parser, many thousands of them.
"""

from __future__ import annotations

import random
import re
import shutil
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from vigil.bench import fuzz_families as families
from vigil.bench.forked import run_forked
from vigil.bench.fuzz_families import CASE, Bases, Case
from vigil.errors import VigilError

OUTCOMES = (
    "clean",  # exit 2: one line naming the file, nothing left behind
    "check",  # a documented exit 1 (over budget, a regression), one line
    "same",  # an equivalent input, the original's answer
    "accepted",  # exit 0 on input still valid (or of unknown validity)
    "unclean",  # an error of more than one line, or one that does not name the file
    "traceback",
    "crash",
    "hang",
    "wrong",  # exit 0 on damaged input, or another answer for an equivalent one
    "refused",  # valid input refused
    "partial",  # an error that left files behind
)
FAILURES = ("unclean", "traceback", "crash", "hang", "wrong", "refused", "partial")
TIMEOUT_S = 120.0
PROTOCOL_LINES = 78_000


@dataclass(frozen=True)
class Run:
    code: int | None
    signal: int | None
    hung: bool
    stdout: str
    stderr: str
    left: tuple[str, ...]  # files in the case folder the command made


@dataclass
class FamilyFigures:
    family: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    examples: dict[str, str] = field(default_factory=dict)  # the first case of each failure
    seconds: float = 0.0

    @property
    def tried(self) -> int:
        return sum(self.counts.values())

    def add(self, outcome: str, example: str) -> None:
        self.counts[outcome] += 1
        if outcome in FAILURES:
            self.examples.setdefault(outcome, example[:300])


@dataclass
class FuzzFigures:
    seed: int
    families: list[FamilyFigures]
    seconds: float

    @property
    def failures(self) -> int:
        return sum(f.counts[o] for f in self.families for o in FAILURES)


# -- running one case --------------------------------------------------------------------------


def run_case(case: Case, root: Path, timeout: float = TIMEOUT_S) -> Run:
    """The case's files in a fresh folder under `root`, `vigil ARGS` in a forked child."""
    folder = Path(tempfile.mkdtemp(prefix="case-", dir=root))
    try:
        for name, data in case.files.items():
            (folder / name).write_bytes(data)
        args = [a.replace(CASE, str(folder)) for a in case.args]
        env = {k: v.replace(CASE, str(folder)) for k, v in case.env.items()}
        run = _forked(args, env, timeout)
        left = tuple(sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.name not in case.files))
        text = lambda s: s.replace(str(folder), CASE)  # noqa: E731
        return Run(run.code, run.signal, run.hung, text(run.stdout), text(run.stderr), left)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class _Raw:
    code: int | None
    signal: int | None
    hung: bool
    stdout: str
    stderr: str


# The `vigil` entry point the children run, given by the command that runs the benchmark (the
# benchmark is below the CLI in the package's layers and does not import it).
_CLI_MAIN: list = []


def _cli_main():
    if not _CLI_MAIN:
        raise VigilError("vigil bench fuzz: no CLI entry point given to measure_fuzz")
    return _CLI_MAIN[0]


def _forked(args: list[str], env: dict[str, str], timeout: float) -> _Raw:
    run = run_forked(_cli_main(), args, env, timeout)
    return _Raw(run.code, run.signal, run.hung, run.stdout, run.stderr)


# -- judging ------------------------------------------------------------------------------------

_TIMING = re.compile(r"\d+(\.\d+)? s, \d+(\.\d+)? samples/s|\"seconds\": [\d.]+|\"samples_per_second\": [\d.]+")


_LAYOUT = re.compile(r"[\u2500-\u257f\s]+")  # table borders and padding follow the widest cell


def answer(run: Run) -> tuple:
    """What an equivalent input must reproduce: the exit code and the output, timings (and the
    table layout they widen) removed."""
    return run.code, _LAYOUT.sub(" ", _TIMING.sub("T", run.stdout))


def judge(case: Case, run: Run, reference: Run | None = None) -> str:
    if run.hung:
        return "hang"
    if run.signal is not None:
        return "crash"
    if "Traceback (most recent call last)" in run.stderr or run.code not in (0, 1, 2):
        return "traceback"
    lines = [line for line in run.stderr.splitlines() if line.strip() and not line.startswith("vigil: warning: ")]
    if run.code == 1:  # a check that failed: the report says why, at most one error line
        if not case.check_failure or len(lines) > 1 or lines and not lines[0].startswith("vigil: error: "):
            return "unclean"
        if case.expect == "same" and reference is not None and answer(run) != answer(reference):
            return "wrong"
        return "check"
    if run.code == 2:
        if len(lines) != 1 or not lines[0].startswith("vigil: error: "):
            return "unclean"
        if case.names not in lines[0]:
            return "unclean"
        if run.left:
            return "partial"
        if case.expect in ("valid", "same"):
            return "refused"
        return "clean"
    if case.expect == "error":
        return "wrong"
    if case.expect == "same" and reference is not None:
        return "same" if answer(run) == answer(reference) else "wrong"
    return "accepted"


# -- the benchmark ------------------------------------------------------------------------------


def make_bases(work: Path, env: dict[str, str]) -> Bases:
    """The bases, with a golden and a baseline made by the CLI itself from the undamaged inputs."""
    from vigil.bench import synthetic_firmware

    fw = synthetic_firmware.build(size=synthetic_firmware.SMALL)
    bases = families.read_bases(fw.elf, fw.map, env)
    folder = work / "bases"
    folder.mkdir()
    (folder / "tiny_vww.yml").write_bytes(bases.suites["tiny_vww.yml"])
    run = _forked(["regress", "golden", str(folder / "tiny_vww.yml"), "--out", str(folder / "g.json")], env, TIMEOUT_S)
    if run.code != 0:
        raise RuntimeError(f"making the golden failed: {run.stderr}")
    bases.golden = (folder / "g.json").read_bytes()
    run = _forked(["budget", str(fw.elf), "--map", str(fw.map), "--json"], env, TIMEOUT_S)
    if run.code != 0:
        raise RuntimeError(f"the baseline report failed: {run.stderr}")
    bases.baseline = run.stdout.encode()
    return bases


def fuzz_env(work: Path) -> dict[str, str]:
    """Children fetch from the shared mirror into a private cache; no download can leave the host."""
    from vigil.settings import data_dir

    return {
        "VIGIL_CACHE": str(work / "cache"),
        "VIGIL_MODEL_MIRROR": str(data_dir() / "models"),
        "http_proxy": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
        "no_proxy": "",
    }


def measure_fuzz(
    cli_main, cases: int = 40, seed: int = 2026, only: tuple[str, ...] = (), progress=lambda text: None
) -> FuzzFigures:
    """`cli_main`: the `vigil` entry point (vigil.cli.main.main) each case runs in a forked child."""
    _CLI_MAIN[:] = [cli_main]
    start = time.monotonic()
    figures = []
    with tempfile.TemporaryDirectory(prefix="vigil-fuzz-") as tmp:
        work = Path(tmp)
        warm_up()
        env = fuzz_env(work)
        bases = make_bases(work, env)
        references: dict[tuple, Run] = {}
        for family, make in families.FAMILIES.items():
            if only and family not in only:
                continue
            rng = random.Random(f"{seed}-{family}")
            figures.append(_family(family, [make(rng, bases) for _ in range(cases)], work, references, progress))
        if not only or "paths" in only:
            figures.append(_family("paths", families.path_cases(bases), work, references, progress))
        if not only or "protocol" in only:
            progress("protocol lines")
            figures.append(fuzz_protocol(random.Random(f"{seed}-protocol"), PROTOCOL_LINES))
    return FuzzFigures(seed, figures, time.monotonic() - start)


def warm_up() -> None:
    """What every child needs, loaded once in the parent (children are forks of it)."""
    import vigil.budget.analyze  # noqa: F401
    import vigil.classify.engine  # noqa: F401
    import vigil.models.codegen  # noqa: F401
    import vigil.regress.run  # noqa: F401
    from vigil.core import native, session

    native.library()
    session.session_library()
    from vigil.tflite import runtime

    runtime.tflm()


def _family(name: str, cases: list[Case], work: Path, references: dict, progress) -> FamilyFigures:
    figures = FamilyFigures(name)
    start = time.monotonic()
    for i, case in enumerate(cases):
        progress(f"{name} {i + 1}/{len(cases)}: {case.what}")
        reference = None
        if case.expect == "same" and case.reference is not None:
            key = (case.reference.args, tuple(sorted((k, zlib.crc32(v)) for k, v in case.reference.files.items())))
            if key not in references:
                references[key] = run_case(case.reference, work)
            reference = references[key]
        run = run_case(case, work)
        figures.add(judge(case, run, reference), f"{case.what}: {' '.join(case.args)} -> exit {run.code}: {run.stderr}")
    figures.seconds = time.monotonic() - start
    return figures


# -- protocol lines -----------------------------------------------------------------------------


def valid_lines(rng: random.Random, count: int) -> list[str]:
    """Lines the C encoders write, with drawn ids, labels, scores and times."""
    import numpy as np

    from vigil.core import native

    token = lambda: "".join(rng.choice("abcXYZ019_.-") for _ in range(rng.randint(1, 64)))  # noqa: E731
    lines = []
    for _ in range(count):
        kind = rng.randrange(4)
        if kind == 0:
            scores = np.array([rng.randint(-128, 127) for _ in range(rng.randint(1, 12))], np.int8)
            lines.append(
                native.encode_result(
                    "kws", token(), token(), scores, rng.randint(-128, 127), rng.random(), rng.randrange(2**32)
                )
            )
        elif kind == 1:
            lines.append(native.encode_detection("kws", token(), token(), rng.random(), rng.randrange(2**32)))
        elif kind == 2:
            lines.append(
                native.encode_info(
                    token(), token(), f"{token()[:20]}@0123abcd", rng.randrange(2**32), rng.randrange(2**32)
                )
            )
        else:
            lines.append(native.encode_ack(token(), rng.randrange(2**32)))
    return lines


ODD = ("²", "٣", "０", "\n", "\r", "\t", "\x00", "\x7f", "é", "\u2028")


def damage_line(rng: random.Random, line: str) -> tuple[str, str]:
    """(line, expect). A damaged body with its CRC recomputed gets past the CRC: only the
    grammar stands between it and a value."""
    body = line.rpartition(" crc=")[0]
    kind = rng.randrange(6)
    pos = rng.randrange(len(body))
    if kind == 0:  # a byte changed, CRC left: damage the CRC exists to catch
        ch = chr(rng.randrange(32, 127))
        return (line[:pos] + ch + line[pos + 1 :], "any" if line[pos] == ch else "error")
    if kind == 1:
        body = body[:pos] + rng.choice(ODD) + body[pos + 1 :]
        expect = "error"
    elif kind == 2:
        body = body[:pos] + body[pos + 1 :]
        expect = "any"
    elif kind == 3:
        body = body[:pos] + chr(rng.randrange(32, 127)) + body[pos:]
        expect = "any"
    elif kind == 4:
        fields = body.split(" ")
        i = rng.randrange(3, len(fields)) if len(fields) > 3 else 0
        fields.insert(i, fields[i])
        body, expect = " ".join(fields), "error"
    else:
        return line + rng.choice(("\n\n", " ", "\r\r", "\x00")), "error"
    return f"{body} crc={zlib.crc32(body.encode('utf-8', 'replace')):08x}", expect


def fuzz_protocol(rng: random.Random, count: int) -> FamilyFigures:
    from vigil.errors import VigilError
    from vigil.protocol.result_line import parse_line

    figures = FamilyFigures("protocol")
    start = time.monotonic()
    originals = valid_lines(rng, 500)
    for original in originals:
        try:
            parse_line(original)
            figures.add("accepted", original)
        except Exception as e:  # noqa: BLE001 - a valid line refused, or a crash of the parser
            figures.add("refused" if isinstance(e, VigilError) else "traceback", f"{original}: {e!r}")
    for _ in range(count - len(originals)):
        line, expect = damage_line(rng, rng.choice(originals))
        try:
            parse_line(line)
        except VigilError as e:
            one = "\n" not in str(e) and str(e).startswith("line: ")
            figures.add("clean" if one else "unclean", f"{line!r}: {e}")
            continue
        except Exception as e:  # noqa: BLE001
            figures.add("traceback", f"{line!r}: {e!r}")
            continue
        figures.add("wrong" if expect == "error" else "accepted", repr(line))
    figures.seconds = time.monotonic() - start
    return figures
