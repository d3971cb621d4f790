"""The demo's deployment: N enrollment stations (each its own device key, all authorized in the one
registry) and the embedded uniqueness service they all ask, served over HTTP on a loopback port.

The service holds the deployment's only gallery (both eyes by default); the stations keep none. Its
key, gallery, journal and audit log live in the run's temporary directory, like everything else.
"""

from __future__ import annotations

import secrets
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from enrollment.station import Station
from enrollment.station.chain_port import ChainPort
from hardware import KeystoreDeviceKey
from uniqueness import (
    EYES,
    Endpoint,
    HttpTransport,
    RegistryView,
    ServiceParams,
    UniquenessClient,
    UniquenessService,
    serve_locally,
)

from .local_chain import DEMO_SCRYPT, DemoChain

MIN_STATIONS, MAX_STATIONS = 1, 8


@dataclass(frozen=True)
class Deployment:
    """The demo's stations and the uniqueness service's URL and object."""

    stations: tuple[Station, ...]
    service: UniquenessService
    url: str


def check_stations(n: int) -> None:
    """Raise ValueError unless `n` is a usable number of stations."""
    if isinstance(n, bool) or not isinstance(n, int) or not MIN_STATIONS <= n <= MAX_STATIONS:
        raise ValueError(f"--stations must be an integer in {MIN_STATIONS}..{MAX_STATIONS}, got {n!r}")


def _new_key(stack: ExitStack, path: Path) -> KeystoreDeviceKey:
    key = KeystoreDeviceKey.create(path, secrets.token_urlsafe(24), DEMO_SCRYPT)  # discarded with the run
    stack.callback(key.close)
    return key


def open_deployment(
    stack: ExitStack, demo: DemoChain, workdir: Path, count: int, eyes: tuple[str, ...] = EYES
) -> Deployment:
    """Start the uniqueness service and open `count` stations (closed, in reverse, when `stack` closes).

    Station 1 uses the demo's authorized device key; the others get fresh keys authorized here."""
    check_stations(count)
    keys = [demo.device]
    for n in range(2, count + 1):
        key = _new_key(stack, workdir / f"device-key-{n}.json")
        demo.chain.registry.authorize_device(key.address, demo.owner)
        keys.append(key)
    service_key = _new_key(stack, workdir / "uniqueness-key.json")
    service = UniquenessService.open(
        workdir / "uniqueness", service_key, RegistryView(demo.chain.registry), ServiceParams(eyes=eyes)
    )
    stack.callback(service.close)
    url = stack.enter_context(serve_locally(Endpoint(service)))
    stations = []
    for n, key in enumerate(keys, start=1):
        client = UniquenessClient.connect(key, HttpTransport(url), expected_service=service_key.address)
        chain = ChainPort(demo.chain.registry, demo.station_relay)
        station = Station.open(workdir / f"station-{n}", key, chain, uniqueness=client)
        stack.callback(station.close)
        stations.append(station)
    return Deployment(tuple(stations), service, url)
