"""Firmware sources for a model: the flatbuffer in a named section, a metadata header, an op resolver."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2

from vigil.errors import VigilError
from vigil.fileio import atomic_files, sha256_bytes
from vigil.frontends.defaults import default_frontend
from vigil.frontends.spec import FrontendSpec, MfccSpec, frontend_items
from vigil.models.expectation import resolver_ops, tensor_type
from vigil.models.inspect import InspectReport, inspect_model
from vigil.models.resolve import ResolvedModel
from vigil.tflite.arena import DEFAULT_TARGET, PROFILES
from vigil.tflite.ops import SIGNAL_OPS_NOT_IN_ZEPHYR_GLUE, check_supported, registration_for, typed_kernel

SECTION_PREFIX = ".rodata.vigil_model."
BYTES_PER_ROW = 16

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("vigil.models", "templates"),
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)


@dataclass(frozen=True)
class Generated:
    out_dir: Path
    files: tuple[Path, ...]
    op_count: int


def codegen(
    resolved: ResolvedModel,
    out_dir: Path,
    report: InspectReport | None = None,
    target: str = DEFAULT_TARGET,
    command: str | None = None,
) -> Generated:
    """Write the model's sources; `report` is `inspect_model`'s result when the caller has it,
    `command` the command line that asked for them (named in every file's first line)."""
    if target not in PROFILES:
        raise VigilError(f"unknown target '{target}' (known: {', '.join(PROFILES)})")
    model = resolved.model
    check_supported(model)
    for t in model.input_tensors + model.output_tensors:
        if t.dtype.startswith("float"):
            raise VigilError(
                f"{model.path}: {t.dtype} {'input' if t.index in model.inputs else 'output'} "
                f"'{t.name}'; firmware models must be integer (int8) - run `vigil models convert`"
            )
    spec = resolved.spec
    name = resolved.name
    task = spec.task if spec else "unknown"
    labels = list(spec.labels) if spec else []
    frontend = spec.frontend if spec else None
    if frontend is None and task in ("kws", "vww"):
        frontend = default_frontend(task, model.input_tensors[0].shape)
    sha = sha256_bytes(model.data)
    report = report or inspect_model(model, resolved.name)
    arenas = [
        {
            "macro": p.upper().replace("-", "_"),
            "bytes": report.arenas[p].bytes,
            "description": PROFILES[p].description,
        }
        for p in PROFILES
    ]
    common = {
        "command": command or f"vigil models codegen {spec.name if spec else Path(model.path).name}",
        "name": name,
        "NAME": name.upper(),
        "Camel": "".join(w.capitalize() for w in name.split("_")),
        "source_name": Path(model.path).name,
        "sha256": sha,
        "size": len(model.data),
    }
    ops = resolver_ops(model)
    registrations = []
    for op, version in model.unique_ops():
        first = next(o for o in model.operators if o.op == op)
        reg = registration_for(first)
        kernel = None if first.is_custom else typed_kernel(model, op)
        argument = f"tflite::{kernel.function}()" if kernel else ""
        header = kernel.header if kernel else None
        registrations.append(
            {"op": op, "version": version, "method": reg.method, "argument": argument, "header": header}
        )
    context = {
        **common,
        "section": SECTION_PREFIX + name,
        "rows": _hex_rows(model.data),
        "task": task,
        "labels": labels,
        "schema_version": model.schema_version,
        "op_count": len(registrations),
        "macs": report.macs,
        "params": report.params,
        "tensors": [_io("INPUT", t) for t in model.input_tensors] + [_io("OUTPUT", t) for t in model.output_tensors],
        "arenas": arenas,
        "default_arena": target.upper().replace("-", "_"),
        "frontend_kind": frontend.kind if frontend else "none",
        "frontend": _frontend_macros(frontend),
        "registrations": registrations,
        "kernel_headers": sorted({r["header"] for r in registrations if r["header"]}),
        # The resolver's list for the firmware's model checks (vigil/model_check.h).
        "builtin_ops": [o for o in ops if not o.is_custom],
        "custom_ops": [o for o in ops if o.is_custom],
        "num_inputs": len(model.inputs),
        "num_outputs": len(model.outputs),
        "zephyr_missing": sorted({r["op"] for r in registrations} & SIGNAL_OPS_NOT_IN_ZEPHYR_GLUE),
        "model_name": spec.name if spec else Path(model.path).stem,
        **_postprocess(spec),
    }
    outputs = {
        f"{name}_model.c": "model.c.j2",
        f"{name}_model.h": "model.h.j2",
        f"{name}_op_resolver.h": "op_resolver.h.j2",
    }
    with atomic_files(Path(out_dir)) as staging:
        for filename, template in outputs.items():
            (staging / filename).write_text(_env.get_template(template).render(**context))
    return Generated(Path(out_dir), tuple(Path(out_dir) / f for f in outputs), len(registrations))


def _postprocess(spec) -> dict:
    """The model's post-processing parameters (models.yml) as C values."""
    kind = spec.postprocess.get("kind") if spec else None
    if kind == "recognizer":
        r = spec.recognizer()
        labels = spec.labels
        return {
            "recognizer": {
                "stride_ms": r.stride_ms,
                "window_ms": r.window_ms,
                "suppression_ms": r.suppression_ms,
                "min_results": r.min_results,
                "thresholds": ", ".join(_c_value(float(r.thresholds[label])) for label in labels),
                "silence_index": labels.index(r.silence) if r.silence else -1,
                "unknown_index": labels.index(r.unknown) if r.unknown else -1,
            },
            "detector": None,
        }
    if kind == "detector":
        d = spec.detector()
        return {
            "recognizer": None,
            "detector": {
                "on_threshold": _c_value(d.on_threshold),
                "off_threshold": _c_value(d.off_threshold),
                "on_count": d.on_count,
                "off_count": d.off_count,
            },
        }
    return {"recognizer": None, "detector": None}


def _frontend_macros(frontend: FrontendSpec | None) -> list[tuple[str, str]]:
    """(macro suffix, C value): every parameter, the derived frame count of audio front-ends, and
    a choice such as fit: crop as FIT_CROP = 1 (the C side tests it with #ifdef)."""
    if frontend is None:
        return []
    macros = []
    for key, value in frontend_items(frontend):
        if isinstance(value, str):
            macros.append((f"{key}_{value}", "1"))
        else:
            macros.append((key, _c_value(value)))
    if isinstance(frontend, MfccSpec):
        macros.append(("num_frames", _c_value(frontend.num_frames)))
    return macros


def _io(kind: str, t) -> dict:
    return {
        "kind": kind,
        "shape": list(t.shape),
        "elements": t.elements,
        "dtype": t.dtype,
        "type_code": tensor_type(t.dtype),
        "scale": repr(float(t.scale[0])) if t.scale else "0.0",
        "zero_point": int(t.zero_point[0]) if t.zero_point else 0,
    }


def _c_value(v) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return f"{v!r}f"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _hex_rows(data: bytes) -> list[str]:
    return [
        ", ".join(f"0x{b:02x}" for b in data[i : i + BYTES_PER_ROW]) + "," for i in range(0, len(data), BYTES_PER_ROW)
    ]
