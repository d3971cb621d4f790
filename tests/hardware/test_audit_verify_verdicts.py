"""Every verdict of `verify_audit_log`, field by field: ok, entries, device, first bad entry, reason, head.

test_audit_log.py checks that each kind of tampering is caught; these pin WHAT the verdict says, which
is what an operator reads (tests/mutation/BASELINE.md: a reason emptied, a count off by one or the
wrong entry blamed used to pass).
"""

from __future__ import annotations

import json

import pytest

from hardware.audit_log import AuditLog, head_path_for
from hardware.audit_verify import AuditVerification, read_entries, verify_audit_log
from hardware.errors import AuditLogError
from hardware.keystore import KeystoreDeviceKey, ScryptParams
from hardware.signed_json import canonical_json, sign_document

FAST = ScryptParams(n=2**14)
EVENTS = [
    "enrollment.refused",
    "enrollment.accepted",
    "enrollment.refused",
    "device.rotated",
    "station.closed",
]
ENTRIES = 1 + len(EVENTS)  # the creation entry, then one per event


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    return tuple(
        KeystoreDeviceKey.create(folder / f"{name}.json", "correct horse battery", FAST)
        for name in ("a", "b")
    )


def _write_log(path, key):
    with AuditLog.open(path, key) as log:
        for i, event in enumerate(EVENTS):
            log.append(event, {"reason": f"r{i}"})
    return path


@pytest.fixture
def log(tmp_path, keys):
    return _write_log(tmp_path / "audit.log", keys[0])


def _lines(path):
    return path.read_bytes().split(b"\n")[:-1]


def _rewrite(path, lines):
    path.write_bytes(b"".join(line + b"\n" for line in lines))


def _verdict(result: AuditVerification) -> tuple:
    return result.ok, result.entries, result.device, result.first_bad, result.reason, result.head_seq


def test_an_intact_log(log, keys):
    address = keys[0].address
    assert _verdict(verify_audit_log(log)) == (True, ENTRIES, address, None, "intact", ENTRIES - 1)
    assert verify_audit_log(log, device=address.lower()).ok  # addresses compare case-insensitively
    head = head_path_for(log)
    head.unlink()
    assert _verdict(verify_audit_log(log, require_head=False)) == (
        True, ENTRIES, address, None, "intact (no head checked)", None,
    )  # fmt: skip
    assert _verdict(verify_audit_log(log)) == (
        False, ENTRIES, address, None, f"head file {head} is missing: truncation cannot be ruled out", None,
    )  # fmt: skip
    assert verify_audit_log(log).as_dict() == {
        "ok": False,
        "entries": ENTRIES,
        "device": address,
        "first_bad": None,
        "reason": f"head file {head} is missing: truncation cannot be ruled out",
        "head_seq": None,
    }


def test_verdicts_on_the_lines(log, keys, tmp_path):
    address, lines = keys[0].address, _lines(log)
    cases = {
        "malformed": ([*lines[:2], b"{not json", *lines[3:]], (2, 2, "entry 2 is malformed: ")),
        "first dropped": (
            lines[1:],
            (0, 0, "entry 0 is not the log's creation entry (entries dropped from the start?)"),
        ),
        "dropped": (
            lines[:3] + lines[4:],
            (3, 3, "entry 3 has seq 4: an entry was dropped, inserted or reordered"),
        ),
        "edited": (
            [*lines[:2], lines[2].replace(b'"r1"', b'"r9"'), *lines[3:]],
            (2, 2, "entry 2 signature does not verify: "),
        ),
    }
    other = _lines(_write_log(tmp_path / "other.log", keys[0]))  # same device, another log
    other_id = json.loads(other[0])["log"]
    cases["foreign"] = (lines[:3] + other[3:], (3, 3, f"entry 3 belongs to another log ({other_id})"))
    for name, (changed, (first_bad, entries, reason)) in cases.items():
        _rewrite(log, changed)
        result = verify_audit_log(log)
        device = None if first_bad == 0 else address
        assert _verdict(result)[:4] == (False, entries, device, first_bad), name
        assert result.reason.startswith(reason) and result.head_seq is None, (name, result.reason)


def test_the_expected_device_is_enforced_from_entry_0(log, keys):
    result = verify_audit_log(log, device=keys[1].address)
    assert _verdict(result)[:4] == (False, 0, keys[1].address, 0)
    assert result.reason.startswith(f"entry 0 signature does not verify: signed by {keys[0].address}")
    assert result.reason.endswith("(edited?)")


def test_verdicts_on_the_tail_and_the_head(log, keys, tmp_path):
    address, lines = keys[0].address, _lines(log)
    data = log.read_bytes()
    log.write_bytes(data[:-30])
    torn = len(lines[-1]) + 1 - 30
    assert _verdict(verify_audit_log(log)) == (
        False, ENTRIES - 1, address, ENTRIES - 1,
        f"last line is torn ({torn} bytes without a newline: a crash during append?)", None,
    )  # fmt: skip
    _rewrite(log, lines[:-2])
    assert _verdict(verify_audit_log(log)) == (
        False, ENTRIES - 2, address, ENTRIES - 2,
        f"truncated: the head records entry {ENTRIES - 1} but the log has {ENTRIES - 2} entries", ENTRIES - 1,
    )  # fmt: skip
    _rewrite(log, lines)
    head = head_path_for(log)
    doc = json.loads(head.read_bytes())
    forged = {k: v for k, v in doc.items() if k not in ("sig", "device")} | {"entry_sha256": "00" * 32}
    head.write_bytes(canonical_json(sign_document(keys[0], forged)) + b"\n")
    last = ENTRIES - 1
    assert _verdict(verify_audit_log(log)) == (
        False, ENTRIES, address, last, f"entry {last} does not match the hash in the head", last,
    )  # fmt: skip
    other = _write_log(tmp_path / "other.log", keys[0])
    head.write_bytes(head_path_for(other).read_bytes())
    assert _verdict(verify_audit_log(log)) == (
        False, ENTRIES, address, None, "the head belongs to another log or device", last,
    )  # fmt: skip
    head.write_bytes(b"not a head")
    result = verify_audit_log(log)
    assert _verdict(result)[:4] == (False, ENTRIES, address, None) and str(head) in result.reason


def test_an_empty_log_and_read_entries(tmp_path, log):
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    assert _verdict(verify_audit_log(empty)) == (False, 0, None, None, "the log is empty", None)
    assert [e["seq"] for e in read_entries(log)] == list(range(ENTRIES))
    _rewrite(log, [*_lines(log)[:2], b"garbage"])
    with pytest.raises(AuditLogError, match=rf"^entry 2 of {log} is malformed: "):
        read_entries(log)
    with pytest.raises(AuditLogError, match=r"^cannot read audit log .*missing\.log: "):
        read_entries(tmp_path / "missing.log")
    with pytest.raises(AuditLogError, match=r"^cannot read audit log .*missing\.log: "):
        verify_audit_log(tmp_path / "missing.log")
