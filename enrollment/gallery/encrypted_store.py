"""Append-only gallery store, encrypted at rest with AES-256-GCM; deletion rewrites it atomically.

File layout (little-endian):

    header  (HEADER_SIZE bytes)
      magic "PHGS", format version (1 byte), 3 zero bytes, file id (16 random bytes)
      two commit slots of SLOT_SIZE bytes: sequence (u64), record count (u64), nonce (12), GCM tag (16)
    records (RECORD_SIZE bytes each, record i at HEADER_SIZE + i * RECORD_SIZE)
      nonce (12) | AES-GCM ciphertext of [record id (u64) | code words (256 x u64) | mask words] | tag (16)

Keys: every file gets its own key, HKDF-SHA256(station key, salt=file id) (RFC 5869), so a rewrite
starts a fresh key and random 96-bit nonces stay far below the 2**32 messages per key that
NIST SP 800-38D §8.3 allows. Each record's associated data binds the file id and its position:
a record moved, swapped or copied from another file fails authentication. The commit slots are
authenticated the same way (a GCM tag over an empty message).

Crash safety: an append writes the record past the committed end and fsyncs, then writes the
other commit slot with the next sequence number and fsyncs. A crash before the second fsync
leaves the old commit in force and the half-written record beyond the committed end, where it
is ignored and later overwritten; a torn slot fails authentication and the other slot wins.
A file shorter than its committed records, an altered byte or the wrong key raise
StoreCorruptError. Deletion writes the remaining records to a new file (fresh file id), fsyncs,
renames it over the old one, fsyncs the directory, then overwrites the old file's bytes with
zeros through the still-open descriptor (on copy-on-write file systems and SSDs the old blocks
may survive physically; they stay encrypted under the station key).
"""

from __future__ import annotations

import os
import secrets
import struct
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from enrollment.iris.template import N_ANGLES
from hardware.locked_file import LockedFile, fsync_directory

from .errors import GalleryInputError, StoreCorruptError, StoreLockedError

MAGIC = b"PHGS"
FORMAT_VERSION = 1
KEY_BYTES = 32  # AES-256
FILE_ID_BYTES = 16
NONCE_BYTES = 12  # GCM's 96-bit IV (SP 800-38D §8.2.2, random construction)
TAG_BYTES = 16
_PREFIX = struct.Struct("<4sB3x16s")
_SLOT = struct.Struct("<QQ12s16s")
_INDEX = struct.Struct("<Q")
SLOT_SIZE = 64
HEADER_SIZE = 256
PLAINTEXT_SIZE = 8 + 2 * N_ANGLES * 8  # record id + code + mask
RECORD_SIZE = NONCE_BYTES + PLAINTEXT_SIZE + TAG_BYTES
READ_CHUNK_RECORDS = 4096  # ~16 MiB per read
_HKDF_INFO = b"personhood gallery store v1"
_WIPE_CHUNK = 1 << 20


def check_key(key: object) -> bytes:
    """Return `key` if it is 32 bytes, else raise GalleryInputError (the key itself is never echoed)."""
    if not isinstance(key, (bytes, bytearray)) or len(key) != KEY_BYTES:
        raise GalleryInputError(f"the store key must be {KEY_BYTES} bytes from the station keystore")
    return bytes(key)


