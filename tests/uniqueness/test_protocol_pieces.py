"""The service's pure parts, without a chain: the both-eye rule and its thresholds, sealing, request
signatures, the replay guard, the signed gallery head."""

from __future__ import annotations

from pathlib import Path

import pytest

from enrollment.gallery import GalleryMatch, SearchResult
from hardware import KeystoreDeviceKey, ScryptParams
from hardware.signed_json import canonical_json
from uniqueness.decision_rule import choose_threshold, decide_pair
from uniqueness.errors import GalleryRollbackError, RequestRefusedError, ServiceUnavailableError
from uniqueness.gallery_head import check_chain, check_gallery, genesis, read_head, write_head
from uniqueness.sealed import new_ephemeral, open_sealed, public_bytes, seal
from uniqueness.signed_request import NonceGuard, parse_request, sign_request

SERVICE = "0x" + "5e" * 20


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> KeystoreDeviceKey:
    path = tmp_path_factory.mktemp("keys") / "station.json"
    return KeystoreDeviceKey.create(path, "protocol-test-password", ScryptParams(n=2**14))


def test_both_eyes_keep_the_loose_threshold_where_one_eye_cannot() -> None:
    both, one = choose_threshold(1_000_000_000, 2), choose_threshold(1_000_000_000, 1)
    assert both.threshold == pytest.approx(0.33) and both.meets_target
    assert both.false_match_rate == pytest.approx((1 / 4e6) ** 2)
    assert not one.meets_target and one.threshold == pytest.approx(0.30)
    assert choose_threshold(2 * 10**10, 2).threshold < 0.33  # beyond 1.6e10 people even two eyes tighten


def _result(*matches: tuple[int, float]) -> SearchResult:
    return SearchResult(0.33, tuple(GalleryMatch(r, d, 0, 10_000) for r, d in matches), 100)


def test_a_duplicate_needs_the_same_person_on_both_eyes() -> None:
    choice = choose_threshold(100, 2)
    same = decide_pair({"L": _result((7, 0.2), (9, 0.3)), "R": _result((9, 0.25))}, choice)
    assert same.duplicate and same.record_id == 9 and same.partial == 1
    assert {(m.eye, m.distance) for m in same.evidence} == {("L", 0.3), ("R", 0.25)}
    split = decide_pair({"L": _result((7, 0.2)), "R": _result((8, 0.21))}, choice)
    assert not split.duplicate and split.partial == 2 and split.evidence[0].record_id == 7
    assert not decide_pair({"L": _result(), "R": _result()}, choice).duplicate


def test_a_sealed_probe_opens_only_with_the_key_and_the_same_aad() -> None:
    service = new_ephemeral()
    sender = new_ephemeral()
    sealed = seal(sender, public_bytes(service.public_key()), b"probe bytes", b"aad")
    enc = public_bytes(sender.public_key())
    assert open_sealed(service, enc, sealed, b"aad") == b"probe bytes"
    for args in ((new_ephemeral(), enc, sealed, b"aad"), (service, enc, sealed, b"other aad")):
        with pytest.raises(RequestRefusedError) as e:
            open_sealed(*args)
        assert e.value.code == "bad_ciphertext"
    flipped = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(RequestRefusedError):
        open_sealed(service, enc, flipped, b"aad")


def _doc(key: KeystoreDeviceKey, **over: object) -> dict:
    body = {"op": "commit", "service": SERVICE, "reservation": "a" * 32, "nonce": "b" * 32, "time": 1000}
    return sign_request(key, {**body, **over})


def test_requests_are_checked_for_shape_signature_and_addressee(key: KeystoreDeviceKey) -> None:
    request = parse_request(_doc(key), SERVICE)
    assert request.station == key.address and request.op == "commit"
    tampered = {**_doc(key), "reservation": "c" * 32}
    cases = {
        "bad_signature": tampered,
        "wrong_service": _doc(key, service="0x" + "11" * 20),
        "bad_request": _doc(key, nonce="not hex"),
    }
    for code, doc in cases.items():
        with pytest.raises(RequestRefusedError) as e:
            parse_request(doc, SERVICE)
        assert e.value.code == code
    with pytest.raises(RequestRefusedError):
        parse_request({**_doc(key), "extra": 1}, SERVICE)
    with pytest.raises(RequestRefusedError):  # a reserve without its probe fields
        parse_request(_doc(key, op="reserve"), SERVICE)
    assert canonical_json(_doc(key))  # canonical and signable


def test_the_replay_guard_refuses_repeats_and_stale_times_and_forgets_only_expired_nonces(
    key: KeystoreDeviceKey,
) -> None:
    guard = NonceGuard(max_skew_s=60, capacity=3)
    first = parse_request(_doc(key), SERVICE)
    guard.admit(first, now=1000)
    with pytest.raises(RequestRefusedError) as e:
        guard.admit(first, now=1001)
    assert e.value.code == "replayed_request"
    with pytest.raises(RequestRefusedError) as e:
        guard.admit(parse_request(_doc(key, nonce="d" * 32), SERVICE), now=1061)
    assert e.value.code == "stale_request"
    for n in "ef":
        guard.admit(parse_request(_doc(key, nonce=n * 32), SERVICE), now=1010)
    with pytest.raises(ServiceUnavailableError):  # full: refuse rather than forget a fresh nonce
        guard.admit(parse_request(_doc(key, nonce="9" * 32, time=1020), SERVICE), now=1020)
    guard.admit(parse_request(_doc(key, nonce="9" * 32, time=1100), SERVICE), now=1100)  # old ones expired
    assert len(guard) == 1
    restarted = NonceGuard(max_skew_s=60, not_before=1050)  # a new process: earlier nonces forgotten
    with pytest.raises(RequestRefusedError) as e:
        restarted.admit(first, now=1055)  # fresh enough, but signed before the restart: may be a replay
    assert e.value.code == "stale_request"


def test_the_signed_head_names_the_records_and_the_chain_bounds_them(
    key: KeystoreDeviceKey, tmp_path: Path
) -> None:
    head = genesis(5, SERVICE).changed(added=11).changed(added=12).changed(committed="0xabc:" + "1" * 32)
    write_head(tmp_path / "gallery.head", key, head)
    assert read_head(tmp_path / "gallery.head", key.address) == head
    check_gallery(head, {11, 12}, [])
    check_gallery(head, {11, 12, 13}, [13])  # an add in flight, not yet in the head
    check_gallery(head, {11}, [12])  # a delete in flight, already done in the store
    with pytest.raises(GalleryRollbackError):
        check_gallery(head, {11}, [])
    check_chain(head, open_reservations=1, chain_leaves=7)
    with pytest.raises(GalleryRollbackError):
        check_chain(head, open_reservations=1, chain_leaves=8)
    data = (tmp_path / "gallery.head").read_bytes().replace(b'"records":2', b'"records":3')
    (tmp_path / "gallery.head").write_bytes(data)
    with pytest.raises(GalleryRollbackError):
        read_head(tmp_path / "gallery.head", key.address)
