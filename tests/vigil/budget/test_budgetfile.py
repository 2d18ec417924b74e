"""Budget files: sizes in every unit at their edges, percentages up to exactly 100 %, and every
malformed entry refused with the file and the entry named."""

import pytest

from vigil.budget.budgetfile import Limit, Limits, board_dir_name, load_budget
from vigil.errors import VigilError


def budget(tmp_path, text):
    path = tmp_path / "budget.yml"
    path.write_text(text)
    return load_budget(path)


@pytest.mark.parametrize(
    "value, limit",
    [
        ("4096", Limit(4096, False)),
        (4096, Limit(4096, False)),
        (0, Limit(0, False)),
        (2.5, Limit(2.5, False)),
        ("10 B", Limit(10, False)),
        ("2 KB", Limit(2000, False)),
        ("2KiB", Limit(2048, False)),
        ("1.5 KiB", Limit(1536, False)),
        ("3 MB", Limit(3_000_000, False)),
        ("3 MiB", Limit(3 * 1024 * 1024, False)),
        ("1048576 MiB", Limit(1024**4, False)),  # exactly the largest size taken (2**40 B)
        (" 7 % ", Limit(7, True)),
        ("100%", Limit(100, True)),
        ("0%", Limit(0, True)),
        ("99.5%", Limit(99.5, True)),
    ],
)
def test_sizes(tmp_path, value, limit):
    b = budget(
        tmp_path,
        f"regions:\n  FLASH: {{fail: {value!r}}}\n"
        if isinstance(value, str)
        else f"regions:\n  FLASH: {{fail: {value}}}\n",
    )
    assert b.regions["FLASH"] == Limits(None, limit)


def test_limits_in_bytes_of_a_total():
    assert Limit(50, True).bytes_of(1001) == 500  # rounded down: 500.5 bytes is not 501
    assert Limit(100, True).bytes_of(1001) == 1001 and Limit(0, True).bytes_of(1001) == 0
    assert Limit(1536.7, False).bytes_of(10) == 1536
    assert (str(Limit(95, True)), str(Limit(99.5, True)), str(Limit(131072, False))) == ("95%", "99.5%", "131,072 B")


@pytest.mark.parametrize(
    "text, problem",
    [
        ("[1, 2]\n", "expected a mapping with 'regions' and/or 'components'"),
        ("board: x\nlimits: 1\n", "unknown keys limits"),
        ("regions:\n  FLASH: 5\n", "regions.FLASH: must be a mapping with warn and/or fail"),
        ("regions:\n  FLASH: {}\n", "regions.FLASH: must be a mapping with warn and/or fail"),
        ("regions:\n  FLASH: {warn: 1, max: 2}\n", "regions.FLASH: must be a mapping with warn and/or fail"),
        ("regions:\n  FLASH: {fail: true}\n", "regions.FLASH.fail: expected bytes or a percentage, got True"),
        ("regions:\n  FLASH: {fail: -1}\n", "regions.FLASH.fail: must be from 0 to"),
        ("regions:\n  FLASH: {fail: 100.1%}\n", "regions.FLASH.fail: 100.1% is more than 100%"),
        ("regions:\n  FLASH: {fail: 1048577 MiB}\n", "1048577 MiB is more than 1,099,511,627,776 bytes"),
        ("regions:\n  FLASH: {warn: 1 GiB}\n", "regions.FLASH.warn: '1 GiB' is not a size"),
        ("regions:\n  FLASH: {warn: -5%}\n", "is not a size"),
        ("regions:\n  FLASH: {warn: 11, fail: 10}\n", "regions.FLASH: warn (11 B) is above fail (10 B)"),
        ("regions:\n  FLASH: {warn: 51%, fail: 50%}\n", "warn (51%) is above fail (50%)"),
        ("components:\n  app: {}\n", "components.app must map flash and/or ram to limits"),
        ("components:\n  app: 5\n", "components.app must map flash and/or ram to limits"),
        ("components:\n  app: {flash: {fail: 1}, rom: {fail: 1}}\n", "components.app must map flash and/or ram"),
        ("components:\n  app: {ram: {fail: 1 lots}}\n", "components.app.ram.fail: '1 lots' is not a size"),
    ],
)
def test_malformed_entries(tmp_path, text, problem):
    with pytest.raises(VigilError, match=problem.replace("(", "\\(").replace(")", "\\)")) as e:
        budget(tmp_path, text)
    assert str(e.value).startswith(str(tmp_path / "budget.yml") + ": ")


def test_a_full_budget(tmp_path):
    b = budget(
        tmp_path,
        "board: nrf5340dk/nrf5340/cpuapp\nregions:\n  FLASH: {warn: 10, fail: 10}\n  RAM: {warn: 90%, fail: 1 KiB}\n"
        "components:\n  app: {flash: {fail: 2 KiB}, ram: {warn: 1}}\n"
        "rules:\n  - {component: mine, path: '*/mine/*'}\n",
    )
    assert b.board == "nrf5340dk/nrf5340/cpuapp" and b.path == tmp_path / "budget.yml"
    assert b.regions == {
        "FLASH": Limits(Limit(10, False), Limit(10, False)),
        "RAM": Limits(Limit(90, True), Limit(1024, False)),
    }
    assert b.components == {
        ("app", "flash"): Limits(None, Limit(2048, False)),
        ("app", "ram"): Limits(Limit(1, False), None),
    }
    assert [r.component for r in b.rules] == ["mine"]
    with pytest.raises(VigilError, match="no regions and no components to check"):
        budget(tmp_path, "board: x\n")  # a budget that gates nothing would say OK: refused
    assert board_dir_name("nrf5340dk/nrf5340/cpuapp") == "nrf5340dk_nrf5340_cpuapp"


def test_file_problems_name_the_budget_file(tmp_path):
    with pytest.raises(VigilError, match="budget file not found"):
        load_budget(tmp_path / "none.yml")
    with pytest.raises(VigilError, match="unknown keys limits, max$"):
        budget(tmp_path, "limits: 1\nmax: 2\n")
    with pytest.raises(VigilError) as e:
        budget(tmp_path, "rules:\n  - {component: a, files: x, dirs: y}\n")
    assert str(e.value) == f"{tmp_path / 'budget.yml'}: rules[0] has unknown keys dirs, files"
    rules = budget(
        tmp_path,
        "regions:\n  FLASH: {fail: 1}\nrules:\n  - {component: a, archive: 'lib*.a', section: '.text*'}\n",
    ).rules
    assert rules[0].archive == "lib*.a" and rules[0].section == ".text*"


def test_the_messages_of_an_empty_budget_and_of_an_unknown_component(tmp_path):
    from vigil.budget.components import DEFAULT_RULES

    with pytest.raises(VigilError) as e:
        budget(tmp_path, "board: x\n")
    assert str(e.value) == f"{tmp_path / 'budget.yml'}: no regions and no components to check"
    with pytest.raises(VigilError) as e:
        budget(tmp_path, "rules:\n  - {component: mine, path: '*/mine/*'}\ncomponents:\n  apq: {ram: {fail: 1}}\n")
    message = str(e.value)
    listed = message.split("the default components and the file's rules give: ", 1)[1].removesuffix(")")
    # every name a rule gives ({stem} as *), the file's own and the built-in ones, sorted, comma-separated
    names = {r.component.replace("{stem}", "*") for r in DEFAULT_RULES} | {"mine", "other", "(padding)"}
    names |= {"(linker)", "(unknown)", "model weights"}
    assert listed.split(", ") == sorted(names)
    assert message.startswith(f"{tmp_path / 'budget.yml'}: components.apq: no rule gives this component (a typo? ")
