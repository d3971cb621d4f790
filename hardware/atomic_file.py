"""Atomic, owner-only file writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .locked_file import fsync_directory

PRIVATE_MODE = 0o600  # keystores, audit heads: owner read/write only


def write_private_file(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write `data` to `path` with mode 0600 via a fsynced temp file and rename.

    With `overwrite=False` an existing `path` raises FileExistsError (checked at the rename, so a
    concurrent creator cannot be clobbered). The parent directory must exist; it is fsynced so the
    rename survives a crash.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, PRIVATE_MODE)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails with FileExistsError instead of replacing
            os.unlink(tmp)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    fsync_directory(path.parent)
