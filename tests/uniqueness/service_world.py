"""Shared setup of the uniqueness-service tests: a real anvil with the registry, the service's key,
five authorized station keys and one never authorized, synthetic eye pairs, and a way to land a leaf."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from web3 import Web3

from contracts import AnvilNode, RegistryClient, build_contracts, deploy_all
from enrollment.iris import IrisTemplate
from hardware import KeystoreDeviceKey, ScryptParams
from personhood.config import load_settings
from simulation.synthetic_templates import random_templates, recapture
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
PASSWORD = "uniqueness-test-password"
STATIONS = 5
_identities = itertools.count()


@dataclass(frozen=True)
class ServiceWorld:
    """One chain and registry; `stations` are authorized devices, `rogue` is not; `service_key` signs."""

    node: AnvilNode
    w3: Web3
    registry: RegistryClient
    owner: str
    relayer: str
    service_key: KeystoreDeviceKey
    stations: tuple[KeystoreDeviceKey, ...]
    rogue: KeystoreDeviceKey

    def open_service(self, directory: Path, **kwargs: object) -> UniquenessService:
        params = kwargs.pop("params", None) or ServiceParams(shards=2)
        return UniquenessService.open(
            directory, self.service_key, RegistryView(self.registry), params, **kwargs
        )  # type: ignore[arg-type]

    def client(self, endpoint: Endpoint, key: KeystoreDeviceKey, **kwargs: object) -> UniquenessClient:
        app = create_app({"UNIQUENESS_ENDPOINT": endpoint})
        return UniquenessClient.connect(key, AppTransport(app), **kwargs)  # type: ignore[arg-type]

    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def land(self, key: KeystoreDeviceKey, commitment: int, deadline: int) -> None:
        """What a station does after a unique answer: sign the attestation and relay it."""
        enrollment = self.registry.enrollment(commitment, deadline)
        self.registry.enroll(
            enrollment, key.sign_typed_data(enrollment.typed_data()).to_bytes(), self.relayer
        )

    def warp(self, seconds: int) -> None:
        self.w3.provider.make_request("evm_increaseTime", [seconds])
        self.w3.provider.make_request("evm_mine", [])


@contextmanager
def service_world(tmp: Path) -> Iterator[ServiceWorld]:
    """Start anvil, deploy, authorize STATIONS device keys; stop anvil afterwards."""
    contracts = build_contracts(load_settings(environ={}).cache_dir)
    service_key = KeystoreDeviceKey.create(tmp / "service.json", PASSWORD, FAST_SCRYPT)
    stations = tuple(
        KeystoreDeviceKey.create(tmp / f"station-{i}.json", PASSWORD, FAST_SCRYPT) for i in range(STATIONS)
    )
    rogue = KeystoreDeviceKey.create(tmp / "rogue.json", PASSWORD, FAST_SCRYPT)
    node = AnvilNode.start()
    try:
        w3 = Web3(Web3.HTTPProvider(node.url))
        owner, relayer = w3.eth.accounts[0], w3.eth.accounts[1]
        registry = RegistryClient(w3, contracts, deploy_all(w3, contracts, owner).registry)
        for key in stations:
            registry.authorize_device(key.address, owner)
        yield ServiceWorld(node, w3, registry, owner, relayer, service_key, stations, rogue)
    finally:
        node.stop()
        for key in (service_key, *stations, rogue):
            key.close()


def eye_pairs(seed: int, people: int) -> list[dict[str, IrisTemplate]]:
    """`people` unrelated persons' (left, right) templates."""
    codes, masks = random_templates(np.random.default_rng(seed), 2 * people)
    return [
        {"L": IrisTemplate(codes[2 * i], masks[2 * i]), "R": IrisTemplate(codes[2 * i + 1], masks[2 * i + 1])}
        for i in range(people)
    ]


def again(pair: dict[str, IrisTemplate], seed: int, flip: float = 0.12) -> dict[str, IrisTemplate]:
    """The same person's eyes captured again (rotated, noisy) — another day, another station."""
    rng = np.random.default_rng(seed)
    return {eye: recapture(t, rng, flip, shift=int(rng.integers(-6, 7))) for eye, t in pair.items()}


def new_commitment() -> int:
    return Identity(f"uniqueness-test-identity-{next(_identities)}").commitment
