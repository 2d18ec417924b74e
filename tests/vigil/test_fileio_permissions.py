"""Files the tools write get the permissions a plain `open(path, "w")` gives under the umask,
not mkstemp's 0600; and a failed write leaves nothing behind."""

import os
import stat

import pytest

from vigil.fileio import atomic_files, atomic_path, write_bytes_atomic, write_text_atomic


@pytest.fixture(params=[0o022, 0o002, 0o077, 0o027])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def plain_file_mode(tmp_path, name="reference") -> int:
    """The independent reference: what the kernel gives a file created the ordinary way."""
    path = tmp_path / name
    with open(path, "w") as f:
        f.write("x")
    return stat.S_IMODE(path.stat().st_mode)


def test_atomic_writers_use_the_umask(tmp_path, umask):
    expected = plain_file_mode(tmp_path)
    assert expected == 0o666 & ~umask
    write_text_atomic(tmp_path / "report.md", "# report\n")
    write_bytes_atomic(tmp_path / "deep" / "model.tflite", b"TFL3")
    for path in (tmp_path / "report.md", tmp_path / "deep" / "model.tflite"):
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


def test_atomic_path_replaces_an_existing_file_with_the_umask_mode(tmp_path, umask):
    target = tmp_path / "golden.json"
    target.write_text("old")
    os.chmod(target, 0o600)
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == plain_file_mode(tmp_path)


def test_atomic_files_move_files_written_normally(tmp_path, umask):
    with atomic_files(tmp_path / "gen") as staging:
        (staging / "a.c").write_text("int a;\n")
    assert stat.S_IMODE((tmp_path / "gen" / "a.c").stat().st_mode) == plain_file_mode(tmp_path)


def test_a_failed_write_leaves_no_file_and_no_temporary(tmp_path):
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "out.json") as tmp:
        tmp.write_text("partial")
        raise RuntimeError("the writer failed")
    assert list(tmp_path.iterdir()) == []
