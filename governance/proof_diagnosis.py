"""Why a membership proof would be refused, all reasons at once (pure: no chain, no verifier).

`/v1/verify` stops at the first failed check; a person debugging a proof wants every mismatch, each with
the code the API would answer (`wrong_scope`, `wrong_message`, `unknown_root`, `wrong_depth`), so the
command line (`personhood verify --action/--signal/--group`) can say what to change.
"""

from __future__ import annotations

from dataclasses import dataclass

from zk_identity import MembershipProof


@dataclass(frozen=True)
class Expectation:
    """What the verifier expects of a proof; None means "not checked"."""

    scope: int | None = None
    message: int | None = None
    root: int | None = None
    depth: int | None = None
    scope_from: str = "the expected scope"  # how to name the source in messages, e.g. "action 'vote'"
    message_from: str = "the expected message"


@dataclass(frozen=True)
class Problem:
    """One reason for refusal: the API's error code and a sentence for a person."""

    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        """{"code": ..., "message": ...}."""
        return {"code": self.code, "message": self.message}


def diagnose(proof: MembershipProof, expected: Expectation) -> tuple[Problem, ...]:
    """Every way `proof`'s public values differ from `expected`, in the API's order of checks."""
    problems = []
    if expected.scope is not None and proof.scope != expected.scope:
        problems.append(
            Problem(
                "wrong_scope",
                f"the proof's scope {proof.scope} is not {expected.scope_from} ({expected.scope})",
            )
        )
    if expected.message is not None and proof.message != expected.message:
        problems.append(
            Problem(
                "wrong_message",
                f"the proof's message {proof.message} is not {expected.message_from} ({expected.message})",
            )
        )
    if expected.root is not None and proof.merkle_tree_root != expected.root:
        problems.append(
            Problem(
                "unknown_root",
                f"the proof's merkleTreeRoot {proof.merkle_tree_root} is not the group's root "
                f"{expected.root}",
            )
        )
    if expected.depth is not None and proof.merkle_tree_depth != expected.depth:
        problems.append(
            Problem(
                "wrong_depth",
                f"the proof is for depth {proof.merkle_tree_depth}; the group's root has depth "
                f"{expected.depth}",
            )
        )
    return tuple(problems)
