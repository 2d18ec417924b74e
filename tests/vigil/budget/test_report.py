"""The report as data: deltas against a baseline edited in known ways, the views of sections
with and without a map, JSON fields, and baselines that are not reports."""

import copy
import json

import pytest

from vigil.budget.analyze import Inputs, analyze
from vigil.budget.report import Report, compute_deltas, load_baseline
from vigil.errors import VigilError


@pytest.fixture()  # per test: mutmut only reruns the tests that ran the code under mutation
def report(firmware):
    return analyze(Inputs(firmware.elf, firmware.map, None, None), linker_output=firmware.linker_output)


def test_deltas_against_a_baseline_edited_in_known_ways(report):
    now = report.to_json()
    base = copy.deepcopy(now)
    symbols = {s["identity"]: s for s in base["symbols"]}
    symbols["rounding@arm_nn_util.c"]["size"] -= 24  # it grew by 24 since
    del symbols["boot_count@main.c"]  # new since the baseline
    symbols["gone@old.c"] = {"identity": "gone@old.c", "size": 40}  # removed since
    symbols["helper_moved@main.c"]["identity"] = "helper_moved@elsewhere.c"  # moved from another file
    symbols["tensor_arena@model_data.c"]["identity"] = "tensor_arena@a.c"  # ambiguous: two old files
    symbols["tensor_arena@b.c"] = {"identity": "tensor_arena@b.c", "size": 8}
    base["symbols"] = list(symbols.values())
    base["regions"] = [dict(r, used=r["used"] - 100, padding=r["padding"] + 3) for r in base["regions"]]
    base["components"] = [dict(c, flash=c["flash"] - 7) if c["name"] == "app" else c for c in base["components"]]
    base["components"].append({"name": "retired", "flash": 5, "ram": 1})
    base["provenance"]["elf_sha256"] = "f" * 64
    d = compute_deltas(report, base)
    assert d["baseline"] == {"elf_sha256": "f" * 64}
    for r in now["regions"]:
        assert d["regions"][r["name"]] == {
            "before": r["used"] - 100,
            "after": r["used"],
            "delta": 100,
            "padding_delta": -3,
        }
    assert d["components"] == {"app": {"flash": 7, "ram": 0}, "retired": {"flash": -5, "ram": -1}}
    by = {k: {s["identity"]: s for s in v} if k != "moved" else v for k, v in d["symbols"].items()}
    arena = next(s["size"] for s in now["symbols"] if s["identity"] == "tensor_arena@model_data.c")
    assert set(by["added"]) == {"boot_count@main.c", "tensor_arena@model_data.c"}
    assert set(by["removed"]) == {"gone@old.c", "tensor_arena@a.c", "tensor_arena@b.c"}
    assert by["added"]["tensor_arena@model_data.c"]["size"] == arena
    assert list(by["changed"]) == ["rounding@arm_nn_util.c"] and by["changed"]["rounding@arm_nn_util.c"] == {
        "identity": "rounding@arm_nn_util.c",
        "before": 104,
        "after": 128,
        "delta": 24,
    }
    (moved,) = by["moved"]
    assert moved["name"] == "helper_moved" and moved["from"] == "helper_moved@elsewhere.c"
    assert moved["to"] == "helper_moved@main.c" and moved["delta"] == 0 and moved["before"] == moved["after"] > 0
    assert [s["size"] for s in d["symbols"]["removed"]] == sorted(
        (s["size"] for s in d["symbols"]["removed"]), reverse=True
    )


def test_no_change_no_delta_and_missing_baseline_parts(report):
    now = report.to_json()
    same = compute_deltas(report, now)
    assert same["components"] == {} and all(v == [] for v in same["symbols"].values())
    assert all(r["delta"] == 0 and r["padding_delta"] == 0 for r in same["regions"].values())
    empty = compute_deltas(report, {})
    assert empty["baseline"] == {"elf_sha256": None}
    assert {k: v["before"] for k, v in empty["regions"].items()} == {r["name"]: 0 for r in now["regions"]}
    assert {k: v["padding_delta"] for k, v in empty["regions"].items()} == {
        r["name"]: r["padding"] for r in now["regions"]
    }
    assert report.accounting.region("NOPE") is None and report.accounting.region("RAM").name == "RAM"
    assert len(empty["symbols"]["added"]) == len({s["identity"] for s in now["symbols"]})


