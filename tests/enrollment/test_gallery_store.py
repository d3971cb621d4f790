"""The encrypted store: round trip, tamper and truncation detection, crash safety, real deletion."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from enrollment.gallery import EncryptedStore, GalleryInputError, StoreCorruptError, StoreLockedError
from enrollment.gallery.encrypted_store import HEADER_SIZE, RECORD_SIZE
from simulation.synthetic_templates import random_templates

KEY = bytes(range(32))


def records(seed: int, n: int, first_id: int = 100) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    codes, masks = random_templates(np.random.default_rng(seed), n)
    return np.arange(first_id, first_id + n, dtype=np.int64), codes, masks


def read_all(path: Path, key: bytes = KEY) -> tuple[np.ndarray, ...]:
    with EncryptedStore.open(path, key, create=False) as store:
        parts = list(store.read_chunks(chunk_records=3))
    if not parts:
        return np.zeros(0, np.int64), np.zeros((0, 256), np.uint64), np.zeros((0, 256), np.uint64)
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    path = tmp_path / "g.phgs"
    with EncryptedStore.open(path, KEY) as store:
        store.append(*records(1, 5))
        store.append(*records(2, 2, first_id=200))
    return path


def test_round_trip_and_nothing_in_clear(store_file: Path) -> None:
    ids, codes, masks = read_all(store_file)
    want = [np.concatenate(c) for c in zip(records(1, 5), records(2, 2, first_id=200), strict=True)]
    assert ids.tolist() == want[0].tolist()
    assert np.array_equal(codes, want[1]) and np.array_equal(masks, want[2])
    raw = store_file.read_bytes()
    assert len(raw) == HEADER_SIZE + 7 * RECORD_SIZE
    assert codes[0, :4].astype("<u8").tobytes() not in raw  # templates are never stored in clear
    assert masks[3, 10:14].astype("<u8").tobytes() not in raw


def test_wrong_key_is_refused(store_file: Path) -> None:
    with pytest.raises(StoreCorruptError, match="wrong key"):
        EncryptedStore.open(store_file, bytes(32), create=False)


@pytest.mark.parametrize("bad", [b"short", "x" * 32, bytes(31), bytes(33), None])
def test_bad_key_is_an_input_error(tmp_path: Path, bad: object) -> None:
    with pytest.raises(GalleryInputError, match="32 bytes"):
        EncryptedStore.open(tmp_path / "x.phgs", bad)  # type: ignore[arg-type]
    assert not (tmp_path / "x.phgs").exists()  # nothing was created


@pytest.mark.parametrize("offset", [HEADER_SIZE + 20, HEADER_SIZE + 3 * RECORD_SIZE + 4000])
def test_a_flipped_byte_in_a_record_is_detected(store_file: Path, offset: int) -> None:
    data = bytearray(store_file.read_bytes())
    data[offset] ^= 0x01
    store_file.write_bytes(bytes(data))
    with pytest.raises(StoreCorruptError, match=r"record \d+ fails authentication"):
        read_all(store_file)


def test_swapped_records_are_detected(store_file: Path) -> None:
    data = bytearray(store_file.read_bytes())
    a, b = HEADER_SIZE, HEADER_SIZE + RECORD_SIZE
    data[a:b], data[b : b + RECORD_SIZE] = data[b : b + RECORD_SIZE], data[a:b]
    store_file.write_bytes(bytes(data))
    with pytest.raises(StoreCorruptError, match="record 0 fails authentication"):
        read_all(store_file)


def test_a_record_from_another_store_is_detected(tmp_path: Path, store_file: Path) -> None:
    other = tmp_path / "other.phgs"
    with EncryptedStore.open(other, KEY) as store:
        store.append(*records(9, 7))
    data = bytearray(store_file.read_bytes())
    data[HEADER_SIZE : HEADER_SIZE + RECORD_SIZE] = other.read_bytes()[
        HEADER_SIZE : HEADER_SIZE + RECORD_SIZE
    ]
    store_file.write_bytes(bytes(data))
    with pytest.raises(StoreCorruptError, match="record 0"):
        read_all(store_file)


@pytest.mark.parametrize("cut", [1, RECORD_SIZE, RECORD_SIZE + 100, 6 * RECORD_SIZE])
def test_truncation_is_detected(store_file: Path, cut: int) -> None:
    with open(store_file, "r+b") as f:
        f.truncate(os.path.getsize(store_file) - cut)
    with pytest.raises(StoreCorruptError, match="truncated: the header commits 7 records"):
        EncryptedStore.open(store_file, KEY, create=False)


@pytest.mark.parametrize("size", [0, 10, HEADER_SIZE - 1])
def test_a_file_shorter_than_its_header_is_detected(store_file: Path, size: int) -> None:
    with open(store_file, "r+b") as f:
        f.truncate(size)
    with pytest.raises(StoreCorruptError, match="header"):
        EncryptedStore.open(store_file, KEY, create=False)


def test_not_a_store_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "junk.phgs"
    path.write_bytes(b"JUNK" + bytes(400))
    with pytest.raises(StoreCorruptError, match="bad magic"):
        EncryptedStore.open(path, KEY, create=False)


@pytest.mark.parametrize("written", [1, 100, RECORD_SIZE - 1, RECORD_SIZE])
def test_crash_while_writing_a_record_leaves_the_old_store(
    store_file: Path, tmp_path: Path, written: int
) -> None:
    before = store_file.read_bytes()
    after_path = tmp_path / "after.phgs"
    shutil.copy(store_file, after_path)
    with EncryptedStore.open(after_path, KEY) as store:
        store.append(*records(3, 1, first_id=300))
    new_record = after_path.read_bytes()[len(before) : len(before) + RECORD_SIZE]
    # the machine died after `written` bytes of the record reached the disk, before the commit
    store_file.write_bytes(before + new_record[:written])
    ids, _, _ = read_all(store_file)
    assert ids.tolist() == [100, 101, 102, 103, 104, 200, 201]
    with EncryptedStore.open(store_file, KEY) as store:  # and the next append overwrites the residue
        store.append(*records(4, 1, first_id=400))
    assert read_all(store_file)[0].tolist() == [100, 101, 102, 103, 104, 200, 201, 400]


def test_crash_while_writing_the_commit_keeps_the_previous_commit(store_file: Path) -> None:
    with EncryptedStore.open(store_file, KEY) as store:
        store.append(*records(3, 1, first_id=300))
    assert len(read_all(store_file)[0]) == 8
    # a torn write of the newest commit slot (sequence 5 lives in slot 1)
    data = bytearray(store_file.read_bytes())
    slot1 = 24 + 64
    data[slot1 + 30 : slot1 + 44] = os.urandom(14)
    store_file.write_bytes(bytes(data))
    assert read_all(store_file)[0].tolist() == [100, 101, 102, 103, 104, 200, 201]


def test_deletion_rewrites_and_the_bytes_are_gone(store_file: Path) -> None:
    old = store_file.read_bytes()
    victim = old[HEADER_SIZE + 2 * RECORD_SIZE : HEADER_SIZE + 3 * RECORD_SIZE]
    with EncryptedStore.open(store_file, KEY) as store:
        ids, codes, masks = read_all_from(store)
        keep = ids != 102
        store.rewrite([(ids[keep], codes[keep], masks[keep])])
        assert len(store) == 6
    new = store_file.read_bytes()
    assert victim not in new
    assert all(
        old[HEADER_SIZE + i * RECORD_SIZE : HEADER_SIZE + (i + 1) * RECORD_SIZE] not in new for i in range(7)
    )
    assert read_all(store_file)[0].tolist() == [100, 101, 103, 104, 200, 201]
    assert [p.name for p in store_file.parent.iterdir()] == [store_file.name]  # no temp file left


def read_all_from(store: EncryptedStore) -> tuple[np.ndarray, ...]:
    return tuple(np.concatenate(c) for c in zip(*store.read_chunks(), strict=True))


def test_a_second_writer_is_refused(store_file: Path) -> None:
    with EncryptedStore.open(store_file, KEY), pytest.raises(StoreLockedError, match="another process"):
        EncryptedStore.open(store_file, KEY)


def test_errors_survive_pickling() -> None:
    # Ray carries a shard actor's error back to the caller by pickling it.
    import pickle

    from enrollment.gallery import DuplicateRecordError, RecordNotFoundError

    for error in (StoreCorruptError("/x", "why"), DuplicateRecordError(5), RecordNotFoundError(6)):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error) and copy.__dict__ == error.__dict__
