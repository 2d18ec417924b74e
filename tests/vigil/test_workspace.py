"""The build folder is found as `west build` finds it (Zephyr's build_helpers.find_build_dir)."""

import argparse

import pytest

from vigil.workspace import build_dir_format, find_build_dir, is_zephyr_build


def zephyr_build(path):
    path.mkdir(parents=True, exist_ok=True)
    (path / "CMakeCache.txt").write_text("BOARD:STRING=native_sim\nZEPHYR_TOOLCHAIN_VARIANT:STRING=zephyr\n")
    return path


def test_a_build_folder_is_recognised_by_its_cmake_cache(tmp_path):
    assert not is_zephyr_build(tmp_path)
    (tmp_path / "CMakeCache.txt").write_text("CMAKE_BUILD_TYPE:STRING=\n")  # a CMake build, not Zephyr's
    assert not is_zephyr_build(tmp_path)
    assert is_zephyr_build(zephyr_build(tmp_path / "b"))


def test_given_folder_wins(tmp_path):
    zephyr_build(tmp_path / "build")
    assert find_build_dir(tmp_path / "elsewhere", "build", tmp_path) == tmp_path / "elsewhere"


def test_dir_fmt_folder_then_current_folder_then_default(tmp_path):
    assert find_build_dir(None, "out/fw", tmp_path) == tmp_path / "out" / "fw"  # nothing built: the default
    zephyr_build(tmp_path)
    assert find_build_dir(None, "out/fw", tmp_path) == tmp_path  # the current folder is a build
    zephyr_build(tmp_path / "out" / "fw")
    assert find_build_dir(None, "out/fw", tmp_path) == tmp_path / "out" / "fw"  # dir-fmt's folder first


def test_a_format_with_fields_falls_back_to_the_current_build(tmp_path):
    zephyr_build(tmp_path)
    assert find_build_dir(None, "build/{board}", tmp_path) == tmp_path
    assert find_build_dir(None, "build/{board}", tmp_path / "x") == tmp_path / "x" / "build"


def test_west_setting_is_read_from_the_configuration(tmp_path, monkeypatch):
    from west.configuration import Configuration

    local = tmp_path / "config"
    local.write_text("[build]\ndir-fmt = out/{board}\n")
    monkeypatch.setenv("WEST_CONFIG_LOCAL", str(local))
    assert build_dir_format(Configuration()) == "out/{board}"


def test_west_budget_uses_the_dir_fmt_build(tmp_path, monkeypatch, capsys):
    from west.configuration import Configuration

    from tests.vigil.cli.test_west_commands import parse, west_command

    local = tmp_path / "config"
    local.write_text("[build]\ndir-fmt = fw-out\n")
    monkeypatch.setenv("WEST_CONFIG_LOCAL", str(local))
    monkeypatch.chdir(tmp_path)
    zephyr_build(tmp_path / "fw-out")
    command = west_command("budget")
    args = parse(command, "--json")
    command._config = Configuration()
    with pytest.raises(SystemExit) as e:
        command.do_run(args, [])
    assert e.value.code == 2
    # The error names the dir-fmt folder's ELF: that is where it looked.
    assert str(tmp_path / "fw-out" / "zephyr" / "zephyr.elf") in capsys.readouterr().err
    assert isinstance(args, argparse.Namespace) and args.build_dir_format == "fw-out"
