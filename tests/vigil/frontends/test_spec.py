"""Front-end specifications: every rule at its limits, and one-line errors naming file, model and key."""

import dataclasses

import pytest

from vigil.errors import VigilError
from vigil.frontends.schedule import StreamSchedule
from vigil.frontends.spec import (
    MFCC_MAX_COEFFS,
    MFCC_MAX_FFT_LENGTH,
    MFCC_MAX_FRAMES,
    MFCC_MAX_MEL_BINS,
    ImageSpec,
    MfccSpec,
    PreprocessorSpec,
    SpecError,
    as_dict,
    parse_frontend,
)
from vigil.models.manifest import load_manifest

MLPERF = {
    "kind": "mlperf_mfcc",
    "sample_rate": 16000,
    "clip_samples": 16000,
    "frame_length": 480,
    "frame_step": 320,
    "fft_length": 512,
    "num_mel_bins": 40,
    "lower_edge_hz": 20.0,
    "upper_edge_hz": 4000.0,
    "num_mfcc": 10,
}
MICRO = {
    "kind": "tflm_preprocessor",
    "sample_rate": 16000,
    "clip_samples": 16000,
    "window_samples": 480,
    "stride_samples": 320,
    "num_features": 40,
    "num_frames": 49,
}
IMAGE = {"kind": "rgb_image", "width": 96, "height": 96, "channels": 3, "pixel_scale": 1 / 255}


def mfcc(**changes):
    return parse_frontend({**MLPERF, **changes})


def refused(entry, key, words):
    with pytest.raises(SpecError) as e:
        parse_frontend(entry)
    assert e.value.key == key and words in e.value.problem, str(e.value)
    return e.value


def test_reference_configurations_parse_with_their_derived_values():
    spec = mfcc()
    assert isinstance(spec, MfccSpec) and spec.num_frames == 49 and spec.hop_samples == 320 and spec.hop_ms == 20
    micro = parse_frontend(MICRO)
    assert isinstance(micro, PreprocessorSpec) and micro.num_frames == 49 and micro.features_per_frame == 40
    image = parse_frontend(IMAGE)
    assert isinstance(image, ImageSpec) and image.fit == "crop"
    assert as_dict(spec) == MLPERF and as_dict(micro) == MICRO and as_dict(image) == {**IMAGE, "fit": "crop"}


@pytest.mark.parametrize("n", [4, 8, 256, MFCC_MAX_FFT_LENGTH])
def test_fft_lengths_that_are_powers_of_two_in_range(n):
    assert mfcc(fft_length=n, frame_length=n, frame_step=n, clip_samples=10 * n).fft_length == n


@pytest.mark.parametrize("n", [2, 3, 500, 511, 513, 2 * MFCC_MAX_FFT_LENGTH])
def test_fft_lengths_refused(n):
    entry = {**MLPERF, "fft_length": n, "frame_length": n, "frame_step": n, "clip_samples": 10 * n}
    refused(entry, "fft_length", "power of two")


def test_coefficients_up_to_the_mel_bands():
    assert mfcc(num_mel_bins=13, num_mfcc=13).num_mfcc == 13
    refused({**MLPERF, "num_mel_bins": 13, "num_mfcc": 14}, "num_mfcc", "at most num_mel_bins")
    assert mfcc(num_mel_bins=MFCC_MAX_MEL_BINS, num_mfcc=MFCC_MAX_COEFFS).num_mfcc == MFCC_MAX_COEFFS
    refused({**MLPERF, "num_mel_bins": MFCC_MAX_MEL_BINS + 1}, "num_mel_bins", f"1..{MFCC_MAX_MEL_BINS}")
    refused({**MLPERF, "num_mel_bins": 64, "num_mfcc": MFCC_MAX_COEFFS + 1}, "num_mfcc", "1..40")
    refused({**MLPERF, "num_mfcc": 0}, "num_mfcc", "1..")


def test_band_edges_at_their_limits():
    assert mfcc(lower_edge_hz=0, upper_edge_hz=8000).upper_edge_hz == 8000.0  # exactly Nyquist
    refused({**MLPERF, "upper_edge_hz": 8000.5}, "upper_edge_hz", "Nyquist frequency 8000")
    refused({**MLPERF, "lower_edge_hz": 4000.0}, "lower_edge_hz", "below upper_edge_hz")
    refused({**MLPERF, "lower_edge_hz": -1.0}, "lower_edge_hz", ">= 0")


def test_frame_and_window_limits():
    assert mfcc(frame_length=512).frame_length == 512  # equal to the FFT length
    refused({**MLPERF, "frame_length": 513}, "frame_length", "to fft_length (512)")
    assert mfcc(frame_length=320).frame_length == 320  # equal to the step
    refused({**MLPERF, "frame_length": 319}, "frame_length", "from frame_step (320)")
    refused({**MLPERF, "clip_samples": 16001}, "clip_samples", "not a whole number of hops")
    refused({**MLPERF, "frame_step": 0}, "frame_step", "at least 1")
    # 99 frames of 10 ms fit the firmware, 100 do not
    assert mfcc(frame_step=160, frame_length=400, clip_samples=16160).num_frames == MFCC_MAX_FRAMES
    refused({**MLPERF, "frame_step": 160, "frame_length": 320, "clip_samples": 16160}, "clip_samples", "holds 99")


