"""The one locked-file lifecycle (hardware/locked_file.py) the journal, audit log and gallery store share."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hardware.locked_file import LockedFile, fsync_directory


class BusyError(Exception):
    pass


def _open(path: Path) -> LockedFile:
    return LockedFile.open(path, os.O_RDWR | os.O_CREAT, 0o600, lambda p: BusyError(str(p)))


def test_a_second_holder_is_refused_until_the_first_closes(tmp_path: Path) -> None:
    path = tmp_path / "f"
    first = _open(path)
    with pytest.raises(BusyError, match=str(path)):
        _open(path)
    first.close()
    first.close()  # idempotent
    with _open(path) as second:
        os.write(second.fd, b"x")
    assert path.read_bytes() == b"x"
    assert second.closed


def test_a_closed_file_cannot_be_written_through(tmp_path: Path) -> None:
    file = _open(tmp_path / "f")
    file.close()
    with pytest.raises(ValueError, match="closed"):
        _ = file.fd


def test_open_errors_leave_nothing_open(tmp_path: Path) -> None:
    before = len(os.listdir("/proc/self/fd"))
    with pytest.raises(FileNotFoundError):
        LockedFile.open(tmp_path / "missing" / "f", os.O_RDWR, 0o600, BusyError)
    assert len(os.listdir("/proc/self/fd")) == before
    fsync_directory(tmp_path)  # a directory fsync works on an existing folder
