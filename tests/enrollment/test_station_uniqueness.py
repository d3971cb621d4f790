"""Stations and the deployment's uniqueness service together on a real anvil: one person enrolled at
one station is refused at another (both eyes), stations keep no templates, and the service dying at
each step of an enrollment, or missing the commit, leaves a template iff a leaf."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from enrollment.station.uniqueness_port import UniquenessUnavailableError
from hardware import KeystoreDeviceKey, verify_audit_log
from uniqueness import (
    AppTransport,
    Endpoint,
    RegistryView,
    ServiceParams,
    UniquenessClient,
    UniquenessService,
)
from uniqueness import create_app as create_service_app

from .station_world import FAST_SCRYPT, PASSWORD, StationWorld, new_commitment, person, station_world

pytestmark = pytest.mark.slow


class ServiceCrash(BaseException):
    """The service process dying at a checkpoint (not an Exception: nothing may catch it)."""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StationWorld]:
    with station_world(tmp_path_factory.mktemp("station-uniqueness")) as w:
        yield w


def test_one_person_enrolled_at_one_station_is_refused_at_another_with_both_eyes(
    world: StationWorld, tmp_path: Path
) -> None:
    other = KeystoreDeviceKey.create(tmp_path / "second-station.json", PASSWORD, FAST_SCRYPT)
    world.registry.authorize_device(other.address, world.owner)
    service = world.service(tmp_path / "uniqueness", eyes=("L", "R"))
    first = world.open_station(tmp_path / "station-a", service=service)
    second = world.open_station(tmp_path / "station-b", key=other, service=service)
    try:
        assert first.health()["uniqueness_eyes"] == ["L", "R"]
        enrolled = first.enroll(*person(60), new_commitment())
        assert enrolled.enrolled, enrolled.as_dict()
        assert next(s for s in enrolled.steps if s.step == "uniqueness").detail["eyes"] == 2
        for visit in (3, 4, 5, 6):  # another day, another station; liveness may ask to look again
            again = second.enroll(*person(60, seed=visit), new_commitment())
            if again.failed_step is None or again.failed_step.step != "liveness":
                break
        assert again.failed_step.step == "uniqueness" and again.reason == "already enrolled"
        assert second.enroll(*person(61), new_commitment()).enrolled  # a stranger is not a duplicate
        assert service.size() == 2 and service.head.committed == 2
        accepted = [
            json.loads(line)["payload"]
            for line in first.audit.path.read_bytes().splitlines()
            if b'"enrollment.accepted"' in line
        ]
        assert len(accepted[0]["uniqueness_decision_sha256"]) == 64  # binds the service's signed answer
        assert verify_audit_log(service.audit.path, device=world.service_key.address).ok
        for data in (tmp_path / "station-a", tmp_path / "station-b"):  # no gallery at the stations
            assert not list(data.rglob("*.phgs"))
    finally:
        first.close()
        second.close()
        other.close()


@pytest.mark.parametrize("point", ["reserving", "gallery", "head"])
def test_the_service_killed_at_each_step_of_a_reservation_then_both_restart(
    world: StationWorld, tmp_path: Path, point: str
) -> None:
    def crash(name: str) -> None:
        if name == point:
            raise ServiceCrash(name)

    directory, commitment, subject = tmp_path / "uniqueness", new_commitment(), 70
    registry = RegistryView(world.registry)
    service = UniquenessService.open(
        directory, world.service_key, registry, ServiceParams(eyes=("L",)), checkpoint=crash
    )
    station = world.open_station(tmp_path / "station", service=service)
    with pytest.raises(ServiceCrash):  # in one process: the station goes down with it
        station.enroll(*person(subject), commitment)
    station.close()
    service.close()

    service = UniquenessService.open(directory, world.service_key, registry, ServiceParams(eyes=("L",)))
    try:
        assert service.size() == 0  # the half-made reservation was undone
        station = world.open_station(tmp_path / "station", service=service)  # recovery releases
        try:
            assert station.journal.pending() == [] and not world.registry.member(commitment).enrolled
            retry = station.enroll(*person(subject), commitment)
            assert retry.enrolled, retry.as_dict()
            assert world.registry.tree().leaves.count(commitment) == 1
            assert service.size() == 1 and service.head.committed == 1
        finally:
            station.close()
    finally:
        service.close()


class CommitLost:
    """The network drops the station's commit request (once): the service must settle it itself."""

    def __init__(self, transport: AppTransport) -> None:
        self.transport, self.dropped = transport, 0

    def get(self, path: str) -> tuple[int, dict]:
        return self.transport.get(path)

    def post(self, path: str, body: dict) -> tuple[int, dict]:
        if path == "/v1/commit" and not self.dropped:
            self.dropped += 1
            raise UniquenessUnavailableError("connection reset")
        return self.transport.post(path, body)


def test_a_lost_commit_is_settled_by_the_service_at_the_deadline(world: StationWorld, tmp_path: Path) -> None:
    service = world.service(tmp_path / "uniqueness")
    transport = CommitLost(AppTransport(create_service_app({"UNIQUENESS_ENDPOINT": Endpoint(service)})))
    client = UniquenessClient.connect(world.key, transport)
    station = world.open_station(tmp_path / "station", service=service, uniqueness=client)
    try:
        commitment = new_commitment()
        outcome = station.enroll(*person(80), commitment)
        assert outcome.enrolled and transport.dropped == 1
        assert service.head.committed == 0 and len(service.journal.open_reservations()) == 1
        world.warp(station.params.attestation_ttl_s + 1)
        service.settle()
        assert service.head.committed == 1 and service.size() == 1  # the leaf is there: kept for good
        assert not station.enroll(*person(80, seed=4), new_commitment()).enrolled
    finally:
        station.close()
