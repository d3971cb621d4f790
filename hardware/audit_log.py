"""The station's append-only audit log: hash-chained JSON lines, each signed by the device key.

One entry per line, canonical JSON (see signed_json.py):

    {"kind": "personhood.audit-entry/1", "log": <id>, "seq": n, "time": <RFC 3339 UTC>,
     "event": "enrollment.accepted", "payload": {...}, "prev": <sha256 of line n-1>,
     "device": <address>, "sig": <EIP-191 signature>}

Entry 0 is `audit.created` with prev = 64 zeros. Editing an entry breaks its signature, dropping or
reordering breaks `seq` and `prev`; a crash mid-append leaves a last line without its newline, which
is detected (and can only be discarded explicitly, leaving a signed record that it happened).
Truncating whole entries off the end keeps a valid chain, so every append also rewrites, atomically,
a signed head file `<log>.head` naming the last entry's seq and hash; the log may run ahead of the
head by entries appended before a crash, never behind it. Rolling log and head back together to an
earlier state needs an outside anchor (publish the head hash, e.g. alongside each on-chain batch).

Payloads carry decisions and reasons only (audit_payload.py refuses anything else).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .atomic_file import PRIVATE_MODE, write_private_file
from .audit_payload import PayloadPolicy, check_payload
from .device_key import DeviceKey
from .errors import AuditLogError, SignatureError
from .locked_file import LockedFile
from .signed_json import canonical_json, parse_json_object, sign_document, verify_document

ENTRY_KIND = "personhood.audit-entry/1"
HEAD_KIND = "personhood.audit-head/1"
GENESIS_PREV = "0" * 64
ENTRY_FIELDS = frozenset({"kind", "log", "seq", "time", "event", "payload", "prev", "device", "sig"})
HEAD_FIELDS = frozenset({"kind", "log", "seq", "entry_sha256", "device", "sig"})
MAX_LINE_BYTES = 16 * 1024  # a payload is at most 4 KiB of JSON; the envelope adds < 1 KiB
EVENT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")


def head_path_for(log_path: Path) -> Path:
    """Where the signed head of the log at `log_path` lives."""
    return Path(str(log_path) + ".head")


def line_sha256(line: bytes) -> str:
    """Hex SHA-256 of one log line without its newline (the chain link to the next entry)."""
    return hashlib.sha256(line).hexdigest()


def utc_now() -> str:
    """The current time as RFC 3339 UTC with microseconds (`2026-01-02T03:04:05.123456Z`)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def check_event(event: str) -> str:
    """`event` if it is a dotted lower-case name like `enrollment.refused`; else AuditLogError."""
    if not isinstance(event, str) or not 0 < len(event) <= 64 or not set(event) <= EVENT_CHARS:
        raise AuditLogError(f"event {event!r} must be a dotted lower-case name, at most 64 characters")
    return event


@dataclass(frozen=True)
class AuditEntry:
    """One parsed, signed entry and the exact line it was read from (or written as)."""

    seq: int
    time: str
    event: str
    payload: Mapping[str, object]
    device: str
    line: bytes

    @property
    def sha256(self) -> str:
        """The chain hash the next entry's `prev` must equal."""
        return line_sha256(self.line)


def parse_entry_line(line: bytes) -> dict:
    """Parse one line into its document, checking shape and canonical form (no signature check)."""
    if len(line) > MAX_LINE_BYTES:
        raise ValueError(f"line is longer than {MAX_LINE_BYTES} bytes")
    doc = parse_json_object(line)
    if set(doc) != ENTRY_FIELDS or doc["kind"] != ENTRY_KIND:
        raise ValueError("not an audit entry (unexpected fields or kind)")
    if type(doc["seq"]) is not int or not isinstance(doc["payload"], dict):
        raise ValueError("seq must be an integer and payload an object")
    for name in ("log", "time", "event", "prev", "device"):
        if not isinstance(doc[name], str):
            raise ValueError(f"{name} must be a string")
    if canonical_json(doc) != line:
        raise ValueError("line is not in canonical form (edited by hand?)")
    return doc


