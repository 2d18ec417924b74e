"""Deltas against a baseline: every numeric figure, keyed like the figures; wall-clock times
are never compared; a figure on one side only is new or gone."""

import copy
import json

import pytest

from vigil.errors import VigilError
from vigil.release.report import SCHEMA, changed_deltas, compute_deltas, figures, load_baseline

DOC = {
    "schema": SCHEMA,
    "ready": True,
    "models": [{"name": "kws", "sha256": "ab", "flash_bytes": 100, "accuracy": {"tflm": 0.5, "float": None}}],
    "regress": [{"suite": "kws", "target": "host", "accuracy": 0.75, "passed": True, "seconds": 3.2}],
    "boards": [
        {
            "board": "qemu_an505",
            "key": "qemu_an505",
            "regions": [{"name": "CODE", "used": 10, "size": 40}],
            "components": [{"name": "libc", "flash": 7, "ram": 1}],
            "lines": [{"used": 10}],
        },
        {"board": "native_sim", "key": "native_sim", "status": "skipped"},
    ],
    "frontend": {"figures": {"mfcc_hop": 73600}, "timings": {"host_ms_per_second": 1.1}},
    "timings": {"models": 40.0},
}


def test_figures_are_keyed_by_name_and_leave_out_times_and_flags():
    f = figures(DOC)
    assert f == {
        "models": {"kws": {"flash_bytes": 100, "accuracy": {"tflm": 0.5}}},
        "regress": {"kws on host": {"accuracy": 0.75}},
        "boards": {
            "qemu_an505": {
                "regions": {"CODE": {"used": 10, "size": 40}},
                "components": {"libc": {"flash": 7, "ram": 1}},
            }
        },
        "frontend": {"figures": {"mfcc_hop": 73600}},
    }


def test_same_figures_give_zero_deltas_whatever_the_times():
    later = copy.deepcopy(DOC)
    later["regress"][0]["seconds"] = 9.9
    later["frontend"]["timings"]["host_ms_per_second"] = 2.0
    later["timings"]["models"] = 99.0
    deltas = compute_deltas(later, DOC)
    assert changed_deltas(deltas) == []
    assert deltas["boards"]["qemu_an505"]["regions"]["CODE"]["used"] == {"before": 10, "after": 10, "delta": 0}


def test_changed_new_and_gone_figures():
    later = copy.deepcopy(DOC)
    later["models"][0]["flash_bytes"] = 112
    later["regress"][0]["accuracy"] = 0.7
    later["boards"][0]["regions"].append({"name": "RAM", "used": 5, "size": 8})
    del later["frontend"]
    changed = dict(changed_deltas(compute_deltas(later, DOC)))
    assert changed[("models", "kws", "flash_bytes")] == {"before": 100, "after": 112, "delta": 12}
    assert changed[("regress", "kws on host", "accuracy")]["delta"] == pytest.approx(-0.05)
    assert changed[("boards", "qemu_an505", "regions", "RAM", "used")] == {"before": None, "after": 5, "delta": None}
    assert changed[("frontend", "figures", "mfcc_hop")] == {"before": 73600, "after": None, "delta": None}


def test_a_baseline_must_be_a_release_report(tmp_path):
    path = tmp_path / "old.json"
    with pytest.raises(VigilError, match=f"{path}: baseline not found"):
        load_baseline(path)
    path.write_text("{not json")
    with pytest.raises(VigilError, match="is not a JSON file"):
        load_baseline(path)
    path.write_text(json.dumps({"schema": "vigil-budget/1"}))
    with pytest.raises(VigilError, match="not a vigil release report"):
        load_baseline(path)
    path.write_text(json.dumps(DOC))
    assert load_baseline(path)["ready"] is True
