"""The app's build-time code generation (app/cmake/vigil_codegen.cmake), run by CMake in a small
project of its own: the same custom commands `west build` runs, then the generated model and
sample sources and the app's models.c compiled with the host compiler and checked."""

import ctypes as C
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vigil.core.session import ModelDesc
from vigil.models.resolve import resolve_model
from vigil.samples import embed
from vigil.tflite.arena import PROFILES

REPO = Path(__file__).resolve().parents[2]
CORE_SOURCES = [
    str(REPO / "modules" / "vigil" / line.strip())
    for line in (REPO / "modules" / "vigil" / "sources.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]

PROJECT = """cmake_minimum_required(VERSION 3.20)
project(vigil_codegen_check C)
include({repo}/app/cmake/vigil_codegen.cmake)
set(gen ${{CMAKE_BINARY_DIR}}/vigil)
vigil_generate_model(kws_src NAME kws MODEL kws_ref_model TARGET cortex-m33 OUT ${{gen}}/kws)
vigil_generate_model(vww_src NAME vww MODEL {vww_path} TARGET cortex-m33 OUT ${{gen}}/vww)
vigil_generate_model(ms_src NAME kws MODEL micro_speech_quantized TARGET cortex-m55 OUT ${{gen}}/ms)
vigil_generate_model(pre_src NAME kws_pre MODEL micro_speech_quantized ROLE preprocessor TARGET cortex-m55
                     OUT ${{gen}}/kws_pre)
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
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory, data_dir):
    if shutil.which("cmake") is None:
        pytest.fail("cmake is not installed: run scripts/setup.sh")
    root = tmp_path_factory.mktemp("codegen")
    folder = root / "clips"
    folder.mkdir()
    shutil.copy(data_dir / "samples" / "kws" / "yes_1000ms.wav", folder / "yes clip.wav")
    vww_path = Path(os.environ["VIGIL_MODEL_MIRROR"]) / "vww_96_int8.tflite"
    (root / "CMakeLists.txt").write_text(
        PROJECT.format(repo=REPO, core=" ".join(CORE_SOURCES), folder=folder, vww_path=vww_path)
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
