"""Every model command on damaged models: one line naming the file and the check, exit 2, no
output, no signal - where TFLM or TensorFlow used to crash or answer (run in a child process)."""

from __future__ import annotations

import pytest

from tests.forked_cli import assert_clean_error, forked, subprocess_cli
from tests.vigil.models.helpers import with_builtin
from vigil.bench.model_damage import INT8_MUTATIONS

BY_NAME = {m.name: m for m in INT8_MUTATIONS}
# Each crashed a command (segfault, SIGFPE) or passed wrongly before the models were verified.
FINDINGS = (
    ("no buffers", "buffer_index"),
    ("graph input index = tensor count", "tensor_index"),
    ("graph output index out of range", "tensor_index"),
    ("operator input index = tensor count", "tensor_index"),
    ("cycle: first two operators swapped", "order"),
    ("no graph inputs", "graph_inputs"),
    ("no graph outputs", "graph_outputs"),
    ("graph output nothing writes", "graph_outputs"),
    ("zero operators", "operators"),
    ("input scale 0", "quantization"),
    ("input shape [1, 0, 10, 1]", "shape"),
    ("weights' buffer 9999", "buffer_index"),
    ("weights cut to 10 bytes", "buffer_size"),
    ("op version 99", "op_version"),
    ("schema version 99", "schema_version"),
    ("a copy of itself appended", "trailing"),
)


def _commands(model, tmp_path, data_dir):
    wav = data_dir / "samples" / "kws" / "yes_1000ms.wav"
    return {
        "inspect": ["models", "inspect", model],
        "codegen": ["models", "codegen", model, "--out", tmp_path / "gen"],
        "classify": ["classify", "--task", "kws", "--model", model, "--like", "kws_ref_model", wav],
        "validate": ["models", "validate", model, "--like", "kws_ref_model", "--samples", wav.parent],
    }


@pytest.mark.parametrize("finding, check", FINDINGS)
def test_damaged_model_is_refused_by_every_command(model_mirror, data_dir, tmp_path, finding, check):
    model = tmp_path / "damaged.tflite"
    model.write_bytes(BY_NAME[finding].apply((model_mirror / "kws_ref_model.tflite").read_bytes()))
    for command, args in _commands(model, tmp_path, data_dir).items():
        outcome = forked(args)
        line = assert_clean_error(outcome, model, f"not a model the device can load: {check}: ")
        assert outcome.stdout == "", command
        assert not (tmp_path / "gen").exists(), command
        assert line.count(str(model)) == 1


def test_a_gigabyte_of_padding_writes_no_63_mb_source(model_mirror, tmp_path):
    model = tmp_path / "padded.tflite"
    data = (model_mirror / "kws_ref_model.tflite").read_bytes()
    with open(model, "wb") as f:
        f.write(data)
        f.truncate(len(data) + (1 << 30))
    for args in (["models", "inspect", model, "--json"], ["models", "codegen", model, "--out", tmp_path / "gen"]):
        assert_clean_error(forked(args), model, "trailing: 1,073,741,824 bytes after the flatbuffer's end")
    assert not (tmp_path / "gen").exists()


def test_tflm_log_lines_do_not_precede_the_error(model_mirror, tmp_path):
    """ATAN2 is a valid operator TFLM has no kernel for: TFLM refuses it and prints why."""
    model = tmp_path / "atan2.tflite"
    model.write_bytes(with_builtin((model_mirror / "kws_ref_model.tflite").read_bytes(), "SOFTMAX", "ATAN2"))
    outcome = forked(["models", "inspect", model])
    line = assert_clean_error(outcome, model, "TFLite Micro could not load the model")
    assert "ATAN2" in line and outcome.stdout == ""


@pytest.mark.slow
def test_convert_verifies_a_float_tflite_before_tensorflow(model_mirror, tmp_path):
    model = tmp_path / "float.tflite"
    model.write_bytes(BY_NAME["no buffers"].apply((model_mirror / "kws_ref_model_float32.tflite").read_bytes()))
    out = tmp_path / "out.tflite"
    outcome = subprocess_cli(["models", "convert", model, "--task", "kws", "--out", out])
    assert_clean_error(outcome, model, "buffer_index")
    assert not out.exists() and list(tmp_path.iterdir()) == [model]
