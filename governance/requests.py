"""Request bodies of the HTTP API parsed into frozen values, without I/O (validation at the boundary).

Every parser raises RequestError with a message naming the offending field, so the API can answer 400
before touching the chain or the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from eth_abi import encode

from zk_identity import MembershipProof, keccak_to_field
from zk_identity.errors import FieldRangeError, ProofFormatError

from .errors import RequestError

MAX_ACTION_CHARS = 256
MAX_APP_ID_CHARS = 64
APP_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
MAX_SIGNAL_CHARS = 4096
MAX_OPTIONS = 32  # TallyBook: 2..32 options per proposal
UINT256_LIMIT = 2**256
BALLOTS = ("one_person_one_vote", "quadratic")


def action_scope(app_id: str, chain_id: int, action: str) -> int:
    """The Semaphore scope of a dapp action: keccak256(abi.encode(chain id, app id, action)) >> 8.

    Namespaced like World ID's app_id + action: two dapps (or two deployments on other chains) that pick
    the same action text get unrelated scopes, so their nullifiers cannot be linked or collide.
    abi.encode (not packed) keeps ("ab", "c") and ("a", "bc") apart; a contract can recompute it.
    """
    data = encode(["uint256", "string", "string"], [chain_id, app_id, action])
    return keccak_to_field(data)


def signal_message(signal: str) -> int:
    """The Semaphore message of a signal: keccak256(UTF-8 signal) >> 8."""
    return keccak_to_field(signal.encode("utf-8"))


@dataclass(frozen=True)
class VerifyRequest:
    """POST /v1/verify: a proof that its holder performs `action` of dapp `app_id` once, bound to `signal`."""

    app_id: str
    action: str
    signal: str
    proof: MembershipProof


@dataclass(frozen=True)
class VoteRequest:
    """POST /v1/relay/vote: a ballot for `proposal_id`; `votes` is one-hot for one-person-one-vote."""

    ballot: str
    proposal_id: int
    option: int | None
    votes: tuple[int, ...] | None
    proof: MembershipProof

    def to_json(self) -> dict[str, object]:
        """The request body `parse_vote` reads back into this value."""
        body: dict[str, object] = {"ballot": self.ballot, "proposalId": self.proposal_id}
        if self.votes is None:
            body["option"] = self.option
        else:
            body["votes"] = list(self.votes)
        body["proof"] = self.proof.to_json()
        return body


def _object(body: object) -> Mapping[str, object]:
    if not isinstance(body, Mapping):
        raise RequestError("the request body must be a JSON object")
    return body


def _fields(
    body: Mapping[str, object], required: frozenset[str], optional: frozenset[str] = frozenset()
) -> None:
    missing = sorted(required - set(body))
    if missing:
        raise RequestError(f"missing field(s): {', '.join(missing)}", "missing_field")
    unknown = sorted(set(body) - required - optional)
    if unknown:
        raise RequestError(f"unknown field(s): {', '.join(unknown)}", "unknown_field")


def _text(body: Mapping[str, object], name: str, low: int, high: int) -> str:
    value = body[name]
    if not isinstance(value, str):
        raise RequestError(f"{name} must be a string, got {type(value).__name__}", "wrong_type")
    if not low <= len(value) <= high:
        raise RequestError(f"{name} must have {low}..{high} characters, got {len(value)}", "out_of_range")
    return value


def _printable(value: str, name: str) -> str:
    """Refuse control characters (a NUL breaks PostgreSQL text; none belongs in an id or action)."""
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value):
        raise RequestError(f"{name} must not contain control characters", "invalid_text")
    return _utf8(value, name)


def _utf8(value: str, name: str) -> str:
    """Refuse text UTF-8 cannot encode (a lone surrogate from a JSON \\ud800 escape)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise RequestError(f"{name} is not valid Unicode text", "invalid_text") from e
    return value


def _app_id(body: Mapping[str, object]) -> str:
    value = _text(body, "app_id", 1, MAX_APP_ID_CHARS)
    if not set(value) <= APP_ID_CHARS:
        raise RequestError("app_id may hold only letters, digits, '_', '-' and '.'", "invalid_text")
    return value


def _uint(value: object, name: str, limit: int = UINT256_LIMIT) -> int:
    """A JSON integer (or decimal string) in [0, limit)."""
    if isinstance(value, str) and value.isdecimal() and value.isascii() and len(value) <= 78:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RequestError(f"{name} must be a non-negative integer, got {type(value).__name__}", "wrong_type")
    if not 0 <= value < limit:
        raise RequestError(f"{name} must be in [0, {limit}), got {value}", "out_of_range")
    return value


def parse_proof(value: object) -> MembershipProof:
    """Semaphore v4 SemaphoreProof JSON; field elements must be canonical (< r, coordinates < q)."""
    if not isinstance(value, Mapping):
        raise RequestError("proof must be a Semaphore proof object", "wrong_type")
    try:
        return MembershipProof.from_json(dict(value))
    except FieldRangeError as e:
        raise RequestError(f"proof: {e}", "out_of_range") from e
    except (ProofFormatError, TypeError, ValueError) as e:
        raise RequestError(f"proof: {e}", "malformed_proof") from e


def parse_verify(body: object) -> VerifyRequest:
    """Validate a /v1/verify body: {app_id, action, signal, proof}."""
    data = _object(body)
    _fields(data, frozenset({"app_id", "action", "signal", "proof"}))
    return VerifyRequest(
        app_id=_app_id(data),
        action=_printable(_text(data, "action", 1, MAX_ACTION_CHARS), "action"),
        signal=_utf8(_text(data, "signal", 0, MAX_SIGNAL_CHARS), "signal"),
        proof=parse_proof(data["proof"]),
    )


def parse_vote(body: object) -> VoteRequest:
    """Validate a /v1/relay/vote body: {ballot, proposalId, option | votes, proof}."""
    data = _object(body)
    _fields(data, frozenset({"ballot", "proposalId", "proof"}), frozenset({"option", "votes"}))
    ballot = data["ballot"]
    if ballot not in BALLOTS:
        raise RequestError(f"ballot must be one of {', '.join(BALLOTS)}, got {ballot!r}", "unknown_ballot")
    proposal_id = _uint(data["proposalId"], "proposalId")
    proof = parse_proof(data["proof"])
    if ballot == "one_person_one_vote":
        if "option" not in data or "votes" in data:
            raise RequestError(
                "a one_person_one_vote ballot takes `option` (and no `votes`)", "missing_field"
            )
        return VoteRequest(ballot, proposal_id, _uint(data["option"], "option", MAX_OPTIONS), None, proof)
    if "votes" not in data or "option" in data:
        raise RequestError("a quadratic ballot takes `votes` (and no `option`)", "missing_field")
    votes = data["votes"]
    if not isinstance(votes, list) or not 2 <= len(votes) <= MAX_OPTIONS:
        raise RequestError(f"votes must be a list of 2..{MAX_OPTIONS} integers", "wrong_type")
    amounts = tuple(_uint(v, f"votes[{i}]", 2**128) for i, v in enumerate(votes))
    return VoteRequest(ballot, proposal_id, None, amounts, proof)
