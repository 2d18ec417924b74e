"""vigil.tflite.verify: what "a model the device can load" means, check by check, on the real
models and on damaged copies whose problem the test itself states (model_mutations.py)."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
import tflite as bindings
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as tflm_schema

from vigil.bench.model_damage import INT8_MUTATIONS, PER_CHANNEL_MUTATIONS, op_version
from vigil.errors import VigilError
from vigil.tflite import layouts
from vigil.tflite import verify as v
from vigil.tflite.model import load_tflite, parse_tflite
from vigil.tflite.op_versions import MAX_VERSION
from vigil.tflite.ops import BUILTINS

REAL = (
    "kws_ref_model.tflite",
    "kws_ref_model_float32.tflite",
    "vww_96_int8.tflite",
    "vww_96_float.tflite",
    "micro_speech_quantized.tflite",
    "audio_preprocessor_int8.tflite",
    "audio_preprocessor_float.tflite",
)
CLASSIFIERS = ("kws_ref_model.tflite", "vww_96_int8.tflite", "micro_speech_quantized.tflite")


@pytest.mark.parametrize("name", REAL)
def test_every_real_model_is_loadable(model_mirror, name):
    assert v.verify((model_mirror / name).read_bytes()) is None


@pytest.mark.parametrize("name", CLASSIFIERS)
@pytest.mark.parametrize("mutation", INT8_MUTATIONS, ids=lambda m: m.name)
def test_each_damage_fails_its_check(model_mirror, name, mutation):
    data = mutation.apply((model_mirror / name).read_bytes())
    finding = v.verify(data)
    assert (finding.check if finding else "") == mutation.check, finding


@pytest.mark.parametrize("name", ("kws_ref_model.tflite", "vww_96_int8.tflite"))
@pytest.mark.parametrize("mutation", PER_CHANNEL_MUTATIONS, ids=lambda m: m.name)
def test_per_channel_quantization_must_match_the_channels(model_mirror, name, mutation):
    finding = v.verify(mutation.apply((model_mirror / name).read_bytes()))
    assert finding is not None and finding.check == mutation.check


def test_op_versions_at_and_past_tflite_highest(model_mirror):
    """kws_ref_model's first operator is CONV_2D: TensorFlow Lite defines versions 1 to 8."""
    data = (model_mirror / "kws_ref_model.tflite").read_bytes()
    assert v.verify(op_version(data, 1)) is None
    assert v.verify(op_version(data, 8)) is None
    finding = v.verify(op_version(data, 9))
    assert finding.check == "op_version" and finding.value == 9 and "CONV_2D" in finding.detail


def test_every_operator_tflm_runs_has_a_highest_version():
    assert set(BUILTINS) <= set(MAX_VERSION)


def test_trailing_allowance_is_what_the_converter_leaves(model_mirror):
    """The real files end exactly at the flatbuffer's extent, or 3 zero bytes after it (the
    preprocessors: alignment after their last string); 15 zero bytes are allowed, 16 are not."""
    for name, after in (("kws_ref_model.tflite", 0), ("audio_preprocessor_int8.tflite", 3)):
        data = (model_mirror / name).read_bytes()
        assert data.endswith(bytes(after)) and v.verify(data[: len(data) - after]) is None
        assert v.verify(data + bytes(15 - after)) is None
        assert v.verify(data + bytes(16 - after)).check == "trailing"


def test_a_gigabyte_of_padding_is_refused_without_reading_it(model_mirror, tmp_path):
    path = tmp_path / "padded.tflite"
    data = (model_mirror / "vww_96_int8.tflite").read_bytes()
    with open(path, "wb") as f:
        f.write(data)
        f.truncate(len(data) + (1 << 30))  # sparse: a gigabyte of zeros the disk does not hold
    with pytest.raises(VigilError) as e:
        load_tflite(path)
    assert str(e.value) == (
        f"{path}: not a model the device can load: trailing: 1,073,741,824 bytes after the flatbuffer's end "
        f"(byte {len(data):,}), at most 15 allowed"
    )


def test_files_shorter_than_the_header(tmp_path):
    for size in (0, 7):
        finding = v.verify(b"\0\0\0\0TFL3"[:size])
        assert finding.check == "identifier" and finding.value == size
    assert v.verify(b"\x08\0\0\0TFL3").check == "flatbuffer"  # the header alone: the root is past the end


def test_every_byte_position_of_a_cut_model_is_refused(model_mirror):
    data = (model_mirror / "micro_speech_quantized.tflite").read_bytes()
    for size in range(8, len(data), 97):
        finding = v.verify(data[:size])
        assert finding is not None and finding.check in ("flatbuffer", "trailing"), size


