"""Verifying an audit log end to end: every line, signature, chain link, and the signed head.

Reports the first bad entry and why instead of raising, so `personhood audit verify` can print it.
Checks, per line i: it is complete (ends in a newline), canonical JSON of an audit entry, of the
same log as entry 0, has seq == i, prev == SHA-256 of line i-1, and a signature that recovers to
the log's device. Then the head: it must verify, belong to the same log and device, and name an
entry that exists with exactly that hash (fewer entries than the head records = truncation).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .audit_log import GENESIS_PREV, head_path_for, line_sha256, parse_entry_line, read_head
from .errors import AuditLogError, SignatureError
from .signed_json import verify_document


@dataclass(frozen=True)
class AuditVerification:
    """The verdict on one log: ok, how many entries verified, and the first problem if any.

    first_bad is the 0-based line index of the first bad entry (None when ok, or when only the
    head is wrong); device is the address that signed the log (None if not even entry 0 verified).
    """

    ok: bool
    entries: int
    device: str | None
    first_bad: int | None
    reason: str
    head_seq: int | None

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dict for `--json` output."""
        return {
            "ok": self.ok,
            "entries": self.entries,
            "device": self.device,
            "first_bad": self.first_bad,
            "reason": self.reason,
            "head_seq": self.head_seq,
        }


def verify_audit_log(
    path: Path, *, device: str | None = None, head: Path | None = None, require_head: bool = True
) -> AuditVerification:
    """Verify the log at `path` (and its head, `<path>.head` unless `head` is given).

    `device`: the address the log must be signed by (default: whoever signed entry 0; compare it
    with the registry's authorized devices). With `require_head=False` a missing head is accepted,
    but then a log truncated by whole entries cannot be told from a complete one.
    Raises AuditLogError only if the file cannot be read at all.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise AuditLogError(f"cannot read audit log {path}: {e}") from e
    lines = data.split(b"\n")
    torn = lines.pop()  # b"" when the file ends with a newline
    signer, log_id, prev, count = device, None, GENESIS_PREV, 0

    def bad(index: int | None, reason: str, head_seq: int | None = None) -> AuditVerification:
        return AuditVerification(False, count, signer, index, reason, head_seq)

    for i, line in enumerate(lines):
        try:
            doc = parse_entry_line(line)
        except (ValueError, UnicodeDecodeError) as e:
            return bad(i, f"entry {i} is malformed: {e}")
        if i == 0 and (doc["event"] != "audit.created" or doc["prev"] != GENESIS_PREV):
            return bad(i, "entry 0 is not the log's creation entry (entries dropped from the start?)")
        if log_id is not None and doc["log"] != log_id:
            return bad(i, f"entry {i} belongs to another log ({doc['log']})")
        if doc["seq"] != i:
            return bad(i, f"entry {i} has seq {doc['seq']}: an entry was dropped, inserted or reordered")
        if doc["prev"] != prev:
            return bad(i, f"entry {i} does not chain to entry {i - 1} (edited, dropped or reordered)")
        try:
            recovered = verify_document(doc, expected_device=signer)
        except SignatureError as e:
            return bad(i, f"entry {i} signature does not verify: {e} (edited?)")
        signer, log_id, prev, count = recovered, doc["log"], line_sha256(line), count + 1
    if torn:
        return bad(
            len(lines), f"last line is torn ({len(torn)} bytes without a newline: a crash during append?)"
        )
    if count == 0:
        return bad(None, "the log is empty")
    head_file = Path(head) if head is not None else head_path_for(path)
    try:
        head_doc = read_head(head_file)
    except AuditLogError as e:
        return bad(None, str(e))
    if head_doc is None:
        if require_head:
            return bad(None, f"head file {head_file} is missing: truncation cannot be ruled out")
        return AuditVerification(True, count, signer, None, "intact (no head checked)", None)
    head_seq = head_doc["seq"]
    if head_doc["log"] != log_id or head_doc["device"].lower() != str(signer).lower():
        return bad(None, "the head belongs to another log or device", head_seq)
    if head_seq >= count:
        return bad(
            count, f"truncated: the head records entry {head_seq} but the log has {count} entries", head_seq
        )
    if line_sha256(lines[head_seq]) != head_doc["entry_sha256"]:
        return bad(head_seq, f"entry {head_seq} does not match the hash in the head", head_seq)
    return AuditVerification(True, count, signer, None, "intact", head_seq)


def read_entries(path: Path) -> list[dict]:
    """Parse every complete line of a log (shape only, no signatures): for `personhood audit show`."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise AuditLogError(f"cannot read audit log {path}: {e.strerror}") from e
    out = []
    for i, line in enumerate(data.split(b"\n")[:-1]):
        try:
            out.append(parse_entry_line(line))
        except (ValueError, UnicodeDecodeError) as e:
            raise AuditLogError(f"entry {i} of {path} is malformed: {e}") from e
    return out
