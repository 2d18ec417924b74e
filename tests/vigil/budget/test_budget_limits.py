"""Budget limits met exactly pass, one byte over fails, with used bytes taken from the linker's
own figures (--print-memory-usage) and binutils (arm-none-eabi-size), not from the report."""

import pytest

from vigil.budget.analyze import Inputs, analyze, parse_linker_usage
from vigil.budget.budgetfile import load_budget
from vigil.budget.report import FAIL, OK, WARN

FLASH_LENGTH = 512 * 1024  # tests/vigil/budget/firmware/linker.ld
RAM2_LENGTH = 96 * 1024


@pytest.fixture()
def used(firmware):
    linker = parse_linker_usage(firmware.linker_output)
    return {"FLASH": linker["FLASH"], "RAM2": linker["RAM2"], "arena": firmware.size_a[".arena"]}


def verdicts(firmware, tmp_path, text):
    path = tmp_path / "budget.yml"
    path.write_text(text)
    report = analyze(Inputs(firmware.elf, firmware.map, None, None), linker_output=firmware.linker_output)
    report.evaluate(load_budget(path))
    return report, {v.name: v for v in report.verdicts}


@pytest.mark.parametrize("level", ["warn", "fail"])
@pytest.mark.parametrize("over", [0, 1])
def test_region_limit_in_bytes(firmware, tmp_path, used, level, over):
    limit = used["FLASH"] - over
    report, v = verdicts(firmware, tmp_path, f"regions:\n  FLASH: {{{level}: {limit}}}\n")
    expected = (WARN if level == "warn" else FAIL) if over else OK
    assert (v["FLASH"].used, v["FLASH"].status, getattr(v["FLASH"], level)) == (used["FLASH"], expected, limit)
    assert report.status == expected


@pytest.mark.parametrize("over", [0, 1])
def test_component_limit_in_bytes_and_kib(firmware, tmp_path, used, over):
    assert used["arena"] == 65536
    limit = "64 KiB" if not over else "65535"
    _, v = verdicts(firmware, tmp_path, f"components:\n  tensor arena: {{ram: {{warn: 60 KiB, fail: {limit}}}}}\n")
    arena = v["tensor arena"]
    assert (arena.used, arena.warn, arena.fail, arena.status) == (65536, 61440, 65536 - over, FAIL if over else WARN)


def test_warn_exactly_met_is_ok_and_both_levels_report(firmware, tmp_path, used):
    _, v = verdicts(
        firmware,
        tmp_path,
        f"regions:\n  RAM2: {{warn: {used['RAM2']}, fail: {used['RAM2'] + 1}}}\n"
        f"components:\n  tensor arena: {{ram: {{warn: 65535, fail: 65536}}}}\n",
    )
    assert v["RAM2"].status == OK and v["tensor arena"].status == WARN


def test_percent_limits_are_of_the_region_length(firmware, tmp_path, used):
    # 50% of FLASH is 262,144 bytes; the firmware uses far less, RAM2 holds the 64 KiB arena + stack
    ram2_percent = used["RAM2"] * 100 / RAM2_LENGTH
    _, v = verdicts(
        firmware,
        tmp_path,
        f"regions:\n  FLASH: {{fail: 50%}}\n  RAM2: {{warn: 1%, fail: {ram2_percent:.4f}%}}\n",
    )
    assert (v["FLASH"].fail, v["FLASH"].status) == (FLASH_LENGTH // 2, OK)
    assert v["RAM2"].warn == RAM2_LENGTH // 100 and v["RAM2"].status in (WARN, FAIL)
    assert v["RAM2"].fail == int(RAM2_LENGTH * round(ram2_percent, 4) / 100)
    assert v["RAM2"].status == (FAIL if v["RAM2"].fail < used["RAM2"] else WARN)


def test_verdicts_come_fail_first(firmware, tmp_path, used):
    report, _ = verdicts(
        firmware,
        tmp_path,
        f"regions:\n  FLASH: {{warn: 1}}\n  RAM2: {{fail: {used['RAM2'] - 1}}}\n"
        "components:\n  app: {flash: {fail: 100%}}\n",
    )
    assert [(v.name, v.status) for v in report.verdicts] == [("RAM2", FAIL), ("FLASH", WARN), ("app", OK)]
    assert report.status == FAIL
