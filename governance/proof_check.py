"""Off-chain acceptance of a membership proof, as the contracts would judge it, before anything is stored
or sent: the proof's scope and message are the expected ones, its root is current or recent in the
registry (`checkRoot`, which also gives the tree depth), and the Groth16 proof verifies at that depth."""

from __future__ import annotations

from typing import Any, Protocol

from contracts import ChainError, ContractRevertError
from zk_identity import MembershipProof, ProvingSetup, verify
from zk_identity.errors import FieldRangeError, PointError, ProofFormatError, ProverError, SetupError

from .errors import ProofRejectedError, RequestError, UpstreamError

NODE_SETUP = ProvingSetup(verifier="node")
ROOT_ERRORS = {"UnknownRoot": "unknown_root", "RootExpired": "expired_root"}


class RootSource(Protocol):
    """What the checker needs of the registry (contracts.RegistryClient has it)."""

    def check_root(self, root: int) -> int:
        """The tree depth at `root`; raises ContractRevertError("UnknownRoot" / "RootExpired")."""
        ...


def check_binding(proof: MembershipProof, scope: int, message: int) -> None:
    """Raise ProofRejectedError unless the proof was made for `scope` and `message` (pure)."""
    if proof.scope != scope:
        raise ProofRejectedError(
            f"the proof's scope {proof.scope} is not this action's scope {scope}", "wrong_scope"
        )
    if proof.message != message:
        raise ProofRejectedError(
            f"the proof's message {proof.message} is not the hash of this signal/vote ({message})",
            "wrong_message",
        )


class ProofChecker:
    """Checks proofs against a registry with the Groth16 verifier of `setup` (default: official keys,
    warm snarkjs in the process-wide worker pool)."""

    def __init__(self, registry: RootSource, *, setup: ProvingSetup = NODE_SETUP) -> None:
        self.registry = registry
        self.setup = setup
        self._vkeys: dict[int, dict[str, Any]] = {}

    def root_depth(self, root: int) -> int:
        """The registry's depth for `root`; ProofRejectedError if unknown or expired."""
        try:
            return self.registry.check_root(root)
        except ContractRevertError as e:
            code = ROOT_ERRORS.get(e.error)
            if code is None:
                raise ProofRejectedError(f"the registry refused the root: {e}", "invalid_root") from e
            reason = "is not a root of the registry" if code == "unknown_root" else "has expired"
            raise ProofRejectedError(f"merkleTreeRoot {root} {reason}", code) from e
        except ChainError as e:
            raise UpstreamError(f"the registry could not be read: {e}") from e

    def _vkey(self, depth: int) -> dict[str, Any]:
        if depth not in self._vkeys:
            try:
                self._vkeys[depth] = self.setup.verification_key(depth)
            except (SetupError, OSError) as e:
                raise UpstreamError(f"no verification key for depth {depth}: {e}") from e
        return self._vkeys[depth]

    def check(self, proof: MembershipProof, scope: int, message: int) -> int:
        """Accept `proof` for (scope, message) or raise; returns the tree depth it was checked at.

        Raises ProofRejectedError (binding, root, depth, pairing), RequestError (points off the curve),
        UpstreamError (chain or verifier unavailable).
        """
        check_binding(proof, scope, message)
        depth = self.root_depth(proof.merkle_tree_root)
        if proof.merkle_tree_depth != depth:
            raise ProofRejectedError(
                f"the proof is for depth {proof.merkle_tree_depth}; the registry's root has depth {depth}",
                "wrong_depth",
            )
        try:
            valid = verify(proof, self._vkey(depth), setup=self.setup)
        except (PointError, FieldRangeError, ProofFormatError) as e:
            raise RequestError(f"proof: {e}", "malformed_proof") from e
        except ProverError as e:
            raise UpstreamError(f"the proof verifier failed: {e}") from e
        if not valid:
            raise ProofRejectedError("the proof does not verify", "invalid_proof")
        return depth