class EncryptedStore:
    """An open store file, locked for this process. Use `open`; close it (or use `with`)."""

    def __init__(
        self, path: Path, key: bytes, file: LockedFile, file_id: bytes, seq: int, count: int
    ) -> None:
        self.path = path
        self._key = key
        self._file = file
        self._file_id = file_id
        self._aead = AESGCM(_file_key(key, file_id))
        self._seq = seq
        self._count = count

    # ----- opening -------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str], key: bytes, create: bool = True) -> EncryptedStore:
        """Open (or create, empty) the store at `path` under `key`; check its header and length.

        Raises GalleryInputError for a bad key, FileNotFoundError when missing and not `create`,
        StoreCorruptError for a damaged or foreign file, StoreLockedError when another process has it.
        """
        key = check_key(key)
        path = Path(path)
        if not path.exists():
            if not create:
                raise FileNotFoundError(f"gallery store {path} does not exist")
            _write_new_file(path, key, [])
        file = LockedFile.open(path, os.O_RDWR, 0o600, _busy)
        try:
            file_id, seq, count = _read_header(file.fd, path, key)
            return cls(path, key, file, file_id, seq, count)
        except BaseException:
            file.close()
            raise

    def close(self) -> None:
        """Release the lock and the file."""
        self._file.close()

    def __enter__(self) -> EncryptedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return self._count

    # ----- reading -------------------------------------------------------------------------------
    def read_chunks(self, chunk_records: int = READ_CHUNK_RECORDS) -> Iterator[tuple[np.ndarray, ...]]:
        """Yield (ids int64[k], codes uint64[k, 256], masks uint64[k, 256]) for all committed records.

        Raises StoreCorruptError at the first record that fails authentication.
        """
        for start in range(0, self._count, chunk_records):
            k = min(chunk_records, self._count - start)
            raw = os.pread(self._file.fd, k * RECORD_SIZE, HEADER_SIZE + start * RECORD_SIZE)
            if len(raw) != k * RECORD_SIZE:
                raise StoreCorruptError(
                    self.path, f"file ends inside record {start + len(raw) // RECORD_SIZE}"
                )
            yield _decrypt_records(self._aead, self._file_id, raw, start, self.path)

    # ----- writing -------------------------------------------------------------------------------
    def append(self, record_ids: np.ndarray, codes: np.ndarray, masks: np.ndarray) -> None:
        """Append records durably (all of them, or none if this raises or the machine crashes)."""
        data = _encrypt_records(self._aead, self._file_id, record_ids, codes, masks, self._count)
        fd = self._file.fd
        os.pwrite(fd, data, HEADER_SIZE + self._count * RECORD_SIZE)
        os.fsync(fd)
        new_count = self._count + len(record_ids)
        _write_slot(fd, self._aead, self._file_id, self._seq + 1, new_count)
        os.fsync(fd)
        self._seq += 1
        self._count = new_count

    def rewrite(self, chunks: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
        """Replace the whole store by `chunks` of (ids, codes, masks), atomically; wipe the old bytes."""
        _write_new_file(self.path, self._key, chunks)
        new_file = LockedFile.open(self.path, os.O_RDWR, 0o600, _busy)
        try:
            file_id, seq, count = _read_header(new_file.fd, self.path, self._key)
        except BaseException:
            new_file.close()
            raise
        old_file, self._file = self._file, new_file
        self._file_id, self._seq, self._count = file_id, seq, count
        self._aead = AESGCM(_file_key(self._key, file_id))
        try:
            _wipe(old_file.fd)
        finally:
            old_file.close()


def _file_key(key: bytes, file_id: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=file_id, info=_HKDF_INFO).derive(key)


def _prefix(file_id: bytes) -> bytes:
    return _PREFIX.pack(MAGIC, FORMAT_VERSION, file_id)


def _slot_aad(file_id: bytes, slot: int, seq: int, count: int) -> bytes:
    return _prefix(file_id) + b"commit" + struct.pack("<BQQ", slot, seq, count)


def _write_slot(fd: int, aead: AESGCM, file_id: bytes, seq: int, count: int) -> None:
    slot = seq % 2
    nonce = secrets.token_bytes(NONCE_BYTES)
    tag = aead.encrypt(nonce, b"", _slot_aad(file_id, slot, seq, count))
    os.pwrite(fd, _SLOT.pack(seq, count, nonce, tag).ljust(SLOT_SIZE, b"\0"), _PREFIX.size + slot * SLOT_SIZE)


def _read_header(fd: int, path: Path, key: bytes) -> tuple[bytes, int, int]:
    header = os.pread(fd, HEADER_SIZE, 0)
    if len(header) < HEADER_SIZE:
        raise StoreCorruptError(path, f"only {len(header)} bytes, shorter than the {HEADER_SIZE}-byte header")
    magic, version, file_id = _PREFIX.unpack_from(header)
    if magic != MAGIC:
        raise StoreCorruptError(path, "not a gallery store (bad magic)")
    if version != FORMAT_VERSION:
        raise StoreCorruptError(path, f"format version {version}, this code reads {FORMAT_VERSION}")
    aead = AESGCM(_file_key(key, file_id))
    best: tuple[int, int] | None = None
    for slot in (0, 1):
        seq, count, nonce, tag = _SLOT.unpack_from(header, _PREFIX.size + slot * SLOT_SIZE)
        if seq % 2 != slot:
            continue
        try:
            aead.decrypt(nonce, tag, _slot_aad(file_id, slot, seq, count))
        except InvalidTag:
            continue
        if best is None or seq > best[0]:
            best = (seq, count)
    if best is None:
        raise StoreCorruptError(path, "no commit slot authenticates (wrong key, or the header was altered)")
    seq, count = best
    size = os.fstat(fd).st_size
    held = (size - HEADER_SIZE) // RECORD_SIZE
    if held < count:
        raise StoreCorruptError(path, f"truncated: the header commits {count} records, the file holds {held}")
    return file_id, seq, count


def _record_aad(file_id: bytes, index: int) -> bytes:
    return _prefix(file_id) + b"record" + _INDEX.pack(index)


def _encrypt_records(
    aead: AESGCM, file_id: bytes, record_ids: np.ndarray, codes: np.ndarray, masks: np.ndarray, first: int
) -> bytes:
    plain = np.empty((len(record_ids), 1 + 2 * N_ANGLES), dtype="<u8")
    plain[:, 0] = record_ids
    plain[:, 1 : 1 + N_ANGLES] = codes
    plain[:, 1 + N_ANGLES :] = masks
    out = bytearray()
    for n, row in enumerate(plain):
        nonce = secrets.token_bytes(NONCE_BYTES)
        out += nonce + aead.encrypt(nonce, row.tobytes(), _record_aad(file_id, first + n))
    plain[:] = 0
    return bytes(out)


def _decrypt_records(
    aead: AESGCM, file_id: bytes, raw: bytes, first: int, path: Path
) -> tuple[np.ndarray, ...]:
    k = len(raw) // RECORD_SIZE
    view = memoryview(raw)
    decrypt, prefix = aead.decrypt, _prefix(file_id) + b"record"
    parts = []
    for n in range(k):
        at = n * RECORD_SIZE
        try:
            parts.append(
                decrypt(
                    view[at : at + NONCE_BYTES],
                    view[at + NONCE_BYTES : at + RECORD_SIZE],
                    prefix + _INDEX.pack(first + n),
                )
            )
        except InvalidTag:
            raise StoreCorruptError(
                path, f"record {first + n} fails authentication (altered, moved, or from another store)"
            ) from None
    plain = np.frombuffer(b"".join(parts), dtype="<u8").reshape(k, 1 + 2 * N_ANGLES)
    ids = plain[:, 0].astype(np.int64)
    codes = plain[:, 1 : 1 + N_ANGLES].astype(np.uint64)
    masks = plain[:, 1 + N_ANGLES :].astype(np.uint64)
    return ids, codes, masks


def _write_new_file(
    path: Path, key: bytes, chunks: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]]
) -> None:
    file_id = secrets.token_bytes(FILE_ID_BYTES)
    aead = AESGCM(_file_key(key, file_id))
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.pwrite(fd, _prefix(file_id).ljust(HEADER_SIZE, b"\0"), 0)
        count = 0
        for ids, codes, masks in chunks:
            data = _encrypt_records(aead, file_id, ids, codes, masks, count)
            os.pwrite(fd, data, HEADER_SIZE + count * RECORD_SIZE)
            count += len(ids)
        _write_slot(fd, aead, file_id, 2, count)  # seq 2: slot 0; slot 1 stays empty (invalid)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(tmp, path)
    fsync_directory(path.parent)


def _busy(path: Path) -> StoreLockedError:
    return StoreLockedError(f"gallery store {path} is open in another process; close that one first")


def _wipe(fd: int) -> None:
    size = os.fstat(fd).st_size
    zeros = bytes(_WIPE_CHUNK)
    for offset in range(0, size, _WIPE_CHUNK):
        os.pwrite(fd, zeros[: min(_WIPE_CHUNK, size - offset)], offset)
    os.fsync(fd)
