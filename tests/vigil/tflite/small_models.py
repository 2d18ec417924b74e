"""Small models built with TensorFlow's converter, each a few operators, for the arena tests.

Each entry: input signature, the function (given the TensorFlow module and a seeded weight
generator), and how to convert it ("int8": full-integer int8 with int8 inputs and outputs,
"float_io": int8 inside with float inputs and outputs (QUANTIZE/DEQUANTIZE), "per_tensor": int8
with per-tensor weights, "fc_per_channel": int8 with per-channel FULLY_CONNECTED weights,
"plain": no quantization, e.g. int32 or float graphs). Built once into the cache, keyed by a hash
of this file and the TensorFlow version.
"""

from __future__ import annotations

import hashlib
import os
from importlib.metadata import version
from pathlib import Path

import numpy as np

FLOAT, INT = "float32", "int32"


def _conv(cin, cout, k, stride=1, pad="SAME", hw=8):
    def fn(tf, w, x):
        y = tf.nn.conv2d(x, w((k, k, cin, cout)), stride, pad) + w((cout,))
        return tf.nn.relu(y)

    return [((1, hw, hw, cin), FLOAT)], fn


def _depthwise(c, mult, k=3, stride=1, pad="SAME", hw=8):
    def fn(tf, w, x):
        y = tf.nn.depthwise_conv2d(x, w((k, k, c, mult)), [1, stride, stride, 1], pad) + w((c * mult,))
        return tf.nn.relu6(y)

    return [((1, hw, hw, c), FLOAT)], fn


def _dense(n_in, n_out):
    return [((1, n_in), FLOAT)], lambda tf, w, x: tf.matmul(x, w((n_in, n_out))) + w((n_out,))


def _two_dense(tf, w, x):
    return tf.matmul(tf.nn.relu(tf.matmul(x, w((6, 9)))), w((9, 3)))


def _small_kws(tf, w, x):
    """conv, depthwise, pointwise, pool, reshape, dense, softmax with odd channel counts."""
    y = tf.nn.relu(tf.nn.conv2d(x, w((3, 3, 1, 7)), 2, "SAME") + w((7,)))
    y = tf.nn.relu(tf.nn.depthwise_conv2d(y, w((3, 3, 7, 1)), [1, 1, 1, 1], "SAME") + w((7,)))
    y = tf.nn.relu(tf.nn.conv2d(y, w((1, 1, 7, 13)), 1, "VALID") + w((13,)))
    y = tf.nn.avg_pool2d(y, (y.shape[1], y.shape[2]), 1, "VALID")
    y = tf.reshape(y, (1, 13))
    return tf.nn.softmax(tf.matmul(y, w((13, 5))) + w((5,)))


def _mixed_a(tf, w, x):
    """Options structs of 1, 28, 36, 32 (8-aligned) and 4 bytes back to back: alignment padding."""
    y = tf.reduce_mean(x, [1, 2], keepdims=True)
    y = tf.nn.conv2d(y, w((1, 1, 4, 6)), 1, "VALID") + w((6,))
    y = tf.reshape(y, (2, 3))
    return tf.nn.softmax(tf.matmul(y, w((3, 3))))


def _mixed_b(tf, w, x):
    """Options structs of 2, 28, 4, 24, 8 and 4 bytes back to back."""
    y = tf.image.resize(x, (8, 8), "nearest")
    y = tf.nn.depthwise_conv2d(y, w((3, 3, 3, 1)), [1, 1, 1, 1], "SAME")
    y = tf.nn.leaky_relu(y, 0.2)
    y = y[:, 1:7, 1:7, :]
    y = tf.concat([y, y * 0.5], -1)
    return tf.pad(y * y, [[0, 0], [1, 1], [0, 0], [0, 0]])


