"""Where the proving and verification keys live, for both key sources.

- "official": the Semaphore v4 multi-party ceremony, npm @zk-kit/semaphore-artifacts
  (`semaphore-N.wasm`, `.zkey`, `.json` for tree depths N = 1..32), one circuit per depth.
- "own": our membership circuit with our own setup (`personhood zk setup`), one artifact set
  per MAX_DEPTH in `<cache_dir>/setup/membership-<MAX_DEPTH>/`; a circuit of MAX_DEPTH proves
  any tree of depth <= MAX_DEPTH, and a proof's merkleTreeDepth names the circuit's MAX_DEPTH.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import SetupError
from .manifest import read_manifest
from .node_tools import node_package
from .proof import MAX_DEPTH, MIN_DEPTH

OFFICIAL_PACKAGE = "@zk-kit/semaphore-artifacts"
KEY_SOURCES = ("official", "own")


@dataclass(frozen=True)
class KeyArtifacts:
    """The three files of one circuit: witness generator, proving key, verification key."""

    source: str
    depth: int
    wasm: Path
    zkey: Path
    vkey_path: Path

    def vkey(self) -> dict[str, Any]:
        """The verification key (snarkjs JSON), read once per path."""
        return _read_json(self.vkey_path)


@lru_cache(maxsize=64)
def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def setup_dir(cache_dir: Path, max_depth: int) -> Path:
    """The folder of our own artifact set for one MAX_DEPTH."""
    return Path(cache_dir) / "setup" / f"membership-{max_depth}"


def official_artifacts(depth: int, node_modules: Path | None = None) -> KeyArtifacts:
    """The official ceremony's files for tree depth `depth` (1..32)."""
    if isinstance(depth, bool) or not isinstance(depth, int) or not MIN_DEPTH <= depth <= MAX_DEPTH:
        raise SetupError(f"the official artifacts cover depths {MIN_DEPTH}..{MAX_DEPTH}, not {depth!r}")
    base = node_package(OFFICIAL_PACKAGE, node_modules) / f"semaphore-{depth}"
    return KeyArtifacts(
        "official", depth, base.with_suffix(".wasm"), base.with_suffix(".zkey"), base.with_suffix(".json")
    )


def own_depths(cache_dir: Path) -> list[int]:
    """The MAX_DEPTHs for which an own artifact set with a manifest exists, ascending."""
    found = []
    for manifest in (Path(cache_dir) / "setup").glob("membership-*/manifest.json"):
        suffix = manifest.parent.name.removeprefix("membership-")
        if suffix.isdigit():
            found.append(int(suffix))
    return sorted(found)


def own_artifacts(cache_dir: Path, *, at_least: int = 1, exactly: int | None = None) -> KeyArtifacts:
    """Our own artifact set: the one of MAX_DEPTH `exactly`, else the smallest >= `at_least`."""
    depths = own_depths(cache_dir)
    choices = [d for d in depths if (d == exactly if exactly is not None else d >= at_least)]
    if not choices:
        want = f"MAX_DEPTH {exactly}" if exactly is not None else f"MAX_DEPTH >= {at_least}"
        raise SetupError(
            f"no own setup with {want} in {Path(cache_dir) / 'setup'} (have: {depths or 'none'}); "
            f"run `personhood zk setup --dev --depth N`"
        )
    manifest = read_manifest(setup_dir(cache_dir, choices[0]))
    return KeyArtifacts("own", manifest.max_depth, manifest.wasm, manifest.zkey, manifest.vkey_path)
