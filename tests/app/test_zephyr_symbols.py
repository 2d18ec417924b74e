"""Everything the application takes from Zephyr is in app/zephyr-symbols.yml with the evidence it
was checked against the pinned release: Kconfig symbols (app/ and the tests/twister files that
configure it), C API functions, macros, types and headers (app/src), devicetree chosen nodes,
node labels, properties and bindings, CMake functions and variables, snippets and twister
filters. Each entry names the Zephyr file and the version read, and either "none" (not in the
migration guides 4.0-4.4) or the guide line that changed it. Entries a guide removed or renamed
fail; entries a guide changed must cite it (the table of changes read is in the same file)."""

import re
import subprocess
from functools import cache
from pathlib import Path

import yaml

from tests.tools import require_tool

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app"
SYMBOLS = yaml.safe_load((APP / "zephyr-symbols.yml").read_text())
OWN_KCONFIG = (APP / "Kconfig", REPO / "modules" / "vigil" / "Kconfig")
CONF_FILES = sorted(APP.glob("*.conf")) + sorted((APP / "boards").glob("*.conf"))
TWISTER_FILES = [APP / "sample.yaml", *sorted((REPO / "tests").rglob("testcase.yaml"))]
REGRESS_FILES = sorted(
    p for p in (REPO / "tests" / "regress").rglob("*") if p.is_file() and "__pycache__" not in p.parts
)
TEMPLATES = sorted((REPO / "scripts" / "vigil" / "models" / "templates").glob("*.j2"))  # compiled into the app
APP_SOURCES = sorted(APP.glob("src/*.c*")) + sorted(APP.glob("src/*.h"))
CMAKE_FILES = [
    APP / "CMakeLists.txt",
    *sorted(APP.glob("*.cmake")),
    *sorted(APP.glob("cmake/*.cmake")),
    REPO / "CMakeLists.txt",
    REPO / "modules" / "vigil" / "CMakeLists.txt",
    REPO / "tests" / "regress" / "CMakeLists.txt",
]
OVERLAYS = sorted((APP / "boards").glob("*.overlay"))
SECTIONS = ("kconfig", "api", "headers", "chosen", "node_labels", "properties", "bindings", "dt_macros")
SECTIONS += ("cmake_functions", "cmake_variables", "snippets", "twister_filters")
_SYMBOL = re.compile(r"\b([A-Z0-9][A-Z0-9_]*[A-Z0-9])\b")
_KEYWORDS = {"if", "y", "n"}

# Zephyr C API: the prefixes of the kernel, device, devicetree, driver, logging and shell APIs.
_API = re.compile(
    r"\b(k_\w+|K_[A-Z0-9_]+|device_\w+|DEVICE_[A-Z0-9_]+|DT_[A-Z0-9_]+|video_\w+|VIDEO_[A-Z0-9_]+|dmic_\w+"
    r"|DMIC_[A-Z0-9_]+|PDM_[A-Z0-9_]+|uart_\w+|ring_buf_\w+|RING_BUF_[A-Z0-9_]+|shell_\w+|SHELL_[A-Z0-9_]+"
    r"|LOG_[A-Z0-9_]+|printk|ARG_UNUSED|IS_ENABLED|__aligned)\b"
)


def strip_c_comments(text: str) -> str:
    return re.sub(r"//[^\n]*", "", re.sub(r"/\*.*?\*/", " ", text, flags=re.S))


def entries(section: str) -> dict:
    return SYMBOLS[section] or {}


# --- what the sources use ------------------------------------------------------------------------


def own_kconfig() -> set[str]:
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


def kconfig_used() -> set[str]:
    names = set(conf_symbols()) | kconfig_references()
    for path in [*CMAKE_FILES, *APP_SOURCES, *TEMPLATES, *TWISTER_FILES, *REGRESS_FILES]:
        names |= {n for n in re.findall(r"\bCONFIG_(\w+)", path.read_text()) if not n.endswith("_")}
    return names - own_kconfig()


def own_c_names(text: str) -> set[str]:
    """Functions, objects and types the app defines itself (some share Zephyr's prefixes)."""
    own = set(re.findall(r"^[A-Za-z_][\w \*]*?\b(\w+)\s*\([^;]*\)\s*$", text, re.M))  # definitions
    own |= set(re.findall(r"\b[A-Z0-9_]*(?:DEFINE|DECLARE|REGISTER|CREATE)\w*\(\s*(\w+)", text))  # first argument
    own |= set(re.findall(r"\bstruct\s+(\w+)\s*\{", text))
    return own


