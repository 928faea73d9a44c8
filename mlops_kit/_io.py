"""Small file helpers: atomic writes, content hashes and JSON-ready values.

Nothing is half-written: every writer goes to a temporary file in the same
folder and renames it into place, which is atomic on POSIX and Windows.
"""

from __future__ import annotations

import datetime
import enum
import hashlib
import json
import math
import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = [
    "atomic_path",
    "atomic_write_json",
    "atomic_write_text",
    "json_ready",
    "read_json",
    "sha256_file",
]


@contextmanager
def atomic_path(path: str | os.PathLike[str], *, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    On an exception the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL makes the name ours; mode 0o666 lets the umask decide the permissions, as
    # for any new file (tempfile.mkstemp would leave it readable by its owner only).
    tmp_path = target.parent / f".{target.name}.{secrets.token_hex(8)}{suffix or '.tmp'}"
    os.close(os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _atomic_write(path: str | os.PathLike[str], write: Callable[[IO[str]], None]) -> Path:
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="\n") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(path)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8) and return the path."""

    def write(fh: IO[str]) -> None:
        fh.write(text)

    return _atomic_write(path, write)


def atomic_write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    """Write ``obj`` as indented JSON to ``path`` atomically and return the path.

    NaN and infinity are refused (they are not JSON); convert them to ``None`` first.
    """
    text = json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False, default=_json_default)
    return atomic_write_text(path, text + "\n")


def read_json(path: str | os.PathLike[str]) -> Any:
    """Read a JSON file written by :func:`atomic_write_json`."""
    with Path(path).open(encoding="utf-8") as fh:
        return json.load(fh)


def sha256_file(path: str | os.PathLike[str], *, chunk_size: int = 1 << 20) -> str:
    """Return the hex SHA-256 of a file's bytes, read in chunks.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = p.write_bytes(b"abc")
    >>> sha256_file(p)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(chunk_size):
            digest.update(block)
    return digest.hexdigest()


def json_ready(value: Any) -> Any:
    """``value`` ready for JSON, by the kit's one rule: NumPy scalars become Python ones,
    enums their value, tuples lists (mappings and lists are converted item by item), and a
    float that is NaN or infinite becomes ``None`` (JSON has no such numbers).

    Examples
    --------
    >>> import numpy as np
    >>> json_ready({"a": np.float64(0.5), "b": (np.int64(2), float("inf")), "c": float("nan")})
    {'a': 0.5, 'b': [2, None], 'c': None}
    """
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, Mapping):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if hasattr(value, "item") and type(value) not in (str, bytes) and not getattr(value, "ndim", 0):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _json_default(obj: Any) -> Any:
    """Convert NumPy scalars, paths and dates (ISO 8601, as YAML writes them), which json
    cannot serialise by itself."""
    if isinstance(obj, datetime.date):  # a datetime is a date too
        return obj.isoformat()
    if hasattr(obj, "item") and callable(obj.item):
        return obj.item()
    if hasattr(obj, "tolist") and callable(obj.tolist):
        return obj.tolist()
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serialisable")
