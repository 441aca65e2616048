"""Writing results safely: atomic files and JSON without NaN.

Used by ``multilat run --out``, the sweep's results folder and the exports: a reader
never sees a half-written file, and JSON never holds ``NaN`` (which is not JSON).
:class:`StoreError` is how a results folder that cannot be used is reported (defined
here so that the command line can name it without importing pyarrow).
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


class StoreError(RuntimeError):
    """A results folder cannot be used as asked (busy, damaged); one line."""


def json_safe(value: Any) -> Any:
    """``value`` with every NaN or infinite float replaced by None (valid JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return json_safe(value.item())
    return value


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` by ``write(tmp)`` to a temporary file in its directory, then rename.

    Readers never see a half-written file; the file gets the usual permissions
    (``0o666`` minus the umask), not the private ones of a temporary file. Its data
    reach the disk before the rename (``fsync``), so a power cut or a crash of the
    machine leaves the old file or the new one, never a renamed empty one.
    """
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        _sync(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