def api_used() -> tuple[set[str], set[str], set[str], set[str]]:
    """(API names, headers, chosen nodes, node labels) of app/src."""
    names, headers, chosen, labels = set(), set(), set(), set()
    texts = {p: strip_c_comments(p.read_text()) for p in APP_SOURCES}
    own = set().union(*(own_c_names(t) for t in texts.values()))
    for text in texts.values():
        names |= {n for n in _API.findall(text)}
        names |= set(re.findall(r"\bstruct\s+(\w+)", text))
        headers |= set(re.findall(r"#include\s+<(zephyr/[\w/.]+)>", text))
        chosen |= {c.replace("_", ",", 1) for c in re.findall(r"\bDT_CHOSEN\((\w+)\)", text)}
        labels |= set(re.findall(r"\bDT_NODELABEL\((\w+)\)", text))
    own |= {n for n in names if n.startswith(("vigil_", "app_"))}
    return names - own - chosen_arguments(texts) - labels, headers, chosen, labels


def chosen_arguments(texts: dict) -> set[str]:
    return set().union(*(set(re.findall(r"\bDT_CHOSEN\((\w+)\)", t)) for t in texts.values()))


def devicetree_used() -> tuple[set[str], set[str], set[str], set[str]]:
    """(node labels, properties, macros, chosen) of the overlays, twister filters and snippets."""
    labels, props, macros, chosen = set(), set(), set(), set()
    for path in OVERLAYS:
        text = strip_c_comments(path.read_text())
        new_nodes = set(re.findall(r"^\s*(\w+):\s*\w+\s*\{", text, re.M))
        labels |= set(re.findall(r"&(\w+)", text)) - new_nodes
        props |= set(re.findall(r"^\s*([\w,#-]+)\s*=", text, re.M))
        macros |= set(re.findall(r"\b([A-Z][A-Z0-9_]+)\b", re.sub(r'"[^"]*"', "", text)))
    for path in TWISTER_FILES:
        labels |= set(re.findall(r'dt_nodelabel_enabled\("(\w+)"\)', path.read_text()))
    return labels, props, macros, chosen


def twister_used() -> tuple[set[str], set[str]]:
    snippets, filters = set(), set()
    for path in TWISTER_FILES:
        doc = yaml.safe_load(path.read_text())
        for scenario in [doc.get("common", {}), *doc.get("tests", {}).values()]:
            snippets |= set(scenario.get("required_snippets", []))
            filters |= set(re.findall(r"\b(dt_\w+)\(", scenario.get("filter", "")))
    for path in CONF_FILES:
        snippets |= set(re.findall(r"\s-S\s+([\w-]+)", path.read_text()))
    return snippets, filters


