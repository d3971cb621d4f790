"""A station's data directory belongs to one registry on one chain, and the station starts only with an
authorized device.

The gallery, journal and audit log under a station directory describe enrollments into one registry. Opened
against another (a redeployed local chain, another network), the station would keep an old gallery beside
an empty registry and refuse people as "already enrolled". So the first start records the chain id and
registry address in `registry.json`; later starts compare and refuse on a mismatch, before any store is
opened. A device that is not authorized (never, or revoked) cannot add a member, so the station refuses to
start rather than fail at the end of each person's enrollment.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from contracts import RegistryClient

from ..errors import StationBindingError

BINDING_FILE = "registry.json"


@dataclass(frozen=True)
class StationBinding:
    """The chain and registry a station directory's records belong to."""

    chain_id: int
    genesis: str  # hash of block 0, 0x-hex
    registry: str

    def to_json(self) -> dict[str, object]:
        """{"chain_id": int, "genesis": 0x-hex, "registry": checksummed address}."""
        return {"chain_id": self.chain_id, "genesis": self.genesis, "registry": self.registry}

    def same_as(self, other: StationBinding) -> bool:
        """Equal up to the case of hex digits."""
        key = (self.chain_id, self.genesis.lower(), self.registry.lower())
        return key == (other.chain_id, other.genesis.lower(), other.registry.lower())


def binding_of(registry: RegistryClient) -> StationBinding:
    """The binding of `registry` on the chain its client is connected to (chain id, genesis hash)."""
    genesis = registry.block_hash(0)
    if genesis is None:
        raise StationBindingError("the chain has no genesis block (is the node syncing?)")
    return StationBinding(registry.chain_id, genesis, registry.address)


def bind_station_dir(data_dir: Path, binding: StationBinding) -> None:
    """Record `binding` on first use of `data_dir`; raise StationBindingError if it holds another's data.

    A directory that already has station records (a gallery or an audit log) but no binding file is from
    before bindings existed: it is refused too, since nothing says which registry it belongs to.
    """
    data_dir = Path(data_dir)
    path = data_dir / BINDING_FILE
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            recorded = StationBinding(int(data["chain_id"]), str(data["genesis"]), str(data["registry"]))
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise StationBindingError(f"{path} is unreadable ({e}); move the directory aside") from e
        if not recorded.same_as(binding):
            other_chain = "" if recorded.genesis.lower() == binding.genesis.lower() else " (another chain)"
            raise StationBindingError(
                f"{data_dir} holds the records of registry {recorded.registry} on chain {recorded.chain_id}"
                f"{other_chain}, not of {binding.registry} on this chain {binding.chain_id}; use another "
                "--station-dir (or move this one aside) for the new registry"
            )
        return
    if (data_dir / "gallery").exists() or (data_dir / "audit.log").exists():
        raise StationBindingError(
            f"{data_dir} holds station records but does not say which registry they belong to; "
            "use another --station-dir for this registry"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{BINDING_FILE}.tmp")
    tmp.write_text(json.dumps(binding.to_json()) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def require_authorized(device: str, status: str) -> None:
    """Raise StationBindingError unless the registry reports `device` as "active"."""
    if status != "active":
        raise StationBindingError(
            f"device {device} is {'revoked' if status == 'revoked' else 'not authorized'} on this registry; "
            f"the registry owner runs `personhood registry authorize-device {device}`"
        )
