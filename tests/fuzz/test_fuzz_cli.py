"""Fuzzing every command with damaged real inputs (hypothesis draws the damage, derandomized):
each case runs the real CLI in a forked child and must end in exit 2 with one line naming the
file and nothing left behind (or a documented exit 1) - never a signal, a hang, a traceback,
exit 0 on input damaged by construction, or another answer for an equivalent input.

The contract is asserted here, independently of `vigil bench fuzz`'s own judge; the damage
comes from vigil.bench.fuzz_families (the same families the benchmark counts).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.forked_cli import Outcome, forked
from vigil.bench import fuzz_families
from vigil.bench.fuzz_families import CASE, Case

pytestmark = pytest.mark.slow
EXAMPLES = {  # about 2 minutes on 2 cores; `vigil bench fuzz` runs as many as asked
    "models": 40,
    "wav": 24,
    "images": 24,
    "elf_map": 30,
    "manifests": 20,
    "suites": 16,
    "goldens": 16,
    "budgets": 20,
    "baselines": 20,
}
_LAYOUT = re.compile(r"[\u2500-\u257f\s]+")
_TIMING = re.compile(r"\d+(\.\d+)? s, \d+(\.\d+)? samples/s")


def _run(case: Case, root: Path) -> tuple[Outcome, list[str]]:
    folder = Path(tempfile.mkdtemp(dir=root))
    try:
        for name, data in case.files.items():
            (folder / name).write_bytes(data)
        args = [a.replace(CASE, str(folder)) for a in case.args]
        env = {k: v.replace(CASE, str(folder)) for k, v in case.env.items()}
        outcome = forked(args, env=env, timeout=120)
        made = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.name not in case.files)
        return _relative(outcome, folder), made
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _relative(o: Outcome, folder: Path) -> Outcome:
    return Outcome(
        o.code, o.signal, o.hung, o.stdout.replace(str(folder), CASE), o.stderr.replace(str(folder), CASE), 0
    )


def _answer(o: Outcome) -> tuple:
    return o.code, _LAYOUT.sub(" ", _TIMING.sub("T", o.stdout))


def check_contract(case: Case, outcome: Outcome, made: list[str], reference: Outcome | None) -> None:
    where = f"{case.family}: {case.what} ({' '.join(case.args)}): {outcome.describe()}"
    assert not outcome.hung, where
    assert outcome.signal is None, where
    assert "Traceback" not in outcome.stderr and outcome.code in (0, 1, 2), where
    errors = [line for line in outcome.stderr.splitlines() if line.strip() and not line.startswith("vigil: warning:")]
    if outcome.code == 2:
        assert len(errors) == 1 and errors[0].startswith("vigil: error: ") and case.names in errors[0], where
        assert made == [], f"left behind {made}: {where}"
    if outcome.code == 1:
        assert case.check_failure and len(errors) <= 1, where
    if case.expect == "error":
        assert outcome.code != 0, f"exit 0 on damaged input: {where}"
    if case.expect in ("valid", "same"):
        assert outcome.code != 2, f"valid input refused: {where}"
    if case.expect == "same":
        assert _answer(outcome) == _answer(reference), f"another answer for an equivalent input: {where}"


_references: dict = {}


def _reference(case: Case, root: Path) -> Outcome | None:
    if case.expect != "same" or case.reference is None:
        return None
    key = (case.reference.args, tuple(sorted((k, hash(v)) for k, v in case.reference.files.items())))
    if key not in _references:
        _references[key] = _run(case.reference, root)[0]
    return _references[key]


@pytest.mark.parametrize("family", sorted(EXAMPLES))
def test_damaged_inputs_of_every_family(family, fuzz_bases, tmp_path):
    make = fuzz_families.FAMILIES[family]

    @settings(
        max_examples=EXAMPLES[family],
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(rng=st.randoms(use_true_random=False))
    def one(rng):
        case = make(rng, fuzz_bases)
        outcome, made = _run(case, tmp_path)
        check_contract(case, outcome, made, _reference(case, tmp_path))

    one()


def test_paths_and_limits_no_command_can_use(fuzz_bases, tmp_path):
    for case in fuzz_families.path_cases(fuzz_bases):
        outcome, made = _run(case, tmp_path)
        check_contract(case, outcome, made, None)
