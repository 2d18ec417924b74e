"""What a .tflite costs on a device: ops, tensors, quantization, parameters, MACs, flash, arena."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from vigil.fileio import sha256_bytes
from vigil.tflite import runtime
from vigil.tflite.arena import DEFAULT_TARGET, PROFILES, ArenaEstimate, estimate_arena, host_figures
from vigil.tflite.layers import LayerCost, layer_costs
from vigil.tflite.model import Tensor, TfliteModel


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: list[int]
    dtype: str
    scale: float | None
    zero_point: int | None

    @staticmethod
    def of(t: Tensor) -> TensorInfo:
        return TensorInfo(
            t.name,
            list(t.shape),
            t.dtype,
            t.scale[0] if len(t.scale) == 1 else None,
            t.zero_point[0] if len(t.zero_point) == 1 else None,
        )


@dataclass(frozen=True)
class InspectReport:
    name: str
    path: str
    sha256: str
    schema_version: int
    ops: list[dict]  # [{name, version}]
    inputs: list[TensorInfo]
    outputs: list[TensorInfo]
    params: int
    macs: int
    flash_bytes: int
    arena_bytes: int
    target: str
    arena: ArenaEstimate
    layers: list[LayerCost]
    tensor_count: int
    arenas: dict[str, ArenaEstimate]  # every target profile, from the same host figures

    def to_json(self) -> dict:
        doc = asdict(self)
        del doc["arenas"]
        doc["arena_by_target"] = {name: a.bytes for name, a in self.arenas.items()}
        doc["arena"] = {
            "target": self.arena.target,
            "bytes": self.arena.bytes,
            "head": self.arena.head,
            "tail": self.arena.tail,
            "scratch": [{"op_index": i, "op": op, "bytes": b} for i, op, b in self.arena.scratch],
            "host_measured": {
                "total": self.arena.host_total,
                "head": self.arena.host_head,
                "tail": self.arena.host_tail,
            },
            "host_source": self.arena.host_source,
            "host_note": self.arena.host_note,
        }
        doc["layers"] = [asdict(layer) for layer in self.layers]
        for layer in doc["layers"]:
            layer["output_shape"] = list(layer["output_shape"])
        return doc


def inspect_model(model: TfliteModel, name: str | None = None, target: str = DEFAULT_TARGET) -> InspectReport:
    costs = layer_costs(model)
    try:
        host = host_figures(model)
    except runtime.ModelLoadFailed as e:
        raise runtime.ModelLoadFailed(model.path, e.reason) from None
    arenas = {profile: estimate_arena(model, profile, host) for profile in PROFILES}
    arena = arenas[target] if target in arenas else estimate_arena(model, target, host)
    return InspectReport(
        name=name or Path(model.path).stem,
        path=str(model.path),
        sha256=sha256_bytes(model.data),
        schema_version=model.schema_version,
        ops=[{"name": op, "version": version} for op, version in model.unique_ops()],
        inputs=[TensorInfo.of(t) for t in model.input_tensors],
        outputs=[TensorInfo.of(t) for t in model.output_tensors],
        params=sum(c.params for c in costs),
        macs=sum(c.macs for c in costs),
        flash_bytes=len(model.data),
        arena_bytes=arena.bytes,
        target=target,
        arena=arena,
        layers=costs,
        tensor_count=len(model.tensors),
        arenas=arenas,
    )
