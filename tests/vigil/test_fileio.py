"""vigil.fileio: the one YAML loader (duplicate keys refused), the one JSON loader (no NaN, no
duplicate keys, no binary), and all-or-nothing writers that refuse a path they cannot write
before anything is made."""

from __future__ import annotations

import json

import pytest

from vigil.errors import VigilError
from vigil.fileio import (
    atomic_files,
    atomic_path,
    check_output_dir,
    check_output_file,
    dump_json,
    load_json,
    load_yaml,
    write_text_atomic,
)


def _error(fn, *args) -> str:
    with pytest.raises(VigilError) as e:
        fn(*args)
    text = str(e.value)
    assert "\n" not in text
    return text


@pytest.mark.parametrize(
    "text, line, key",
    [
        ("models:\n  a: 1\n  b: 2\n  a: 3\n", 4, "a"),
        ("a: 1\na: 1\n", 2, "a"),  # even with the same value
        ("x: {k: 1, k: 2}\n", 1, "k"),
        ("- {1: a, 1: b}\n", 1, "1"),
    ],
)
def test_yaml_duplicate_keys_are_refused_with_their_line(tmp_path, text, line, key):
    path = tmp_path / "d.yml"
    path.write_text(text)
    assert _error(load_yaml, path, "manifest") == f"{path}: line {line}: duplicate key '{key}'"


def test_yaml_merge_keys_and_equal_keys_in_different_mappings_are_fine(tmp_path):
    path = tmp_path / "ok.yml"
    path.write_text("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  x: 3\nd: {x: 1}\n")
    assert load_yaml(path, "file") == {"base": {"x": 1, "y": 2}, "c": {"x": 3, "y": 2}, "d": {"x": 1}}


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"\xff\xfe\x00b\x00", "is not UTF-8 text"),
        (b"a: 1\x00\n", "is binary, not text"),
        (b"[" * 20000, "nested too deeply"),
        (b"a: [", "not valid YAML"),
    ],
)
def test_yaml_that_is_not_text_or_not_yaml(tmp_path, content, problem):
    path = tmp_path / "bad.yml"
    path.write_bytes(content)
    text = _error(load_yaml, path, "suite file")
    assert text.startswith(f"{path}: ") and problem in text


@pytest.mark.parametrize(
    "content, problem",
    [
        ('{"a": NaN}', "holds NaN, which is not a JSON number"),
        ('{"a": [Infinity]}', "holds Infinity"),
        ('{"a": -Infinity}', "holds -Infinity"),
        ('{"a": 1, "a": 2}', "duplicate key 'a'"),
        ('{"a": 1', "is not valid JSON (line 1)"),
        ("\x00", "binary"),
        ("[" * 100000, "nested too deeply"),
    ],
)
def test_json_loader_refuses_what_json_is_not(tmp_path, content, problem):
    path = tmp_path / "b.json"
    path.write_text(content)
    text = _error(load_json, path, "baseline")
    assert text.startswith(f"{path}: ") and problem in text


def test_json_loader_reads_a_folder_or_a_missing_file_as_one_line(tmp_path):
    assert _error(load_json, tmp_path, "golden") == f"{tmp_path}: is a folder, expected a golden"
    assert _error(load_json, tmp_path / "no.json", "golden") == f"{tmp_path / 'no.json'}: golden not found"


def test_dump_json_never_writes_nan():
    assert json.loads(dump_json({"a": [1, 2.5]})) == {"a": [1, 2.5]}
    with pytest.raises(ValueError):
        dump_json({"a": float("nan")})


def test_file_writers_refuse_a_folder_a_device_and_a_path_under_a_file(tmp_path):
    afile = tmp_path / "f.txt"
    afile.write_text("keep")
    assert _error(write_text_atomic, tmp_path, "x") == f"{tmp_path}: is a folder, expected the output file to write"
    assert "is not a regular file" in _error(check_output_file, "/dev/null")
    under = afile / "sub" / "out.json"
    assert _error(write_text_atomic, under, "x") == (
        f"{under}: cannot write the output file: {afile} is a file, not a folder"
    )
    assert afile.read_text() == "keep" and sorted(p.name for p in tmp_path.iterdir()) == ["f.txt"]


def test_folder_writers_refuse_a_file_and_a_path_under_a_file(tmp_path):
    afile = tmp_path / "f.txt"
    afile.write_text("keep")
    with pytest.raises(VigilError, match="is a file, expected the output folder"):
        with atomic_files(afile):
            pytest.fail("no staging folder for an output that cannot be made")
    assert "f.txt is a file, not a folder" in _error(check_output_dir, afile / "gen")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt"]


def test_a_file_where_the_folder_needs_a_subfolder_leaves_nothing(tmp_path):
    out = tmp_path / "gen"
    out.mkdir()
    (out / "sub").write_text("a file where a folder is needed")
    with pytest.raises(VigilError):
        with atomic_files(out) as staging:
            (staging / "a.c").write_text("a")
            (staging / "sub").mkdir()
            (staging / "sub" / "b.c").write_text("b")
    assert sorted(p.name for p in out.iterdir()) == ["sub"]


def test_a_failed_write_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "out.bin"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"partial")
            raise RuntimeError("the producer failed")
    assert list(tmp_path.iterdir()) == []


def test_vigil_cache_that_is_a_file_is_one_line(tmp_path, monkeypatch):
    from vigil.settings import cache_dir

    afile = tmp_path / "cache"
    afile.write_text("")
    monkeypatch.setenv("VIGIL_CACHE", str(afile))
    assert _error(cache_dir) == f"{afile}: VIGIL_CACHE is not a folder"


def test_a_failed_write_makes_no_folders(tmp_path):
    target = tmp_path / "a" / "b" / "out.txt"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("partial")
            raise RuntimeError("the producer failed")
    with pytest.raises(RuntimeError):
        with atomic_files(tmp_path / "c" / "gen") as staging:
            (staging / "x.c").write_text("x")
            raise RuntimeError("the generator failed")
    assert list(tmp_path.iterdir()) == []
    write_text_atomic(target, "done")
    assert target.read_text() == "done" and [p.name for p in target.parent.iterdir()] == ["out.txt"]