def test_duplicate_identities_add_up(report):
    now = report.to_json()
    base = copy.deepcopy(now)
    square = [s for s in base["symbols"] if s["identity"] == "square@sched.c"]
    assert len(square) == 1
    half = square[0]["size"] // 2
    square[0]["size"] -= half
    base["symbols"].append({"identity": "square@sched.c", "size": half})  # split in two in the baseline
    assert compute_deltas(report, base)["symbols"]["changed"] == []


def test_views_with_and_without_a_map(firmware, report):
    assert report.views_of(".text") == ("flash",)
    assert report.views_of(".data") == ("ram", "flash")
    assert report.views_of(".bss") == ("ram",) and report.views_of(".arena") == ("ram",)
    nomap = analyze(Inputs(firmware.elf, None, None, None))
    assert nomap.views_of(".data") == ("ram", "flash") and nomap.views_of(".bss") == ("ram",)
    assert nomap.views_of(".rodata") == ("flash",)
    totals = nomap.view_totals()
    components = nomap.components()
    assert totals["flash"]["used"] == sum(c["flash"] for c in components.values())
    assert totals["ram"]["used"] == sum(c["ram"] for c in components.values()) and totals["ram"]["length"] == 0
    data = firmware.size_a[".data"]
    assert totals["flash"]["used"] == sum(firmware.size_a[s] for s in (".text", ".rodata", ".init_array")) + data
    # without a map, every writable section counts in RAM: .init_array (WA, placed in flash) too
    writable = (".init_array", ".data", ".bss", ".arena", ".stack")
    assert totals["ram"]["used"] == sum(v for k, v in firmware.size_a.items() if k in writable)


def test_json_fields(report):
    doc = report.to_json()
    assert json.loads(json.dumps(doc)) == doc
    region = next(r for r in doc["regions"] if r["name"] == "FLASH")
    assert region["free"] == region["length"] - region["used"] and region["writable"] is False
    assert region["linker_reported"] == region["used"]
    data = next(s for s in doc["sections"] if s["name"] == ".data")
    assert (data["type"], data["region"], data["load_region"]) == ("progbits", "RAM", "FLASH")
    assert next(s for s in doc["sections"] if s["name"] == ".bss")["type"] == "nobits"
    sizes = [s["size"] for s in doc["symbols"]]
    assert sizes == sorted(sizes, reverse=True) and all(s["kind"] == "symbol" for s in doc["symbols"])
    assert {u["kind"] for u in doc["unattributed"]} >= {"fill", "linker"}
    padding = [u for u in doc["unattributed"] if u["kind"] == "padding"]
    assert sum(u["size"] for u in padding) == sum(r["padding"] for r in doc["regions"])
    component_sizes = [c["flash"] + c["ram"] for c in doc["components"]]
    assert component_sizes == sorted(component_sizes, reverse=True)
    assert doc["budget"] is None and doc["deltas"] is None and doc["closes"] is True
    assert Report(report.accounting).status == "not gated"  # no budget: never "ok"


