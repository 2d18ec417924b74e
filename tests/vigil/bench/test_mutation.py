"""The mutation tool: which C mutants it makes (and which code it never touches), and one run
that kills a known mutant and reports a known equivalent one without running it."""

import ast
import json
from pathlib import Path

import pytest

from vigil.bench import mutation
from vigil.bench.c_mutants import mutants_of, tokens
from vigil.errors import VigilError

SOURCE = """/* a comment with a < b and 1 + 2 */
#include <stdint.h>
#define LIMIT (3 + 4)
#define LONG_MACRO(x) \\
	((x) > 7)
static const char *text = "a < b, 5 - 6";
static const char c = '-';

int f(const int8_t *q, int n, struct s *p)
{
	int total = -1; // n < 0 here is a comment
	for (int i = 0; i < n; i++) {
		total += q[i] * 2 - p->offset;
	}
	if (!(total >= 10) && n != 0) {
		return true;
	}
	return total == 0x1f ? 1.5f : 0.0f;
}
"""


@pytest.fixture()
def generated(tmp_path):
    path = tmp_path / "x.c"
    path.write_text(SOURCE)
    return {(m.source_line, m.original, m.replacement) for m in mutants_of(path, "x.c")}, mutants_of(path, "x.c")


def test_comments_strings_characters_and_preprocessor_lines_are_never_mutated(generated):
    found, mutants = generated
    lines = {line for line, _, _ in found}
    assert not [line for line in lines if line.startswith(("/*", "#", "((x)", "static const char"))]
    assert all("//" not in m.source_line or m.column < m.source_line.index("//") + m.indent + 1 for m in mutants)
    assert [t.text for t in tokens("a /* < */ - b // > c\n#if X > 1\n")] == ["a", "-", "b"]


def test_operators_constants_and_their_edges(generated):
    found, _ = generated
    loop = "for (int i = 0; i < n; i++) {"
    assert {(o, r) for line, o, r in found if line == loop} == {("0", "1"), ("<", "<="), ("++", "--")}
    body = "total += q[i] * 2 - p->offset;"
    # '*' between operands, '-' binary, '->' untouched, the array index untouched
    assert {(o, r) for line, o, r in found if line == body} == {
        ("+=", "-="),
        ("*", "/"),
        ("2", "3"),
        ("2", "1"),
        ("-", "+"),
    }
    cond = "if (!(total >= 10) && n != 0) {"
    assert {(o, r) for line, o, r in found if line == cond} == {
        ("!", ""),
        (">=", ">"),
        ("10", "11"),
        ("10", "9"),
        ("&&", "||"),
        ("!=", "=="),
        ("0", "1"),
    }
    ret = "return total == 0x1f ? 1.5f : 0.0f;"
    assert {(o, r) for line, o, r in found if line == ret} == {
        ("==", "!="),
        ("0x1f", "0x20"),
        ("0x1f", "0x1e"),
        ("1.5f", "2.5f"),
        ("0.0f", "1.0f"),
    }
    assert ("return true;", "true", "false") in found
    # unary minus and pointer declarators are left alone
    assert not [f for f in found if f[0] == "int total = -1; // n < 0 here is a comment" and f[1] == "-"]
    assert not [f for f in found if f[0].startswith("int f(")]


def test_keys_are_unique_and_apply_changes_exactly_one_token(generated, tmp_path):
    _, mutants = generated
    assert len({m.key for m in mutants}) == len(mutants)
    for m in mutants:
        changed = m.apply(SOURCE)
        assert len(changed) == len(SOURCE) - len(m.original) + len(m.replacement)
        assert changed.splitlines()[m.line - 1] != SOURCE.splitlines()[m.line - 1]
    loop = next(m for m in mutants if m.original == "<" and m.source_line.startswith("for"))
    with pytest.raises(ValueError):
        loop.apply(SOURCE.replace("i < n", "i > n"))  # not the text the mutant was made for


