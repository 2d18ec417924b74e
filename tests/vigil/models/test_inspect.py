"""inspect against independent references: Keras layer shapes (the arena: tests/vigil/tflite/test_arena.py)."""

import pytest

from vigil.models.inspect import inspect_model
from vigil.tflite.model import load_tflite

WEIGHTED = ("Conv2D", "DepthwiseConv2D", "Dense")


def keras_layer_costs(keras_model):
    """Per weighted layer: (MACs, parameters after batch-norm folding), from Keras alone."""
    costs = []
    for layer in keras_model.layers:
        kind = type(layer).__name__
        if kind not in WEIGHTED:
            continue
        kernel = layer.get_weights()[0]
        out = layer.output_shape
        channels = out[-1]
        if kind == "Conv2D":
            macs = out[1] * out[2] * channels * kernel.shape[0] * kernel.shape[1] * kernel.shape[2]
        elif kind == "DepthwiseConv2D":
            macs = out[1] * out[2] * channels * kernel.shape[0] * kernel.shape[1]
        else:
            macs = kernel.shape[0] * kernel.shape[1]
        # A bias, or the bias a following batch normalization folds into: one per channel.
        costs.append((int(macs), int(kernel.size + channels)))
    return costs


@pytest.fixture(scope="module")
def tf_keras():
    from vigil.tfenv import tensorflow

    tensorflow()
    import tf_keras

    return tf_keras


@pytest.mark.parametrize(
    "source, int8", [("vww_96.h5", "vww_96_int8.tflite"), ("kws_ref_model_savedmodel", "kws_ref_model.tflite")]
)
def test_macs_and_parameters_match_keras(tf_keras, model_mirror, source, int8):
    keras = tf_keras.models.load_model(model_mirror / source, compile=False)
    expected = keras_layer_costs(keras)
    report = inspect_model(load_tflite(model_mirror / int8))
    ours = [(c.macs, c.params) for c in report.layers if c.op in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")]
    assert ours == expected
    assert report.macs == sum(m for m, _ in expected)
    assert report.params == sum(p for _, p in expected)
    print(f"{int8}: {report.macs:,} MACs, {report.params:,} parameters (Keras agrees layer by layer)")
