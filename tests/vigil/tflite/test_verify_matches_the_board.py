"""One definition of "a model the device can load": the tools' verifier (vigil.tflite.verify, in
Python) and the board's boot check (modules/vigil/src/model_check.c, the same C on host, QEMU and
Zephyr) give the same verdict, with the same check name, on every damaged model of
vigil.bench.model_damage and on seeded byte-level damage of the real models."""

from __future__ import annotations

import random

import pytest

from vigil.bench import model_damage
from vigil.core.model_check import check_model
from vigil.tflite.verify import verify

MODELS = (
    "kws_ref_model.tflite",
    "vww_96_int8.tflite",
    "micro_speech_quantized.tflite",
    "audio_preprocessor_int8.tflite",
)
# The two implementations differ on purpose where the board knows more or less than the tools:
# without an expectation the board has no resolver to judge operator codes and versions against,
# while the tools judge them against what TensorFlow Lite defines.
TOOLS_ONLY = {"op_unsupported", "op_version"}


def verdicts(data: bytes) -> tuple[str, str]:
    finding = verify(data)
    board = check_model(data)
    return ("" if finding is None else finding.check), ("" if board.ok else board.check)


@pytest.mark.parametrize("name", MODELS)
def test_the_real_models_pass_both(model_mirror, name):
    assert verdicts((model_mirror / name).read_bytes()) == ("", "")


def _cases(model_mirror):
    for name in MODELS:
        data = (model_mirror / name).read_bytes()
        per_channel = name in ("kws_ref_model.tflite", "vww_96_int8.tflite")
        for m, damaged in model_damage.damaged_copies(data, per_channel):
            yield name, m, damaged


def test_every_crafted_damage_gets_the_same_verdict(model_mirror):
    compared, disagree = 0, []
    for name, m, damaged in _cases(model_mirror):
        tools, board = verdicts(damaged)
        if m.check in TOOLS_ONLY and board == "":
            # TensorFlow Lite defines no versions for custom operators (the preprocessor's first
            # operator is SignalWindow): the tools cannot judge those either.
            custom_version = m.check == "op_version" and name.startswith("audio_preprocessor")
            assert tools == ("" if custom_version else m.check), (name, m.name, tools)
            continue
        compared += 1
        if tools != board:
            disagree.append(f"{name}: {m.name}: tools {tools or 'pass'}, board {board or 'pass'}")
    assert not disagree, "\n".join(disagree)
    assert compared >= 150


@pytest.mark.slow
def test_seeded_byte_damage_gets_the_same_verdict(model_mirror):
    rng = random.Random(20261201)
    seen, disagree = {"": 0}, []
    for name in MODELS:
        data = (model_mirror / name).read_bytes()
        for _ in range(150):
            out = bytearray(data)
            for _ in range(rng.randint(1, 3)):
                kind, pos = rng.choice(("flip", "byte", "cut", "word")), rng.randrange(len(out))
                if kind == "flip":
                    out[pos] ^= 1 << rng.randrange(8)
                elif kind == "byte":
                    out[pos] = rng.randrange(256)
                elif kind == "word":
                    out[pos & ~3 : (pos & ~3) + 4] = rng.randrange(1 << 32).to_bytes(4, "little")
                else:
                    del out[pos:]
                    break
            tools, board = verdicts(bytes(out))
            if board == "" and tools in TOOLS_ONLY:
                continue
            seen[board] = seen.get(board, 0) + 1
            if tools != board:
                disagree.append(f"{name}: tools {tools or 'pass'}, board {board or 'pass'}")
    assert not disagree, f"{len(disagree)} of 600 disagree:\n" + "\n".join(disagree[:20])
    assert len(seen) >= 5, seen  # the damage reached several checks, not just one
