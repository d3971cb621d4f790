"""The one lifecycle of a file a single process owns while it runs (journal, audit log, gallery store):
open it, take an exclusive non-blocking lock, hand the descriptor over, and close it exactly once;
plus the directory fsync that makes a rename durable.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from pathlib import Path


def fsync_directory(directory: Path) -> None:
    """fsync `directory`, so a rename or creation inside it survives a crash (POSIX leaves it volatile)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LockedFile:
    """An open descriptor on `path` holding an exclusive flock. Use `LockedFile.open`; `close` is idempotent.

    The lock is the descriptor's: it goes with `close` (or the process), and a second opener, in this
    process or another, is refused rather than made to wait.
    """

    def __init__(self, path: Path, fd: int) -> None:
        self.path, self._fd = path, fd

    @classmethod
    def open(cls, path: Path, flags: int, mode: int, busy: Callable[[Path], Exception]) -> LockedFile:
        """`os.open(path, flags, mode)` and lock it; raises `busy(path)` when another holder has the lock.

        OSError from os.open passes through; nothing stays open when this raises.
        """
        fd = os.open(path, flags, mode)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            os.close(fd)
            raise busy(path) from e
        except BaseException:
            os.close(fd)
            raise
        return cls(path, fd)

    @property
    def fd(self) -> int:
        """The descriptor; ValueError once closed (so a closed file is never written through)."""
        if self._fd < 0:
            raise ValueError(f"{self.path} is closed")
        return self._fd

    @property
    def closed(self) -> bool:
        return self._fd < 0

    def close(self) -> None:
        """Close the descriptor and release the lock (idempotent)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> LockedFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
