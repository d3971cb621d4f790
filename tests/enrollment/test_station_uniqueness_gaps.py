"""The station dying around its one question to the uniqueness service: after journaling the
reservation id but before the request left, and after the service reserved but before the station
journaled the answer. After restart: no template without a leaf, and the retried enrollment adds
exactly one leaf and one template."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from uniqueness import AppTransport, Endpoint, UniquenessClient
from uniqueness import create_app as create_service_app

from .station_world import StationWorld, new_commitment, person, station_world, templates_held

pytestmark = pytest.mark.slow


class StationCrash(BaseException):
    """The station process dying (not an Exception: nothing may catch it)."""


class DiesAroundReserve:
    """The station's transport; the station dies before its reserve request leaves, or after the
    service answered it but before the answer is read."""

    def __init__(self, transport: AppTransport, when: str) -> None:
        self.transport, self.when = transport, when

    def get(self, path: str) -> tuple[int, dict]:
        return self.transport.get(path)

    def post(self, path: str, body: dict) -> tuple[int, dict]:
        if path == "/v1/reserve" and self.when == "before_sending":
            raise StationCrash(self.when)
        answer = self.transport.post(path, body)
        if path == "/v1/reserve" and self.when == "after_answer":
            assert answer[0] == 200 and answer[1]["result"] == "unique", answer
            raise StationCrash(self.when)
        return answer


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StationWorld]:
    with station_world(tmp_path_factory.mktemp("station-uniqueness-gaps")) as w:
        yield w


@pytest.mark.parametrize("when", ["before_sending", "after_answer"])
def test_the_station_killed_around_its_reserve_request_then_restarted(
    world: StationWorld, tmp_path: Path, when: str
) -> None:
    service = world.service(tmp_path / "uniqueness")
    app = create_service_app({"UNIQUENESS_ENDPOINT": Endpoint(service)})
    dying = UniquenessClient.connect(world.key, DiesAroundReserve(AppTransport(app), when))
    commitment, subject = new_commitment(), 80 + ["before_sending", "after_answer"].index(when)
    station = world.open_station(tmp_path / "station", service=service, uniqueness=dying)
    with pytest.raises(StationCrash):
        station.enroll(*person(subject), commitment)
    station.close()  # the process is gone; its journal says "intent" with the reservation id
    assert len(service.journal.open_reservations()) == (when == "after_answer")

    station = world.open_station(tmp_path / "station", service=service)  # recovery runs on open
    try:
        assert station.journal.pending() == []
        assert not world.registry.member(commitment).enrolled
        assert templates_held(station) == 0 and not service.journal.open_reservations()
        retry = station.enroll(*person(subject), commitment)
        assert retry.enrolled, retry.as_dict()
        assert world.registry.tree().leaves.count(commitment) == 1
        assert templates_held(station) == 1 and service.head.committed == 1
    finally:
        station.close()
