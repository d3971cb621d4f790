"""A station directory belongs to one registry on one chain; the station starts only with an active device."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from enrollment.station.binding import (
    BINDING_FILE,
    StationBinding,
    StationBindingError,
    bind_station_dir,
    require_authorized,
)

REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
GENESIS = "0x" + "ab" * 32
HERE = StationBinding(31337, GENESIS, REGISTRY)


def test_first_start_records_the_binding_and_later_starts_match_it(tmp_path: Path) -> None:
    station = tmp_path / "station"
    bind_station_dir(station, HERE)
    assert json.loads((station / BINDING_FILE).read_text()) == HERE.to_json()
    bind_station_dir(station, StationBinding(31337, GENESIS.upper().replace("0X", "0x"), REGISTRY.lower()))
    assert [p.name for p in station.iterdir()] == [BINDING_FILE]


@pytest.mark.parametrize(
    ("other", "words"),
    [
        (StationBinding(31337, GENESIS, "0x" + "11" * 20), "holds the records of registry"),
        (StationBinding(31337, "0x" + "cd" * 32, REGISTRY), "(another chain)"),  # a fresh anvil, same address
        (StationBinding(1, GENESIS, REGISTRY), "on this chain 1"),
    ],
)
def test_another_registry_or_chain_is_refused_and_nothing_changes(tmp_path: Path, other, words) -> None:
    bind_station_dir(tmp_path, HERE)
    before = (tmp_path / BINDING_FILE).read_bytes()
    with pytest.raises(StationBindingError, match=words.replace("(", r"\(").replace(")", r"\)")):
        bind_station_dir(tmp_path, other)
    assert (tmp_path / BINDING_FILE).read_bytes() == before


def test_records_without_a_binding_or_an_unreadable_binding_are_refused(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "audit.log").write_text("")
    with pytest.raises(StationBindingError, match="does not say which registry"):
        bind_station_dir(tmp_path / "old", HERE)
    assert not (tmp_path / "old" / BINDING_FILE).exists()
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / BINDING_FILE).write_text("{")
    with pytest.raises(StationBindingError, match="unreadable"):
        bind_station_dir(tmp_path / "bad", HERE)


@pytest.mark.parametrize(("status", "words"), [("unknown", "not authorized"), ("revoked", "revoked")])
def test_only_an_active_device_may_start(status: str, words: str) -> None:
    require_authorized(REGISTRY, "active")
    with pytest.raises(StationBindingError, match=words):
        require_authorized(REGISTRY, status)
