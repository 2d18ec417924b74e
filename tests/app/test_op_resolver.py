"""The generated op resolver (scripts/vigil/models/templates/op_resolver.h.j2) compiled as C++ by
g++ against the project's fake TFLM headers (tests/app/fake_tflm.py), in the configurations a
Zephyr build can have:

- native_sim and other builds without the CMSIS-NN kernels: no CMSIS_NN, TFLM's kernel headers
  make every Register_<OP>_INT8() an inline fallback to the generic kernel;
- a Cortex-M build with CONFIG_TENSORFLOW_LITE_MICRO_CMSIS_NN_KERNELS=y and CMSIS_NN visible
  (app/vigil_app.cmake defines it): the resolver references the int8-only kernels, which the
  CMSIS-NN library defines;
- the same Kconfig without CMSIS_NN (as Zephyr compiled the app before: the TFLM module defines
  it privately, modules/tflite-micro/CMakeLists.txt@1e914c41): the build must stop.

Which header declares which registration is TFLM's, read in tensorflow/tflite-micro
tensorflow/lite/micro/kernels/: add.h@ab8e57ca, batch_matmul.h@c35d95db, conv.h@4dd2e945,
depthwise_conv.h@0facdd78, fully_connected.h@445278f3, maximum_minimum.h@afbf908a,
mul.h@0cc6f983, pad.h@8a1aae6c, pooling.h@cf5cb0a9, softmax.h@1b6ac108, svdf.h@19fc4542,
transpose.h@869953d6, transpose_conv.h@677147b2, unidirectional_sequence_lstm.h@4f25468c, and
micro_mutable_op_resolver.h (2025) for the headers it includes itself.
"""

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.tools import require_tool
from vigil.models.codegen import codegen
from vigil.models.resolve import ResolvedModel, resolve_model
from vigil.tflite import runtime
from vigil.tflite.model import parse_tflite

from .fake_tflm import write_fake_tflm

ERROR_TEXT = "CONFIG_TENSORFLOW_LITE_MICRO_CMSIS_NN_KERNELS=y but CMSIS_NN is not defined here"
CMSIS_NN_BUILD = ("-DCONFIG_TENSORFLOW_LITE_MICRO_CMSIS_NN_KERNELS=1", "-DCMSIS_NN")
PROBE = """#include "{name}_op_resolver.h"
TfLiteStatus probe(vigil::{camel}OpResolver &resolver) {{ return vigil::{name}_register_ops(resolver); }}
"""


def compile_resolver(resolved: ResolvedModel, tmp: Path, *defines: str) -> tuple[subprocess.CompletedProcess, Path]:
    gpp = require_tool("g++")
    generated = codegen(resolved, tmp / "gen")
    header = next(p for p in generated.files if p.name.endswith("_op_resolver.h")).read_text()
    write_fake_tflm(tmp / "tflm", set(re.findall(r"resolver\.(\w+)\(", header)))
    camel = "".join(w.capitalize() for w in resolved.name.split("_"))
    (tmp / "probe.cc").write_text(PROBE.format(name=resolved.name, camel=camel))
    obj = tmp / "probe.o"
    result = subprocess.run(
        [gpp, "-std=c++17", "-O0", "-Wall", "-Wextra", "-Werror", *defines, "-I", str(tmp / "gen"), "-I"]
        + [str(tmp / "tflm"), "-c", str(tmp / "probe.cc"), "-o", str(obj)],
        capture_output=True,
        text=True,
    )
    return result, obj


def undefined_registrations(obj: Path) -> set[str]:
    """The tflite::Register_*() functions the object needs from the TFLM library."""
    nm = require_tool("nm")
    out = subprocess.run([nm, "-C", "--undefined-only", str(obj)], capture_output=True, text=True, check=True).stdout
    return set(re.findall(r"tflite::(Register_\w+)\(\)", out))


KWS_TYPED = {
    "Register_CONV_2D_INT8",
    "Register_DEPTHWISE_CONV_2D_INT8",
    "Register_AVERAGE_POOL_2D_INT8",
    "Register_FULLY_CONNECTED_INT8",
    "Register_SOFTMAX_INT8",
}


def test_without_cmsis_nn_the_resolver_compiles_with_the_generic_kernels(manifest, tmp_path):
    result, obj = compile_resolver(resolve_model("kws_ref_model", manifest), tmp_path)
    assert result.returncode == 0, result.stderr
    # the int8 registrations are TFLM's inline fallbacks: only the generic kernels are needed
    assert undefined_registrations(obj) == {
        "Register_CONV_2D",
        "Register_DEPTHWISE_CONV_2D",
        "Register_AVERAGE_POOL_2D",
        "Register_FULLY_CONNECTED",
        "Register_SOFTMAX",
    }


def test_with_cmsis_nn_the_resolver_uses_the_int8_only_kernels(manifest, tmp_path):
    result, obj = compile_resolver(resolve_model("kws_ref_model", manifest), tmp_path, *CMSIS_NN_BUILD)
    assert result.returncode == 0, result.stderr
    assert undefined_registrations(obj) == KWS_TYPED


def test_cmsis_nn_kernels_without_cmsis_nn_stop_the_build(manifest, tmp_path):
    result, _ = compile_resolver(
        resolve_model("kws_ref_model", manifest), tmp_path, "-DCONFIG_TENSORFLOW_LITE_MICRO_CMSIS_NN_KERNELS=1"
    )
    assert result.returncode != 0
    assert ERROR_TEXT in result.stderr and "#error" in result.stderr


