"""The app's build-time code generation (app/cmake/vigil_codegen.cmake), run by CMake in a small
project of its own: the same custom commands `west build` runs, then the generated model and
sample sources and the app's models.c compiled with the host compiler and checked. A user's own
model through CMake: a .tflite outside the manifest with VIGIL_KWS_MODEL_LIKE, or a project
manifest (VIGIL_MANIFEST). And app/vigil_app.cmake itself, configured with stand-ins for the few
Zephyr functions it calls: models and arena profile derived from Kconfig at every configure
unless given on the command line, CMSIS_NN defined for the app with the CMSIS-NN kernels."""

import ctypes as C
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tools import core_sources
from tests.vigil.models.helpers import rewrite_model
from vigil.core.abi import FITS
from vigil.core.session import ModelDesc
from vigil.models.resolve import resolve_model
from vigil.samples import embed
from vigil.tflite.arena import PROFILES
from vigil.tflite.model import load_tflite

REPO = Path(__file__).resolve().parents[2]
CORE_SOURCES = [str(REPO / "modules" / "vigil" / source) for source in core_sources()]

PROJECT = """cmake_minimum_required(VERSION 3.20)
project(vigil_codegen_check C)
include({repo}/app/cmake/vigil_codegen.cmake)
set(gen ${{CMAKE_BINARY_DIR}}/vigil)
vigil_generate_model(kws_src NAME kws MODEL kws_ref_model TARGET cortex-m33 OUT ${{gen}}/kws)
vigil_generate_model(vww_src NAME vww MODEL {vww_path} TARGET cortex-m33 OUT ${{gen}}/vww)
vigil_generate_model(ms_src NAME kws MODEL micro_speech_quantized TARGET cortex-m55 OUT ${{gen}}/ms)
vigil_generate_model(pre_src NAME kws_pre MODEL micro_speech_quantized ROLE preprocessor TARGET cortex-m55
                     OUT ${{gen}}/kws_pre)
vigil_generate_model(own_src NAME kws MODEL {own_path} LIKE kws_ref_model TARGET cortex-m33 OUT ${{gen}}/own)
vigil_generate_model(bare_src NAME kws MODEL {own_path} TARGET cortex-m33 OUT ${{gen}}/bare)
vigil_embed_samples(samples_src TASK all OUT ${{gen}}/samples)
vigil_embed_samples(mine_src TASK kws OUT ${{gen}}/mine FOLDER {folder})

# The app's model glue for the KWS + VWW use case, with the portable core, as a host library.
set(CMAKE_C_STANDARD 11)
add_library(app_models SHARED {repo}/app/src/models.c {core} {repo}/tests/app/models_probe.c
            ${{kws_src}} ${{vww_src}} ${{samples_src}})
add_library(my_samples OBJECT ${{mine_src}})
target_include_directories(my_samples PRIVATE {repo}/modules/vigil/include)
target_include_directories(app_models PRIVATE {repo}/app/src {repo}/modules/vigil/include ${{gen}}/kws ${{gen}}/vww
                           ${{gen}}/samples)
target_compile_definitions(app_models PRIVATE CONFIG_VIGIL_KWS=1 CONFIG_VIGIL_VWW=1 CONFIG_VIGIL_ARENA_SIZE=0
                           CONFIG_VIGIL_ARENA_MARGIN=1024 CONFIG_VIGIL_STRIDE_MS=0)
target_compile_options(app_models PRIVATE -Wall -Wextra -Werror -ffp-contract=off -fno-math-errno)
target_link_libraries(app_models PRIVATE m)

# The micro_speech use case: its front-end from the preprocessor model.
add_library(app_models_ms SHARED {repo}/app/src/models.c {core} {repo}/tests/app/models_probe.c ${{ms_src}}
            ${{pre_src}})
target_include_directories(app_models_ms PRIVATE {repo}/app/src {repo}/modules/vigil/include ${{gen}}/ms
                           ${{gen}}/kws_pre)
target_compile_definitions(app_models_ms PRIVATE CONFIG_VIGIL_KWS=1 CONFIG_VIGIL_KWS_PREPROCESSOR=1
                           CONFIG_VIGIL_ARENA_SIZE=0 CONFIG_VIGIL_ARENA_MARGIN=1024 CONFIG_VIGIL_STRIDE_MS=250)
target_compile_options(app_models_ms PRIVATE -Wall -Wextra -Werror)
target_link_libraries(app_models_ms PRIVATE m)

# A keyword model of the user's, outside the manifest: with kws_ref_model's labels and front-end
# lent (LIKE), and without (built on its own: models.c must refuse it).
foreach(variant own bare)
  add_library(app_models_${{variant}} SHARED {repo}/app/src/models.c {core} {repo}/tests/app/models_probe.c
              ${{${{variant}}_src}})
  target_include_directories(app_models_${{variant}} PRIVATE {repo}/app/src {repo}/modules/vigil/include
                             ${{gen}}/${{variant}})
  target_compile_definitions(app_models_${{variant}} PRIVATE CONFIG_VIGIL_KWS=1 CONFIG_VIGIL_ARENA_SIZE=0
                             CONFIG_VIGIL_ARENA_MARGIN=1024 CONFIG_VIGIL_STRIDE_MS=0)
  target_compile_options(app_models_${{variant}} PRIVATE -Wall -Wextra -Werror)
  target_link_libraries(app_models_${{variant}} PRIVATE m)
endforeach()
set_target_properties(app_models_bare PROPERTIES EXCLUDE_FROM_ALL TRUE)
"""