def test_baselines_that_are_not_reports(tmp_path):
    for text, problem in (
        (None, "baseline not found"),
        ("{", "baseline is not valid JSON"),
        (b"\xff\xfe", "baseline is not UTF-8 text"),
        ("[]", "not a vigil budget report"),
        ('{"schema": "vigil-budget/2"}', "not a vigil budget report"),
    ):
        path = tmp_path / "b.json"
        path.unlink(missing_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        elif text is not None:
            path.write_text(text)
        with pytest.raises(VigilError, match=problem) as e:
            load_baseline(path)
        assert str(e.value).startswith(str(path))
    # the schema is checked as a whole: a report with keys missing is not a baseline
    path.write_text('{"schema": "vigil-budget/1", "regions": []}')
    with pytest.raises(VigilError, match="missing 'components'"):
        load_baseline(path)


def documented_keys() -> dict[str, set[str]]:
    """docs/budget-json.md, the schema's own page: top-level keys and the fields of each list."""
    from vigil.settings import REPO_ROOT

    rows = {}
    for line in (REPO_ROOT / "docs" / "budget-json.md").read_text().splitlines():
        cells = [c.strip() for c in line.split("|")[1:-1]]
        if len(cells) == 2 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells[1]
    return rows


def listed(cell: str) -> set[str]:
    """The field names of a `[{a, b: x, c (note)}]` or `a, b, c` description."""
    inside = cell[cell.index("{") + 1 : cell.index("}")] if "{" in cell else cell.split("—")[0]
    return {part.strip().split(" ")[0].split(":")[0].strip("`") for part in inside.split(",") if part.strip()}


def test_json_keys_are_exactly_the_documented_ones(firmware, tmp_path):
    rows = documented_keys()
    budget = tmp_path / "b.yml"
    budget.write_text("regions:\n  FLASH: {fail: 1}\ncomponents:\n  app: {flash: {warn: 1}}\n")
    report = analyze(
        Inputs(firmware.elf, firmware.map, "fix/ture", None),
        budget_path=budget,
        linker_output=firmware.linker_output,
    )
    report.deltas = compute_deltas(report, report.to_json())
    doc = report.to_json()
    assert set(doc) == set(rows)
    assert set(doc["provenance"]) == listed(rows["provenance"])
    assert doc["provenance"]["board"] == "fix/ture" and doc["provenance"]["dwarf"] is True
    for key in ("checks", "regions", "sections", "components", "symbols"):
        fields = listed(rows[key])
        assert doc[key] and all(set(item) == fields for item in doc[key]), key
    leaf_fields = listed(rows["symbols"])
    padding = {"kind", "region", "size"}
    assert all(set(u) == leaf_fields or (u["kind"] == "padding" and set(u) == padding) for u in doc["unattributed"])
    assert any(u["kind"] == "padding" for u in doc["unattributed"])
    assert set(doc["budget"]) == {"file", "status", "lines"} and doc["budget"]["file"] == str(budget)
    line_fields = listed(rows["budget"].split("lines:")[1])
    assert all(set(line) == line_fields for line in doc["budget"]["lines"])
    assert [(v["scope"], v["name"], v["view"]) for v in doc["budget"]["lines"]] == [
        ("region", "FLASH", None),
        ("component", "app", "flash"),
    ]
    assert set(doc["deltas"]) == {"baseline", "regions", "components", "symbols"}
    assert set(doc["deltas"]["symbols"]) == {"added", "removed", "changed", "moved"}
    assert all(set(r) == {"before", "after", "delta", "padding_delta"} for r in doc["deltas"]["regions"].values())


def test_view_lengths_add_the_regions_of_each_view(report):
    totals = report.view_totals()
    assert totals["flash"]["length"] == 512 * 1024  # linker.ld: FLASH
    assert totals["ram"]["length"] == 128 * 1024 + 96 * 1024  # RAM and RAM2


def test_evaluation_names_regions_and_counts_absent_components_as_empty(firmware, tmp_path, report):
    from vigil.budget.budgetfile import load_budget

    budget = tmp_path / "b.yml"
    budget.write_text("regions:\n  NOR: {fail: 1}\n")
    with pytest.raises(VigilError, match=r"region 'NOR' is not in the map \(regions: FLASH, RAM, RAM2\)$"):
        Report(report.accounting).evaluate(load_budget(budget))
    nomap = analyze(Inputs(firmware.elf, None, None, None))
    with pytest.raises(VigilError, match=r"region 'NOR' is not in the map \(regions: none, no map given\)$"):
        nomap.evaluate(load_budget(budget))
    # a component no rule can give is a typo, refused when the budget loads
    budget.write_text("regions:\n  FLASH: {warn: 100%}\ncomponents:\n  nobody: {flash: {fail: 0}}\n")
    with pytest.raises(VigilError, match="components.nobody: no rule gives this component"):
        load_budget(budget)
    # a real component with no bytes in this firmware (it has no HAL) counts as empty
    assert all(c["name"] != "HAL" for c in report.to_json()["components"])
    budget.write_text(
        "regions:\n  FLASH: {warn: 100%}\n  RAM2: {warn: 1}\ncomponents:\n  HAL: {flash: {fail: 0}, ram: {fail: 0}}\n"
    )
    r = Report(report.accounting)
    r.evaluate(load_budget(budget))
    assert [(v.name, v.view, v.used, v.status) for v in r.verdicts] == [
        ("RAM2", None, r.accounting.region("RAM2").used, "warn"),  # an ok line before it in the file: warn first
        ("FLASH", None, r.accounting.region("FLASH").used, "ok"),
        ("HAL", "flash", 0, "ok"),
        ("HAL", "ram", 0, "ok"),
    ]
    assert [v.scope for v in r.verdicts] == ["region", "region", "component", "component"]


def test_deltas_sort_and_default_what_the_baseline_lacks(report):
    now = report.to_json()
    base = copy.deepcopy(now)
    by = {s["identity"]: s for s in base["symbols"]}
    by["rounding@arm_nn_util.c"]["size"] -= 4
    by["g_model@model_data.c"]["size"] -= 400
    by["boot_count@main.c"]["size"] += 1
    base["regions"] = [{k: v for k, v in r.items() if k != "padding"} for r in base["regions"]]  # an older report
    base["components"] = []
    d = compute_deltas(report, base)
    assert [c["identity"] for c in d["symbols"]["changed"]] == [
        "g_model@model_data.c",
        "rounding@arm_nn_util.c",
        "boot_count@main.c",
    ]
    assert all(d["regions"][r["name"]]["padding_delta"] == r["padding"] for r in now["regions"])
    assert d["components"] == {
        c["name"]: {"flash": c["flash"], "ram": c["ram"]} for c in now["components"] if c["flash"] or c["ram"]
    }
    added = compute_deltas(report, {"symbols": []})["symbols"]["added"]
    assert [a["size"] for a in added] == sorted((a["size"] for a in added), reverse=True) and len(added) > 5


def test_a_symbol_name_may_hold_an_at_sign(report):
    now = report.to_json()
    base = copy.deepcopy(now)
    base["symbols"] = [s for s in base["symbols"] if s["identity"] != "boot_count@main.c"]
    base["symbols"].append({"identity": "weird@name@old.c", "size": 4})
    d = compute_deltas(report, base)
    assert {s["identity"] for s in d["symbols"]["removed"]} == {"weird@name@old.c"}
    # the name is everything before the last @: "boot_count@name" is not the "boot_count" of main.c
    base["symbols"] = [s for s in now["symbols"] if s["identity"] != "boot_count@main.c"]
    base["symbols"].append({"identity": "boot_count@name@old.c", "size": 4})
    moved = compute_deltas(report, base)["symbols"]
    assert [m["name"] for m in moved["moved"]] == [] and {s["identity"] for s in moved["removed"]} == {
        "boot_count@name@old.c"
    }


def test_json_text_is_indented_by_two(report):
    text = report.to_json_text()
    assert text.startswith('{\n  "schema": "vigil-budget/1",\n  "provenance": {\n    "elf": ')
    assert json.loads(text) == report.to_json()


def test_unattributed_lists_no_symbol(report):
    doc = report.to_json()
    kinds = [u["kind"] for u in doc["unattributed"]]
    assert "symbol" not in kinds
    leaves = [leaf for leaf in report.accounting.leaves if leaf.kind != "symbol"]
    assert len(kinds) == len(leaves) + sum(1 for r in report.accounting.regions if r.gap)


def test_baseline_fields_checked_and_optional_ones(report, tmp_path):
    path = tmp_path / "b.json"
    good = report.to_json()
    bad = copy.deepcopy(good)
    bad["provenance"]["elf_sha256"] = 5
    path.write_text(json.dumps(bad))
    with pytest.raises(VigilError, match="elf_sha256"):
        load_baseline(path)
    no_padding = copy.deepcopy(good)
    for r in no_padding["regions"]:
        del r["padding"]
    path.write_text(json.dumps(no_padding))
    assert load_baseline(path) == no_padding  # padding is optional
    negative = copy.deepcopy(good)
    negative["regions"][0]["padding"] = -1
    path.write_text(json.dumps(negative))
    with pytest.raises(VigilError, match="padding"):
        load_baseline(path)
    null_sha = copy.deepcopy(good)
    null_sha["provenance"]["elf_sha256"] = None
    path.write_text(json.dumps(null_sha))
    assert load_baseline(path) == null_sha
