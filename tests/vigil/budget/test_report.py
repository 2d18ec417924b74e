"""The report as data: deltas against a baseline edited in known ways, the views of sections
with and without a map, JSON fields, and baselines that are not reports."""

import copy
import json

import pytest

from vigil.budget.analyze import Inputs, analyze
from vigil.budget.report import Report, compute_deltas, load_baseline
from vigil.errors import VigilError


@pytest.fixture(scope="module")
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
    assert Report(report.accounting).status == "ok"


def test_baselines_that_are_not_reports(tmp_path):
    for text, problem in (
        (None, "baseline not found"),
        ("{", "baseline is not JSON"),
        (b"\xff\xfe", "baseline is not JSON"),
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
    path.write_text('{"schema": "vigil-budget/1", "regions": []}')
    assert load_baseline(path)["regions"] == []
