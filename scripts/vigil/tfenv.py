"""Import TensorFlow quietly: its C++ and Python start-up chatter is not for Vigil's users."""

from __future__ import annotations

import logging
import os
import warnings

from vigil.errors import VigilError


def tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    warnings.filterwarnings("ignore", module="tensorflow")
    warnings.filterwarnings("ignore", module="tf_keras")
    warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated.*")
    from vigil.nativeio import captured_native_output

    try:
        with captured_native_output((2,)):  # absl/CUDA start-up lines
            import tensorflow as tf
    except ImportError:
        raise VigilError(
            "TensorFlow is not installed; conversion, validation and the reference chain need it: "
            "pip install 'vigil[models]'"
        ) from None

    tf.get_logger().setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    return tf
