import pytest

from vigil.errors import VigilError
from vigil.tflite.model import load_tflite


def test_reads_ops_tensors_and_quantization(model_mirror):
    m = load_tflite(model_mirror / "kws_ref_model.tflite")
    assert [op for op, _ in m.unique_ops()] == [
        "CONV_2D",
        "DEPTHWISE_CONV_2D",
        "AVERAGE_POOL_2D",
        "RESHAPE",
        "FULLY_CONNECTED",
        "SOFTMAX",
    ]
    (x,) = m.input_tensors
    assert x.shape == (1, 49, 10, 1) and x.dtype == "int8" and x.zero_point == (83,)
    assert m.output_tensors[0].scale == (0.00390625,)


def test_custom_signal_ops_are_named(model_mirror):
    m = load_tflite(model_mirror / "audio_preprocessor_int8.tflite")
    names = {op for op, _ in m.unique_ops()}
    assert {"SignalWindow", "SignalRfft", "SignalFilterBank", "SignalPCAN"} <= names


@pytest.mark.parametrize(
    "make, problem",
    [
        (lambda d, tmp: tmp / "missing.tflite", "file not found"),
        (lambda d, tmp: tmp, "is a folder"),
        (lambda d, tmp: _write(tmp / "t.tflite", d[:4000]), "truncated"),
        (lambda d, tmp: _write(tmp / "x.tflite", b"RIFF\x24\x00\x00\x00WAVEfmt "), "not a TFLite model"),
        (lambda d, tmp: _write(tmp / "e.tflite", b""), "not a TFLite model"),
    ],
)
def test_bad_files_give_one_line_naming_the_file(model_mirror, tmp_path, make, problem):
    path = make((model_mirror / "vww_96_int8.tflite").read_bytes(), tmp_path)
    with pytest.raises(VigilError) as e:
        load_tflite(path)
    assert problem in str(e.value) and str(path) in str(e.value) and "\n" not in str(e.value)


def _write(path, data):
    path.write_bytes(data)
    return path
