import numpy as np
import pytest

from vigil.datasets.labelled import discover
from vigil.errors import VigilError
from vigil.models.pipeline import frontend_for
from vigil.models.validate import first_divergent_layer, validate
from vigil.tfenv import tensorflow
from vigil.tflite.model import load_tflite, parse_tflite

from .helpers import rewrite_model


def test_kws_int8_matches_tflite_and_reports_accuracy(manifest, model_mirror, data_dir):
    spec = manifest.get("kws_ref_model")
    model = load_tflite(model_mirror / "kws_ref_model.tflite")
    samples = discover(data_dir / "samples" / "kws", "kws", spec.labels)
    report = validate(
        model,
        spec.labels,
        frontend_for(spec, model, None),
        samples,
        (model_mirror / "kws_ref_model_float32.tflite").read_bytes(),
    )
    assert report.passed and report.max_tflite_tflm_lsb <= 1
    by_name = {s.path.rsplit("/", 1)[-1]: s for s in report.samples}
    assert by_name["yes_1000ms.wav"].tflm_label == "yes" == by_name["yes_1000ms.wav"].float_label
    assert by_name["silence_1000ms.wav"].tflm_label == "silence"
    assert by_name["noise_1000ms.wav"].label is None  # "noise" is not a label of this model
    assert report.accuracy("tflm") is not None and report.agreement("tflite", "tflm") == 1.0


def test_micro_speech_runs_its_preprocessor(manifest, model_mirror, data_dir):
    spec = manifest.get("micro_speech_quantized")
    model = load_tflite(model_mirror / "micro_speech_quantized.tflite")
    frontend = frontend_for(spec, model, model_mirror / "audio_preprocessor_int8.tflite")
    samples = [s for s in discover(data_dir / "samples" / "kws", "kws", spec.labels) if "1000ms" in s.path.name]
    report = validate(model, spec.labels, frontend, samples)
    labels = {s.path.rsplit("/", 1)[-1]: s.tflm_label for s in report.samples}
    assert labels["yes_1000ms.wav"] == "yes" and labels["no_1000ms.wav"] == "no"
    assert labels["silence_1000ms.wav"] == "silence"


def test_first_divergent_layer_is_named(model_mirror):
    """Run TFLite on a copy whose fourth layer has altered weights: the finder must name that
    layer, not an earlier one and not the output where the difference ends up."""
    data = (model_mirror / "kws_ref_model.tflite").read_bytes()
    model = load_tflite(model_mirror / "kws_ref_model.tflite")
    x = np.random.default_rng(1).integers(-100, 100, (1, 49, 10, 1)).astype(np.int8)
    tf = tensorflow()
    assert first_divergent_layer(tf, model, model, x, "x") is None

    target = model.operators[3]
    weights = target.inputs[1]

    def edit(m):
        buf = m.buffers[m.subgraphs[0].tensors[weights].buffer]
        buf.data = (-np.asarray(buf.data, dtype=np.uint8).view(np.int8)).view(np.uint8)

    altered = parse_tflite(rewrite_model(data, edit), model_mirror / "altered.tflite")
    found = first_divergent_layer(tf, model, altered, x, "x")
    assert found is not None and (found.op_index, found.op) == (3, "DEPTHWISE_CONV_2D")
    assert found.lsb > 1


def test_float_model_is_refused(manifest, model_mirror, tmp_path):
    spec = manifest.get("kws_ref_model")
    model = load_tflite(model_mirror / "kws_ref_model_float32.tflite")
    with pytest.raises(VigilError, match="validate needs a quantized int8 model"):
        validate(model, spec.labels, None, [])
