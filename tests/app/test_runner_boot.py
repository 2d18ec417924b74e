"""app/src/runner.cpp's boot path, compiled with the host compiler and run: its model checks are the
portable core's vigil_model_check() against the generated headers' operator lists, so a model is
refused or accepted here exactly as on a board. TFLM and Zephyr are replaced by the stand-ins in
runner_standins/ (declarations only; the interpreter reports what the test registers), which is
why this tests the runner's checks and wiring, not TFLM."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from tests.tools import require_tool
from tests.vigil.core.model_cases import field_pos, put, root
from vigil.models.codegen import codegen
from vigil.models.resolve import resolve_model

REPO = Path(__file__).resolve().parents[2]
STANDINS = Path(__file__).with_name("runner_standins")
CORE = REPO / "modules" / "vigil"
ENOTSUP, ESCHEMA, ENOOP, EARENA, EMODEL = -5, -6, -7, -8, -12

RESOLVER = """#pragma once
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
namespace vigil {{
using {Camel}OpResolver = tflite::MicroMutableOpResolver<{count}>;
inline TfLiteStatus {name}_register_ops({Camel}OpResolver &) {{ return kTfLiteOk; }}
}}
"""


MODEL_C = """#include "{name}_model.h"
const uint8_t vigil_model_{name}_data[{size}] __attribute__((aligned(16))) = {{ {bytes} }};
const uint32_t vigil_model_{name}_size = {size}u;
"""


class Firmware:
    """Generated sources of the app's models, objects built once, linked per variant."""

    def __init__(self, root_dir: Path, manifest):
        self.root = root_dir
        self.gcc = require_tool("gcc")
        self.gxx = require_tool("g++")
        self.objects: dict[str, Path] = {}
        gen = root_dir / "gen"
        for name, model, role in (
            ("kws", "kws_ref_model", "int8"),
            ("vww", "vww_96_int8", "int8"),
            ("ms", "micro_speech_quantized", "int8"),
            ("kws_pre", "micro_speech_quantized", "preprocessor"),
        ):
            resolved = resolve_model(model, manifest, role=role)
            c_name = "kws" if name == "ms" else name
            out = gen / name
            codegen(dataclasses.replace(resolved, name=c_name), out)
            camel = "".join(w.capitalize() for w in c_name.split("_"))
            (out / f"{c_name}_op_resolver.h").write_text(RESOLVER.format(Camel=camel, name=c_name, count=16))
            self.objects[name] = self.compile(out / f"{c_name}_model.c", [out], tag=f"_{name}")
            setattr(self, f"data_{name}", resolved.model.data)
        for src in ("model_check.c", "tflite_reader.c", "status.c"):
            self.objects[src] = self.compile(CORE / "src" / src, [])
        self.objects["standin"] = self.compile(STANDINS / "standin_interpreter.cpp", [])

    def compile(self, src: Path, includes: list[Path], defines: tuple[str, ...] = (), tag: str = "") -> Path:
        obj = self.root / f"{src.stem}{tag}.o"
        cxx = src.suffix == ".cpp"
        cmd = [self.gxx if cxx else self.gcc, "-std=c++17" if cxx else "-std=c11", "-Wall", "-Wextra", "-Werror"]
        cmd += [f"-I{p}" for p in [*includes, STANDINS, REPO / "app" / "src", CORE / "include"]]
        cmd += [f"-D{d}" for d in defines] + ["-c", str(src), "-o", str(obj)]
        result = subprocess.run(cmd, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-3000:]
        return obj

    def damaged_vww(self, data: bytes) -> Path:
        """An object defining the person model's array with other bytes of the same size."""
        src = self.root / f"vww_damaged_{len(list(self.root.glob('vww_damaged_*.c')))}.c"
        src.write_text(MODEL_C.format(name="vww", size=len(data), bytes=", ".join(map(str, data))))
        return self.compile(src, [self.root / "gen" / "vww"])

    def boot(self, use_cases: dict[str, Path], defines: tuple[str, ...], header_dirs: list[Path] | None = None):
        """Link the runner with the models given (name -> object) and run app_runner_init()."""
        tag = f"_{len(list(self.root.glob('runner*.o')))}"
        dirs = header_dirs or [self.root / "gen" / n for n in use_cases]
        objects = [
            self.compile(REPO / "app" / "src" / "runner.cpp", dirs, defines, tag),
            self.compile(STANDINS / "boot_driver.cpp", dirs, defines, tag),
            *use_cases.values(),
            self.objects["model_check.c"],
            self.objects["tflite_reader.c"],
            self.objects["status.c"],
            self.objects["standin"],
        ]
        exe = self.root / f"boot{tag}"
        subprocess.run([self.gxx, *map(str, objects), "-o", str(exe)], check=True)
        run = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        kws, vww, interpreters = map(int, run.stdout.split())
        return kws, vww, interpreters, run.stderr


