"""Every Zephyr Kconfig symbol the application uses is in app/zephyr-symbols.yml, with the
Zephyr source it was checked in; and every Vigil symbol it sets is defined by Vigil."""

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app"
OWN_KCONFIG = (APP / "Kconfig", REPO / "modules" / "vigil" / "Kconfig")
CONF_FILES = sorted(APP.glob("*.conf")) + sorted((APP / "boards").glob("*.conf"))
_SYMBOL = re.compile(r"\b([A-Z0-9][A-Z0-9_]*[A-Z0-9])\b")
_KEYWORDS = {"if", "y", "n"}


def own_symbols() -> set[str]:
    text = "\n".join(p.read_text() for p in OWN_KCONFIG)
    return set(re.findall(r"^\s*(?:menu)?config\s+(\w+)", text, re.M)) | set(re.findall(r"^choice\s+(\w+)", text, re.M))


def conf_symbols() -> dict[str, set[Path]]:
    found: dict[str, set[Path]] = {}
    for path in CONF_FILES:
        for name in re.findall(r"^CONFIG_(\w+)=", path.read_text(), re.M):
            found.setdefault(name, set()).add(path)
    return found


def kconfig_references() -> set[str]:
    """Symbols named in depends on / select / imply / default ... if / visible if lines."""
    names = set()
    for line in (APP / "Kconfig").read_text().splitlines():
        line = line.strip()
        m = re.match(r"(depends on|select|imply|visible if)\s+(.*)", line) or re.match(
            r"(default\s+\S+\s+if)\s+(.*)", line
        )
        if m:
            names |= {n for n in _SYMBOL.findall(m.group(2)) if n not in _KEYWORDS}
    return names


def code_references() -> set[str]:
    names = set()
    sources = [
        APP / "CMakeLists.txt",
        *APP.glob("*.cmake"),
        *APP.glob("cmake/*.cmake"),
        *APP.glob("src/*.c*"),
        *APP.glob("src/*.h"),
    ]
    for path in sources:
        names |= set(re.findall(r"\bCONFIG_(\w+)", path.read_text()))
    return names


def listed() -> dict:
    return yaml.safe_load((APP / "zephyr-symbols.yml").read_text())["symbols"]


def test_every_zephyr_symbol_used_is_listed_with_its_source():
    own = own_symbols()
    used = (set(conf_symbols()) | kconfig_references() | code_references()) - own
    entries = listed()
    assert sorted(used - set(entries)) == [], "used but not checked: add them to app/zephyr-symbols.yml"
    assert sorted(set(entries) - used) == [], "listed but no longer used"
    for name, entry in entries.items():
        assert re.fullmatch(r"[\w./-]+(Kconfig[\w.]*|\.zephyr)@[0-9a-f]{8}", entry["zephyr"]), name


def test_vigil_symbols_set_in_conf_files_exist():
    own = own_symbols()
    for name, paths in conf_symbols().items():
        if name.startswith("VIGIL"):
            assert name in own, f"CONFIG_{name} set in {sorted(p.name for p in paths)} is not defined"


def test_cmsis_nn_kernels_stay_out_of_prj_conf():
    """The symbol exists only on Cortex-M: in prj.conf it would abort native_sim builds."""
    assert (
        "TENSORFLOW_LITE_MICRO_CMSIS_NN_KERNELS" not in conf_symbols()
        or APP / "prj.conf" not in conf_symbols()["TENSORFLOW_LITE_MICRO_CMSIS_NN_KERNELS"]
    )
    boards = {p.stem for p in (APP / "boards").glob("*.conf")}
    assert {
        "nrf5340dk_nrf5340_cpuapp",
        "thingy53_nrf5340_cpuapp",
        "nrf52840dk_nrf52840",
        "arduino_nano_33_ble_nrf52840_sense",
        "mps3_corstone300_an547",
        "mps2_an521_cpu0",
    } <= boards
    for path in (APP / "boards").glob("*.conf"):
        assert "CONFIG_TENSORFLOW_LITE_MICRO_CMSIS_NN_KERNELS=y" in path.read_text(), path.name