@cache
def cmake_builtin_commands() -> set[str]:
    """CMake's own commands, from the cmake in use (`cmake --help-command-list`)."""
    out = subprocess.run([require_tool("cmake"), "--help-command-list"], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def cmake_used() -> tuple[set[str], set[str]]:
    """(Zephyr functions called, Zephyr variables read or set for Zephyr) in the CMake files."""
    functions, variables, own = set(), set(), set()
    for path in CMAKE_FILES:
        text = re.sub(r"#[^\n]*", "", path.read_text())
        own |= set(re.findall(r"^\s*function\((\w+)", text, re.M))
        functions |= set(re.findall(r"^\s*(\w+)\s*\(", text, re.M))
        variables |= set(re.findall(r"\$\{((?:ZEPHYR|Python3)_\w+)\}", text))
        variables |= {f"ENV{{{v}}}" for v in re.findall(r"\$ENV\{(\w+)\}", text)}
        variables |= {f"{t}:{p}" for t, p in re.findall(r"\$<TARGET_PROPERTY:([\w-]+),(\w+)>", text)}
        if "find_package(Zephyr" in text:  # what is set before it is an input to Zephyr's CMake
            before = text[: text.index("find_package(Zephyr")]
            variables |= {v for v in re.findall(r"^\s*set\((\w+)", before, re.M) if not v.startswith("VIGIL_")}
    return functions - cmake_builtin_commands() - own, variables


# --- the tests ---------------------------------------------------------------------------------


def assert_listed(section: str, used: set[str]):
    listed = set(entries(section))
    assert sorted(used - listed) == [], f"used but not checked: add them to zephyr-symbols.yml `{section}`"
    assert sorted(listed - used) == [], f"listed in `{section}` but no longer used"


def test_every_kconfig_symbol_used_is_listed():
    assert_listed("kconfig", kconfig_used())


def test_every_zephyr_api_header_and_devicetree_name_of_the_sources_is_listed():
    names, headers, chosen, labels = api_used()
    dt_labels, props, macros, _ = devicetree_used()
    assert_listed("api", names)
    assert_listed("headers", headers)
    assert_listed("chosen", chosen)
    assert_listed("node_labels", labels | dt_labels)
    assert_listed("properties", props)
    assert_listed("dt_macros", macros)


def test_every_binding_listed_is_the_binding_of_a_listed_property_or_snippet():
    used = {e["binding"] for e in entries("properties").values() if e.get("binding")}
    used |= {e["binding"] for e in entries("snippets").values() if e.get("binding")}
    assert_listed("bindings", used)


def test_every_zephyr_cmake_function_and_variable_is_listed():
    functions, variables = cmake_used()
    assert "target_sources" not in functions and "add_custom_command" not in functions  # CMake's own
    assert_listed("cmake_functions", functions)
    assert_listed("cmake_variables", variables)


def test_every_snippet_and_twister_filter_is_listed():
    snippets, filters = twister_used()
    assert_listed("snippets", snippets)
    assert_listed("twister_filters", filters)


GUIDES = set(SYMBOLS["guides"])


def test_every_entry_names_the_file_and_version_read_and_its_migration_status():
    for section in SECTIONS:
        for name, entry in entries(section).items():
            assert re.fullmatch(r"[\w./,+-]+@[0-9a-f]{8}|[\w#./:-]+ \(.+\)", entry["zephyr"]), (section, name)
            status = entry["guides"]
            assert status == "none" or status.split(":")[0] in GUIDES, (section, name, status)


def test_no_entry_is_removed_or_renamed_by_a_migration_guide():
    gone = {c["name"]: c for c in SYMBOLS["changes"] if c["kind"] in ("removed", "renamed")}
    for section in SECTIONS:
        for name in entries(section):
            change = gone.get(name)
            assert change is None, f"{name}: {change['kind']} by {change['guide']} ({change.get('to', '')})"


def test_entries_a_guide_changed_cite_that_guide():
    for change in SYMBOLS["changes"]:
        if change["kind"] != "changed":
            continue
        for section in SECTIONS:
            entry = entries(section).get(change["name"])
            if entry is not None:
                assert entry["guides"].startswith(change["guide"]), (change["name"], entry["guides"])


def test_the_table_of_changes_is_well_formed():
    for change in SYMBOLS["changes"]:
        assert change["guide"] in GUIDES and change["kind"] in ("removed", "renamed", "changed"), change
        assert (change["kind"] == "renamed") == ("to" in change), change
    for guide, where in SYMBOLS["guides"].items():
        assert re.fullmatch(r"migration-guide-4\.[0-4]", guide) and where["path"] == f"doc/releases/{guide}.rst"


def test_the_camera_pool_is_the_4_4_symbol_and_holds_two_frames():
    """The bug this file now catches: Zephyr 4.4 replaced VIDEO_BUFFER_POOL_SZ_MAX."""
    conf = (APP / "camera.conf").read_text()
    settings = dict(re.findall(r"^CONFIG_(\w+)=(\S+)", conf, re.M))
    assert "VIDEO_BUFFER_POOL_SZ_MAX" not in settings
    kconfig = (APP / "Kconfig").read_text()
    width = int(re.search(r"config VIGIL_CAMERA_WIDTH.*?default (\d+)", kconfig, re.S).group(1))
    height = int(re.search(r"config VIGIL_CAMERA_HEIGHT.*?default (\d+)", kconfig, re.S).group(1))
    frame = width * height * 2  # RGB565
    buffers = int(settings["VIDEO_BUFFER_POOL_NUM_MAX"])
    align = 64  # CONFIG_VIDEO_BUFFER_POOL_ALIGN's default (drivers/video/Kconfig)
    heap = int(settings["VIDEO_BUFFER_POOL_HEAP_SIZE"])
    assert buffers == 2 and heap >= buffers * (frame + align + 8) + 256  # frames, padding, headers, heap
    assert heap <= buffers * frame + 4096  # and not the 2 MiB default


def test_vigil_symbols_set_in_conf_files_exist():
    own = own_kconfig()
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
