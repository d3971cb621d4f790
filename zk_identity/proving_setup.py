"""`ProvingSetup`: where the keys come from and which machinery proves and verifies, as one value.

What used to travel side by side through the CLI, the demo and the services (`keys`, `cache_dir`,
`node_modules`, `pool`, `backend`) is one frozen value: `prove(..., setup=)`, `verify(..., setup=)`,
`ProofChecker(registry, setup=)`; `Settings.proving_setup()` builds it from configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .artifacts import KeyArtifacts, official_artifacts, own_artifacts
from .errors import ProverError, SetupError
from .proof import MAX_DEPTH
from .prover_pool import ProverPool, default_pool

PROVER_BACKENDS = ("auto", "native", "worker", "cli")
VERIFIER_BACKENDS = ("py_ecc", "node", "native")


@dataclass(frozen=True)
class ProvingSetup:
    """The key source and the proving/verifying machinery (validated where it is used).

    keys: "official" (Semaphore v4 ceremony, npm @zk-kit/semaphore-artifacts under node_modules) or
    "own" (our circuit's `personhood zk setup` output under cache_dir). prover: "auto", "native",
    "worker" or "cli" (see `prove`). verifier: "py_ecc", "node" or "native" (see `verify`).
    pool: the node worker pool to use; None: the process-wide one, started on first use.
    """

    keys: str = "official"
    cache_dir: Path | None = None
    node_modules: Path | None = None
    pool: ProverPool | None = None
    prover: str = "auto"
    verifier: str = "py_ecc"

    def worker_pool(self) -> ProverPool:
        """The given pool, or the process-wide one for `node_modules`."""
        return self.pool or default_pool(self.node_modules)

    def proving_artifacts(self, length: int, depth: int | None) -> KeyArtifacts:
        """The circuit files for a member path of `length` levels: the official set for `depth`
        (default: `length`, at least 1), or our own set (exactly `depth`, else the smallest that fits).

        Raises ProverError (depth out of range, unknown key source, own keys without cache_dir),
        SetupError (the files are not there).
        """
        if depth is not None and (
            isinstance(depth, bool) or not isinstance(depth, int) or not length <= depth <= MAX_DEPTH
        ):
            raise ProverError(
                f"depth must be an int in {max(length, 1)}..{MAX_DEPTH} for this group, got {depth!r}"
            )
        if self.keys == "official":
            return official_artifacts(depth if depth is not None else max(1, length), self.node_modules)
        if self.keys == "own":
            if self.cache_dir is None:
                raise ProverError("own keys need a cache_dir holding `personhood zk setup` output")
            if depth is not None:
                return own_artifacts(self.cache_dir, exactly=depth)
            return own_artifacts(self.cache_dir, at_least=max(1, length))
        raise ProverError(f"keys must be 'official' or 'own', got {self.keys!r}")

    def verification_key(self, depth: int) -> dict[str, Any]:
        """The verification key (snarkjs JSON) for proofs of `depth`; SetupError when there is none."""
        if self.keys == "official":
            return official_artifacts(depth, self.node_modules).vkey()
        if self.keys == "own" and self.cache_dir is not None:
            return own_artifacts(self.cache_dir, exactly=depth).vkey()
        raise SetupError(f"no verification key source {self.keys!r} (cache_dir={self.cache_dir})")


DEFAULT_SETUP = ProvingSetup()
