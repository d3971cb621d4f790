"""Proposal metadata: a title, a description and one label per option, kept off chain and bound to the
proposal by its keccak256, which is the `descriptionHash` the ballot contract stores (pure, no I/O).

The hashed bytes are the canonical JSON of the four fields: keys sorted, no insignificant whitespace,
UTF-8, non-ASCII characters written as themselves (for this schema of strings, a list of strings and a
boolean that is RFC 8785's JSON canonicalization), so anyone can recompute the hash with any JSON
library and compare it with `descriptionHash(id)` on chain. A proposal opened with a bare description
(`gov propose --description TEXT`) keeps keccak256(TEXT) on chain; it simply has no metadata.

`hideResultsUntilClose` is part of the hashed metadata, so the proposer commits to it on chain and a
server cannot change it later. It is a courtesy of our API and pages only: the tallies and every vote
event are public on chain while voting is open (see README, DAOs).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from eth_utils import keccak

from .errors import GovernanceError, RequestError

MAX_TITLE_CHARS = 200
MAX_DESCRIPTION_CHARS = 10_000
MAX_LABEL_CHARS = 100
MIN_OPTIONS, MAX_OPTIONS = 2, 32  # TallyBook's limits
MAX_METADATA_BYTES = 64 * 1024  # a request body or file larger than any valid metadata is refused unread
FIELDS = frozenset({"title", "description", "options", "hideResultsUntilClose"})


class MetadataError(RequestError):
    """Metadata that is not the schema: a missing or extra field, a wrong type, an empty or long text."""

    code = "invalid_metadata"


class MetadataMismatchError(GovernanceError, ValueError):
    """Well-formed metadata whose hash is not the proposal's on-chain descriptionHash (or whose option
    count is not the proposal's); `expected` and `actual` are the two hashes (0x hex)."""

    code = "metadata_mismatch"
    status = 409

    def __init__(self, message: str, expected: str = "", actual: str = "") -> None:
        super().__init__(message)
        self.expected, self.actual = expected, actual


@dataclass(frozen=True)
class ProposalMetadata:
    """What a voter reads about a proposal; `options` holds one label per on-chain option, in order."""

    title: str
    description: str
    options: tuple[str, ...]
    hide_results_until_close: bool = False

    def __post_init__(self) -> None:
        _check_text("title", self.title, MAX_TITLE_CHARS, allow_empty=False)
        _check_text("description", self.description, MAX_DESCRIPTION_CHARS, allow_empty=True)
        if not isinstance(self.options, tuple) or not MIN_OPTIONS <= len(self.options) <= MAX_OPTIONS:
            raise MetadataError(f"options must be a list of {MIN_OPTIONS}..{MAX_OPTIONS} labels")
        for i, label in enumerate(self.options):
            _check_text(f"options[{i}]", label, MAX_LABEL_CHARS, allow_empty=False)
        if len(set(self.options)) != len(self.options):
            raise MetadataError("option labels must be distinct")
        if not isinstance(self.hide_results_until_close, bool):
            raise MetadataError("hideResultsUntilClose must be true or false")

    def to_json(self) -> dict[str, object]:
        """The JSON object (the schema's field names)."""
        return {
            "title": self.title,
            "description": self.description,
            "options": list(self.options),
            "hideResultsUntilClose": self.hide_results_until_close,
        }

    def canonical(self) -> bytes:
        """The canonical bytes that are hashed: sorted keys, no whitespace, UTF-8."""
        return canonical_json(self.to_json())

    def digest(self) -> bytes:
        """keccak256 of the canonical bytes: the bytes32 to store as the proposal's descriptionHash."""
        return keccak(self.canonical())

    @classmethod
    def from_json(cls, value: object) -> ProposalMetadata:
        """Validate a decoded JSON object; MetadataError for anything but the schema."""
        if not isinstance(value, Mapping):
            raise MetadataError("metadata must be a JSON object")
        keys = set(value)
        if not {"title", "options"} <= keys or not keys <= FIELDS:
            raise MetadataError(
                f"metadata fields are {', '.join(sorted(FIELDS))} (title and options required)"
            )
        options = value["options"]
        if not isinstance(options, list):
            raise MetadataError("options must be a list of labels")
        return cls(
            value["title"],  # type: ignore[arg-type]  # checked in __post_init__
            value.get("description", ""),  # type: ignore[arg-type]
            tuple(options),
            value.get("hideResultsUntilClose", False),  # type: ignore[arg-type]
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> ProposalMetadata:
        """Parse JSON bytes (a file or request body); MetadataError when too large, not UTF-8 JSON or
        not the schema."""
        if len(data) > MAX_METADATA_BYTES:
            raise MetadataError(f"metadata is limited to {MAX_METADATA_BYTES} bytes")
        try:
            value = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise MetadataError(f"metadata is not UTF-8 JSON: {e}") from e
        return cls.from_json(value)


def canonical_json(value: Mapping[str, object]) -> bytes:
    """Sorted keys, ',' and ':' separators, UTF-8 with non-ASCII characters unescaped."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def hex32(digest: bytes) -> str:
    """0x-prefixed lower-case hex of a bytes32."""
    return "0x" + digest.hex()


def _check_text(name: str, value: object, limit: int, *, allow_empty: bool) -> None:
    if not isinstance(value, str):
        raise MetadataError(f"{name} must be a string")
    if not allow_empty and not value.strip():
        raise MetadataError(f"{name} must not be empty")
    if len(value) > limit:
        raise MetadataError(f"{name} is limited to {limit} characters")
    if "\x00" in value:  # PostgreSQL text refuses NUL; nobody means one
        raise MetadataError(f"{name} must not contain NUL characters")
