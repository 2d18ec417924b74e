"""inspect against independent references: Keras layer shapes and TFLM measured on a Cortex-M33."""

import numpy as np
import pytest

from vigil.errors import VigilError
from vigil.models.inspect import inspect_model
from vigil.tflite import runtime
from vigil.tflite.arena import activation_buffers, estimate_arena, plan_size
from vigil.tflite.model import load_tflite

# arena_used_bytes() of TFLM + CMSIS-NN built for Cortex-M33 (../shared/docs/qemu-cortex-m33.md).
CORTEX_M33_ARENA_USED = {
    "kws_ref_model.tflite": 22_804,
    "vww_96_int8.tflite": 100_692,
    "micro_speech_quantized.tflite": 6_820,
}
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


@pytest.mark.parametrize("name", sorted(CORTEX_M33_ARENA_USED))
def test_cortex_m33_arena_is_an_upper_bound_within_15_percent(model_mirror, name):
    measured = CORTEX_M33_ARENA_USED[name]
    estimate = estimate_arena(load_tflite(model_mirror / name), "cortex-m33").bytes
    print(f"{name}: estimate {estimate:,} for {measured:,} used on Cortex-M33 ({estimate / measured:.3f}x)")
    assert measured <= estimate <= 1.15 * measured


@pytest.mark.parametrize(
    "name",
    ["kws_ref_model.tflite", "vww_96_int8.tflite", "micro_speech_quantized.tflite", "audio_preprocessor_int8.tflite"],
)
def test_planner_reproduces_tflm_head_and_host_total(model_mirror, name):
    model = load_tflite(model_mirror / name)
    host = runtime.measure_host_arena(model.data, len(model.inputs))
    assert plan_size(activation_buffers(model)) == host.head
    # On a 64-bit target with reference kernels the estimate is the host's own figure.
    assert estimate_arena(model, "native_sim_64", host).bytes == host.total + (-host.total % 16)


def test_arena_estimate_runs_the_model_in_that_arena(model_mirror):
    """The 64-bit host needs more than a 32-bit target; the estimate for it must suffice."""
    model = load_tflite(model_mirror / "kws_ref_model.tflite")
    size = estimate_arena(model, "native_sim_64").bytes
    interpreter = runtime.make_interpreter(model.data, arena_size=size)
    out = runtime.invoke(interpreter, runtime.zero_inputs(interpreter, 1))
    assert out[0].shape == (1, 12)
    with pytest.raises(VigilError, match="could not load"):
        small = runtime.make_interpreter(model.data, arena_size=size - 2048)
        runtime.invoke(small, [np.zeros((1, 49, 10, 1), np.int8)])


def test_dsp_extension_adds_cmsis_nn_scratch(model_mirror):
    model = load_tflite(model_mirror / "kws_ref_model.tflite")
    with_dsp = estimate_arena(model, "cortex-m33")
    without = estimate_arena(model, "cortex-m33-nodsp")
    assert ("AVERAGE_POOL_2D", 64 * 4) in [(op, b) for _, op, b in with_dsp.scratch]
    assert "AVERAGE_POOL_2D" not in [op for _, op, _ in without.scratch]
