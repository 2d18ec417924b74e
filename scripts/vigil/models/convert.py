"""Float model (Keras .h5, SavedModel, float .tflite) -> full-integer int8 .tflite.

Post-training quantization with TensorFlow's own converter and a fixed calibration set
(datasets/recipes.py, or a folder the user gives). Same inputs, same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vigil.datasets import recipes
from vigil.datasets.labelled import discover
from vigil.errors import VigilError
from vigil.fileio import atomic_path, sha256_file
from vigil.frontends.defaults import default_frontend
from vigil.frontends.features import ModelFrontend
from vigil.frontends.spec import FrontendSpec
from vigil.nativeio import captured_native_output
from vigil.tfenv import tensorflow
from vigil.tflite.model import load_tflite
from vigil.tflite.ops import check_supported

SOURCE_KINDS = ("keras", "savedmodel", "float_tflite")


@dataclass(frozen=True)
class Calibration:
    folder: Path
    count: int
    recipe: str  # recipe name, or "user folder"


@dataclass(frozen=True)
class ConversionResult:
    out: Path
    sha256: str
    source: Path
    source_kind: str
    calibration: Calibration
    input_shape: tuple[int, ...]


def source_kind(src: Path) -> str:
    src = Path(src)
    if src.is_dir():
        if (src / "saved_model.pb").is_file():
            return "savedmodel"
        raise VigilError(f"{src}: folder is not a SavedModel (no saved_model.pb)")
    if not src.is_file():
        raise VigilError(f"{src}: file not found")
    if src.suffix in (".h5", ".hdf5", ".keras"):
        return "keras"
    if src.suffix == ".tflite":
        return "float_tflite"
    raise VigilError(f"{src}: unknown model format (expected .h5, .keras, a SavedModel folder or a float .tflite)")


def convert(
    src: Path,
    task: str,
    out: Path,
    calibration_dir: Path | None = None,
    frontend: FrontendSpec | None = None,
    max_samples: int | None = None,
) -> ConversionResult:
    src = Path(src)
    kind = source_kind(src)
    float_model = load_tflite(src) if kind == "float_tflite" else None  # verified before TensorFlow loads
    tf = tensorflow()
    if kind == "keras":
        model = _load_keras(src)
        input_shape = tuple(int(d or 1) for d in model.input_shape)
        make_converter = lambda: tf.lite.TFLiteConverter.from_keras_model(model)  # noqa: E731
    elif kind == "savedmodel":
        input_shape = _savedmodel_input_shape(tf, src)
        make_converter = lambda: tf.lite.TFLiteConverter.from_saved_model(str(src))  # noqa: E731
    else:
        if not float_model.inputs or float_model.input_tensors[0].dtype != "float32":
            raise VigilError(
                f"{src}: not a float model (input is {float_model.input_tensors[0].dtype}); it is already quantized"
            )
        input_shape = float_model.input_tensors[0].shape
        make_converter = None

    calibration = _calibration(task, calibration_dir)
    fe = ModelFrontend(frontend or default_frontend(task, input_shape), input_shape, quant=None)
    files = [s.path for s in discover(calibration.folder, task, ())]
    if max_samples:
        files = files[:max_samples]
    inputs = [fe.float_input(p) for p in files]

    def representative():
        for x in inputs:
            yield [x]

    if make_converter is not None:
        converter = make_converter()
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
        data = _run_converter(src, converter.convert)
    else:
        data = _quantize_float_tflite(tf, src, float_model.data, representative)

    with atomic_path(Path(out)) as tmp:
        tmp.write_bytes(data)
        converted = load_tflite(tmp)
        for t in converted.input_tensors + converted.output_tensors:
            if t.dtype != "int8":
                raise VigilError(f"{src}: conversion left a {t.dtype} input/output; the model cannot be fully int8")
        check_supported(converted)
    return ConversionResult(
        Path(out),
        sha256_file(out),
        src,
        kind,
        Calibration(calibration.folder, len(inputs), calibration.recipe),
        input_shape,
    )


def _calibration(task: str, folder: Path | None) -> Calibration:
    if folder is not None:
        return Calibration(Path(folder), 0, "user folder")
    recipe = recipes.CALIBRATION[task]
    return Calibration(recipes.materialize(recipe), 0, recipe.name)


def _load_keras(src: Path):
    try:
        if src.suffix == ".keras":
            import keras

            return keras.models.load_model(src, compile=False)
        import tf_keras  # Keras 2: MLPerf's .h5 files predate Keras 3

        return tf_keras.models.load_model(src, compile=False)
    except (OSError, ValueError, TypeError, ImportError) as e:
        raise VigilError(f"{src}: cannot load Keras model ({_short(e)})") from None


def _savedmodel_input_shape(tf, src: Path) -> tuple[int, ...]:
    try:
        loaded = tf.saved_model.load(str(src))
        signature = loaded.signatures["serving_default"]
    except (OSError, ValueError, KeyError) as e:
        raise VigilError(f"{src}: cannot load SavedModel ({_short(e)})") from None
    specs = list(signature.structured_input_signature[1].values())
    if len(specs) != 1:
        raise VigilError(f"{src}: SavedModel has {len(specs)} inputs; Vigil converts single-input models")
    return tuple(int(d or 1) for d in specs[0].shape)


def _run_converter(src: Path, convert_fn) -> bytes:
    try:
        with captured_native_output((1, 2)):  # the MLIR quantizer prints its settings
            return convert_fn()
    except Exception as e:  # the converter raises many types for a model it cannot take
        raise VigilError(f"{src}: TensorFlow's converter failed ({_short(e)})") from None


def _quantize_float_tflite(tf, src: Path, model_data: bytes, representative) -> bytes:
    """Calibrate and quantize an existing float .tflite with TensorFlow's own quantizer.

    TFLiteConverter cannot start from a .tflite, so this uses the two steps it runs
    internally: the calibrator records activation ranges, then the MLIR quantizer rewrites
    the model with int8 input and output.
    """
    from tensorflow.lite.python import convert as tflite_convert
    from tensorflow.lite.python.optimize import calibrator

    try:
        with captured_native_output((1, 2)):
            calibrated = calibrator.Calibrator(model_data).calibrate(representative)  # verified by load_tflite
            return tflite_convert.mlir_quantize(calibrated, input_data_type=tf.int8, output_data_type=tf.int8)
    except Exception as e:
        raise VigilError(f"{src}: quantizing the float .tflite failed ({_short(e)})") from None


def _short(e: Exception) -> str:
    lines = [line.strip() for line in str(e).splitlines() if line.strip()]
    return (lines[-1] if lines else type(e).__name__)[:200]
