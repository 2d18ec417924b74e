import re
import subprocess

import pytest
from elftools.elf.elffile import ELFFile

from tests.tools import require_tool
from vigil.core.toolchain import CORTEX_M33
from vigil.errors import VigilError
from vigil.models.codegen import codegen
from vigil.models.resolve import ResolvedModel, resolve_model
from vigil.tflite.model import load_tflite, parse_tflite

from .helpers import with_builtin

ARM_FLAGS = [*CORTEX_M33, "-std=c11", "-Wall", "-Wextra", "-Werror"]

USE_METADATA = """
#include "{name}_model.h"
static const char *const labels[] = VIGIL_MODEL_{NAME}_LABELS;
static const int32_t input_shape[] = VIGIL_MODEL_{NAME}_INPUT_SHAPE;
static uint8_t arena[VIGIL_MODEL_{NAME}_ARENA_BYTES] __attribute__((aligned(16)));
int probe(void) {{ return (int)sizeof(labels) + input_shape[0] + arena[0]
    + (int)vigil_model_{name}_data[4] + (int)vigil_model_{name}_size; }}
"""


@pytest.mark.parametrize("name", ["kws_ref_model", "vww_96_int8", "micro_speech_quantized"])
def test_generated_sources_compile_for_cortex_m33(manifest, tmp_path, name):
    gcc = require_tool("arm-none-eabi-gcc")
    resolved = resolve_model(name, manifest)
    generated = codegen(resolved, tmp_path)
    assert sorted(p.name for p in generated.files) == sorted(
        [f"{name}_model.c", f"{name}_model.h", f"{name}_op_resolver.h"]
    )
    (tmp_path / "use.c").write_text(USE_METADATA.format(name=name, NAME=name.upper()))
    for src in (f"{name}_model.c", "use.c"):
        subprocess.run(
            [gcc, *ARM_FLAGS, "-I", str(tmp_path), "-c", str(tmp_path / src), "-o", str(tmp_path / f"{src}.o")],
            check=True,
        )
    with open(tmp_path / f"{name}_model.c.o", "rb") as f:
        section = ELFFile(f).get_section_by_name(f".rodata.vigil_model.{name}")
        assert section is not None and section["sh_addralign"] == 16
        assert section.data() == resolved.model.data


def test_op_resolver_registers_exactly_the_models_ops_with_int8_kernels(manifest, tmp_path):
    resolved = resolve_model("kws_ref_model", manifest)
    codegen(resolved, tmp_path)
    text = (tmp_path / "kws_ref_model_op_resolver.h").read_text()
    assert "MicroMutableOpResolver<kKwsRefModelOpCount>" in text
    assert "constexpr unsigned int kKwsRefModelOpCount = 6;" in text
    calls = re.findall(r"resolver\.(\w+)\(([^)]*)\)", text)
    assert calls == [
        ("AddConv2D", "tflite::Register_CONV_2D_INT8("),
        ("AddDepthwiseConv2D", "tflite::Register_DEPTHWISE_CONV_2D_INT8("),
        ("AddAveragePool2D", "tflite::Register_AVERAGE_POOL_2D_INT8("),
        ("AddReshape", ""),
        ("AddFullyConnected", "tflite::Register_FULLY_CONNECTED_INT8("),
        ("AddSoftmax", "tflite::Register_SOFTMAX_INT8("),
    ]


def test_preprocessor_resolver_lists_signal_kernels_zephyr_lacks(model_mirror, tmp_path):
    model = load_tflite(model_mirror / "audio_preprocessor_int8.tflite")
    codegen(ResolvedModel("audio_preprocessor", model, None), tmp_path)
    text = (tmp_path / "audio_preprocessor_op_resolver.h").read_text()
    assert "resolver.AddPCAN()" in text and "resolver.AddWindow()" in text
    assert "add their sources" in text and "SignalPCAN" in text
    assert "Register_" not in text.split("namespace vigil")[1]  # int16 signal graph: generic kernels


def test_model_with_an_op_tflm_lacks_is_refused_naming_it(model_mirror, tmp_path):
    data = with_builtin((model_mirror / "kws_ref_model.tflite").read_bytes(), "SOFTMAX", "ATAN2")
    model = parse_tflite(data, tmp_path / "atan2.tflite")
    with pytest.raises(VigilError, match="operator ATAN2 is not supported by TFLite Micro"):
        codegen(ResolvedModel("m", model, None), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_float_io_model_is_refused(model_mirror, tmp_path):
    model = load_tflite(model_mirror / "kws_ref_model_float32.tflite")
    with pytest.raises(VigilError, match="float32 input"):
        codegen(ResolvedModel("f", model, None), tmp_path / "out")
    assert not (tmp_path / "out").exists()
