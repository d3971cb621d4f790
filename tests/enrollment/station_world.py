"""Shared setup of the station tests: a real anvil with the registry deployed, an authorized
keystore device key, a second (never authorized) key, the deployment's uniqueness service (one per
directory, reached in-process through its Flask app), synthetic people and their commitments."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from web3 import Web3

from contracts import AnvilNode, RegistryClient, build_contracts, deploy_all
from enrollment.station import Station
from enrollment.station.chain_port import ChainPort
from hardware import KeystoreDeviceKey, ScryptParams
from hardware.capture import CaptureSource, Frame, StepIlluminator
from personhood.config import load_settings
from simulation.synthetic_camera import SyntheticEyeCamera
from uniqueness import (
    AppTransport,
    Endpoint,
    RegistryView,
    ServiceParams,
    UniquenessClient,
    UniquenessService,
    create_app,
)
from zk_identity import Identity

FAST_SCRYPT = ScryptParams(n=2**14)
PASSWORD = "station-test-password"
_counter = itertools.count()


@dataclass(frozen=True)
class StationWorld:
    """One chain with the registry; `key` is authorized, `rogue` is not."""

    node: AnvilNode
    w3: Web3
    registry: RegistryClient
    owner: str
    relayer: str
    key: KeystoreDeviceKey
    rogue: KeystoreDeviceKey
    service_key: KeystoreDeviceKey
    services: dict[Path, UniquenessService] = field(default_factory=dict)

    def chain(self) -> ChainPort:
        return ChainPort(self.registry, self.relayer)

    def service(self, directory: Path, eyes: tuple[str, ...] = ("L",)) -> UniquenessService:
        """The uniqueness service stored in `directory` (opened once, closed with the world). One eye
        by default: a second eye doubles every capture; test_station_uniqueness.py runs both."""
        if directory not in self.services:
            self.services[directory] = UniquenessService.open(
                directory, self.service_key, RegistryView(self.registry), ServiceParams(eyes=eyes)
            )
        return self.services[directory]

    def client(self, service: UniquenessService, key: KeystoreDeviceKey | None = None) -> UniquenessClient:
        """A station's client of `service` through its Flask app (no socket)."""
        app = create_app({"UNIQUENESS_ENDPOINT": Endpoint(service)})
        return UniquenessClient.connect(key or self.key, AppTransport(app))

    def open_station(
        self,
        data_dir: Path,
        key: KeystoreDeviceKey | None = None,
        service: UniquenessService | None = None,
        **kwargs: object,
    ) -> Station:
        """The station under `data_dir`, using `service` (default: the one in `data_dir`/../uniqueness);
        the light steps at a fixed frame unless `levels` is given, so each (subject, visit) gives the
        same frames and the same liveness score on every run."""
        kwargs.setdefault("levels", fixed_levels())
        service = service or self.service(Path(data_dir).parent / "uniqueness")
        kwargs.setdefault("uniqueness", self.client(service, key))
        return Station.open(data_dir, key or self.key, self.chain(), **kwargs)  # type: ignore[arg-type]

    def warp(self, seconds: int) -> None:
        """Move the chain's clock forward (anvil)."""
        self.w3.provider.make_request("evm_increaseTime", [seconds])
        self.w3.provider.make_request("evm_mine", [])


@contextmanager
def station_world(tmp: Path) -> Iterator[StationWorld]:
    """Start anvil, deploy the system and authorize a fresh device key; stop anvil afterwards."""
    settings = load_settings(environ={})
    contracts = build_contracts(settings.cache_dir)
    key = KeystoreDeviceKey.create(tmp / "device.json", PASSWORD, FAST_SCRYPT)
    rogue = KeystoreDeviceKey.create(tmp / "rogue.json", PASSWORD, FAST_SCRYPT)
    service_key = KeystoreDeviceKey.create(tmp / "uniqueness-service.json", PASSWORD, FAST_SCRYPT)
    node = AnvilNode.start()
    world = None
    try:
        w3 = Web3(Web3.HTTPProvider(node.url))
        owner, relayer = w3.eth.accounts[0], w3.eth.accounts[1]
        deployment = deploy_all(w3, contracts, owner)
        registry = RegistryClient(w3, contracts, deployment.registry)
        registry.authorize_device(key.address, owner)
        world = StationWorld(node, w3, registry, owner, relayer, key, rogue, service_key)
        yield world
    finally:
        for service in world.services.values() if world is not None else ():
            service.close()
        node.stop()
        key.close()
        rogue.close()
        service_key.close()


def templates_held(station: Station) -> int:
    """How many templates the station's uniqueness service holds (its public /v1/health)."""
    status, health = station.uniqueness.transport.get("/v1/health")  # type: ignore[attr-defined]
    assert status == 200, health
    return int(health["records"])


def new_commitment() -> int:
    """A fresh identity commitment (a real Semaphore v4 identity, never used before in this run)."""
    return Identity(f"station-test-identity-{next(_counter)}").commitment


def person(subject: int, seed: int = 0) -> tuple[SyntheticEyeCamera, StepIlluminator]:
    """Synthetic subject `subject`'s left eye in front of the station camera (visit `seed`)."""
    illuminator = StepIlluminator()
    return SyntheticEyeCamera(subject, "L", seed=seed, illuminator=illuminator), illuminator


def fixed_levels(at: int = 4, low: float = 0.7, high: float = 1.3):
    """A levels factory with the step at a known frame (for attacks that know the schedule)."""

    def levels(illuminator: object, n_frames: int) -> tuple[float, ...]:
        return tuple(low if i < at else high for i in range(n_frames))

    return levels


class RecordedSource(CaptureSource):
    """Plays pre-rendered frames (a presentation attack) at `fps`, whatever the illuminator does."""

    def __init__(self, frames: np.ndarray, fps: float = 20.0, source_id: str = "attack:recorded") -> None:
        self._frames, self._fps, self._next = frames, fps, 0
        self.source_id = source_id

    def read(self) -> Frame | None:
        if self._next >= len(self._frames):
            return None
        i = self._next
        self._next += 1
        return Frame(np.ascontiguousarray(self._frames[i]), i, i / self._fps)

    def close(self) -> None:
        self._next = len(self._frames)
