"""west.yml: valid for west, imports only what is needed, and really enables tflite-micro.

`west manifest --validate` cannot run offline here (it must load the zephyr import, which is
not cloned), so the manifest is checked through west's Python API: the schema validator, and
west's own import/group-filter resolution fed a stand-in for Zephyr v4.4.0's manifest with the
structure described in ../shared/docs/zephyr-facts.md §1 (group-filter [-babblesim, -optional,
-testing]; tflite-micro in the optional group of submanifests/optional.yaml).
"""

import shutil
import subprocess
from pathlib import Path

import yaml
from west.manifest import ImportFlag, Manifest, validate

REPO = Path(__file__).resolve().parents[2]
ALLOWED = {"cmsis_6", "cmsis", "cmsis-dsp", "cmsis-nn", "hal_nordic", "tflite-micro"}

_UP = "https://github.com/zephyrproject-rtos"
ZEPHYR_STAND_IN = {
    "manifest": {
        "defaults": {"remote": "upstream"},
        "remotes": [{"name": "upstream", "url-base": _UP}],
        "group-filter": ["-babblesim", "-optional", "-testing"],
        "projects": [
            {
                "name": "cmsis",
                "revision": "512cc7e895e8491696b61f7ba8066b4a182569b8",
                "path": "modules/hal/cmsis",
                "groups": ["hal"],
            },
            {
                "name": "cmsis-dsp",
                "revision": "97512610ec92058f0119450b9e743eeb7e95b5c8",
                "path": "modules/lib/cmsis-dsp",
            },
            {
                "name": "cmsis-nn",
                "revision": "d20117c9e88cf9018d6fa06744dddac700c3e3a1",
                "path": "modules/lib/cmsis-nn",
            },
            {
                "name": "cmsis_6",
                "repo-path": "CMSIS_6",
                "revision": "30a859f44ef8ab4dc8f84b03ed586fd16ccf9d74",
                "path": "modules/hal/cmsis_6",
                "groups": ["hal"],
            },
            {
                "name": "hal_nordic",
                "revision": "70c1b32dd68753b0604beab377392ed5ebc19176",
                "path": "modules/hal/nordic",
                "groups": ["hal"],
            },
            {
                "name": "hal_stm32",
                "revision": "610e32fb539e3f1b7c6c0959a7566ecfd1b75e44",
                "path": "modules/hal/stm32",
                "groups": ["hal"],
            },
            {
                "name": "picolibc",
                "revision": "01254932e8e81085817ed61fd858648584ffe37c",
                "path": "modules/lib/picolibc",
            },
            # submanifests/optional.yaml
            {
                "name": "tflite-micro",
                "revision": "fcc760af130f3a595b5802cdebcc77461e54f382",
                "path": "optional/modules/lib/tflite-micro",
                "repo-path": "tflite-micro",
                "groups": ["optional"],
            },
            {"name": "sof", "revision": "0" * 40, "path": "modules/audio/sof", "groups": ["optional"]},
        ],
        "self": {"path": "zephyr"},
    }
}


def resolve(manifest_data):
    return Manifest.from_data(manifest_data, importer=lambda project, path: yaml.safe_dump(ZEPHYR_STAND_IN))


def test_manifest_passes_west_schema_validation():
    data = yaml.safe_load((REPO / "west.yml").read_text())
    validate(data)
    manifest = Manifest.from_data(data, import_flags=ImportFlag.IGNORE)
    zephyr = manifest.get_projects(["zephyr"])[0]
    assert zephyr.revision == "v4.4.0"
    assert manifest.projects[0].west_commands == ["scripts/west-commands.yml"]


def test_import_allowlist_is_only_what_the_boards_need():
    data = yaml.safe_load((REPO / "west.yml").read_text())
    (zephyr,) = [p for p in data["manifest"]["projects"] if p["name"] == "zephyr"]
    assert set(zephyr["import"]["name-allowlist"]) == ALLOWED
    names = {p.name for p in resolve(data).projects}
    assert names == {"manifest", "zephyr"} | ALLOWED


def test_tflite_micro_is_active_without_extra_west_config():
    data = yaml.safe_load((REPO / "west.yml").read_text())
    manifest = resolve(data)
    tflm = next(p for p in manifest.projects if p.name == "tflite-micro")
    assert manifest.is_active(tflm)
    # The trap the group filter avoids: without it Zephyr's -optional wins and TFLM is skipped.
    del data["manifest"]["group-filter"]
    trapped = resolve(data)
    assert not trapped.is_active(next(p for p in trapped.projects if p.name == "tflite-micro"))


def test_west_init_local_works_offline(tmp_path):
    west = shutil.which("west") or str(Path(__import__("sys").executable).parent / "west")
    workspace = tmp_path / "ws"
    shutil.copytree(REPO, workspace / "vigil", ignore=shutil.ignore_patterns(".venv", "build", ".git", "*.pyc"))
    result = subprocess.run([west, "init", "-l", str(workspace / "vigil")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    config = (workspace / ".west" / "config").read_text()
    assert "path = vigil" in config and "file = west.yml" in config


def test_module_yml_uses_only_keys_zephyr_knows():
    """Keys of zephyr/scripts/zephyr_module.py METADATA_SCHEMA (pykwalify in older trees rejects others)."""
    meta = yaml.safe_load((REPO / "zephyr" / "module.yml").read_text())
    assert set(meta) <= {
        "name",
        "build",
        "tests",
        "samples",
        "boards",
        "blobs",
        "security",
        "package-managers",
        "runners",
    }
    build = meta["build"]
    assert set(build) <= {
        "cmake",
        "kconfig",
        "cmake-ext",
        "kconfig-ext",
        "sysbuild-cmake",
        "sysbuild-kconfig",
        "sysbuild-cmake-ext",
        "sysbuild-kconfig-ext",
        "depends",
        "settings",
    }
    assert set(build.get("settings", {})) <= {
        "board_root",
        "dts_root",
        "snippet_root",
        "soc_root",
        "arch_root",
        "module_ext_root",
        "sca_root",
    }


def test_module_yml_declares_only_roots_that_exist():
    """A board_root must hold board definitions (boards/**/board.yml), a dts_root a dts/ folder."""
    meta = yaml.safe_load((REPO / "zephyr" / "module.yml").read_text())
    settings = meta["build"].get("settings", {})
    if "board_root" in settings:
        assert list((REPO / settings["board_root"] / "boards").rglob("board.yml")), "board_root without boards"
    if "dts_root" in settings:
        assert (REPO / settings["dts_root"] / "dts").is_dir(), "dts_root without a dts/ folder"
    for key in ("cmake", "kconfig"):
        assert (REPO / meta["build"][key]).exists(), key