def test_the_c_runs_leave_out_exactly_the_tests_marked_for_qemu_or_references():
    # A C mutant's tests run with mutation.MARKS: a test of those files that drives QEMU must be
    # marked cortex_m33 (it would only compare the mutant with itself), and nothing else may be.
    files = {mutation.node_file(t) for tests in mutation.C_TESTS.values() for t in tests}
    marked = []
    for rel in sorted(files):
        source = (mutation.REPO_ROOT / rel).read_text()
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                marks = {ast.unparse(d) for d in node.decorator_list}
                on_qemu = "QemuBatch" in ast.get_source_segment(source, node)
                assert ("pytest.mark.cortex_m33" in marks) == on_qemu, (rel, node.name)
                marked += [node.name] if on_qemu else []
    assert len(marked) >= 10 and mutation.MARKS == ("-m", "not cortex_m33 and not reference_only")


def test_every_core_file_has_tests_and_the_equivalents_name_real_mutants():
    root = mutation.REPO_ROOT
    for name in mutation.DEFAULT_C_FILES:
        assert (root / mutation.CORE / name).is_file() and name in mutation.C_TESTS
        assert all((root / mutation.node_file(t)).is_file() for t in mutation.C_TESTS[name]), name
    for name, options in mutation.C_PYTEST_OPTIONS.items():  # a plugin left out is one the tests do not use
        assert options == ("-p", "no:hypothesispytest") and name in mutation.C_TESTS, name
        assert all("hypothesis" not in (root / mutation.node_file(t)).read_text() for t in mutation.C_TESTS[name])
    keys = {
        m.key for f in sorted((root / mutation.CORE).glob("*.c")) for m in mutants_of(f, f"{mutation.CORE}/{f.name}")
    }
    equivalents = mutation.load_equivalents()
    c_equivalents = [k for k in equivalents if k.startswith("modules/")]
    assert c_equivalents and set(c_equivalents) <= keys  # a stale entry (code changed) fails here


# The names mutmut gives the mutants of one function, computed by mutmut itself from the
# function's source alone (its mutants are numbered within the function), without running a test.
_MUTMUT_NAMES = """
import ast, json, sys
from pathlib import Path
from mutmut.mutation.file_mutation import mutate_file_contents
from mutmut.utils.format_utils import get_mutant_name

out = {}
for rel, cls, name in json.loads(sys.argv[1]):
    text = (Path(sys.argv[2]) / rel).read_text()
    lines = text.splitlines(keepends=True)
    body = ast.parse(text).body
    if cls:
        body = next(n for n in body if isinstance(n, ast.ClassDef) and n.name == cls).body
    node = next(n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name)
    start = min([d.lineno for d in node.decorator_list] + [node.lineno]) - 1
    code = "".join(lines[start : node.end_lineno])
    code = f"class {cls}:\\n{code}" if cls else code
    src = Path("src") / rel
    made = mutate_file_contents(str(src), code).mutant_names
    out[f"{rel}:{cls}:{name}"] = [get_mutant_name(src, m) for m in made]
print(json.dumps(out))
"""


