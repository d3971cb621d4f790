"""The service killed at each step of a reservation or release, then reopened; and a rolled-back
gallery (a flipped byte in the newest commit slot, an old file or a whole old directory copied back)
refused at open."""

from __future__ import annotations

import shutil
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from enrollment.gallery import EncryptedStore
from enrollment.station.uniqueness_port import new_reservation_id
from uniqueness import Endpoint, GalleryRollbackError, UniquenessService

from .service_world import ServiceWorld, again, eye_pairs, new_commitment, service_world

pytestmark = pytest.mark.slow  # anvil


class ServiceCrash(BaseException):
    """The service process dying at a checkpoint (not an Exception: nothing may catch it)."""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceWorld]:
    with service_world(tmp_path_factory.mktemp("uniqueness-recovery")) as w:
        yield w


def crash_at(point: str):
    def checkpoint(name: str) -> None:
        if name == point:
            raise ServiceCrash(name)

    return checkpoint


def consistent(service: UniquenessService) -> None:
    """Both eyes' galleries hold the same records, as many as the signed head says."""
    ids = [set(g.record_ids()) for g in service.galleries.values()]
    assert all(i == ids[0] for i in ids) and len(ids[0]) == service.head.records


@pytest.mark.parametrize("point", ["reserving", "gallery", "head"])
def test_killed_while_reserving_the_reservation_is_undone_on_restart(
    world: ServiceWorld, tmp_path: Path, point: str
) -> None:
    (alice,) = eye_pairs(20, 1)
    service = world.open_service(tmp_path / "svc", checkpoint=crash_at(point))
    client = world.client(Endpoint(service), world.stations[0])
    with pytest.raises(ServiceCrash):
        client.reserve(new_reservation_id(), alice, new_commitment(), world.now() + 600)
    service.close()  # the process is gone; only the disk remains

    service = world.open_service(tmp_path / "svc")
    try:
        consistent(service)
        assert service.size() == 0 and not service.journal.open_reservations()
        client = world.client(Endpoint(service), world.stations[1])
        assert client.reserve(
            new_reservation_id(), again(alice, 1), new_commitment(), world.now() + 600
        ).unique
    finally:
        service.close()


@pytest.mark.parametrize("point", ["releasing", "deleted"])
def test_killed_while_releasing_the_release_completes_on_restart(
    world: ServiceWorld, tmp_path: Path, point: str
) -> None:
    alice, bob = eye_pairs(21, 2)
    service = world.open_service(tmp_path / "svc", checkpoint=crash_at(point))
    client = world.client(Endpoint(service), world.stations[0])
    deadline = world.now() + 600
    assert client.reserve(new_reservation_id(), bob, new_commitment(), deadline).unique
    reservation = new_reservation_id()
    assert client.reserve(reservation, alice, new_commitment(), deadline).unique
    with pytest.raises(ServiceCrash):
        client.release(reservation)
    service.close()

    service = world.open_service(tmp_path / "svc")
    try:
        consistent(service)
        assert service.size() == 1  # bob's reservation stays, alice's is gone
        client = world.client(Endpoint(service), world.stations[1])
        assert client.reserve(new_reservation_id(), again(alice, 2), new_commitment(), deadline).unique
        assert not client.reserve(new_reservation_id(), again(bob, 2), new_commitment(), deadline).unique
    finally:
        service.close()


def test_killed_between_counting_a_commit_and_journaling_it_counts_it_once(
    world: ServiceWorld, tmp_path: Path
) -> None:
    (alice,) = eye_pairs(25, 1)
    service = world.open_service(tmp_path / "svc", checkpoint=crash_at("commit"))
    key = world.stations[0]
    client = world.client(Endpoint(service), key)
    reservation, commitment, deadline = new_reservation_id(), new_commitment(), world.now() + 60
    assert client.reserve(reservation, alice, commitment, deadline).unique
    world.land(key, commitment, deadline)
    with pytest.raises(ServiceCrash):
        client.commit(reservation)
    service.close()

    service = world.open_service(tmp_path / "svc")
    try:
        assert service.head.committed == 1 and not service.journal.open_reservations()
        world.warp(120)
        service.settle()  # nothing left to settle: the commit is not counted a second time
        assert service.head.committed == 1 and service.size() == 1
    finally:
        service.close()


