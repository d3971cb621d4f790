"""The operator erases a record: signed by the operator's key only, journaled, re-signed in the head,
finished after a crash at any step, and a deleted record coming back (old files copied) refused."""

from __future__ import annotations

import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from enrollment.station.uniqueness_port import UniquenessRefusedError, new_reservation_id
from hardware import KeystoreDeviceKey
from personhood.cli import main
from uniqueness import (
    AppTransport,
    Endpoint,
    GalleryRollbackError,
    UniquenessService,
    create_app,
    serve_locally,
)
from uniqueness.deletions import sign_delete
from uniqueness.operator_client import request_deletion

from .service_world import (
    FAST_SCRYPT,
    PASSWORD,
    ServiceWorld,
    again,
    eye_pairs,
    new_commitment,
    service_world,
)

pytestmark = pytest.mark.slow  # anvil


class ServiceCrash(BaseException):
    """The service process dying at a checkpoint (not an Exception: nothing may catch it)."""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceWorld]:
    with service_world(tmp_path_factory.mktemp("uniqueness-deletion")) as w:
        yield w


@pytest.fixture(scope="module")
def operator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeystoreDeviceKey]:
    key = KeystoreDeviceKey.create(
        tmp_path_factory.mktemp("operator") / "operator.json", PASSWORD, FAST_SCRYPT
    )
    yield key
    key.close()


def enroll(world: ServiceWorld, service: UniquenessService, pair: dict) -> int:
    """Reserve, land and commit `pair` at station 0; the new record's id."""
    before = set(service.galleries["L"].record_ids())
    client = world.client(Endpoint(service), world.stations[0])
    reservation, commitment, deadline = new_reservation_id(), new_commitment(), world.now() + 600
    assert client.reserve(reservation, pair, commitment, deadline).unique
    world.land(world.stations[0], commitment, deadline)
    assert client.commit(reservation) == "committed"
    (record_id,) = set(service.galleries["L"].record_ids()) - before
    return record_id


def transport(service: UniquenessService, operator: KeystoreDeviceKey | None) -> AppTransport:
    endpoint = Endpoint(service, operator=None if operator is None else operator.address)
    return AppTransport(create_app({"UNIQUENESS_ENDPOINT": endpoint}))


def consistent(service: UniquenessService) -> None:
    ids = [set(g.record_ids()) for g in service.galleries.values()]
    assert all(i == ids[0] for i in ids) and len(ids[0]) == service.head.records


def test_the_operator_erases_a_record_the_person_may_enroll_again_and_a_restart_agrees(
    world: ServiceWorld, operator: KeystoreDeviceKey, tmp_path: Path
) -> None:
    alice, bob = eye_pairs(60, 2)
    service = world.open_service(tmp_path / "svc")
    try:
        record = enroll(world, service, alice)
        enroll(world, service, bob)
        answer = request_deletion(operator, transport(service, operator), record, "mistaken enrollment")
        assert answer["result"] == "deleted" and answer["operator"] == operator.address
        assert record not in service.galleries["L"].record_ids() + service.galleries["R"].record_ids()
        assert service.size() == 1 and service.head.deleted == 1 and service.head.committed == 2
        consistent(service)
        client = world.client(Endpoint(service), world.stations[1])
        assert client.reserve(
            new_reservation_id(), again(alice, 1), new_commitment(), world.now() + 600
        ).unique
        assert not client.reserve(
            new_reservation_id(), again(bob, 2), new_commitment(), world.now() + 600
        ).unique
    finally:
        service.close()
    journal = (tmp_path / "svc" / "deletions.jsonl").read_text()
    assert f'"record_id": "{record}"' in journal and "mistaken enrollment" in journal
    service = world.open_service(tmp_path / "svc")  # the head, the galleries and the journal agree
    try:
        consistent(service)
        assert service.head.deleted == 1 and service.size() == 2
    finally:
        service.close()


