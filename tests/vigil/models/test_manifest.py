import pytest

from vigil.errors import VigilError
from vigil.fileio import sha256_file
from vigil.models.manifest import load_manifest


def test_reference_models_are_listed_with_their_files(manifest):
    assert set(manifest.models) == {"kws_ref_model", "vww_96_int8", "micro_speech_quantized"}
    kws = manifest.get("kws_ref_model")
    assert kws.source == "savedmodel" and kws.has("float") and len(kws.files_for("savedmodel")) == 3
    assert kws.labels[:3] == ("down", "go", "left") and kws.labels[-2:] == ("silence", "unknown")
    vww = manifest.get("vww_96_int8")
    assert vww.source == "keras" and vww.has("float") and vww.labels == ("no_person", "person")
    ms = manifest.get("micro_speech_quantized")
    assert ms.has("preprocessor") and ms.labels == ("silence", "unknown", "yes", "no")


def test_manifest_hashes_match_the_shared_data_checksums(manifest, data_dir):
    published = {}
    for line in (data_dir / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        published[name.removeprefix("./").removeprefix("models/")] = digest
    for spec in manifest.models.values():
        for f in spec.files:
            assert published[f.path] == f.sha256, f.path
            assert sha256_file(data_dir / "models" / f.path) == f.sha256


GOOD = """
models:
  m:
    task: kws
    labels: ["a", "b"]
    input: {shape: [1, 49, 10, 1], dtype: int8}
    output: {shape: [1, 2], dtype: int8}
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
    files:
      - {role: int8, path: m.tflite, url: "https://example.invalid/m.tflite", sha256: "%s"}
""" % ("0" * 64)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("models: [", "not valid YAML"),
        ("other: 1", "top-level 'models:'"),
        (GOOD.replace("task: kws", "task: asr"), "task must be one of"),
        (GOOD.replace('labels: ["a", "b"]', "labels: [yes, no]"), "quote yes/no"),
        (GOOD.replace('labels: ["a", "b"]', 'labels: ["a"]'), "2 classes but 1 labels"),
        (GOOD.replace("0" * 64, "123"), "sha256 must be 64 hex digits"),
        (GOOD.replace("role: int8", "role: weights"), "role must be one of"),
        (GOOD.replace("    task: kws\n", ""), "missing 'task'"),
        (GOOD.replace("path: m.tflite", "path: ../m.tflite"), "must be relative"),
        (GOOD.replace("    files:", "    release: {min_top1: 1.01}\n    files:"), "min_top1 must be a fraction"),
        (GOOD.replace("    files:", "    release: {min_top1: high}\n    files:"), "min_top1 must be a fraction"),
        (GOOD.replace("    files:", "    release: {top1: 0.5}\n    files:"), "release: unknown key 'top1'"),
        (GOOD.replace("    files:", "    release: [0.5]\n    files:"), "'release' must be a mapping"),
        (
            GOOD.replace("    files:", "    release: {min_conversion_agreement: 0.9}\n    files:"),
            "needs a conversion 'source'",
        ),
    ],
)
def test_malformed_manifest_is_one_line_naming_the_file(tmp_path, text, problem):
    bad = tmp_path / "models.yml"
    bad.write_text(text)
    with pytest.raises(VigilError) as e:
        load_manifest(bad)
    message = str(e.value)
    assert str(bad) in message and problem in message and "\n" not in message


def test_good_manifest_loads(tmp_path):
    path = tmp_path / "models.yml"
    path.write_text(GOOD)
    spec = load_manifest(path).get("m")
    assert spec.input.shape == (1, 49, 10, 1) and spec.frontend.num_frames == 49
    assert spec.release.min_top1 is None and spec.release.min_conversion_agreement is None  # not gated


def test_release_floors_at_the_limits_load(tmp_path):
    path = tmp_path / "models.yml"
    path.write_text(GOOD.replace("    files:", "    release: {min_top1: 0}\n    files:"))
    assert load_manifest(path).get("m").release.min_top1 == 0.0
    path.write_text(GOOD.replace("    files:", "    release: {min_top1: 1}\n    files:"))
    assert load_manifest(path).get("m").release.min_top1 == 1.0


def test_reference_models_declare_their_release_floors(manifest):
    assert manifest.get("kws_ref_model").release.min_top1 == 0.55
    assert manifest.get("vww_96_int8").release.min_conversion_agreement == 0.92
    assert manifest.get("micro_speech_quantized").release.min_conversion_agreement is None


def test_missing_manifest(tmp_path):
    with pytest.raises(VigilError, match="model manifest not found"):
        load_manifest(tmp_path / "nope.yml")