MODELS = {
    "conv_c1": (*_conv(3, 1, 3), "int8"),
    "conv_c3": (*_conv(3, 3, 3), "int8"),
    "conv_c8_stride2": (*_conv(2, 8, 3, stride=2), "int8"),
    "conv_c8_per_tensor": (*_conv(2, 8, 3, stride=2), "per_tensor"),
    "conv_c17_1x1_valid": (*_conv(4, 17, 1, pad="VALID"), "int8"),
    "conv_c3_float_io": (*_conv(3, 3, 3), "float_io"),
    "conv_float": (*_conv(2, 4, 3, hw=5), "plain"),
    "depthwise_c3": (*_depthwise(3, 1), "int8"),
    "depthwise_c5_mult2": (*_depthwise(5, 2), "int8"),
    "depthwise_c5_mult2_per_tensor": (*_depthwise(5, 2), "per_tensor"),
    "depthwise_c8_5x5_valid": (*_depthwise(8, 1, 5, 2, "VALID", 12), "int8"),
    "dense_1": (*_dense(7, 1), "int8"),
    "dense_5": (*_dense(16, 5), "int8"),
    "dense_5_per_tensor": (*_dense(16, 5), "per_tensor"),
    "dense_10_per_channel": (*_dense(3, 10), "fc_per_channel"),
    "dense_two": ([((1, 6), FLOAT)], _two_dense, "int8"),
    "small_kws": ([((1, 49, 10, 1), FLOAT)], _small_kws, "int8"),
    "mixed_a": ([((1, 6, 6, 4), FLOAT)], _mixed_a, "int8"),
    "mixed_b": ([((1, 4, 4, 3), FLOAT)], _mixed_b, "int8"),
    "avg_pool": ([((1, 8, 8, 6), FLOAT)], lambda tf, w, x: tf.nn.avg_pool2d(x, 2, 2, "VALID"), "int8"),
    "max_pool_same": ([((1, 9, 9, 5), FLOAT)], lambda tf, w, x: tf.nn.max_pool2d(x, 3, 2, "SAME"), "int8"),
    "softmax": ([((1, 10), FLOAT)], lambda tf, w, x: tf.nn.softmax(x), "int8"),
    "softmax_float_io": ([((1, 10), FLOAT)], lambda tf, w, x: tf.nn.softmax(x), "float_io"),
    "reshape_softmax": ([((1, 3, 4), FLOAT)], lambda tf, w, x: tf.nn.softmax(tf.reshape(x, (1, 12))), "int8"),
    "add": ([((1, 4, 4, 3), FLOAT), ((1, 4, 4, 3), FLOAT)], lambda tf, w, x, y: x + y, "int8"),
    "add_broadcast": ([((1, 4, 4, 3), FLOAT), ((1, 1, 1, 3), FLOAT)], lambda tf, w, x, y: x + y, "int8"),
    "add_float": ([((1, 8), FLOAT), ((1, 8), FLOAT)], lambda tf, w, x, y: x + y, "plain"),
    "add_int32": ([((40,), INT)], lambda tf, w, x: x + 5, "plain"),
    "sub": ([((1, 4, 3), FLOAT), ((1, 4, 3), FLOAT)], lambda tf, w, x, y: x - y, "int8"),
    "mul": ([((1, 4, 4, 3), FLOAT), ((1, 4, 4, 3), FLOAT)], lambda tf, w, x, y: x * y, "int8"),
    "mul_int32": ([((40,), INT)], lambda tf, w, x: x * 5, "plain"),
    "div_int32": ([((40,), INT)], lambda tf, w, x: tf.raw_ops.Div(x=x, y=tf.constant(3)), "plain"),
    "div_float": ([((1, 8), FLOAT), ((1, 8), FLOAT)], lambda tf, w, x, y: x / y, "plain"),
    "concat_2": ([((1, 4, 4, 3), FLOAT), ((1, 4, 4, 5), FLOAT)], lambda tf, w, x, y: tf.concat([x, y], -1), "int8"),
    "concat_3": (
        [((1, 2, 6), FLOAT), ((1, 3, 6), FLOAT), ((1, 1, 6), FLOAT)],
        lambda tf, w, x, y, z: tf.concat([x, y, z], 1),
        "int8",
    ),
    "concat_int32": ([((9,), INT)], lambda tf, w, x: tf.concat([tf.constant([1, 2, 3]), x], 0), "plain"),
    "mean_hw_keepdims": ([((1, 6, 6, 4), FLOAT)], lambda tf, w, x: tf.reduce_mean(x, [1, 2], keepdims=True), "int8"),
    "mean_hw": ([((1, 5, 5, 7), FLOAT)], lambda tf, w, x: tf.reduce_mean(x, [1, 2]), "int8"),
    "mean_rank2": ([((3, 11), FLOAT)], lambda tf, w, x: tf.reduce_mean(x, [1]), "int8"),
    "mean_rank5": ([((1, 2, 3, 4, 5), FLOAT)], lambda tf, w, x: tf.reduce_mean(x, [2]), "int8"),
    "mean_rank5_4_axes": ([((1, 2, 3, 4, 5), FLOAT)], lambda tf, w, x: tf.reduce_mean(x, [1, 2, 3, 4]), "int8"),
    "mean_float": ([((1, 5, 9), FLOAT)], lambda tf, w, x: tf.reduce_mean(x, [1]), "plain"),
    "pad_4d": ([((1, 5, 5, 3), FLOAT)], lambda tf, w, x: tf.pad(x, [[0, 0], [1, 2], [2, 1], [0, 0]]), "int8"),
    "pad_2d": ([((1, 6), FLOAT)], lambda tf, w, x: tf.pad(x, [[0, 0], [3, 1]]), "int8"),
    "strided_slice": ([((1, 7, 3), FLOAT)], lambda tf, w, x: x[:, 1:5, :], "int8"),
    "slice_int32": ([((57,), INT)], lambda tf, w, x: x[3:40], "plain"),
    "cast": ([((40,), INT)], lambda tf, w, x: tf.cast(x, tf.float32), "plain"),
    "minimum_maximum_int32": ([((40,), INT)], lambda tf, w, x: tf.maximum(tf.minimum(x, 7), -3), "plain"),
    "minimum": ([((1, 5), FLOAT), ((1, 5), FLOAT)], lambda tf, w, x, y: tf.minimum(x, y), "int8"),
    "logistic": ([((1, 10), FLOAT)], lambda tf, w, x: tf.sigmoid(x), "int8"),
    "tanh": ([((1, 10), FLOAT)], lambda tf, w, x: tf.tanh(x), "int8"),
    "relu": ([((1, 10), FLOAT)], lambda tf, w, x: tf.nn.relu(x), "int8"),
    "relu6": ([((1, 10), FLOAT)], lambda tf, w, x: tf.nn.relu6(x), "int8"),
    "leaky_relu": ([((1, 10), FLOAT)], lambda tf, w, x: tf.nn.leaky_relu(x, 0.1), "int8"),
    "hard_swish": ([((1, 10), FLOAT)], lambda tf, w, x: x * tf.nn.relu6(x + 3) / 6, "int8"),
    "transpose": ([((1, 3, 5), FLOAT)], lambda tf, w, x: tf.transpose(x, [0, 2, 1]), "int8"),
    "resize_nearest": ([((1, 4, 4, 3), FLOAT)], lambda tf, w, x: tf.image.resize(x, (8, 8), "nearest"), "int8"),
    "split": ([((1, 8), FLOAT)], lambda tf, w, x: tf.split(x, 2, axis=1)[0] + 0, "int8"),
    "pack": ([((1, 4), FLOAT), ((1, 4), FLOAT)], lambda tf, w, x, y: tf.stack([x, y], 1), "int8"),
}


