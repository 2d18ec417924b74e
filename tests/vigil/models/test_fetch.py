import dataclasses

import pytest

from vigil.errors import VigilError
from vigil.fileio import sha256_file
from vigil.models.fetch import fetch_model, role_path


def test_fetch_from_mirror_verifies_and_then_uses_the_cache(manifest, model_mirror, tmp_path):
    spec = manifest.get("kws_ref_model")
    first = fetch_model(spec, None, [model_mirror], cache=tmp_path)
    assert {f.origin for f in first} == {str(model_mirror)}
    for f in first:
        assert sha256_file(f.path) == f.file.sha256
    assert role_path(spec, "savedmodel", first).name == "kws_ref_model_savedmodel"
    again = fetch_model(spec, ("int8",), [model_mirror], cache=tmp_path)
    assert [f.origin for f in again] == ["cache"]


def test_corrupted_cache_file_is_fetched_again(manifest, model_mirror, tmp_path):
    spec = manifest.get("micro_speech_quantized")
    (cached,) = fetch_model(spec, ("int8",), [model_mirror], cache=tmp_path)
    cached.path.write_bytes(b"damaged")
    (fresh,) = fetch_model(spec, ("int8",), [model_mirror], cache=tmp_path)
    assert fresh.origin == str(model_mirror) and sha256_file(fresh.path) == fresh.file.sha256


def test_sha256_mismatch_deletes_the_file_and_fails(manifest, tmp_path):
    spec = manifest.get("micro_speech_quantized")
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "micro_speech_quantized.tflite").write_bytes(b"not the model")
    cache = tmp_path / "cache"
    with pytest.raises(VigilError, match="sha256 mismatch") as e:
        fetch_model(spec, ("int8",), [mirror], cache=cache)
    assert "\n" not in str(e.value)
    leftovers = [p for p in cache.rglob("*") if p.is_file()]
    assert leftovers == []


def test_unreachable_url_says_how_to_use_a_mirror(manifest, tmp_path, monkeypatch):
    monkeypatch.delenv("VIGIL_MODEL_MIRROR")
    spec = manifest.get("micro_speech_quantized")
    f = dataclasses.replace(spec.files_for("int8")[0], url=(tmp_path / "absent.tflite").as_uri())
    offline = dataclasses.replace(spec, files=(f,))
    with pytest.raises(VigilError, match="--mirror"):
        fetch_model(offline, None, [], cache=tmp_path / "cache")
