"""The west extension commands, driven through their WestCommand classes.

`west <command>` cannot load this manifest offline (it imports zephyr, which is not cloned
here), so the classes are exercised directly: parser from do_add_parser, then do_run.
"""

import argparse
import importlib.util
import json
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]


def west_command(name: str):
    spec = yaml.safe_load((REPO / "scripts" / "west-commands.yml").read_text())
    for entry in spec["west-commands"]:
        for command in entry["commands"]:
            if command["name"] == name:
                module_spec = importlib.util.spec_from_file_location(f"west_cmd_{name}", REPO / entry["file"])
                module = importlib.util.module_from_spec(module_spec)
                module_spec.loader.exec_module(module)
                return getattr(module, command["class"])()
    raise AssertionError(f"{name} not declared in west-commands.yml")


def parse(command, *argv):
    parser = argparse.ArgumentParser(prog="west")
    sub = parser.add_subparsers(dest="command")
    command.do_add_parser(sub)
    return parser.parse_args([command.name, *argv])


def test_every_vigil_command_is_a_west_command():
    from vigil.cli.main import COMMANDS

    declared = {
        c["name"]
        for e in yaml.safe_load((REPO / "scripts" / "west-commands.yml").read_text())["west-commands"]
        for c in e["commands"]
    }
    assert declared == {m.NAME for m in COMMANDS}


def test_west_models_inspect_runs_the_same_code(capsys):
    command = west_command("models")
    args = parse(command, "inspect", "micro_speech_quantized", "--json")
    command.do_run(args, [])
    doc = json.loads(capsys.readouterr().out)
    assert doc["name"] == "micro_speech_quantized" and doc["macs"] > 0


def test_west_models_error_exits_nonzero(capsys):
    command = west_command("models")
    args = parse(command, "inspect", "/nonexistent/model.tflite")
    with pytest.raises(SystemExit) as e:
        command.do_run(args, [])
    assert e.value.code == 2
    assert "file not found" in capsys.readouterr().err