KWS_VWW = ("CONFIG_VIGIL_KWS=1", "CONFIG_VIGIL_VWW=1", "CONFIG_VIGIL_ARENA_SIZE=0", "CONFIG_VIGIL_ARENA_MARGIN=1024")


@pytest.fixture(scope="module")
def firmware(tmp_path_factory, manifest) -> Firmware:
    return Firmware(tmp_path_factory.mktemp("runner"), manifest)


@pytest.mark.slow
def test_every_model_boots_including_vww_with_its_unused_operator_codes(firmware):
    """The boot bug: the person model was refused (VIGIL_ENOOP) on every board."""
    f = firmware
    assert f.boot({"kws": f.objects["kws"], "vww": f.objects["vww"]}, KWS_VWW) == (0, 0, 2, "")
    micro_speech = ("CONFIG_VIGIL_KWS=1", "CONFIG_VIGIL_KWS_PREPROCESSOR=1", *KWS_VWW[2:])
    dirs = [f.root / "gen" / "ms", f.root / "gen" / "kws_pre"]
    got = f.boot({"ms": f.objects["ms"], "kws_pre": f.objects["kws_pre"]}, micro_speech, dirs)
    assert got == (0, ENOTSUP, 2, "")  # the keyword model and its preprocessor; no person model


@pytest.mark.slow
def test_a_damaged_model_is_refused_at_boot_by_name(firmware):
    f = firmware
    version = field_pos(root(f.data_vww), 4)
    cases = {
        ESCHEMA: (put(f.data_vww, version, "<I", 99), "model check 'schema_version' failed: schema version 99"),
        EMODEL: (put(f.data_vww, 0, "<I", len(f.data_vww)), "model check 'flatbuffer' failed: root offset"),
    }
    for status, (data, log) in cases.items():
        kws, vww, interpreters, stderr = f.boot({"kws": f.objects["kws"], "vww": f.damaged_vww(data)}, KWS_VWW)
        assert (kws, vww, interpreters) == (0, status, 1), stderr  # the keyword model still runs
        assert stderr.startswith(f"vww_96_int8: {log}"), stderr


@pytest.mark.slow
def test_an_operator_missing_from_the_resolver_list_and_a_short_arena_are_refused(firmware):
    f = firmware
    header = f.root / "gen" / "vww" / "vww_model.h"
    text = header.read_text()
    short = f.root / "short_list"
    short.mkdir()
    for p in header.parent.iterdir():
        (short / p.name).write_bytes(p.read_bytes())
    (short / "vww_model.h").write_text(
        text.replace("_NUM_BUILTIN_OPS 6u", "_NUM_BUILTIN_OPS 5u").replace(
            "{ 3, 4, 1, 22, 9, 25 }", "{ 3, 4, 1, 22, 9 }"
        )
    )
    kws, vww, _, stderr = f.boot(
        {"kws": f.objects["kws"], "vww": f.objects["vww"]}, KWS_VWW, [f.root / "gen" / "kws", short]
    )
    assert (kws, vww) == (0, ENOOP) and "'op_unsupported' failed" in stderr and "builtin 25" in stderr
    small = ("CONFIG_VIGIL_KWS=1", "CONFIG_VIGIL_VWW=1", "CONFIG_VIGIL_ARENA_SIZE=20000", "CONFIG_VIGIL_ARENA_MARGIN=0")
    kws, vww, interpreters, stderr = f.boot({"kws": f.objects["kws"], "vww": f.objects["vww"]}, small)
    assert (kws, vww, interpreters) == (EARENA, EARENA, 0) and "arena of 20000 bytes" in stderr
