"""The native_sim and serial adapters against a fake device that speaks the console stream
protocol over a real pseudo-terminal (fake_device.py: the firmware session, plus faults)."""

import re
import subprocess
import sys

import pytest

from vigil.errors import VigilError
from vigil.regress.run import run_suite
from vigil.regress.targets import NativeSimTarget, SerialTarget, TargetFailure

from .conftest import FAKE_DEVICE


def fake(*args: str) -> list[str]:
    return [sys.executable, str(FAKE_DEVICE), "--kws", "kws_ref_model", *args]


def test_native_sim_adapter_runs_the_suite(small_kws):
    _, golden_path, prepared = small_kws
    from vigil.regress.golden import load_golden

    target = NativeSimTarget(prepared.resolved, fake(), timeout=20)
    report = run_suite(prepared, load_golden(golden_path), golden_path, target)
    assert report.passed, [v.problems for v in report.regressions]
    assert len(report.clips) == len(prepared.clips) and len(report.streams) == 1
    assert target.process.poll() is not None  # the executable was stopped


@pytest.mark.parametrize(
    "fault, expected",
    [
        ("hang", r"no answer within 3 s while waiting for the result of '\w+'"),
        ("garbage", r"line \d+: .*: 'VIGIL 1 result uc=kws id=\?\?\? label=yes crc=00000000'"),
        ("reset", r"device restarted \(info line\) while waiting for the result of '\w+'"),
    ],
)
def test_a_failing_device_stops_the_run_with_a_clear_error(small_kws, fault, expected):
    _, golden_path, prepared = small_kws
    from vigil.regress.golden import load_golden

    # the fault comes after three answers: the info query, then two clips
    target = NativeSimTarget(prepared.resolved, fake("--fault", fault, "--after", "3"), timeout=3)
    report = run_suite(prepared, load_golden(golden_path), golden_path, target)
    assert not report.passed and re.search(expected, report.failure), report.failure
    third = prepared.clips[2].ident
    assert report.failure.startswith(f"{third}: ")  # names the sample it was waiting for
    assert [v.ident for v in report.clips] == [c.ident for c in prepared.clips[:2]]
    assert len(report.not_run) == len(prepared.clips) + len(prepared.streams) - 3


def test_an_executable_without_the_console_protocol_is_named(small_kws):
    _, _, prepared = small_kws
    with pytest.raises(TargetFailure, match="announced no pseudo-terminal within 2 s .*stream.conf"):
        NativeSimTarget(prepared.resolved, fake("--fault", "silent"), boot_timeout=2)


def test_a_missing_executable_is_bad_input(small_kws, tmp_path):
    _, _, prepared = small_kws
    with pytest.raises(VigilError, match="zephyr.exe: native_sim executable not found"):
        NativeSimTarget(prepared.resolved, [str(tmp_path / "zephyr.exe")])


def test_a_device_running_another_model_is_refused(small_kws):
    _, golden_path, prepared = small_kws
    from vigil.regress.golden import load_golden

    command = [sys.executable, str(FAKE_DEVICE), "--kws", "micro_speech_quantized"]
    target = NativeSimTarget(prepared.resolved, command, timeout=20)
    with pytest.raises(
        VigilError, match="the device runs micro_speech_quantized@09e5e2a9.*needs kws_ref_model@aeea4368"
    ):
        run_suite(prepared, load_golden(golden_path), golden_path, target)


def test_serial_adapter_over_a_pseudo_terminal(small_kws):
    """pyserial opens the pseudo-terminal `vigil device serve` announces, as it opens a board's port."""
    _, golden_path, prepared = small_kws
    from vigil.regress.golden import load_golden

    proc = subprocess.Popen(
        [sys.executable, "-m", "vigil", "device", "serve", "--kws", "kws_ref_model"], stdout=subprocess.PIPE, text=True
    )
    try:
        port = re.search(r"pseudotty: (\S+)", proc.stdout.readline()).group(1)
        report = run_suite(
            prepared, load_golden(golden_path), golden_path, SerialTarget(prepared.resolved, port, 115200)
        )
        assert report.passed and report.target == "serial"
    finally:
        proc.terminate()
        proc.wait(10)