def test_error_names_the_file_and_the_check(model_mirror, tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(INT8_MUTATIONS[0].apply((model_mirror / "kws_ref_model.tflite").read_bytes()))
    with pytest.raises(VigilError) as e:
        load_tflite(path)
    assert re.fullmatch(
        rf"{re.escape(str(path))}: not a model the device can load: buffer_index: .*: buffer 1 of 0", str(e.value)
    )
    with pytest.raises(VigilError, match="^other.tflite: not a model the device can load: buffer_index"):
        parse_tflite(path.read_bytes(), "other.tflite")


# -- the schema facts the verifier is written from, against the schema's generated bindings ------

FIELDS = {
    bindings.Model: {
        "Version": v.M_VERSION,
        "OperatorCodes": v.M_CODES,
        "Subgraphs": v.M_SUBGRAPHS,
        "Description": v.M_DESCRIPTION,
        "Buffers": v.M_BUFFERS,
        "MetadataBuffer": v.M_METADATA_BUFFER,
        "Metadata": v.M_METADATA,
        "SignatureDefs": v.M_SIGNATURES,
    },
    bindings.OperatorCode: {
        "DeprecatedBuiltinCode": v.C_DEPRECATED_BUILTIN,
        "CustomCode": v.C_CUSTOM,
        "Version": v.C_VERSION,
        "BuiltinCode": v.C_BUILTIN,
    },
    bindings.SubGraph: {
        "Tensors": v.G_TENSORS,
        "Inputs": v.G_INPUTS,
        "Outputs": v.G_OUTPUTS,
        "Operators": v.G_OPERATORS,
        "Name": v.G_NAME,
    },
    bindings.Tensor: {
        "Shape": v.T_SHAPE,
        "Type": v.T_TYPE,
        "Buffer": v.T_BUFFER,
        "Name": v.T_NAME,
        "Quantization": v.T_QUANTIZATION,
        "IsVariable": v.T_IS_VARIABLE,
        "Sparsity": v.T_SPARSITY,
        "ShapeSignature": v.T_SHAPE_SIGNATURE,
        "HasRank": v.T_HAS_RANK,
        "VariantTensors": v.T_VARIANTS,
    },
    bindings.QuantizationParameters: {
        "Min": v.Q_MIN,
        "Max": v.Q_MAX,
        "Scale": v.Q_SCALE,
        "ZeroPoint": v.Q_ZERO_POINT,
        "DetailsType": v.Q_DETAILS_TYPE,
        "Details": v.Q_DETAILS,
        "QuantizedDimension": v.Q_DIMENSION,
    },
    bindings.Operator: {
        "OpcodeIndex": v.O_OPCODE_INDEX,
        "Inputs": v.O_INPUTS,
        "Outputs": v.O_OUTPUTS,
        "BuiltinOptionsType": v.O_OPTIONS_TYPE,
        "BuiltinOptions": v.O_OPTIONS,
        "CustomOptions": v.O_CUSTOM_OPTIONS,
        "CustomOptionsFormat": v.O_CUSTOM_FORMAT,
        "MutatingVariableInputs": v.O_MUTATING_INPUTS,
        "Intermediates": v.O_INTERMEDIATES,
        "LargeCustomOptionsOffset": v.O_LARGE_OFFSET,
        "LargeCustomOptionsSize": v.O_LARGE_SIZE,
        "BuiltinOptions2Type": v.O_OPTIONS2_TYPE,
        "BuiltinOptions2": v.O_OPTIONS2,
    },
    bindings.Buffer: {"Data": v.B_DATA, "Offset": v.B_OFFSET, "Size": v.B_SIZE},
    bindings.Metadata: {"Name": v.MD_NAME, "Buffer": v.MD_BUFFER},
    bindings.SignatureDef: {
        "Inputs": v.S_INPUTS,
        "Outputs": v.S_OUTPUTS,
        "SignatureKey": v.S_KEY,
        "SubgraphIndex": v.S_SUBGRAPH,
    },
    bindings.TensorMap: {"Name": v.TM_NAME, "TensorIndex": v.TM_INDEX},
}


@pytest.mark.parametrize("table", FIELDS, ids=lambda t: t.__name__)
def test_field_ids_are_the_schemas(table):
    for accessor, fid in FIELDS[table].items():
        slot = re.search(r"self\._tab\.Offset\((\d+)\)", inspect.getsource(getattr(table, accessor)))
        assert int(slot.group(1)) == 4 + 2 * fid, f"{table.__name__}.{accessor}"


def test_enum_limits_are_tflms_schemas():
    def largest(enum):
        return max(value for key, value in vars(enum).items() if not key.startswith("_"))

    assert len(v.TYPE_BITS) == len(v.TYPE_NAMES) == largest(tflm_schema.TensorType) + 1
    for name, code in vars(tflm_schema.TensorType).items():
        if not name.startswith("_"):
            assert v.TYPE_NAMES[code] == name.lower()
    assert v.BUILTIN_MAX == largest(tflm_schema.BuiltinOperator)
    assert v.BUILTIN_CUSTOM == tflm_schema.BuiltinOperator.CUSTOM
    assert len(layouts.OPTIONS) - 1 == largest(tflm_schema.BuiltinOptions)
    assert len(layouts.OPTIONS2) - 1 == largest(tflm_schema.BuiltinOptions2)
    assert len(layouts.DETAILS) - 1 == largest(tflm_schema.QuantizationDetails)
    assert len(layouts.INDEX_VECTOR) - 1 == largest(tflm_schema.SparseIndexVector)
    assert (v.INT8, v.UINT8, v.INT16) == (
        tflm_schema.TensorType.INT8,
        tflm_schema.TensorType.UINT8,
        tflm_schema.TensorType.INT16,
    )


def test_element_sizes_are_numpys():
    for code, name in enumerate(v.TYPE_NAMES):
        if name in (
            "float16",
            "float32",
            "float64",
            "int8",
            "int16",
            "int32",
            "int64",
            "uint8",
            "uint16",
            "uint32",
            "uint64",
            "bool",
            "complex64",
            "complex128",
        ):
            assert v.TYPE_BITS[code] == 8 * np.dtype(name).itemsize, name
    assert [v.TYPE_BITS[v.TYPE_NAMES.index(n)] for n in ("int4", "uint4", "int2", "string")] == [4, 4, 2, 0]
