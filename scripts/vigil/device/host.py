"""The firmware's session on the host: the same C request handling (front-ends, post-processing,
console-stream protocol) with TFLM's Python runtime in place of the TFLM runner.

It answers exactly as the Zephyr application does, so it stands in for a device wherever no
device is at hand: protocol tests, and the fake device behind a pseudo-terminal.
"""

from __future__ import annotations

import numpy as np

from vigil import __version__
from vigil.core import session as cs
from vigil.core.frontend_config import mfcc_config
from vigil.core.native import DetectorConfig, recognizer_config_for
from vigil.errors import VigilError
from vigil.fileio import sha256_bytes
from vigil.frontends.spec import ImageSpec, MfccSpec, PreprocessorSpec
from vigil.models.resolve import ResolvedModel
from vigil.tflite import runtime


def model_binding(resolved: ResolvedModel) -> cs.ModelBinding:
    """A model with TFLM's Python interpreter as its engine."""
    model, spec = resolved.model, resolved.require_spec("the device session")
    t, o = model.input_tensors[0], model.output_tensors[0]
    if t.dtype != "int8" or o.dtype != "int8":
        raise VigilError(f"{model.path}: the firmware runs int8 models (input {t.dtype}, output {o.dtype})")
    runner = runtime.ModelRunner(model)
    fe = spec.frontend
    image = isinstance(fe, ImageSpec)
    return cs.ModelBinding(
        spec.name,
        sha256_bytes(model.data),
        spec.labels,
        runner.input_quant.scale,
        runner.input_quant.zero_point,
        runner.output_quant.scale,
        runner.output_quant.zero_point,
        np.zeros(t.elements, dtype=np.int8),
        runner.scores,
        (fe.width, fe.height) if image else (0, 0),
        fe.pixel_scale if image else 0.0,
        fe.fit if image else "crop",
    )


def audio_frontend(resolved: ResolvedModel, binding: cs.ModelBinding) -> cs.AudioFrontendBinding:
    spec = resolved.require_spec("the device session")
    fe = spec.frontend
    if isinstance(fe, MfccSpec):
        return cs.mfcc_frontend(fe.clip_samples, binding.input_scale, binding.input_zero_point, mfcc_config(fe))
    if not isinstance(fe, PreprocessorSpec):
        raise VigilError(f"model '{spec.name}': no device front-end for '{fe.kind}'")
    path = resolved.companion("preprocessor")
    if path is None:
        raise VigilError(f"model '{spec.name}': its front-end needs a 'preprocessor' file in the manifest")
    preprocessor = runtime.make_interpreter(path.read_bytes(), source=path)
    window = fe.window_samples

    def features(x: np.ndarray) -> np.ndarray:
        return runtime.invoke(preprocessor, [x.reshape(1, window)])[0]

    return cs.windowed_frontend(
        features,
        preprocessor.reset,  # as the firmware does: MicroInterpreter::Reset() clears the noise estimate
        fe.sample_rate,
        fe.clip_samples,
        window,
        fe.stride_samples,
        fe.num_features,
        fe.num_frames,
    )


def host_session(
    kws: ResolvedModel | None = None,
    vww: ResolvedModel | None = None,
    firmware: str = __version__,
    frame_capacity: int = 64 * 1024,
) -> cs.Session:
    if kws is None and vww is None:
        raise VigilError("a device session needs a keyword model, a person model, or both")
    kws_binding = model_binding(kws) if kws else None
    vww_binding = model_binding(vww) if vww else None
    for resolved, task in ((kws, "kws"), (vww, "vww")):
        if resolved is not None and resolved.require_spec("the device session").task != task:
            raise VigilError(f"model '{resolved.name}' is a {resolved.spec.task} model, not {task}")
    options: dict = {}
    if kws is not None:
        params = kws.spec.recognizer()
        options["audio"] = audio_frontend(kws, kws_binding)
        options["recognizer"] = recognizer_config_for(kws.spec.labels, params)
        options["stride_ms"] = params.stride_ms
        pre = kws.companion("preprocessor")
        if pre is not None:
            # named as `vigil models codegen --role preprocessor` names it: the file's stem
            options["preprocessor"] = (pre.stem, sha256_bytes(pre.read_bytes()))
    if vww is not None:
        d = vww.spec.detector()
        options["detector"] = DetectorConfig(d.on_threshold, d.off_threshold, d.on_count, d.off_count)
    return cs.Session(firmware, kws_binding, vww_binding, frame_capacity=frame_capacity, **options)
