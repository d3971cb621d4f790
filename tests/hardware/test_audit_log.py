"""The signed, hash-chained audit log: `personhood audit verify` catches every kind of tampering."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hardware.audit_log import AuditLog, head_path_for, line_sha256
from hardware.audit_verify import verify_audit_log
from hardware.errors import AuditLogError
from hardware.keystore import KeystoreDeviceKey, ScryptParams
from hardware.signed_json import canonical_json, sign_document
from personhood.cli import main

FAST = ScryptParams(n=2**14)
PASSWORD = "correct horse battery"
DECISIONS = [
    ("enrollment.refused", {"reason": "liveness", "pad_score": 0.91, "threshold": 0.5}),
    ("enrollment.refused", {"reason": "quality", "usable_iris_fraction": 0.31}),
    ("enrollment.accepted", {"commitment": 2**250 + 7, "manifest_sha256": "ab" * 32, "frame_count": 20}),
    ("enrollment.refused", {"reason": "duplicate", "nearest_distance": 0.21}),
    ("device.rotated", {"reason": "scheduled", "steps": [0.7, 1.3]}),
]


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    return KeystoreDeviceKey.create(tmp_path_factory.mktemp("key") / "k.json", PASSWORD, FAST)


@pytest.fixture
def log_path(tmp_path, key):
    path = tmp_path / "audit.log"
    with AuditLog.open(path, key) as log:
        for event, payload in DECISIONS:
            log.append(event, payload)
    return path


def verify_cli(path, *extra, capsys):
    code = main(["audit", "verify", str(path), "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def lines_of(path):
    return path.read_bytes().split(b"\n")[:-1]


def write_lines(path, lines):
    path.write_bytes(b"".join(line + b"\n" for line in lines))


def test_intact_log_verifies(log_path, key, capsys):
    code, out = verify_cli(log_path, capsys=capsys)
    assert code == 0 and out["ok"] and out["entries"] == 1 + len(DECISIONS)
    assert out["device"] == key.address and out["head_seq"] == len(DECISIONS)
    assert main(["audit", "verify", str(log_path), "--device", key.address]) == 0


def test_edited_payload_is_detected(log_path, capsys):
    lines = lines_of(log_path)
    doc = json.loads(lines[2])
    doc["payload"]["usable_iris_fraction"] = 0.99
    lines[2] = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    write_lines(log_path, lines)
    code, out = verify_cli(log_path, capsys=capsys)
    assert code == 1 and out["first_bad"] == 2 and "signature" in out["reason"]


@pytest.mark.parametrize("index", [1, 3, 5])
def test_edited_bytes_anywhere_are_detected(log_path, index, capsys):
    lines = lines_of(log_path)
    lines[index] = lines[index].replace(b'"seq"', b'"seq" ', 1)  # whitespace-only edit
    write_lines(log_path, lines)
    code, out = verify_cli(log_path, capsys=capsys)
    assert code == 1 and out["first_bad"] == index


def test_dropped_entry_is_detected(log_path, capsys):
    lines = lines_of(log_path)
    write_lines(log_path, lines[:3] + lines[4:])
    code, out = verify_cli(log_path, capsys=capsys)
    assert code == 1 and out["first_bad"] == 3 and "dropped" in out["reason"]


def test_dropped_first_entry_is_detected(log_path, capsys):
    write_lines(log_path, lines_of(log_path)[1:])
    code, out = verify_cli(log_path, capsys=capsys)
    assert code == 1 and out["first_bad"] == 0


def test_reordered_entries_are_detected(log_path, capsys):
    lines = lines_of(log_path)
    lines[2], lines[3] = lines[3], lines[2]
    write_lines(log_path, lines)
    code, out = verify_cli(log_path, capsys=capsys)
    assert code == 1 and out["first_bad"] == 2


def test_truncated_tail_is_detected_by_the_head(log_path, capsys):
    write_lines(log_path, lines_of(log_path)[:-2])
    code, out = verify_cli(log_path, capsys=capsys)
    assert code == 1 and "truncated" in out["reason"]


def test_torn_last_line_is_detected(log_path, capsys):
    data = log_path.read_bytes()
    log_path.write_bytes(data[:-30])
    code, out = verify_cli(log_path, capsys=capsys)
    assert code == 1 and out["first_bad"] == len(DECISIONS) and "torn" in out["reason"]


def test_deleted_or_forged_head_is_detected(log_path, tmp_path, capsys):
    head = head_path_for(log_path)
    saved = head.read_bytes()
    head.unlink()
    code, out = verify_cli(log_path, capsys=capsys)
    assert code == 1 and "missing" in out["reason"]
    assert verify_cli(log_path, "--no-head", capsys=capsys)[0] == 0
    doc = json.loads(saved)
    doc["seq"] = 2
    head.write_text(json.dumps(doc))
    code, out = verify_cli(log_path, capsys=capsys)
    assert code == 1 and "head" in out["reason"]


def test_entries_resigned_by_another_device_are_detected(log_path, tmp_path, key, capsys):
    other = KeystoreDeviceKey.create(tmp_path / "other.json", PASSWORD, FAST)
    forged = tmp_path / "forged.log"
    with AuditLog.open(forged, other) as log:
        for event, payload in DECISIONS:
            log.append(event, payload)
    code, out = verify_cli(forged, "--device", key.address, capsys=capsys)
    assert code == 1 and out["first_bad"] == 0
    lines = lines_of(log_path)
    write_lines(log_path, lines[:3] + lines_of(forged)[3:])  # splice another device's entries in
    assert verify_cli(log_path, capsys=capsys)[0] == 1


def test_garbage_line_is_reported_not_raised(log_path, capsys):
    lines = lines_of(log_path)
    lines.insert(2, b"not json at all")
    write_lines(log_path, lines)
    code, out = verify_cli(log_path, capsys=capsys)
    assert code == 1 and out["first_bad"] == 2 and "malformed" in out["reason"]


def test_reopening_continues_the_chain(log_path, key):
    with AuditLog.open(log_path, key) as log:
        entry = log.append("station.closed", {"reason": "end of day"})
    assert entry.seq == len(DECISIONS) + 1
    assert verify_audit_log(log_path).ok


def test_writer_refuses_a_tampered_torn_or_foreign_log(log_path, key, tmp_path):
    other = KeystoreDeviceKey.create(tmp_path / "other.json", PASSWORD, FAST)
    with pytest.raises(AuditLogError, match="does not verify"):
        AuditLog.open(log_path, other)
    data = log_path.read_bytes()
    log_path.write_bytes(data + b'{"kind":"personhood.au')
    with pytest.raises(AuditLogError, match="torn"):
        AuditLog.open(log_path, key)
    assert log_path.read_bytes() == data + b'{"kind":"personhood.au'  # refused: nothing changed
    with AuditLog.open(log_path, key, recover_torn_tail=True) as log:
        log.append("station.resumed", {"reason": "power restored"})
    result = verify_audit_log(log_path)
    assert result.ok and result.entries == len(DECISIONS) + 3
    assert b"audit.torn_tail_discarded" in log_path.read_bytes()


def test_a_second_writer_is_refused(log_path, key):
    with AuditLog.open(log_path, key), pytest.raises(AuditLogError, match="another writer"):
        AuditLog.open(log_path, key)


@pytest.mark.parametrize(
    "payload",
    [
        {"image": "x"},
        {"iris_code": [1, 0, 1]},
        {"frame": b"\x00\x01"},
        {"notes": b"raw bytes"},
        {"pixels": np.zeros((4, 4), np.uint8).tolist()},
        {"values": np.zeros(8)},
        {"score": np.float32(0.5)},
        {"blob": "ab" * 1024},
        {"blob": "QUJD" * 40},
        {"long": "word " * 60},
        {"nested": [[1, 2], [3, 4]]},
        {"many": list(range(33))},
        {"Bad Key": 1},
        {"nan": float("nan")},
        {"deep": {"a": {"b": {"c": 1}}}},
    ],
)
def test_biometric_or_blob_payloads_are_refused_and_nothing_is_written(log_path, key, payload):
    before = log_path.read_bytes(), head_path_for(log_path).read_bytes()
    with AuditLog.open(log_path, key) as log, pytest.raises(AuditLogError):
        log.append("enrollment.refused", payload)
    assert (log_path.read_bytes(), head_path_for(log_path).read_bytes()) == before


def test_decision_payloads_with_numbers_under_biometric_words_are_allowed(log_path, key):
    with AuditLog.open(log_path, key) as log:
        log.append("quality.checked", {"frame_count": 20, "mask_fraction": 0.2, "image_sharpness": 41.5})
    assert verify_audit_log(log_path).ok


def test_audit_show_prints_entries(log_path, capsys):
    assert main(["audit", "show", str(log_path), "--tail", "2", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)["entries"]
    assert [e["event"] for e in entries] == ["enrollment.refused", "device.rotated"]


def test_works_with_a_pkcs11_key(tmp_path, softhsm_token, pkcs11_config):
    from hardware.pkcs11_key import Pkcs11DeviceKey

    with Pkcs11DeviceKey.generate(pkcs11_config, softhsm_token.user_pin) as hsm_key:
        with AuditLog.open(tmp_path / "hsm.log", hsm_key) as log:
            log.append("enrollment.accepted", {"commitment": 42})
        result = verify_audit_log(tmp_path / "hsm.log", device=hsm_key.address)
    assert result.ok and result.entries == 2


def test_a_crash_between_line_and_head_leaves_a_valid_log_that_resumes(log_path, key):
    """The head is rewritten after the line is fsynced: a crash in between leaves the head one behind."""
    head = head_path_for(log_path)
    old_head = head.read_bytes()
    with AuditLog.open(log_path, key) as log:
        log.append("enrollment.refused", {"reason": "timeout"})
    head.write_bytes(old_head)  # as if the process died before the head was replaced
    result = verify_audit_log(log_path)
    assert result.ok and result.head_seq == result.entries - 2
    with AuditLog.open(log_path, key) as log:
        log.append("station.resumed", {"reason": "restart"})
    assert verify_audit_log(log_path).ok


def test_missing_files_are_clear_errors(tmp_path, key, capsys):
    with pytest.raises(AuditLogError, match="cannot open"):
        AuditLog.open(tmp_path / "no-such-dir" / "audit.log", key)
    assert main(["audit", "verify", str(tmp_path / "missing.log")]) == 2
    assert main(["audit", "show", str(tmp_path / "missing.log")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_a_resigned_entry_with_the_right_seq_and_a_wrong_prev_is_caught_by_the_chain(log_path, key, capsys):
    # Entry 3 re-signed by the log's own device with its seq intact but `prev` pointing elsewhere: its
    # signature and sequence number are good, so only the hash chain can catch it, at entry 3 itself.
    lines = lines_of(log_path)
    doc = json.loads(lines[3])
    assert doc["seq"] == 3
    body = {k: v for k, v in doc.items() if k not in ("sig", "device")}
    body["prev"] = line_sha256(lines[1])  # a real entry's hash, just not entry 2's
    lines[3] = canonical_json(sign_document(key, body))
    write_lines(log_path, lines)
    result = verify_audit_log(log_path)
    assert not result.ok and result.first_bad == 3 and result.entries == 3
    assert "does not chain to entry 2" in result.reason
    code, out = verify_cli(log_path, capsys=capsys)
    assert code == 1 and out["first_bad"] == 3 and "chain" in out["reason"]
