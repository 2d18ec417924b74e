"""`vigil device serve`: the firmware session behind a real pseudo-terminal, driven by the host
side of the console stream protocol (vigil.protocol.stream) as a board or native_sim would be."""

import dataclasses
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from vigil.datasets import photos
from vigil.datasets.camera import camera_frame
from vigil.device.host import host_session
from vigil.io.wav import read_wav
from vigil.models.resolve import resolve_model
from vigil.protocol.result_line import parse_line
from vigil.protocol.stream import FdTransport, StreamSession


@pytest.fixture(scope="module")
def served():
    proc = subprocess.Popen(
        [sys.executable, "-m", "vigil", "device", "serve", "--kws", "kws_ref_model", "--vww", "vww_96_int8"],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    announce = proc.stdout.readline()
    match = re.fullmatch(r"uart connected to pseudotty: (/dev/\S+)\n", announce)
    assert match, announce
    session = StreamSession(FdTransport(match.group(1)), timeout=30)
    yield proc, session
    session.transport.close()
    proc.terminate()
    assert proc.wait(10) == 0


@pytest.fixture(scope="module")
def local(manifest):
    return host_session(resolve_model("kws_ref_model", manifest), resolve_model("vww_96_int8", manifest))


def without_timing(line):
    return {k: v for k, v in vars(line).items() if k != "time_us"}


def test_boot_line_then_answers_like_the_in_process_session(served, local, data_dir):
    _, session = served
    boot = session.wait_boot()
    assert boot.models == {"kws_ref_model": "aeea4368", "vww_96_int8": "597a384c"} and boot.status == 0
    assert session.info() == dataclasses.replace(boot, sample_id="query1")
    for wav in sorted((data_dir / "samples" / "kws").glob("*.wav")):
        x = read_wav(wav)
        remote = session.classify_audio(wav.stem, x)
        assert without_timing(remote) == without_timing(parse_line(local.audio_clip(wav.stem, x)[-1])), wav
    for name in ("astronaut.png", "coffee.png"):
        frame = camera_frame(photos.load_photo(next(p for p in photos.PHOTOS if p.name == name)))
        remote = session.classify_image(name, frame, "rgb565")
        assert remote.label == ("person" if name == "astronaut.png" else "no_person")


def test_a_stream_is_sent_chunk_by_chunk_with_acks(served, data_dir):
    _, session = served
    yes = read_wav(data_dir / "samples" / "kws" / "yes_1000ms.wav")
    x = np.concatenate([np.zeros(16000, np.int16), yes, np.zeros(32000, np.int16)])
    detections, result = session.stream("mic", x, chunk=5000)
    assert [d.label for d in detections] == ["yes"] and 1500 <= detections[0].time_ms <= 3000
    assert result.label == "yes" and result.status == 0


def test_serving_without_a_model_is_a_one_line_error():
    proc = subprocess.run([sys.executable, "-m", "vigil", "device", "serve"], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "vigil: error: a device session needs a keyword model, a person model, or both"
    ]