def _enroll(world: ServiceWorld, service: UniquenessService, pair: dict, station: int = 0) -> None:
    """Reserve, land the leaf, commit: one person fully enrolled."""
    key = world.stations[station]
    client = world.client(Endpoint(service), key)
    reservation, commitment, deadline = new_reservation_id(), new_commitment(), world.now() + 600
    assert client.reserve(reservation, pair, commitment, deadline).unique
    world.land(key, commitment, deadline)
    assert client.commit(reservation) == "committed"


def _newest_slot_offset(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:256]
    slots = [(struct.unpack_from("<Q", header, 24 + s * 64)[0], 24 + s * 64) for s in (0, 1)]
    return max(slots)


def test_a_flipped_byte_in_the_newest_commit_slot_is_detected(world: ServiceWorld, tmp_path: Path) -> None:
    people = eye_pairs(22, 6)
    service = world.open_service(tmp_path / "svc")
    for pair in people:
        _enroll(world, service, pair)
    service.close()
    shard = max(
        (tmp_path / "svc" / "gallery-L").glob("shard-*.phgs"), key=lambda p: _newest_slot_offset(p)[0]
    )
    key = world.service_key.gallery_key()
    with EncryptedStore.open(shard, key) as store:
        before = len(store)
    _seq, offset = _newest_slot_offset(shard)
    data = bytearray(shard.read_bytes())
    data[offset + 40] ^= 0x01  # inside the slot's GCM tag
    shard.write_bytes(bytes(data))
    with EncryptedStore.open(shard, key) as store:  # the store alone reopens, silently smaller
        assert 0 <= len(store) < before
    with pytest.raises(GalleryRollbackError, match="signed head"):
        world.open_service(tmp_path / "svc")


def test_an_old_gallery_file_copied_back_is_detected(world: ServiceWorld, tmp_path: Path) -> None:
    first, *rest = eye_pairs(23, 5)
    service = world.open_service(tmp_path / "svc")
    _enroll(world, service, first)
    service.close()
    old = tmp_path / "old"
    shutil.copytree(tmp_path / "svc", old)
    service = world.open_service(tmp_path / "svc")
    for pair in rest:
        _enroll(world, service, pair, station=1)
    service.close()

    for shard in (old / "gallery-R").glob("shard-*.phgs"):  # one old file back
        shutil.copy(shard, tmp_path / "svc" / "gallery-R" / shard.name)
    with pytest.raises(GalleryRollbackError):
        world.open_service(tmp_path / "svc")

    shutil.rmtree(tmp_path / "svc")  # everything back, head and journal too: validly signed, but the
    shutil.copytree(old, tmp_path / "svc")  # chain holds leaves this gallery has no templates for
    with pytest.raises(GalleryRollbackError, match="registry holds"):
        world.open_service(tmp_path / "svc")


def test_a_service_restarted_cleanly_serves_the_same_gallery(world: ServiceWorld, tmp_path: Path) -> None:
    alice, bob = eye_pairs(24, 2)
    service = world.open_service(tmp_path / "svc")
    _enroll(world, service, alice)
    service.close()
    service = world.open_service(tmp_path / "svc")
    try:
        consistent(service)
        client = world.client(Endpoint(service), world.stations[3])
        deadline = world.now() + 600
        assert not client.reserve(new_reservation_id(), again(alice, 9), new_commitment(), deadline).unique
        assert client.reserve(new_reservation_id(), bob, new_commitment(), deadline).unique
    finally:
        service.close()