def build(cache: Path) -> dict[str, Path]:
    """Every model in MODELS as a .tflite under `cache` (converted on the first call only)."""
    key = hashlib.sha256(Path(__file__).read_bytes() + version("tensorflow").encode()).hexdigest()[:16]
    folder = Path(cache) / "arena-small-models" / key
    paths = {name: folder / f"{name}.tflite" for name in MODELS}
    if all(p.exists() for p in paths.values()):
        return paths
    from vigil.tfenv import tensorflow

    tf = tensorflow()
    folder.mkdir(parents=True, exist_ok=True)
    for name, (inputs, fn, mode) in MODELS.items():
        data = _convert(tf, inputs, fn, mode)
        tmp = paths[name].with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(paths[name])
    return paths


def _convert(tf, inputs, fn, mode: str) -> bytes:
    rng = np.random.default_rng(0)

    def weights(shape):
        return tf.constant(rng.normal(size=shape).astype(np.float32))

    specs = [tf.TensorSpec(shape, getattr(tf, dtype)) for shape, dtype in inputs]
    function = tf.function(lambda *xs: fn(tf, weights, *xs), input_signature=specs)
    converter = tf.lite.TFLiteConverter.from_concrete_functions([function.get_concrete_function()], function)
    if mode != "plain":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]

        def representative():
            r = np.random.default_rng(1)
            for _ in range(8):
                yield [r.normal(size=shape).astype(np.float32) for shape, _ in inputs]

        converter.representative_dataset = representative
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        if mode != "float_io":
            converter.inference_input_type = tf.int8
            converter.inference_output_type = tf.int8
        if mode == "per_tensor":
            converter._experimental_disable_per_channel = True
        if mode == "fc_per_channel":
            converter._experimental_disable_per_channel_quantization_for_dense_layers = False
    return converter.convert()