def cmake() -> str:
    path = shutil.which("cmake")
    if path is None:
        pytest.fail("cmake is not installed: run scripts/setup.sh")
    return path


@pytest.fixture(scope="module")
def own_model(tmp_path_factory, model_mirror) -> Path:
    """A user's own .tflite the manifest does not list: MLPerf's network, another description."""

    def edit(model):
        model.description = b"my keyword model"

    path = tmp_path_factory.mktemp("own") / "my_kws.tflite"
    path.write_bytes(rewrite_model((model_mirror / "kws_ref_model.tflite").read_bytes(), edit))
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory, data_dir, own_model):
    cmake()
    root = tmp_path_factory.mktemp("codegen")
    folder = root / "clips"
    folder.mkdir()
    shutil.copy(data_dir / "samples" / "kws" / "yes_1000ms.wav", folder / "yes clip.wav")
    vww_path = Path(os.environ["VIGIL_MODEL_MIRROR"]) / "vww_96_int8.tflite"
    (root / "CMakeLists.txt").write_text(
        PROJECT.format(repo=REPO, core=" ".join(CORE_SOURCES), folder=folder, vww_path=vww_path, own_path=own_model)
    )
    build = root / "build"
    configure = subprocess.run(
        ["cmake", "-S", str(root), "-B", str(build), f"-DVIGIL_PYTHON={sys.executable}"], capture_output=True, text=True
    )
    assert configure.returncode == 0, configure.stdout + configure.stderr
    result = subprocess.run(["cmake", "--build", str(build), "-j2"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return build, result.stdout


def test_custom_commands_generate_every_file(built):
    build, log = built
    gen = build / "vigil"
    for folder, name in (("kws", "kws"), ("vww", "vww"), ("ms", "kws"), ("kws_pre", "kws_pre")):
        for suffix in ("_model.c", "_model.h", "_op_resolver.h"):
            assert (gen / folder / f"{name}{suffix}").is_file()
    assert "vigil: generating model 'kws' from kws_ref_model for cortex-m33" in log
    assert sorted(p.name for p in (gen / "samples" / "default").iterdir()) == [
        "no_en-gb_m3.wav",
        "no_person_coffee.png",
        "person_astronaut.png",
        "yes_en-us_m1.wav",
    ]
    header = (gen / "ms" / "kws_model.h").read_text()
    assert "#define VIGIL_MODEL_KWS_ARENA_BYTES VIGIL_MODEL_KWS_ARENA_BYTES_CORTEX_M55" in header
    assert '#define VIGIL_MODEL_KWS_MODEL "micro_speech_quantized"' in header


def test_app_model_glue_matches_the_models(built, manifest):
    lib = C.CDLL(str(built[0] / "libapp_models.so"))
    lib.app_model.restype = C.POINTER(ModelDesc)
    for use_case, name in ((0, "kws_ref_model"), (1, "vww_96_int8")):
        resolved = resolve_model(name, manifest)
        desc = lib.app_model(use_case).contents
        t, o = resolved.model.input_tensors[0], resolved.model.output_tensors[0]
        assert desc.name.decode() == name
        assert [desc.labels[i].decode() for i in range(desc.num_labels)] == list(resolved.spec.labels)
        assert (desc.input_zero_point, desc.output_zero_point) == (t.zero_point[0], o.zero_point[0])
        assert desc.input_scale == pytest.approx(t.scale[0], rel=1e-6)
        assert desc.output_scale == pytest.approx(o.scale[0], rel=1e-6)
    vww = lib.app_model(1).contents
    assert (vww.image_width, vww.image_height) == (96, 96) and vww.pixel_scale == pytest.approx(1 / 255)
    assert vww.image_fit == FITS[manifest.get("vww_96_int8").frontend.fit] == FITS["stretch"]  # the manifest's fit
    # one arena for both models: the larger of their Cortex-M33 figures plus the margin
    lib.probe_arena_bytes.restype = C.c_uint32
    expected = [
        int(line.split()[2].rstrip("u"))
        for model in ("kws", "vww")
        for line in (built[0] / "vigil" / model / f"{model}_model.h").read_text().splitlines()
        if line.startswith(f"#define VIGIL_MODEL_{model.upper()}_ARENA_BYTES_CORTEX_M33 ")
    ]
    assert lib.probe_arena_bytes() == max(expected) + 1024
    assert "cortex-m33" in PROFILES
    lib.probe_frontend_clip.restype = C.c_int32
    assert lib.probe_frontend_clip() == 16000
    lib.probe_recognizer_window.restype = C.c_int32
    assert lib.probe_recognizer_window() == manifest.get("kws_ref_model").recognizer().window_ms


def test_micro_speech_glue_uses_the_preprocessor(built):
    lib = C.CDLL(str(built[0] / "libapp_models_ms.so"))
    lib.app_model.restype = C.POINTER(ModelDesc)
    lib.app_preprocessor.restype = C.POINTER(ModelDesc)
    lib.app_stride_ms.restype = C.c_uint32
    lib.probe_frontend_clip.restype = C.c_int32
    assert lib.app_model(0).contents.name == b"micro_speech_quantized" and not lib.app_model(1)
    assert lib.app_preprocessor().contents.name == b"audio_preprocessor_int8"
    assert lib.app_stride_ms() == 250  # CONFIG_VIGIL_STRIDE_MS overrides the model's
    assert lib.probe_frontend_clip() == 16000  # the windowed front-end: 49 frames of 40 features


def test_embedded_samples_from_a_folder(built):
    text = (built[0] / "vigil" / "mine" / "vigil_samples.c").read_text()
    assert '{"yes_clip", VIGIL_SAMPLE_AUDIO' in text  # the id: the file name made protocol-safe
    assert text.startswith("/* Generated by `vigil samples embed <folder> --task kws`")


def test_a_missing_samples_folder_stops_the_configure_step(tmp_path):
    (tmp_path / "CMakeLists.txt").write_text(
        f"cmake_minimum_required(VERSION 3.20)\nproject(x NONE)\ninclude({REPO}/app/cmake/vigil_codegen.cmake)\n"
        f"vigil_embed_samples(s TASK kws OUT ${{CMAKE_BINARY_DIR}}/s FOLDER {tmp_path}/nowhere)\n"
    )
    result = subprocess.run(
        ["cmake", "-S", str(tmp_path), "-B", str(tmp_path / "b"), f"-DVIGIL_PYTHON={sys.executable}"],
        capture_output=True,
        text=True,
    )
    message = " ".join(result.stderr.split())
    assert result.returncode != 0 and f"VIGIL_SAMPLES_DIR {tmp_path}/nowhere is not a folder" in message


def test_default_samples_are_what_replay_expects():
    assert [w for w, _ in embed.DEFAULT_SPEECH] == ["yes", "no"]


def test_own_model_with_like_gets_the_lent_labels_and_front_end(built, manifest, own_model):
    """-DVIGIL_KWS_MODEL=my_kws.tflite -DVIGIL_KWS_MODEL_LIKE=kws_ref_model: models.c compiles."""
    lib = C.CDLL(str(built[0] / "libapp_models_own.so"))
    lib.app_model.restype = C.POINTER(ModelDesc)
    desc = lib.app_model(0).contents
    lent = manifest.get("kws_ref_model")
    assert [desc.labels[i].decode() for i in range(desc.num_labels)] == list(lent.labels)
    # the firmware runs the user's file, not the manifest's
    assert desc.sha256.decode() == hashlib.sha256(own_model.read_bytes()).hexdigest()
    assert desc.sha256.decode() != lent.files_for("int8")[0].sha256
    t = load_tflite(own_model).input_tensors[0]
    assert desc.input_scale == pytest.approx(t.scale[0], rel=1e-6) and desc.input_zero_point == t.zero_point[0]
    lib.probe_frontend_clip.restype = C.c_int32
    assert lib.probe_frontend_clip() == lent.frontend.clip_samples  # the MFCC front-end
    assert "like kws_ref_model" in built[1]


def test_own_model_without_like_stops_the_build_naming_the_settings(built):
    result = subprocess.run(
        [cmake(), "--build", str(built[0]), "--target", "app_models_bare"], capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "The keyword model has no labels or recognizer settings" in result.stdout + result.stderr
    assert "-DVIGIL_KWS_MODEL_LIKE=NAME" in result.stdout + result.stderr


MANIFEST = """models:
  mi_modelo:
    task: kws
    description: a user's own keyword model, in the project's manifest
    labels: [abajo, ve, izquierda, "no", apaga, enciende, derecha, para, arriba, si, silencio, desconocido]
    input: {{shape: [1, 49, 10, 1], dtype: int8}}
    output: {{shape: [1, 12], dtype: int8}}
    frontend:
      kind: mlperf_mfcc
      sample_rate: 16000
      clip_samples: 16000
      frame_length: 480
      frame_step: 320
      fft_length: 512
      num_mel_bins: 40
      lower_edge_hz: 20.0
      upper_edge_hz: 4000.0
      num_mfcc: 10
    postprocess:
      kind: recognizer
      stride_ms: 200
      window_ms: 800
      suppression_ms: 1000
      min_results: 2
      threshold: 0.7
      silence: silencio
      unknown: desconocido
    files:
      - role: int8
        path: mi_modelo.tflite
        url: {url}
        sha256: {sha256}
"""

MANIFEST_PROJECT = """cmake_minimum_required(VERSION 3.20)
project(vigil_manifest_check C)
include({repo}/app/cmake/vigil_codegen.cmake)
vigil_generate_model(src NAME kws MODEL mi_modelo TARGET cortex-m4 OUT ${{CMAKE_BINARY_DIR}}/vigil/kws)
set(CMAKE_C_STANDARD 11)
add_library(app_models SHARED {repo}/app/src/models.c {core} {repo}/tests/app/models_probe.c ${{src}})
target_include_directories(app_models PRIVATE {repo}/app/src {repo}/modules/vigil/include
                           ${{CMAKE_BINARY_DIR}}/vigil/kws)
target_compile_definitions(app_models PRIVATE CONFIG_VIGIL_KWS=1 CONFIG_VIGIL_ARENA_SIZE=0 CONFIG_VIGIL_ARENA_MARGIN=0
                           CONFIG_VIGIL_STRIDE_MS=0)
target_compile_options(app_models PRIVATE -Wall -Wextra -Werror)
target_link_libraries(app_models PRIVATE m)
"""


@pytest.mark.slow
def test_a_project_manifest_names_the_users_model(tmp_path, own_model):
    """-DVIGIL_MANIFEST=my_models.yml: the user's entry (labels, front-end, post-processing, file)."""
    digest = hashlib.sha256(own_model.read_bytes()).hexdigest()
    (tmp_path / "my_models.yml").write_text(MANIFEST.format(url=own_model.as_uri(), sha256=digest))
    (tmp_path / "CMakeLists.txt").write_text(MANIFEST_PROJECT.format(repo=REPO, core=" ".join(CORE_SOURCES)))
    build = tmp_path / "build"
    configure = subprocess.run(
        [cmake(), "-S", str(tmp_path), "-B", str(build), f"-DVIGIL_PYTHON={sys.executable}"]
        + ["-DVIGIL_MANIFEST=my_models.yml"],  # relative: from the application's folder
        capture_output=True,
        text=True,
    )
    assert configure.returncode == 0, configure.stdout + configure.stderr
    result = subprocess.run([cmake(), "--build", str(build)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lib = C.CDLL(str(build / "libapp_models.so"))
    lib.app_model.restype = C.POINTER(ModelDesc)
    desc = lib.app_model(0).contents
    assert desc.name.decode() == "mi_modelo" and desc.sha256.decode() == digest
    assert [desc.labels[i].decode() for i in range(desc.num_labels)][:3] == ["abajo", "ve", "izquierda"]
    lib.probe_recognizer_window.restype = C.c_int32
    assert lib.probe_recognizer_window() == 800
    header = (build / "vigil" / "kws" / "kws_model.h").read_text()
    assert "#define VIGIL_MODEL_KWS_ARENA_BYTES VIGIL_MODEL_KWS_ARENA_BYTES_CORTEX_M4" in header
    assert "#define VIGIL_MODEL_KWS_PP_SILENCE_INDEX (10)" in header


def test_a_missing_project_manifest_stops_the_configure_step(tmp_path):
    (tmp_path / "CMakeLists.txt").write_text(
        f"cmake_minimum_required(VERSION 3.20)\nproject(x NONE)\ninclude({REPO}/app/cmake/vigil_codegen.cmake)\n"
    )
    result = subprocess.run(
        [cmake(), "-S", str(tmp_path), "-B", str(tmp_path / "b"), f"-DVIGIL_PYTHON={sys.executable}"]
        + ["-DVIGIL_MANIFEST=nowhere/models.yml"],
        capture_output=True,
        text=True,
    )
    message = " ".join(result.stderr.split())
    assert result.returncode != 0
    assert f"vigil: model manifest {tmp_path}/nowhere/models.yml not found (VIGIL_MANIFEST)" in message


# app/vigil_app.cmake with stand-ins for what Zephyr provides before the application's CMake
# runs: the `app` library target, zephyr_compile_options() and target_sources_ifdef()
# (cmake/modules/extensions.cmake), and Kconfig's CONFIG_ variables (here from -D). Building
# `vigil_models` runs the model custom commands the app's sources depend on.
APP_PROJECT = """cmake_minimum_required(VERSION 3.20)
project(vigil_app_check C CXX)
add_library(app STATIC EXCLUDE_FROM_ALL)
function(zephyr_compile_options)
endfunction()
function(target_sources_ifdef feature target scope)
  if(${{feature}})
    target_sources(${{target}} ${{scope}} ${{ARGN}})
  endif()
endfunction()
include({repo}/app/vigil_app.cmake)
file(GENERATE OUTPUT ${{CMAKE_BINARY_DIR}}/app-definitions.txt CONTENT "$<TARGET_PROPERTY:app,COMPILE_DEFINITIONS>")
set(models)
foreach(name kws vww)
  string(TOUPPER ${{name}} upper)
  if(CONFIG_VIGIL_${{upper}})
    list(APPEND models ${{CMAKE_BINARY_DIR}}/vigil/${{name}}/${{name}}_model.c)
  endif()
endforeach()
add_custom_target(vigil_models DEPENDS ${{models}})
"""

KCONFIG_KWS = ("-DCONFIG_VIGIL_KWS=y", "-DCONFIG_CPU_CORTEX_M33=y", "-DCONFIG_ARMV8_M_DSP=y")


class AppBuild:
    """One build folder of the stand-in project, configured again and again like `west build`."""

    def __init__(self, root: Path, generator: str = "Unix Makefiles"):
        self.root, self.build, self.generator = root, root / "build", generator
        root.mkdir(parents=True, exist_ok=True)
        (root / "CMakeLists.txt").write_text(APP_PROJECT.format(repo=REPO))

    def configure(self, *args: str) -> str:
        command = [cmake(), "-S", str(self.root), "-B", str(self.build), "-G", self.generator]
        result = subprocess.run([*command, f"-DVIGIL_PYTHON={sys.executable}", *args], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def models(self) -> dict[str, str]:
        """Build the generated model sources; the VIGIL_MODEL_<NAME>_MODEL and arena defines."""
        result = subprocess.run(
            [cmake(), "--build", str(self.build), "--target", "vigil_models"], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        found = {}
        for header in sorted((self.build / "vigil").glob("*/*_model.h")):
            for name, value in re.findall(r"^#define (\w+) (.*?)\s*(?:/\*.*\*/)?$", header.read_text(), re.M):
                if name.endswith(("_MODEL", "_ARENA_BYTES")):
                    found[name] = value.strip('"')
        return found

    def definitions(self) -> list[str]:
        return (self.build / "app-definitions.txt").read_text().split(";")


def test_cmsis_nn_is_defined_for_the_app_with_the_cmsis_nn_kernels(tmp_path):
    app = AppBuild(tmp_path / "on")
    app.configure(
        *KCONFIG_KWS, "-DCONFIG_VIGIL_KWS_MODEL=kws_ref_model", "-DCONFIG_TENSORFLOW_LITE_MICRO_CMSIS_NN_KERNELS=y"
    )
    assert "CMSIS_NN" in app.definitions()
    native = AppBuild(tmp_path / "off")
    native.configure("-DCONFIG_VIGIL_KWS=y", "-DCONFIG_ARCH_POSIX=y", "-DCONFIG_VIGIL_KWS_MODEL=kws_ref_model")
    assert "CMSIS_NN" not in native.definitions()
    # and in the same build folder, the Kconfig switched off again
    app.configure("-DCONFIG_TENSORFLOW_LITE_MICRO_CMSIS_NN_KERNELS=n")
    assert "CMSIS_NN" not in app.definitions()


@pytest.mark.slow
@pytest.mark.parametrize("generator", ["Unix Makefiles", "Ninja"])
def test_another_kconfig_model_in_the_same_build_folder_is_generated(tmp_path, generator):
    if generator == "Ninja" and shutil.which("ninja") is None:
        pytest.fail("ninja is not installed: run scripts/setup.sh")
    app = AppBuild(tmp_path, generator)
    log = app.configure(*KCONFIG_KWS, "-DCONFIG_VIGIL_KWS_MODEL=kws_ref_model")
    assert "vigil: keyword model kws_ref_model, arena profile cortex-m33" in log
    first = app.models()
    assert first["VIGIL_MODEL_KWS_MODEL"] == "kws_ref_model"
    assert first["VIGIL_MODEL_KWS_ARENA_BYTES"] == "VIGIL_MODEL_KWS_ARENA_BYTES_CORTEX_M33"
    # the Kconfig use case switched to micro_speech on a Cortex-M55 (west build again, same folder)
    app.configure(
        "-DCONFIG_VIGIL_KWS_MODEL=micro_speech_quantized", "-DCONFIG_CPU_CORTEX_M33=n", "-DCONFIG_CPU_CORTEX_M55=y"
    )
    second = app.models()
    assert second["VIGIL_MODEL_KWS_MODEL"] == "micro_speech_quantized"
    assert second["VIGIL_MODEL_KWS_ARENA_BYTES"] == "VIGIL_MODEL_KWS_ARENA_BYTES_CORTEX_M55"
    # nothing changed: nothing regenerated (the header keeps its time stamp)
    header = app.build / "vigil" / "kws" / "kws_model.h"
    stamp = header.stat().st_mtime_ns
    app.configure()
    assert app.models() == second and header.stat().st_mtime_ns == stamp


@pytest.mark.slow
def test_a_command_line_model_wins_over_kconfig_until_cleared(tmp_path, own_model):
    app = AppBuild(tmp_path)
    app.configure(*KCONFIG_KWS, "-DCONFIG_VIGIL_KWS_MODEL=micro_speech_quantized", "-DVIGIL_KWS_MODEL=kws_ref_model")
    assert app.models()["VIGIL_MODEL_KWS_MODEL"] == "kws_ref_model"
    app.configure("-DCONFIG_VIGIL_KWS_MODEL=vww_96_int8")  # a Kconfig change: the user's value stays
    assert app.models()["VIGIL_MODEL_KWS_MODEL"] == "kws_ref_model"
    app.configure("-DVIGIL_KWS_MODEL=", "-DCONFIG_VIGIL_KWS_MODEL=micro_speech_quantized")  # back to Kconfig
    assert app.models()["VIGIL_MODEL_KWS_MODEL"] == "micro_speech_quantized"
    # the user's own file with a lent manifest entry, and an arena profile of the user's
    app.configure(
        f"-DVIGIL_KWS_MODEL={own_model}", "-DVIGIL_KWS_MODEL_LIKE=kws_ref_model", "-DVIGIL_TARGET_PROFILE=cortex-m4"
    )
    found = app.models()
    assert found["VIGIL_MODEL_KWS_ARENA_BYTES"] == "VIGIL_MODEL_KWS_ARENA_BYTES_CORTEX_M4"
    header = (app.build / "vigil" / "kws" / "kws_model.h").read_text()
    assert hashlib.sha256(own_model.read_bytes()).hexdigest() in header
    assert "#define VIGIL_MODEL_KWS_NUM_LABELS 12" in header


def _compile_models_c(built, *defines: str) -> subprocess.CompletedProcess:
    gen = built[0] / "vigil"
    flags = [f"-I{REPO / 'app' / 'src'}", f"-I{REPO / 'modules' / 'vigil' / 'include'}", f"-I{gen / 'kws'}"]
    return subprocess.run(
        ["gcc", "-std=c11", "-fsyntax-only", "-Wall", "-Werror", *flags, "-DCONFIG_VIGIL_KWS=1",
         "-DCONFIG_VIGIL_ARENA_SIZE=0", "-DCONFIG_VIGIL_ARENA_MARGIN=1024", "-DCONFIG_VIGIL_STRIDE_MS=0",
         *defines, str(REPO / "app" / "src" / "models.c")],
        capture_output=True, text=True,
    )  # fmt: skip


def test_the_mfcc_state_is_sized_by_kconfig_and_a_model_beyond_it_stops_the_build(built):
    """modules/vigil/Kconfig's defaults (MLPerf-sized) hold kws_ref_model; one step below, the build stops."""
    kconfig = (REPO / "modules" / "vigil" / "Kconfig").read_text()
    defaults = dict(re.findall(r"config (VIGIL_(?:FFT|MFCC)_MAX_\w+)\n(?:.*\n)*?\tdefault (\d+)", kconfig))
    assert defaults == {
        "VIGIL_FFT_MAX_LENGTH": "512",
        "VIGIL_MFCC_MAX_MEL_BINS": "40",
        "VIGIL_MFCC_MAX_COEFFS": "13",
        "VIGIL_MFCC_MAX_FRAMES": "49",
    }
    as_kconfig = [
        f"-D{name}={value}" for name, value in defaults.items()
    ]  # as modules/vigil/CMakeLists.txt passes them
    ok = _compile_models_c(built, *as_kconfig)
    assert ok.returncode == 0, ok.stderr
    for name, smaller, words in (
        ("VIGIL_FFT_MAX_LENGTH", 256, "raise CONFIG_VIGIL_FFT_MAX_LENGTH"),
        ("VIGIL_MFCC_MAX_MEL_BINS", 39, "raise CONFIG_VIGIL_MFCC_MAX_MEL_BINS"),
        ("VIGIL_MFCC_MAX_COEFFS", 9, "raise CONFIG_VIGIL_MFCC_MAX_COEFFS"),
        ("VIGIL_MFCC_MAX_FRAMES", 48, "raise CONFIG_VIGIL_MFCC_MAX_FRAMES"),
    ):
        flags = [f for f in as_kconfig if not f.startswith(f"-D{name}=")] + [f"-D{name}={smaller}"]
        failed = _compile_models_c(built, *flags)
        assert failed.returncode != 0 and words in failed.stderr, (name, failed.stderr[-500:])
