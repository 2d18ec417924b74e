"""Bad input to `vigil release` (and `west release`): one line naming the file or argument and
the problem, exit 2, before any work - nothing is written."""

import json

import pytest

from tests.vigil.cli.test_west_commands import parse, west_command


def _one_line(code, err, *fragments):
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("vigil: error: ") and "Traceback" not in err, err
    for fragment in fragments:
        assert str(fragment) in lines[0], (fragment, lines[0])


@pytest.fixture()
def out(tmp_path):
    return tmp_path / "release"


def test_unknown_model(cli, out):
    code, _, err = cli("release", "--out", out, "--models", "kws_ref_model", "no_such_model")
    _one_line(code, err, "models.yml", "no model named 'no_such_model'", "known: kws_ref_model")
    assert not out.exists()


def test_unknown_board(cli, out):
    code, _, err = cli("release", "--out", out, "--boards", "qemu_an505", "nrf9160dk")
    _one_line(code, err, "app/sample.yaml", "no board 'nrf9160dk'", "known: qemu_an505, native_sim")
    assert not out.exists()


@pytest.mark.parametrize(
    "value, fragments",
    [
        ("qemu_an505", ("--budget qemu_an505", "expected BOARD=FILE")),
        ("=x.yml", ("expected BOARD=FILE",)),
        ("nrf9160dk=x.yml", ("--budget nrf9160dk=x.yml", "no board 'nrf9160dk'")),
        ("qemu_an505=/nonexistent/budget.yml", ("/nonexistent/budget.yml", "budget file not found")),
    ],
)
def test_bad_budget_argument(cli, out, value, fragments):
    code, _, err = cli("release", "--out", out, "--budget", value)
    _one_line(code, err, *fragments)
    assert not out.exists()


def test_budget_given_twice(cli, out, tmp_path):
    budget = tmp_path / "b.yml"
    budget.write_text("regions: {}\n")
    code, _, err = cli("release", "--out", out, "--budget", f"qemu_an505={budget}", "--budget", f"qemu_an505={budget}")
    _one_line(code, err, "board qemu_an505 given twice")


def test_malformed_budget_file(cli, out, tmp_path):
    budget = tmp_path / "budget.yml"
    budget.write_text("regions:\n  CODE: {fail: 120%}\n")
    code, _, err = cli("release", "--out", out, "--budget", f"qemu_an505={budget}")
    _one_line(code, err, budget, "more than 100%")
    assert not out.exists()


@pytest.mark.parametrize(
    "text, problem",
    [("{not json", "is not a JSON file"), (json.dumps({"schema": "vigil-budget/1"}), "not a vigil release report")],
)
def test_bad_baseline(cli, out, tmp_path, text, problem):
    baseline = tmp_path / "old.json"
    baseline.write_text(text)
    code, _, err = cli("release", "--out", out, "--baseline", baseline)
    _one_line(code, err, baseline, problem)
    assert not out.exists()


def test_west_release_reports_bad_input_the_same_way(capsys, out):
    command = west_command("release")
    args = parse(command, "--out", str(out), "--models", "no_such_model")
    with pytest.raises(SystemExit) as e:
        command.do_run(args, [])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "no model named 'no_such_model'" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()