def test_only_the_operator_may_erase_and_bad_requests_change_nothing(
    world: ServiceWorld, operator: KeystoreDeviceKey, tmp_path: Path
) -> None:
    alice, bob = eye_pairs(61, 2)
    service = world.open_service(tmp_path / "svc")
    try:
        record = enroll(world, service, alice)
        via = transport(service, operator)
        refusals = {}
        for name, key in (("station", world.stations[0]), ("stranger", world.rogue)):
            with pytest.raises(UniquenessRefusedError) as e:
                request_deletion(key, via, record, "not mine to erase")
            refusals[name] = e.value.code
        with pytest.raises(UniquenessRefusedError) as e:
            request_deletion(operator, via, 424242, "no such record")
        refusals["unknown"] = e.value.code
        with pytest.raises(UniquenessRefusedError) as e:
            request_deletion(operator, transport(service, None), record, "nobody is operator")
        refusals["disabled"] = e.value.code
        station_as_operator = Endpoint(service, operator=world.stations[0].address)
        with pytest.raises(UniquenessRefusedError) as e:
            request_deletion(
                world.stations[0],
                AppTransport(create_app({"UNIQUENESS_ENDPOINT": station_as_operator})),
                record,
                "a station configured as operator",
            )
        refusals["station_as_operator"] = e.value.code

        signed = sign_delete(
            operator, service.key.address, record, "tampered", secrets.token_hex(16), int(time.time())
        )
        tampered = {**signed, "record_id": str(record + 1)}
        status, body = via.post("/v1/delete", {"request": tampered})
        refusals["tampered"] = body["error"]
        elsewhere = sign_delete(
            operator, world.stations[1].address, record, "x", secrets.token_hex(16), int(time.time())
        )
        refusals["wrong_service"] = via.post("/v1/delete", {"request": elsewhere})[1]["error"]
        stale = sign_delete(
            operator, service.key.address, record, "x", secrets.token_hex(16), int(time.time()) - 3600
        )
        refusals["stale"] = via.post("/v1/delete", {"request": stale})[1]["error"]

        client = world.client(Endpoint(service), world.stations[0])
        assert client.reserve(new_reservation_id(), bob, new_commitment(), world.now() + 600).unique
        (held,) = [r.record_id for r in service.journal.open_reservations()]
        with pytest.raises(UniquenessRefusedError) as e:
            request_deletion(operator, via, held, "held by a reservation")
        refusals["open_reservation"] = e.value.code
        assert refusals == {
            "station": "not_operator",
            "stranger": "not_operator",
            "unknown": "unknown_record",
            "disabled": "deletion_disabled",
            "station_as_operator": "not_operator",
            "tampered": "bad_signature",
            "wrong_service": "wrong_service",
            "stale": "stale_request",
            "open_reservation": "reservation_open",
        }
        assert (
            service.size() == 2
            and service.head.deleted == 0
            and record in service.galleries["R"].record_ids()
        )

        fresh = sign_delete(
            operator, service.key.address, record, "erasure asked", secrets.token_hex(16), int(time.time())
        )
        assert via.post("/v1/delete", {"request": fresh})[0] == 200
        status, body = via.post("/v1/delete", {"request": fresh})  # the same request again
        assert (status, body["error"]) == (400, "replayed_request")
        assert service.size() == 1 and service.head.deleted == 1
    finally:
        service.close()