class AuditLog:
    """Appends signed entries to one log file; holds an exclusive lock on it while open.

    Use `AuditLog.open(path, key)`; one writer per file (a second gets AuditLogError).
    """

    def __init__(self, path: Path, key: DeviceKey, file: LockedFile, log_id: str, next_seq: int, prev: str,
                 policy: PayloadPolicy, clock: Callable[[], str]) -> None:  # fmt: skip
        self.path, self._key, self._file = path, key, file
        self.log_id, self.next_seq, self._prev = log_id, next_seq, prev
        self._policy, self._clock = policy, clock

    @classmethod
    def open(
        cls,
        path: Path,
        key: DeviceKey,
        *,
        recover_torn_tail: bool = False,
        policy: PayloadPolicy | None = None,
        clock: Callable[[], str] = utc_now,
    ) -> AuditLog:
        """Open (creating if absent) the log at `path` for appending with `key`.

        Refuses (AuditLogError) a log that is locked by another writer, belongs to another device,
        whose last entry or head does not verify, or whose last line is torn — unless
        `recover_torn_tail`, which cuts the torn bytes and logs `audit.torn_tail_discarded`.
        """
        path = Path(path)
        try:
            file = LockedFile.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, PRIVATE_MODE, _busy)
        except OSError as e:
            raise AuditLogError(f"cannot open audit log {path}: {e.strerror}") from e
        try:
            log = cls._resume(path, key, file, recover_torn_tail, policy or PayloadPolicy(), clock)
        except BaseException:
            file.close()
            raise
        return log

    @classmethod
    def _resume(cls, path, key, file, recover_torn_tail, policy, clock) -> AuditLog:
        fd = file.fd
        size = os.fstat(fd).st_size
        start = max(0, size - 2 * MAX_LINE_BYTES - 2)
        tail = os.pread(fd, size - start, start)
        torn = b""
        if tail and not tail.endswith(b"\n"):
            torn = tail[tail.rfind(b"\n") + 1 :]
            if not recover_torn_tail:
                raise AuditLogError(
                    f"audit log {path} ends in a torn line ({len(torn)} bytes, a crash during append?); "
                    "run `personhood audit verify` and reopen with recovery to discard it"
                )
            os.ftruncate(fd, size - len(torn))
            os.fsync(fd)
            tail = tail[: len(tail) - len(torn)]
        lines = tail.split(b"\n")[:-1]
        head = _read_head(head_path_for(path), key.address)
        if not lines:  # empty file (a torn first line was cut above)
            if head is not None:
                raise AuditLogError(f"audit log {path} is empty but its head records entry {head['seq']}")
            log = cls(path, key, file, secrets.token_hex(16), 0, GENESIS_PREV, policy, clock)
            log._write("audit.created", {"log_format": ENTRY_KIND})
        else:
            last_line = lines[-1]
            try:
                doc = parse_entry_line(last_line)
                verify_document(doc, expected_device=key.address)
            except (ValueError, SignatureError) as e:
                raise AuditLogError(
                    f"audit log {path}: last entry does not verify ({e}); refusing to append"
                ) from e
            if head is None or head["log"] != doc["log"] or head["seq"] > doc["seq"]:
                raise AuditLogError(f"audit log {path}: head file missing or ahead of the log (truncated?)")
            if head["seq"] == doc["seq"] and head["entry_sha256"] != line_sha256(last_line):
                raise AuditLogError(f"audit log {path}: last entry does not match the head")
            log = cls(path, key, file, doc["log"], doc["seq"] + 1, line_sha256(last_line), policy, clock)
        if torn:
            log._write(
                "audit.torn_tail_discarded", {"bytes": len(torn), "sha256": hashlib.sha256(torn).hexdigest()}
            )
        return log

    def append(self, event: str, payload: Mapping[str, object] | None = None) -> AuditEntry:
        """Sign and durably append one entry (fsynced before returning); updates the head.

        Raises AuditLogError for a bad event name or a payload the policy refuses (nothing written).
        """
        return self._write(check_event(event), check_payload(payload or {}, self._policy))

    def _write(self, event: str, payload: dict[str, object]) -> AuditEntry:
        if self._file.closed:
            raise AuditLogError(f"audit log {self.path} is closed")
        body = {
            "kind": ENTRY_KIND,
            "log": self.log_id,
            "seq": self.next_seq,
            "time": self._clock(),
            "event": event,
            "payload": payload,
            "prev": self._prev,
        }
        line = canonical_json(sign_document(self._key, body))
        if len(line) > MAX_LINE_BYTES:
            raise AuditLogError(f"entry would be {len(line)} bytes; the limit is {MAX_LINE_BYTES}")
        os.write(self._file.fd, line + b"\n")  # one write on an O_APPEND descriptor
        os.fsync(self._file.fd)
        entry = AuditEntry(self.next_seq, body["time"], event, payload, self._key.address, line)  # type: ignore[arg-type]
        head = sign_document(
            self._key, {"kind": HEAD_KIND, "log": self.log_id, "seq": entry.seq, "entry_sha256": entry.sha256}
        )
        write_private_file(head_path_for(self.path), canonical_json(head) + b"\n")
        self.next_seq, self._prev = entry.seq + 1, entry.sha256
        return entry

    def close(self) -> None:
        """Release the lock and close the file (idempotent)."""
        self._file.close()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _busy(path: Path) -> AuditLogError:
    return AuditLogError(f"audit log {path} is open in another writer")


def read_head(path: Path) -> dict | None:
    """The parsed, signature-checked head document at `path`, or None if there is none."""
    return _read_head(Path(path), None)


def _read_head(path: Path, expected_device: str | None) -> dict | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        head = parse_json_object(data.rstrip(b"\n"))
        if set(head) != HEAD_FIELDS or head["kind"] != HEAD_KIND or type(head["seq"]) is not int:
            raise ValueError("unexpected fields or kind")
        verify_document(head, expected_device=expected_device)
    except (ValueError, SignatureError) as e:
        raise AuditLogError(f"audit head {path} does not verify: {e}") from e
    return head
