"""Invariant test: random sequences of enroll / revoke / vote / device revocation against a Python model.

Hypothesis drives short sequences on the shared anvil (each example rolled back by evm_revert); proofs are
the precomputed base-group proofs (their root stays valid: no time passes). After every step the registry
root must equal the model tree's root, and the tallies the model's; every refusal must be the one the
model predicts, and a refused step must change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import ContractRevertError

from .conftest import ENROLLED, SECRETS, World, imt_root

pytestmark = [pytest.mark.slow, pytest.mark.node]

FUZZ_OPTIONS = {"fuzz_a": 2, "fuzz_b": 3}

steps = st.one_of(
    st.tuples(st.just("enroll"), st.integers(ENROLLED, len(SECRETS) - 1), st.sampled_from("ABC")),
    st.tuples(
        st.just("revoke"), st.integers(0, len(SECRETS) - 1), st.sampled_from(["owner", "A", "relayer"])
    ),
    st.tuples(st.just("vote"), st.integers(0, ENROLLED - 1), st.sampled_from(sorted(FUZZ_OPTIONS))),
    st.tuples(st.just("revoke_device"), st.just(0), st.just("A")),
)


@dataclass
class Model:
    """What the registry and the ballot should hold."""

    leaves: list[int]
    device_a_active: bool = True
    revoked: set[int] = field(default_factory=set)
    used: set[tuple[str, int]] = field(default_factory=set)
    tallies: dict[str, list[int]] = field(
        default_factory=lambda: {p: [0] * n for p, n in FUZZ_OPTIONS.items()}
    )

    def expect(self, world: World, step: tuple) -> str | None:
        """The error the step must fail with, or None when it must succeed (and apply it to the model)."""
        kind, a, b = step
        if kind == "enroll":
            commitment = world.commitments[a]
            if b != "A" or not self.device_a_active:
                return "DeviceNotActive"
            if commitment in self.leaves or commitment in self.revoked:
                return "AlreadyEnrolled"
            self.leaves.append(commitment)
        elif kind == "revoke":
            commitment = world.commitments[a]
            if commitment not in self.leaves and commitment not in self.revoked:
                return "NotEnrolled"
            if commitment in self.revoked:
                return "AlreadyRevoked"
            if b == "relayer" or (b == "A" and not self.device_a_active):
                return "NotAllowedToRevoke"
            self.leaves[self.leaves.index(commitment)] = 0
            self.revoked.add(commitment)
        elif kind == "vote":
            option = a % FUZZ_OPTIONS[b]
            if (b, a) in self.used:
                return "NullifierAlreadyUsed"
            self.used.add((b, a))
            self.tallies[b][option] += 1
        else:
            if not self.device_a_active:
                return "DeviceNotActive"
            self.device_a_active = False
        return None


def _run(world: World, step: tuple) -> None:
    kind, a, b = step
    if kind == "enroll":
        world.enroll(a, device=b)
    elif kind == "revoke":
        sender = {"owner": world.owner, "A": world.devices["A"], "relayer": world.relayer}[b]
        world.registry.revoke(world.commitments[a], sender)
    elif kind == "vote":
        world.one.cast_vote(
            world.proposals[b], a % FUZZ_OPTIONS[b], world.proofs[f"{b}_id{a}"], world.relayer
        )
    else:
        world.registry.revoke_device(world.devices["A"].address, world.owner)


def _observed(world: World) -> tuple[int, int, dict[str, list[int]]]:
    tallies = {p: world.one.tallies(world.proposals[p]) for p in FUZZ_OPTIONS}
    return world.registry.current_root(), world.registry.size(), tallies


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sequence=st.lists(steps, min_size=1, max_size=6))
def test_random_sequences_match_the_model(world, sequence):
    snapshot = world.w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        model = Model(leaves=list(world.commitments[:ENROLLED]))
        for step in sequence:
            before = _observed(world)
            error = model.expect(world, step)
            if error is None:
                _run(world, step)
            else:
                with pytest.raises(ContractRevertError) as refused:
                    _run(world, step)
                assert refused.value.error == error, step
                assert _observed(world) == before, "a refused step changed the chain"
            root, size, tallies = _observed(world)
            assert root == imt_root(model.leaves)
            assert size == len(model.leaves)
            assert tallies == model.tallies
            assert world.registry.leaves() == model.leaves
        for proposal in FUZZ_OPTIONS:
            assert world.one.recount(world.proposals[proposal]) == model.tallies[proposal]
    finally:
        assert world.w3.provider.make_request("evm_revert", [snapshot])["result"]