def test_cmsis_nn_defined_without_the_kconfig_is_accepted(manifest, tmp_path):
    """CMSIS_NN alone (a non-Zephyr CMSIS-NN build) is a consistent configuration."""
    result, obj = compile_resolver(resolve_model("kws_ref_model", manifest), tmp_path, "-DCMSIS_NN")
    assert result.returncode == 0, result.stderr
    assert undefined_registrations(obj) == KWS_TYPED


def test_preprocessor_resolver_compiles_in_a_cmsis_nn_build(model_mirror, tmp_path):
    """micro_speech's preprocessor runs int16/int32 Signal ops: no typed kernel, still consistent."""
    from vigil.tflite.model import load_tflite

    model = load_tflite(model_mirror / "audio_preprocessor_int8.tflite")
    result, obj = compile_resolver(ResolvedModel("kws_pre", model, None), tmp_path, *CMSIS_NN_BUILD)
    assert result.returncode == 0, result.stderr
    assert not any(re.search(r"_INT(4|8|16)$", r) for r in undefined_registrations(obj))


def _tiny_model(tf, int16: bool) -> bytes:
    """Every type-specialised elementwise, pooling and weighted kernel in one small network."""
    inp = tf.keras.Input((6, 6, 3), batch_size=1)
    x = tf.keras.layers.Conv2D(4, 3, padding="same")(inp)
    x = tf.keras.layers.DepthwiseConv2D(3, padding="same")(x)
    branch = tf.keras.layers.Conv2D(4, 1)(inp)
    x = tf.keras.layers.Multiply()([x, branch])  # of two activations: not folded into weights
    x = tf.keras.layers.Lambda(lambda t: tf.maximum(t, -0.5))(x)
    x = tf.keras.layers.Lambda(lambda t: tf.minimum(t, 0.5))(x)
    x = tf.keras.layers.Add()([x, branch])
    x = tf.keras.layers.Lambda(lambda t: tf.pad(t, [[0, 0], [1, 1], [1, 1], [0, 0]]))(x)
    x = tf.keras.layers.Lambda(lambda t: tf.transpose(t, [0, 2, 1, 3]))(x)
    x = tf.keras.layers.MaxPooling2D(2)(x)
    x = tf.keras.layers.AveragePooling2D(2)(x)
    x = tf.keras.layers.Flatten()(x)
    out = tf.keras.layers.Softmax()(tf.keras.layers.Dense(5)(x))
    model = tf.keras.Model(inp, out)
    rng = np.random.default_rng(0)

    def representative():
        for _ in range(16):
            yield [rng.uniform(-1, 1, (1, 6, 6, 3)).astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    if int16:
        converter.target_spec.supported_ops = [
            tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8
        ]
        converter.inference_input_type = converter.inference_output_type = tf.int16
    else:
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = converter.inference_output_type = tf.int8
    return converter.convert()


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory):
    from vigil.tfenv import tensorflow

    tf = tensorflow()
    root = tmp_path_factory.mktemp("tiny")
    models = {}
    for kind in ("int8", "int16"):
        path = root / f"tiny_{kind}.tflite"
        path.write_bytes(_tiny_model(tf, kind == "int16"))
        models[kind] = parse_tflite(path.read_bytes(), path)
    return models


@pytest.mark.slow
def test_int8_elementwise_ops_get_their_cmsis_nn_kernels(tiny_models, tmp_path):
    model = tiny_models["int8"]
    # a model TFLM itself runs (its Python runtime, every kernel registered)
    interpreter = runtime.make_interpreter(model.data)
    runtime.invoke(interpreter, [np.zeros((1, 6, 6, 3), np.int8)])
    result, obj = compile_resolver(ResolvedModel("tiny", model, None), tmp_path, *CMSIS_NN_BUILD)
    assert result.returncode == 0, result.stderr
    # RESHAPE has no typed kernel and is registered with its default, no Register_ call
    assert undefined_registrations(obj) == {
        "Register_CONV_2D_INT8",
        "Register_DEPTHWISE_CONV_2D_INT8",
        "Register_MUL_INT8",
        "Register_MAXIMUM_INT8",
        "Register_MINIMUM_INT8",
        "Register_ADD_INT8",
        "Register_PAD_INT8",
        "Register_TRANSPOSE_INT8",
        "Register_MAX_POOL_2D_INT8",
        "Register_AVERAGE_POOL_2D_INT8",
        "Register_FULLY_CONNECTED_INT8",
        "Register_SOFTMAX_INT8",
    }


@pytest.mark.slow
def test_int16_activations_get_the_int16_kernels_tflm_declares(tiny_models, tmp_path):
    model = tiny_models["int16"]
    assert {op.op for op in model.operators} >= {"MUL", "MAXIMUM", "MINIMUM", "PAD", "TRANSPOSE"}
    result, obj = compile_resolver(ResolvedModel("tiny", model, None), tmp_path, *CMSIS_NN_BUILD)
    assert result.returncode == 0, result.stderr
    # no int16 variant is declared for MUL, MAXIMUM, MINIMUM, PAD, TRANSPOSE: no registration
    # argument for them (and QUANTIZE, RESHAPE), so nothing from the library either
    assert undefined_registrations(obj) == {
        "Register_CONV_2D_INT16",
        "Register_DEPTHWISE_CONV_2D_INT16",
        "Register_ADD_INT16",
        "Register_MAX_POOL_2D_INT16",
        "Register_AVERAGE_POOL_2D_INT16",
        "Register_FULLY_CONNECTED_INT16",
        "Register_SOFTMAX_INT16",
    }
    text = (tmp_path / "gen" / "tiny_op_resolver.h").read_text()
    assert "resolver.AddMul()" in text and "resolver.AddPad()" in text and "resolver.AddTranspose()" in text
