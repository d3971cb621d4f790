"""The uniqueness service on a real anvil: one person one reservation across stations, who may ask,
replays, deadlines, and the both-eye rule."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from enrollment.station.uniqueness_port import UniquenessRefusedError, new_reservation_id
from hardware import Pkcs11Config, Pkcs11DeviceKey, SoftHsmToken, verify_audit_log
from hardware.signed_json import canonical_json
from uniqueness import Endpoint, HttpTransport, UniquenessClient, UniquenessService, create_app, serve_locally
from uniqueness.eyes import probe_bytes, probe_sha256
from uniqueness.registry_view import BLOCK_POLL_S
from uniqueness.sealed import new_ephemeral, public_bytes, seal

from .service_world import ServiceWorld, again, eye_pairs, new_commitment, service_world

pytestmark = pytest.mark.slow  # anvil


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceWorld]:
    with service_world(tmp_path_factory.mktemp("uniqueness-world")) as w:
        yield w


@pytest.fixture
def service(world: ServiceWorld, tmp_path: Path) -> Iterator[UniquenessService]:
    s = world.open_service(tmp_path / "service")
    yield s
    s.close()


@pytest.fixture
def endpoint(service: UniquenessService) -> Endpoint:
    return Endpoint(service)


def test_two_stations_one_person_the_second_is_a_duplicate_and_a_stranger_is_not(
    world: ServiceWorld, endpoint: Endpoint
) -> None:
    alice, bob = eye_pairs(1, 2)
    first, second = (world.client(endpoint, k) for k in world.stations[:2])
    deadline = world.now() + 600

    answer = first.reserve(new_reservation_id(), alice, new_commitment(), deadline)
    assert answer.unique and answer.searched == 0
    # still only reserved (no leaf yet): it already counts as enrolled for everyone else's searches
    refused = second.reserve(new_reservation_id(), again(alice, 7), new_commitment(), deadline)
    assert not refused.unique and refused.searched == 1
    assert second.reserve(new_reservation_id(), bob, new_commitment(), deadline).unique
    assert endpoint.service.size() == 2


def test_a_match_on_one_eye_only_is_not_a_duplicate(world: ServiceWorld, endpoint: Endpoint) -> None:
    alice, stranger = eye_pairs(2, 2)
    client = world.client(endpoint, world.stations[0])
    deadline = world.now() + 600
    assert client.reserve(new_reservation_id(), alice, new_commitment(), deadline).unique
    chimera = {"L": again(alice, 3)["L"], "R": stranger["R"]}
    assert client.reserve(new_reservation_id(), chimera, new_commitment(), deadline).unique


def test_commit_needs_the_leaf_on_chain_and_release_frees_the_eyes(
    world: ServiceWorld, endpoint: Endpoint
) -> None:
    alice, bob = eye_pairs(3, 2)
    station = world.stations[0]
    client = world.client(endpoint, station)
    deadline = world.now() + 600
    commitment, reservation = new_commitment(), new_reservation_id()
    assert client.reserve(reservation, alice, commitment, deadline).unique
    with pytest.raises(UniquenessRefusedError) as e:
        client.commit(reservation)
    assert e.value.code == "not_on_chain"
    world.land(station, commitment, deadline)
    assert client.release(reservation) == "committed"  # the leaf is there: its template stays
    assert not client.reserve(new_reservation_id(), again(alice, 4), new_commitment(), deadline).unique

    other = new_reservation_id()
    assert client.reserve(other, bob, new_commitment(), deadline).unique
    assert client.release(other) == "released"
    assert client.reserve(new_reservation_id(), again(bob, 5), new_commitment(), deadline).unique
    with pytest.raises(UniquenessRefusedError) as e:
        world.client(endpoint, world.stations[1]).commit(reservation)  # not that station's reservation
    assert e.value.code == "unknown_reservation"


def test_a_reservation_past_its_deadline_is_settled_against_the_chain(
    world: ServiceWorld, endpoint: Endpoint
) -> None:
    landed_pair, lost_pair = eye_pairs(4, 2)
    station = world.stations[2]
    client = world.client(endpoint, station)
    deadline = world.now() + 60
    landed, lost = new_commitment(), new_commitment()
    assert client.reserve(new_reservation_id(), landed_pair, landed, deadline).unique
    assert client.reserve(new_reservation_id(), lost_pair, lost, deadline).unique
    world.land(station, landed, deadline)  # the station crashed before telling the service
    world.warp(120)
    endpoint.service.settle()
    assert endpoint.service.head.committed == 1 and endpoint.service.size() == 1
    fresh = world.now() + 600
    assert not client.reserve(new_reservation_id(), again(landed_pair, 1), new_commitment(), fresh).unique
    assert client.reserve(new_reservation_id(), again(lost_pair, 1), new_commitment(), fresh).unique


def test_unknown_and_revoked_devices_are_refused(
    world: ServiceWorld, endpoint: Endpoint, tmp_path: Path
) -> None:
    (alice,) = eye_pairs(5, 1)
    deadline = world.now() + 600
    with pytest.raises(UniquenessRefusedError) as e:
        world.client(endpoint, world.rogue).reserve(new_reservation_id(), alice, new_commitment(), deadline)
    assert e.value.code == "device_not_active"
    from hardware import KeystoreDeviceKey

    from .service_world import FAST_SCRYPT, PASSWORD

    revoked = KeystoreDeviceKey.create(tmp_path / "revoked.json", PASSWORD, FAST_SCRYPT)
    world.registry.authorize_device(revoked.address, world.owner)
    client = world.client(endpoint, revoked)
    assert client.reserve(new_reservation_id(), alice, new_commitment(), deadline).unique
    world.registry.revoke_device(revoked.address, world.owner)
    time.sleep(BLOCK_POLL_S)  # the service reads the latest block at most this often
    with pytest.raises(UniquenessRefusedError) as e:
        client.reserve(new_reservation_id(), again(eye_pairs(6, 1)[0], 1), new_commitment(), deadline)
    assert e.value.code == "device_not_active"
    revoked.close()
    assert endpoint.service.size() == 1


def test_replayed_stale_tampered_and_misaddressed_requests_are_refused(
    world: ServiceWorld, endpoint: Endpoint
) -> None:
    alice, bob = eye_pairs(7, 2)
    key = world.stations[0]
    client = world.client(endpoint, key)
    deadline = world.now() + 600
    sent: list[dict] = []
    transport = client.transport
    original = transport.post

    def recording(path: str, body: dict) -> tuple[int, dict]:
        sent.append(body)
        return original(path, body)

    transport.post = recording  # type: ignore[method-assign]
    assert client.reserve(new_reservation_id(), alice, new_commitment(), deadline).unique
    status, answer = original("/v1/reserve", sent[0])
    assert (status, answer["error"]) == (400, "replayed_request")

    stale = UniquenessClient(
        key, transport, client.service, client.x25519_public, client.eyes, clock=lambda: 1e9
    )
    with pytest.raises(UniquenessRefusedError) as e:
        stale.reserve(new_reservation_id(), bob, new_commitment(), deadline)
    assert e.value.code == "stale_request"

    # a signed request whose sealed probe is not the one it names (digest) or was sealed for another
    # request (AAD): refused, nothing reserved
    for swap in ("probe", "aad"):
        plaintext, other = probe_bytes(bob), probe_bytes(eye_pairs(8, 1)[0])
        ephemeral = new_ephemeral()
        request = client._request(
            "reserve",
            new_reservation_id(),
            commitment=str(new_commitment()),
            deadline=deadline,
            probe_sha256=probe_sha256(plaintext),
            enc=public_bytes(ephemeral.public_key()).hex(),
        )
        aad = canonical_json(request) if swap == "probe" else canonical_json({**request, "nonce": "1" * 32})
        sealed = seal(ephemeral, client.x25519_public, other if swap == "probe" else plaintext, aad)
        status, answer = original(
            "/v1/reserve", {"request": request, "sealed": base64.b64encode(sealed).decode()}
        )
        assert (status, answer["error"]) == (400, "bad_probe" if swap == "probe" else "bad_ciphertext")
    forged = {**sent[0]}
    forged_request = dict(forged["request"])
    forged_request["nonce"] = "0" * 32  # any change breaks the signature first
    status, answer = original("/v1/reserve", {**forged, "request": forged_request})
    assert (status, answer["error"]) == (400, "bad_signature")

    elsewhere = UniquenessClient(key, transport, world.stations[4].address, client.x25519_public, client.eyes)
    with pytest.raises(UniquenessRefusedError) as e:
        elsewhere.reserve(new_reservation_id(), bob, new_commitment(), deadline)
    assert e.value.code == "wrong_service"
    assert endpoint.service.size() == 1
    assert verify_audit_log(endpoint.service.audit.path).ok


def test_fifty_concurrent_requests_with_the_same_eyes_from_five_stations_reserve_once(
    world: ServiceWorld, endpoint: Endpoint
) -> None:
    (alice,) = eye_pairs(9, 1)
    deadline = world.now() + 600
    results: list[bool] = []
    with serve_locally(endpoint) as url:
        clients = [UniquenessClient.connect(k, HttpTransport(url)) for k in world.stations]
        barrier = threading.Barrier(50)

        def one(n: int) -> None:
            barrier.wait()
            answer = clients[n % 5].reserve(new_reservation_id(), again(alice, n), new_commitment(), deadline)
            results.append(answer.unique)

        threads = [threading.Thread(target=one, args=(n,)) for n in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(results) == 50 and results.count(True) == 1
    assert endpoint.service.size() == 1


def test_no_template_bits_reach_the_audit_log_or_the_journal(world: ServiceWorld, endpoint: Endpoint) -> None:
    (alice,) = eye_pairs(10, 1)
    client = world.client(endpoint, world.stations[0])
    assert client.reserve(new_reservation_id(), alice, new_commitment(), world.now() + 600).unique
    service = endpoint.service
    for path in (service.audit.path, service.journal.path):
        data = path.read_bytes()
        for template in alice.values():
            assert (
                template.code[:4].tobytes() not in data
                and template.code[:4].tobytes().hex() not in data.decode()
            )


def test_a_station_whose_key_is_on_a_pkcs11_token_is_served(
    world: ServiceWorld, endpoint: Endpoint, softhsm_token: SoftHsmToken
) -> None:
    token = softhsm_token  # the session's token (tests/conftest.py): one SoftHSM2 config per process
    config = Pkcs11Config(token.library, token.label, "uniqueness-station")
    key = Pkcs11DeviceKey.generate(config, token.user_pin)
    try:
        world.registry.authorize_device(key.address, world.owner)
        client = world.client(endpoint, key)
        (alice,) = eye_pairs(11, 1)
        deadline = world.now() + 600
        assert client.reserve(new_reservation_id(), alice, new_commitment(), deadline).unique
        assert not client.reserve(new_reservation_id(), again(alice, 2), new_commitment(), deadline).unique
    finally:
        key.close()


@pytest.mark.parametrize(
    "body",
    [
        None,
        b"not json",
        b"[]",
        b'{"request": 5}',
        b'{"request": {"kind": "personhood.uniqueness-request/1", "op": "reserve"}}',
        b'{"request": {}, "sealed": "@@@"}',
    ],
)
def test_junk_gets_a_json_refusal_with_a_code_and_changes_nothing(
    endpoint: Endpoint, body: bytes | None
) -> None:
    client = create_app({"UNIQUENESS_ENDPOINT": endpoint}).test_client()
    response = client.post("/v1/reserve", data=body, content_type="application/json")
    assert 400 <= response.status_code < 500
    doc = response.get_json()
    assert set(doc) == {"error", "message"} and "Traceback" not in doc["message"]
    assert endpoint.service.size() == 0


def test_the_openapi_document_names_every_route(endpoint: Endpoint) -> None:
    app = create_app({"UNIQUENESS_ENDPOINT": endpoint})
    spec = app.test_client().get("/openapi.json").get_json()
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert routes == set(spec["paths"])
