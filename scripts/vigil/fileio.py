"""File helpers: hashing and all-or-nothing writes (temp file, then rename)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from vigil.errors import VigilError


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def current_umask() -> int:
    """The process's umask (os.umask can only be read by setting it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def created_mode() -> int:
    """The permissions `open(path, "w")` gives a new file: 0666 less the umask."""
    return 0o666 & ~current_umask()


def _blocking_ancestor(path: Path) -> Path | None:
    """The nearest existing ancestor of `path` when it is not a folder (nothing can be made under it)."""
    for parent in path.parents:
        if parent.exists() or parent.is_symlink():
            return None if parent.is_dir() else parent
    return None


def _existing(folder: Path) -> Path:
    """`folder`, or its nearest ancestor that exists."""
    folder = Path(folder).absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def check_output_file(target: Path, what: str = "output file") -> Path:
    """Refuse, before any work, a file output that cannot be written: a folder, something that
    is not a regular file (a device, a pipe), or a path under a file."""
    target = Path(target)
    if target.is_dir():
        raise VigilError(f"{target}: is a folder, expected the {what} to write")
    if target.exists() and not target.is_file():
        raise VigilError(f"{target}: is not a regular file, cannot write the {what} there")
    blocking = _blocking_ancestor(target)
    if blocking is not None:
        raise VigilError(f"{target}: cannot write the {what}: {blocking} is a file, not a folder")
    return target


def check_output_dir(out_dir: Path, what: str = "output folder") -> Path:
    """Refuse, before any work, a folder output that cannot be made: an existing file, or a path under one."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise VigilError(f"{out_dir}: is a file, expected the {what}")
    blocking = _blocking_ancestor(out_dir)
    if blocking is not None:
        raise VigilError(f"{out_dir}: cannot make the {what}: {blocking} is a file, not a folder")
    return out_dir


def _cannot_write(target: Path, e: OSError) -> VigilError:
    return VigilError(f"{target}: cannot write ({e.strerror or type(e).__name__})")


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to `target`; rename it over `target` only on success.

    mkstemp makes its file 0600; the result gets the permissions of a file written in place.
    """
    target = check_output_file(target)
    try:  # the temporary file waits in the nearest existing folder: no folder is made for a failure
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=_existing(target.parent))
    except OSError as e:
        raise _cannot_write(target, e) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if tmp_path.is_file():
            os.chmod(tmp_path, created_mode())
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_path, target)
        except OSError as e:
            raise _cannot_write(target, e) from None
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_bytes_atomic(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(target: Path, text: str) -> None:
    write_bytes_atomic(target, text.encode("utf-8"))


@contextlib.contextmanager
def atomic_files(out_dir: Path) -> Iterator[Path]:
    """Yield a staging directory; on success move every file in it into `out_dir`.

    Nothing appears in `out_dir` unless the whole set was produced.
    """
    out_dir = check_output_dir(out_dir)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=_existing(out_dir.parent)))
    except OSError as e:
        raise _cannot_write(out_dir, e) from None
    try:
        yield staging
        items = [item for item in sorted(staging.rglob("*")) if item.is_file()]
        try:
            for item in items:  # every destination checked before the first file moves
                check_output_file(out_dir / item.relative_to(staging), "generated file")
            out_dir.mkdir(parents=True, exist_ok=True)
            for item in items:
                dest = out_dir / item.relative_to(staging)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(item, dest)
        except OSError as e:
            raise _cannot_write(out_dir, e) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def read_text(path: Path, what: str) -> str:
    """A UTF-8 text file, or one VigilError naming it: missing, a folder, unreadable, or binary."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise VigilError(f"{path}: {what} not found") from None
    except IsADirectoryError:
        raise VigilError(f"{path}: is a folder, expected a {what}") from None
    except OSError as e:
        raise VigilError(f"{path}: cannot read {what} ({e.strerror or e})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise VigilError(f"{path}: {what} is not UTF-8 text (byte {e.start})") from None
    if "\0" in text:
        raise VigilError(f"{path}: {what} is binary, not text (NUL at character {text.index(chr(0))})")
    return text


class _DuplicateKey(Exception):
    def __init__(self, key, line: int):
        self.key, self.line = key, line


def _yaml_loader():
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        """YAML keeps the last of two equal keys; a document that has them is refused."""

        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:  # an unhashable key: SafeLoader reports it
                    continue
                if duplicate:
                    raise _DuplicateKey(key, key_node.start_mark.line + 1)
                seen.add(key)
            return super().construct_mapping(node, deep)

    return UniqueKeyLoader


def load_yaml(path: Path, what: str):
    """A YAML document, or one VigilError naming the file: missing, unreadable, not YAML, or
    with a key twice in one mapping."""
    import yaml

    path = Path(path)
    text = read_text(path, what)
    try:
        return yaml.load(text, Loader=_yaml_loader())  # noqa: S506 - a SafeLoader
    except _DuplicateKey as e:
        raise VigilError(f"{path}: line {e.line}: duplicate key '{e.key}'") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise VigilError(f"{path}: not valid YAML{f' at line {mark.line + 1}' if mark else ''}") from None
    except RecursionError:
        raise VigilError(f"{path}: {what} is nested too deeply") from None


def load_json(path: Path, what: str):
    """A JSON document, or one VigilError naming the file: missing, unreadable, not JSON, a key
    twice in one object, or NaN / Infinity (which JSON does not have)."""
    path = Path(path)
    text = read_text(path, what)

    def unique(pairs):
        seen = {}
        for key, value in pairs:
            if key in seen:
                raise VigilError(f"{path}: duplicate key '{key}' in {what}")
            seen[key] = value
        return seen

    def no_constant(name):
        raise VigilError(f"{path}: {what} holds {name}, which is not a JSON number")

    try:
        return json.loads(text, object_pairs_hook=unique, parse_constant=no_constant)
    except json.JSONDecodeError as e:
        raise VigilError(f"{path}: {what} is not valid JSON (line {e.lineno})") from None
    except RecursionError:
        raise VigilError(f"{path}: {what} is nested too deeply") from None


def dump_json(doc, indent: int | None = 1) -> str:
    """Strict JSON text: a NaN or infinite number is a bug, never written."""
    return json.dumps(doc, indent=indent, allow_nan=False) + "\n"