def test_a_stated_frame_count_must_be_the_derived_one():
    assert mfcc(num_frames=49).num_frames == 49
    refused({**MLPERF, "num_frames": 50}, "num_frames", "the clip holds 49")
    refused({**MICRO, "num_frames": 48}, "num_frames", "holds 49 windows")


@pytest.mark.parametrize(
    "entry, key, words",
    [
        ({**MLPERF, "sample_rate": "fast"}, "sample_rate", "must be an integer, got 'fast'"),
        ({**MLPERF, "sample_rate": True}, "sample_rate", "must be an integer"),
        ({**MLPERF, "sample_rate": 999}, "sample_rate", "1000..192000"),
        ({**MLPERF, "lower_edge_hz": float("nan")}, "lower_edge_hz", "finite number"),
        ({**MLPERF, "upper_edge_hz": float("inf")}, "upper_edge_hz", "finite number"),
        ({**MLPERF, "fft_size": 512}, "fft_size", "not a mlperf_mfcc parameter"),
        ({k: v for k, v in MLPERF.items() if k != "sample_rate"}, "sample_rate", "is missing"),
        ({**IMAGE, "width": "wide"}, "width", "must be an integer, got 'wide'"),
        ({**IMAGE, "width": 0}, "width", "1..1024"),
        ({**IMAGE, "height": 1025}, "height", "1..1024"),
        ({**IMAGE, "channels": 1}, "channels", "must be 3"),
        ({**IMAGE, "pixel_scale": 0}, "pixel_scale", "positive"),
        ({**IMAGE, "fit": "zoom"}, "fit", "crop, stretch"),
        ({**MICRO, "window_samples": 513}, "window_samples", "<= 512"),
        ({**MICRO, "stride_samples": 481}, "window_samples", "stride_samples <= window_samples"),
        ({"kind": "mfcc"}, "kind", "must be one of"),
        ([1, 2], "kind", "mapping"),
    ],
)
def test_bad_parameters_name_their_key(entry, key, words):
    refused(entry, key, words)


def test_image_limits_and_fits():
    assert parse_frontend({**IMAGE, "width": 1024, "height": 1}).width == 1024
    assert parse_frontend({**IMAGE, "fit": "stretch"}).fit == "stretch"


MANIFEST = """
models:
  mine:
    task: kws
    labels: ["a", "b"]
    input: {shape: [1, 49, 13, 1], dtype: int8}
    output: {shape: [1, 2], dtype: int8}
    frontend: {kind: mlperf_mfcc, sample_rate: 16000, clip_samples: 16000, frame_length: 640, frame_step: 320,
               fft_length: 1024, num_mel_bins: 32, lower_edge_hz: 60.0, upper_edge_hz: 7000.0, num_mfcc: 13}
    files:
      - {role: int8, path: m.tflite, url: "https://example.invalid/m.tflite", sha256: "%s"}
""" % ("0" * 64)


def test_a_custom_configuration_loads_from_the_manifest(tmp_path):
    path = tmp_path / "models.yml"
    path.write_text(MANIFEST)
    spec = load_manifest(path).get("mine").frontend
    assert (spec.num_frames, spec.num_mfcc, spec.fft_length, spec.frame_length) == (49, 13, 1024, 640)


@pytest.mark.parametrize(
    "change, words",
    [
        (("fft_length: 1024", "fft_length: 1000"), "frontend.fft_length: must be a power of two"),
        (("num_mfcc: 13}", "num_mfcc: 33}"), "frontend.num_mfcc: must be 1..32"),
        (
            ("[1, 49, 13, 1]", "[1, 49, 10, 1]"),
            "49 frames x 13 features = 637 values, the input [1, 49, 10, 1] takes 490",
        ),
        (("task: kws", "task: vww"), "a vww model cannot take the 'mlperf_mfcc' front-end"),
        (("    frontend:", "    front_end:"), "missing 'frontend'"),
    ],
)
def test_manifest_errors_name_the_file_the_model_and_the_key(tmp_path, change, words):
    path = tmp_path / "models.yml"
    path.write_text(MANIFEST.replace(*change))
    with pytest.raises(VigilError) as e:
        load_manifest(path)
    message = str(e.value)
    assert message.startswith(f"{path}: model 'mine': ") and words in message and "\n" not in message, message


def test_schedule_is_the_sessions():
    spec = mfcc()
    s = StreamSchedule.of(spec, 100)
    assert (s.stride_hops, s.stride_samples) == (5, 1600)
    assert list(s.window_ends(15999)) == []
    assert list(s.window_ends(16000)) == [16000]
    assert list(s.window_ends(17599)) == [16000]
    assert list(s.window_ends(17600)) == [16000, 17600]
    assert [s.time_ms(e) for e in s.window_ends(20800)] == [1000, 1100, 1200, 1300]
    assert s.end_of(3) == 20800
    # stride below one hop, and not a whole number of hops: as vigil_session_init, rounded down, at least 1
    assert StreamSchedule.of(spec, 10).stride_hops == 1
    assert StreamSchedule.of(spec, 119).stride_hops == 5
    sub_ms = dataclasses.replace(spec, sample_rate=16000, frame_step=8, frame_length=16, fft_length=16)
    assert sub_ms.hop_ms == 0 and StreamSchedule.of(sub_ms, 100).stride_hops == 1