def _python_mutant_names(functions: list[tuple[str, str | None, str]], tmp_path: Path) -> set[str]:
    import subprocess
    import sys

    (tmp_path / "pyproject.toml").write_text(mutation.mutmut_config(mutation.PYTHON_TARGETS, mutation.PYTHON_TESTS))
    result = subprocess.run(
        [sys.executable, "-c", _MUTMUT_NAMES, json.dumps(functions), str(mutation.REPO_ROOT / "scripts")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    return {n for names in json.loads(result.stdout).values() for n in names}


def _function_of(key: str) -> tuple[str, str | None, str]:
    """vigil.budget.report.xǁReportǁevaluate__mutmut_60 -> (vigil/budget/report.py, Report, evaluate)."""
    qualified = key.partition("__mutmut_")[0]
    module, _, mangled = qualified.rpartition(".")
    if mangled.startswith("xǁ"):
        _, cls, name = mangled.split("ǁ")
    else:
        cls, name = None, mangled[len("x_") :]
    return module.replace(".", "/") + ".py", cls, name


@pytest.mark.slow
def test_the_python_equivalents_name_mutants_of_the_current_code(tmp_path):
    python = [k for k in mutation.load_equivalents() if k.startswith("vigil.")]
    assert python
    functions = sorted({_function_of(k) for k in python}, key=str)
    for rel, _, _ in functions:
        assert any(Path(rel).match(t) for t in mutation.PYTHON_TARGETS), rel  # only files mutmut mutates
    names = _python_mutant_names(functions, tmp_path)
    assert len(names) > len(python)  # every mutant of each function, not only the listed ones
    stale = sorted(set(python) - names)
    assert stale == []  # an entry whose function changed (or went) must be reviewed again


@pytest.mark.slow
def test_a_run_kills_a_known_mutant_and_reports_a_known_equivalent_without_running_it(tmp_path):
    rel = "modules/vigil/src/recognizer.c"
    before = (mutation.REPO_ROOT / rel).read_text()
    at_threshold = next(
        m.key
        for m in mutants_of(mutation.REPO_ROOT / rel, rel)
        if "best_avg < c->thresholds[best]" in m.source_line and m.original == "<"
    )
    equivalent = f"{rel}: rec->head = 0; @12: 0 -> 1"
    assert equivalent in mutation.load_equivalents()
    (run,) = mutation.run_c(["recognizer.c"], tmp_path, jobs=1, only={at_threshold, equivalent})
    assert {o.key: o.status for o in run.outcomes} == {at_threshold: "killed", equivalent: "equivalent"}
    assert run.score == 1.0 and run.survivors == []
    assert next(o for o in run.outcomes if o.key == equivalent).detail.startswith("the ring's origin is arbitrary")
    json_path, md_path = mutation.write_report(mutation.MutationReport([run]), tmp_path / "report")
    doc = json.loads(json_path.read_text())
    assert doc["runs"][0]["counts"] == {"killed": 1, "survived": 0, "timeout": 0, "invalid": 0, "equivalent": 1}
    assert "0 surviving" in md_path.read_text() and equivalent in md_path.read_text()
    assert mutation.survivors_of(json_path) == set()
    assert (mutation.REPO_ROOT / rel).read_text() == before  # mutants live in the copies only


def test_unknown_files_and_bad_reports_are_one_line_errors(tmp_path):
    with pytest.raises(VigilError, match="no tests known for nope.c"):
        mutation.run_c(["nope.c"], tmp_path)
    with pytest.raises(VigilError, match="--jobs 0: at least one"):
        mutation.run_c(["detector.c"], tmp_path, jobs=0)
    bad = tmp_path / "r.json"
    bad.write_text("{}")
    with pytest.raises(VigilError, match="not a mutation report"):
        mutation.survivors_of(bad)
    with pytest.raises(VigilError, match="not a mutation report"):
        mutation.survivors_of(Path(tmp_path / "missing.json"))


def test_a_rerun_of_survivors_is_merged_into_the_earlier_report(tmp_path):
    target = "modules/vigil/src/x.c"
    earlier = mutation.MutationReport(
        [
            mutation.MutationRun(
                target,
                ("t.py",),
                [
                    mutation.Outcome("k1", "x.c:1:1", "killed", 1.0, "< -> <="),
                    mutation.Outcome("k2", "x.c:2:1", "survived", 1.0, "0 -> 1"),
                    mutation.Outcome("k3", "x.c:3:1", "survived", 1.0, "+ -> -"),
                ],
            )
        ]
    )
    path, _ = mutation.write_report(earlier, tmp_path)
    rerun = [mutation.MutationRun(target, ("t.py",), [mutation.Outcome("k2", "x.c:2:1", "killed", 2.0, "0 -> 1")])]
    (run,) = mutation.merged(path, rerun)
    assert [(o.key, o.status) for o in run.outcomes] == [("k1", "killed"), ("k2", "killed"), ("k3", "survived")]
    assert run.score == 2 / 3
