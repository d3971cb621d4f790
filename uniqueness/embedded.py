"""A throw-away uniqueness service for a one-off local deployment (`personhood station serve --deploy`).

Its key (a keystore with a random password, never shown), gallery and journal live in `directory`,
which the caller deletes with the run: the embedded anvil that holds the matching registry goes too.
"""

from __future__ import annotations

import secrets
from contextlib import ExitStack
from pathlib import Path

from contracts import RegistryClient
from hardware import KeystoreDeviceKey, ScryptParams

from .endpoint import Endpoint
from .local_server import serve_locally
from .registry_view import RegistryView
from .service import ServiceParams, UniquenessService

THROWAWAY_SCRYPT = ScryptParams(n=2**14)  # the key dies with the run; a real service keeps the default


def start_embedded(
    stack: ExitStack, registry: RegistryClient, directory: Path, params: ServiceParams | None = None
) -> tuple[str, str]:
    """Start the service on a loopback port (stopped when `stack` closes); (URL, service address)."""
    directory.mkdir(parents=True, exist_ok=True)
    key = KeystoreDeviceKey.create(
        directory / "service-key.json", secrets.token_urlsafe(24), THROWAWAY_SCRYPT
    )
    stack.callback(key.close)
    service = UniquenessService.open(directory / "service", key, RegistryView(registry), params)
    stack.callback(service.close)
    return stack.enter_context(serve_locally(Endpoint(service))), key.address
