"""The flatbuffer reader's edge models (reader_cases.py) judged by the tools' verifier too
(vigil.tflite.verify, the Python side of model_check.h's one definition): it gives the board's
check name on every one of them, faults in sparsity parameters and external buffers included
(both read every field of the schema, by the same layouts: vigil.tflite.layouts)."""

from __future__ import annotations

from vigil.tflite.verify import verify

from .test_model_check_mutants import inputs  # noqa: F401  (the cached, judged models)

# Where the verifier once read less than the board: it must refuse these as the board does.
ONCE_UNREAD = ("sparse dimension", "sparsity ", "external buffer")


def tools(data: bytes) -> str:
    finding = verify(data)
    return "ok" if finding is None else finding.check


def test_the_tools_agree_with_the_board_on_every_edge_model(inputs):  # noqa: F811
    compared = inputs.reader + inputs.guarded
    disagree = [f"{j.where}: board {j.check}, tools {tools(j.data)}" for j in compared if tools(j.data) != j.check]
    assert not disagree, "\n".join(disagree)
    once_unread = [j for j in inputs.reader if j.where.startswith(ONCE_UNREAD) and j.check != "ok"]
    assert len(compared) >= 60 and len(once_unread) >= 20, (len(compared), len(once_unread))
