"""WAV files read chunk by chunk: what is valid is read (WAVE_FORMAT_EXTENSIBLE PCM too, the
same samples as Python's wave module reads of the plain file), sizes that do not add up and
repeated chunks are refused with one line naming the file."""

from __future__ import annotations

import struct
import wave

import numpy as np
import pytest

from vigil.errors import VigilError
from vigil.io.wav import read_wav

PCM_GUID = bytes.fromhex("0100000000001000800000aa00389b71")
FLOAT_GUID = bytes.fromhex("0300000000001000800000aa00389b71")


def _chunk(name: bytes, body: bytes) -> bytes:
    return name + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")


def _fmt(tag=1, channels=1, rate=16000, bits=16, extensible_guid=None, valid_bits=16) -> bytes:
    block = channels * bits // 8
    body = struct.pack("<HHIIHH", 0xFFFE if extensible_guid else tag, channels, rate, rate * block, block, bits)
    if extensible_guid:
        body += struct.pack("<HHI", 22, valid_bits, 0x4) + extensible_guid
    return _chunk(b"fmt ", body)


def _riff(*chunks: bytes, size: int | None = None) -> bytes:
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body) if size is None else size) + body


SAMPLES = (np.arange(-800, 800, 1, dtype=np.int16) * 37).astype("<i2")


def _write(tmp_path, data: bytes, name="x.wav"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _refused(path, problem):
    with pytest.raises(VigilError) as e:
        read_wav(path)
    assert str(e.value).startswith(f"{path}: ") and problem in str(e.value) and "\n" not in str(e.value)


def test_plain_pcm_reads_what_the_wave_module_reads(tmp_path, data_dir):
    for path in sorted((data_dir / "samples" / "kws").glob("*.wav")):
        with wave.open(str(path)) as w:
            expected = np.frombuffer(w.readframes(w.getnframes()), "<i2")
        assert np.array_equal(read_wav(path), expected)


def test_wave_format_extensible_pcm_is_pcm(tmp_path):
    data = SAMPLES.tobytes()
    plain = _write(tmp_path, _riff(_fmt(), _chunk(b"data", data)), "plain.wav")
    extensible = _write(tmp_path, _riff(_fmt(extensible_guid=PCM_GUID), _chunk(b"data", data)), "ext.wav")
    assert np.array_equal(read_wav(extensible), read_wav(plain)) and np.array_equal(read_wav(plain), SAMPLES)


def test_other_chunks_with_odd_sizes_are_skipped_with_their_pad_byte(tmp_path):
    path = _write(tmp_path, _riff(_fmt(), _chunk(b"LIST", b"INFOabc"), _chunk(b"data", SAMPLES.tobytes())))
    assert np.array_equal(read_wav(path), SAMPLES)


@pytest.mark.parametrize(
    "make, problem",
    [
        (lambda d: _riff(_fmt(), b"data" + struct.pack("<I", len(d) + 2) + d), "claims 3,202 bytes, 3,200 follow"),
        (lambda d: _riff(_fmt(), _chunk(b"data", d), size=0xFFFFFFFF), "the RIFF header says 4,294,967,303 bytes"),
        (lambda d: _riff(_fmt(), _chunk(b"data", d), size=0), "the RIFF header says 8 bytes"),
        (lambda d: _riff(_fmt(), _chunk(b"data", d)) + b"ID3\x04", "says 3,244 bytes, the file has 3,248"),
        (lambda d: _riff(_fmt(), _chunk(b"data", d), _chunk(b"data", d)), "two data chunks"),
        (lambda d: _riff(_fmt(), _fmt(), _chunk(b"data", d)), "two fmt chunks"),
        (lambda d: _riff(_chunk(b"data", d), _fmt()), "data before the fmt chunk"),
        (lambda d: _riff(_fmt()), "no data chunk"),
        (lambda d: _riff(_chunk(b"data", d)), "data before the fmt chunk"),
        (lambda d: _riff(_fmt(), _chunk(b"data", d[:-1])), "ends in half a 16-bit sample"),
        (lambda d: _riff(_fmt(), _chunk(b"data", b"")), "holds no samples"),
        (lambda d: _riff(_fmt(tag=3, bits=32), _chunk(b"data", d)), "IEEE float WAV, expected 16-bit PCM"),
        (lambda d: _riff(_fmt(extensible_guid=FLOAT_GUID, bits=32, valid_bits=32), _chunk(b"data", d)), "IEEE float"),
        (lambda d: _riff(_fmt(extensible_guid=PCM_GUID, valid_bits=12), _chunk(b"data", d)), "12 valid bits"),
        (lambda d: _riff(_fmt(channels=2), _chunk(b"data", d)), "2-channel WAV, expected mono"),
        (lambda d: _riff(_fmt(rate=8000), _chunk(b"data", d)), "sample rate 8000 Hz"),
        (lambda d: _riff(_fmt(bits=24), _chunk(b"data", d[:3000])), "24-bit WAV"),
        (lambda d: b"RIFX" + _riff(_fmt(), _chunk(b"data", d))[4:], "big-endian RIFX"),
        (lambda d: b"RIFF\x04\x00\x00\x00WAVE", "no fmt chunk"),
        (lambda d: b"RIFF\x24\x00\x00\x00WAVEfm", "the RIFF header says 44 bytes"),
    ],
)
def test_wavs_whose_chunks_do_not_add_up(tmp_path, make, problem):
    _refused(_write(tmp_path, make(SAMPLES.tobytes())), problem)


def test_every_cut_of_a_real_wav_is_refused(tmp_path, data_dir):
    data = (data_dir / "samples" / "kws" / "yes_30ms.wav").read_bytes()
    for size in range(1, len(data) - 1, 5):
        path = _write(tmp_path, data[:size])
        with pytest.raises(VigilError):
            read_wav(path)
