"""The encrypted gallery store against its documented format, read by an independent decoder; its
refusals by their exact reasons; the losing commit slot; the wipe (survivors of its mutation campaign).

The round-trip tests in test_gallery_store.py pass whatever key derivation and associated data the
store uses, as long as it reads what it wrote: a changed HKDF salt (one key for every file) or AAD would
pass them and make every existing store unreadable, or weaker. The decoder here follows only the
module's docstring: RFC 5869 HKDF-SHA256 written with hmac, AES-256-GCM, the header and record layout.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import stat
import struct
from pathlib import Path

import numpy as np
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from enrollment.gallery import EncryptedStore, StoreCorruptError
from enrollment.gallery.encrypted_store import HEADER_SIZE, RECORD_SIZE
from simulation.synthetic_templates import random_templates

KEY = bytes(range(32))
INFO = b"personhood gallery store v1"
PREFIX = struct.Struct("<4sB3x16s")  # magic, version, 3 zero bytes, file id
SLOT = struct.Struct("<QQ12s16s")  # sequence, count, nonce, tag
SLOT_OFFSET, SLOT_SIZE = PREFIX.size, 64


def _records(seed: int, n: int, first_id: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    codes, masks = random_templates(np.random.default_rng(seed), n)
    return np.arange(first_id, first_id + n, dtype=np.int64), codes, masks


def _hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, length: int = 32) -> bytes:
    """RFC 5869, written out: extract, then expand."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block = b"", b""
    for counter in range(1, -(-length // 32) + 1):
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
    return out[:length]


def _decode(data: bytes, key: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The store's records as the docstring lays them out; raises AssertionError when it does not hold."""
    magic, version, file_id = PREFIX.unpack_from(data)
    assert (magic, version) == (b"PHGS", 1)
    assert data[PREFIX.size - 19 : PREFIX.size - 16] == bytes(3)  # the 3 reserved bytes
    for slot in (0, 1):  # a slot is 40 bytes of data in 64: the rest is zero, as is the header's tail
        at = SLOT_OFFSET + slot * SLOT_SIZE
        assert data[at + SLOT.size : at + SLOT_SIZE] == bytes(SLOT_SIZE - SLOT.size)
    assert data[SLOT_OFFSET + 2 * SLOT_SIZE : HEADER_SIZE] == bytes(HEADER_SIZE - SLOT_OFFSET - 2 * SLOT_SIZE)
    aead = AESGCM(_hkdf_sha256(key, salt=file_id, info=INFO))
    prefix = PREFIX.pack(magic, version, file_id)
    commits = []
    for slot in (0, 1):
        seq, count, nonce, tag = SLOT.unpack_from(data, SLOT_OFFSET + slot * SLOT_SIZE)
        if seq % 2 != slot:
            continue
        try:
            aead.decrypt(nonce, tag, prefix + b"commit" + struct.pack("<BQQ", slot, seq, count))
        except Exception:  # an unauthenticated slot is simply not a commit
            continue
        commits.append((seq, count))
    assert commits, "no commit slot authenticates under the documented derivation"
    _, count = max(commits)
    rows = []
    for i in range(count):
        at = HEADER_SIZE + i * RECORD_SIZE
        nonce, body = data[at : at + 12], data[at + 12 : at + RECORD_SIZE]
        rows.append(
            np.frombuffer(aead.decrypt(nonce, body, prefix + b"record" + struct.pack("<Q", i)), "<u8")
        )
    plain = np.stack(rows)
    return plain[:, 0].astype(np.int64), plain[:, 1:257], plain[:, 257:]


def test_an_independent_decoder_reads_the_documented_format_after_appends_and_a_rewrite(tmp_path: Path):
    path = tmp_path / "g.phgs"
    first, second = _records(1, 4, 10), _records(2, 3, 20)
    with EncryptedStore.open(path, KEY) as store:
        store.append(*first)
        store.append(*second)
        ids, codes, masks = _decode(path.read_bytes(), KEY)
        np.testing.assert_array_equal(ids, np.concatenate([first[0], second[0]]))
        np.testing.assert_array_equal(codes, np.concatenate([first[1], second[1]]))
        np.testing.assert_array_equal(masks, np.concatenate([first[2], second[2]]))
        store.rewrite([second])
    ids, codes, masks = _decode(path.read_bytes(), KEY)
    np.testing.assert_array_equal(ids, second[0])
    np.testing.assert_array_equal(codes, second[1])
    np.testing.assert_array_equal(masks, second[2])


def test_every_file_gets_its_own_key(tmp_path: Path):
    """Two stores under one station key: their file ids differ, so their derived keys do."""
    ids = []
    for name in ("a.phgs", "b.phgs"):
        with EncryptedStore.open(tmp_path / name, KEY) as store:
            store.append(*_records(3, 1, 1))
        ids.append(PREFIX.unpack_from((tmp_path / name).read_bytes())[2])
    assert ids[0] != ids[1]
    assert _hkdf_sha256(KEY, ids[0], INFO) != _hkdf_sha256(KEY, ids[1], INFO)


def test_records_come_back_with_their_types(tmp_path: Path):
    with EncryptedStore.open(tmp_path / "g.phgs", KEY) as store:
        store.append(*_records(4, 2, 7))
        ids, codes, masks = next(store.read_chunks())
    assert (ids.dtype, codes.dtype, masks.dtype) == (np.int64, np.uint64, np.uint64)


def test_a_new_store_file_is_private_to_its_owner(tmp_path: Path):
    path = tmp_path / "g.phgs"
    with EncryptedStore.open(path, KEY) as store:
        store.append(*_records(5, 1, 1))
        store.rewrite([_records(6, 1, 2)])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def _reason(path: Path, key: bytes = KEY) -> str:
    with pytest.raises(StoreCorruptError) as refused:
        EncryptedStore.open(path, key, create=False).close()
    assert refused.value.path == path
    return refused.value.reason


def test_each_refusal_names_the_file_and_its_reason(tmp_path: Path):
    path = tmp_path / "g.phgs"
    with EncryptedStore.open(path, KEY) as store:
        store.append(*_records(7, 3, 1))
    good = path.read_bytes()
    path.write_bytes(good[:100])
    assert _reason(path) == f"only 100 bytes, shorter than the {HEADER_SIZE}-byte header"
    path.write_bytes(b"XXXX" + good[4:])
    assert _reason(path) == "not a gallery store (bad magic)"
    path.write_bytes(good[:4] + b"\x07" + good[5:])
    assert _reason(path) == "format version 7, this code reads 1"
    path.write_bytes(good)
    assert _reason(path, bytes(32)) == "no commit slot authenticates (wrong key, or the header was altered)"
    path.write_bytes(good[: HEADER_SIZE + 2 * RECORD_SIZE + RECORD_SIZE // 2])
    assert _reason(path) == "truncated: the header commits 3 records, the file holds 2"
    with pytest.raises(
        FileNotFoundError, match=re.escape(f"gallery store {tmp_path / 'none'} does not exist")
    ):
        EncryptedStore.open(tmp_path / "none", KEY, create=False)


def test_a_record_that_fails_authentication_is_named_by_its_index(tmp_path: Path):
    path = tmp_path / "g.phgs"
    with EncryptedStore.open(path, KEY) as store:
        store.append(*_records(8, 4, 1))
    data = bytearray(path.read_bytes())
    data[HEADER_SIZE + 3 * RECORD_SIZE + 40] ^= 1  # the second record of the second chunk of two
    path.write_bytes(bytes(data))
    with EncryptedStore.open(path, KEY) as store, pytest.raises(StoreCorruptError) as refused:
        list(store.read_chunks(chunk_records=2))
    assert refused.value.path == path
    assert refused.value.reason == "record 3 fails authentication (altered, moved, or from another store)"


def test_a_file_cut_short_after_opening_names_the_record_it_ends_in(tmp_path: Path):
    path = tmp_path / "g.phgs"
    with EncryptedStore.open(path, KEY) as store:
        store.append(*_records(9, 5, 1))
        os.truncate(path, HEADER_SIZE + 3 * RECORD_SIZE + 10)
        with pytest.raises(StoreCorruptError) as refused:
            list(store.read_chunks(chunk_records=2))
    assert refused.value.path == path
    assert refused.value.reason == "file ends inside record 3"


@pytest.mark.parametrize("damage", ["tag", "odd sequence"])
def test_a_damaged_older_slot_leaves_the_newer_one_in_force(tmp_path: Path, damage: str):
    """Slot 0 is read first: when it is torn (bad tag) or holds garbage (an odd sequence), slot 1 still
    counts; stopping at slot 0 would refuse a healthy store."""
    path = tmp_path / "g.phgs"
    with EncryptedStore.open(path, KEY) as store:
        store.append(*_records(10, 2, 1))  # sequence 3: slot 1
    data = bytearray(path.read_bytes())
    if damage == "tag":
        data[SLOT_OFFSET + 40] ^= 0xFF
    else:
        data[SLOT_OFFSET : SLOT_OFFSET + 8] = struct.pack("<Q", 7)
    path.write_bytes(bytes(data))
    with EncryptedStore.open(path, KEY) as store:
        assert len(store) == 2


def test_a_rewrite_wipes_the_old_file_to_zeros_past_one_wipe_chunk(tmp_path: Path):
    """The old inode (kept alive here by a second link) is zeroed over its whole length, which is more
    than the 1 MiB the wipe writes at a time, and does not grow."""
    path = tmp_path / "g.phgs"
    with EncryptedStore.open(path, KEY) as store:
        store.append(*_records(11, 300, 1))
        old_link = tmp_path / "old.phgs"
        os.link(path, old_link)
        size = old_link.stat().st_size
        assert size > 1 << 20
        store.rewrite([_records(12, 1, 9999)])
    assert old_link.stat().st_size == size
    assert old_link.read_bytes() == bytes(size)


def test_a_failed_rewrite_leaves_the_store_and_no_temporary_file(tmp_path: Path):
    path = tmp_path / "g.phgs"
    with EncryptedStore.open(path, KEY) as store:
        store.append(*_records(13, 2, 1))
        ids, codes, masks = _records(14, 2, 5)
        with pytest.raises(ValueError):
            store.rewrite([(ids, codes[:, :10], masks)])  # codes of the wrong width
        assert len(store) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.phgs"]
    assert _decode(path.read_bytes(), KEY)[0].tolist() == [1, 2]


def test_a_rewrite_from_several_chunks_then_an_append_on_the_same_open_store(tmp_path: Path):
    """Chunks land one after another, and the open store keeps writing under the new file's key."""
    path = tmp_path / "g.phgs"
    chunks = [_records(15, 2, 1), _records(16, 3, 10), _records(17, 1, 20)]
    extra = _records(18, 2, 30)
    with EncryptedStore.open(path, KEY) as store:
        store.append(*_records(19, 1, 99))
        store.rewrite(chunks)
        assert len(store) == 6
        store.append(*extra)
    ids, codes, _ = _decode(path.read_bytes(), KEY)
    assert ids.tolist() == [1, 2, 10, 11, 12, 20, 30, 31]
    np.testing.assert_array_equal(codes, np.concatenate([c[1] for c in [*chunks, extra]]))
    with EncryptedStore.open(path, KEY) as store:
        assert np.concatenate([c[0] for c in store.read_chunks()]).tolist() == ids.tolist()