@pytest.mark.parametrize("point", ["deleting", "half", "erased", "erased_head"])
def test_killed_at_each_step_of_a_deletion_the_restart_finishes_it(
    world: ServiceWorld, operator: KeystoreDeviceKey, tmp_path: Path, point: str
) -> None:
    alice, bob = eye_pairs(62, 2)
    service = world.open_service(tmp_path / "svc")
    try:
        record = enroll(world, service, alice)
        enroll(world, service, bob)
    finally:
        service.close()

    def crash(name: str) -> None:
        if name == point:
            raise ServiceCrash(name)

    service = world.open_service(tmp_path / "svc", checkpoint=crash)
    if point == "half":  # the left eye's record is gone, the right eye's not yet

        def right_dies(ids: object) -> int:
            raise ServiceCrash("half")

        service.galleries["R"].delete = right_dies  # type: ignore[method-assign]
    with pytest.raises(ServiceCrash):
        request_deletion(operator, transport(service, operator), record, "erasure asked")
    service.close()  # the process is gone; only the disk remains

    service = world.open_service(tmp_path / "svc")
    try:
        consistent(service)
        assert (
            service.size() == 1
            and service.head.deleted == 1
            and record not in service.galleries["L"].record_ids()
        )
        assert not service.deletions.in_flight() and service.deletions.deleted() == {record}
        client = world.client(Endpoint(service), world.stations[2])
        assert client.reserve(
            new_reservation_id(), again(alice, 3), new_commitment(), world.now() + 600
        ).unique
    finally:
        service.close()


def test_a_deleted_record_copied_back_or_a_truncated_deletions_journal_is_refused(
    world: ServiceWorld, operator: KeystoreDeviceKey, tmp_path: Path
) -> None:
    (alice,) = eye_pairs(63, 1)
    directory = tmp_path / "svc"
    service = world.open_service(directory)
    try:
        record = enroll(world, service, alice)
    finally:
        service.close()
    shutil.copytree(directory, tmp_path / "before")
    service = world.open_service(directory)
    try:
        request_deletion(operator, transport(service, operator), record, "erasure asked")
    finally:
        service.close()
    shutil.copytree(directory, tmp_path / "after")

    for restored in ("gallery-L", "gallery-R", "gallery.head"):  # the old gallery with its own old head
        target = directory / restored
        shutil.rmtree(target) if target.is_dir() else target.unlink()
        copy = shutil.copytree if (tmp_path / "before" / restored).is_dir() else shutil.copy2
        copy(tmp_path / "before" / restored, target)
    with pytest.raises(GalleryRollbackError, match="erased are back"):
        world.open_service(directory)

    shutil.rmtree(directory)
    shutil.copytree(tmp_path / "after", directory)
    shutil.copy2(
        tmp_path / "before" / "deletions.jsonl", directory / "deletions.jsonl"
    )  # an erasure forgotten
    with pytest.raises(GalleryRollbackError, match="deletions journal"):
        world.open_service(directory)


def test_the_cli_erases_with_the_operators_keystore_and_refuses_another_key(
    world: ServiceWorld, operator: KeystoreDeviceKey, tmp_path: Path, capsys
) -> None:
    (alice,) = eye_pairs(64, 1)
    password = tmp_path / "password"
    password.write_text(PASSWORD + "\n")
    other = KeystoreDeviceKey.create(tmp_path / "other.json", PASSWORD, FAST_SCRYPT)
    other.close()
    service = world.open_service(tmp_path / "svc")
    try:
        record = enroll(world, service, alice)
        with serve_locally(Endpoint(service, operator=operator.address)) as url:
            common = [
                "--reason",
                "erasure asked",
                "--service",
                url,
                "--password-file",
                str(password),
                "--json",
            ]
            assert (
                main(
                    ["uniqueness", "delete", str(record), "--keystore", str(tmp_path / "other.json"), *common]
                )
                == 1
            )
            assert '"not_operator"' in capsys.readouterr().out
            assert service.size() == 1
            assert main(["uniqueness", "delete", str(record), "--keystore", str(operator.path), *common]) == 0
            assert '"deleted": true' in capsys.readouterr().out
            assert service.size() == 0
    finally:
        service.close()


def test_gallery_delete_refuses_a_uniqueness_services_gallery(
    world: ServiceWorld, tmp_path: Path, capsys
) -> None:
    service = world.open_service(tmp_path / "svc")
    service.close()
    key_file = tmp_path / "key"
    key_file.write_bytes(bytes(32))
    code = main(
        ["gallery", "delete", "1", "--dir", str(tmp_path / "svc" / "gallery-L"), "--key-file", str(key_file)]
    )
    assert code == 1
    assert "personhood uniqueness delete" in capsys.readouterr().err
