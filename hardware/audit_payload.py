"""What an audit-log entry may carry: decisions and reasons, never biometric data.

Biometric data is toxic: an image, an iris code or a mask in an append-only, signed, copied-around
log could never be deleted on request. So the payload is checked at the boundary and refused,
rather than scrubbed, when it contains anything that could be such data: non-JSON values (bytes,
numpy arrays or scalars), nested arrays, long lists, long strings, long unbroken tokens (hex or
base64 blobs), or any non-numeric value under a key that names biometric material.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import AuditLogError

BIOMETRIC_KEY_WORDS = (
    "image",
    "frame",
    "pixel",
    "photo",
    "video",
    "template",
    "iriscode",
    "iris_code",
    "code_bits",
    "mask",
    "embedding",
    "feature",
    "biometric",
    "texture",
)  # a key containing one of these may only hold a number (a count, a score, a fraction)
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_.\-]{0,63}$")
MAX_INT = 2**256  # field elements and uint256 fit; anything larger is not a decision


@dataclass(frozen=True)
class PayloadPolicy:
    """Limits on an entry's payload (defaults fit decisions, reasons, scores, hashes and commitments).

    max_token_chars: the longest run without whitespace in a string; 132 fits a 0x-prefixed
    65-byte signature and refuses a hex- or base64-encoded template (2 KiB → 2,700+ chars).
    """

    max_string_chars: int = 256
    max_token_chars: int = 132
    max_list_items: int = 32
    max_depth: int = 3
    max_keys: int = 32
    max_total_bytes: int = 4096


def _check_key(key: object, path: str) -> str:
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise AuditLogError(
            f"payload key {path}{key!r} must be lower-case [a-z0-9_.-], at most 64 characters"
        )
    return key


def _check_scalar(value: object, path: str, policy: PayloadPolicy) -> object:
    kind = type(value)
    if value is None or kind is bool:
        return value
    if kind is int:
        if abs(value) >= MAX_INT:  # type: ignore[arg-type]
            raise AuditLogError(f"payload value at {path} is too large for a decision field")
        return value
    if kind is float:
        if not math.isfinite(value):  # type: ignore[arg-type]
            raise AuditLogError(f"payload value at {path} must be finite")
        return value
    if kind is str:
        if len(value) > policy.max_string_chars:  # type: ignore[arg-type]
            raise AuditLogError(
                f"payload string at {path} is longer than {policy.max_string_chars} characters"
            )
        longest = max((len(t) for t in value.split()), default=0)  # type: ignore[union-attr]
        if longest > policy.max_token_chars:
            raise AuditLogError(
                f"payload string at {path} looks like an encoded blob ({longest} characters, no space); "
                "the audit log records decisions and reasons, never images or templates"
            )
        return value
    raise AuditLogError(
        f"payload value at {path} is a {kind.__module__}.{kind.__name__}; only JSON scalars, short lists "
        "and small objects are allowed (never images, arrays or templates)"
    )


def _check(value: object, path: str, depth: int, policy: PayloadPolicy) -> object:
    if isinstance(value, Mapping):
        if depth >= policy.max_depth:
            raise AuditLogError(f"payload at {path} is nested deeper than {policy.max_depth} levels")
        if len(value) > policy.max_keys:
            raise AuditLogError(f"payload object at {path} has more than {policy.max_keys} keys")
        out = {}
        for key, item in value.items():
            name = _check_key(key, path)
            lowered = name.replace("-", "_")
            if any(word in lowered for word in BIOMETRIC_KEY_WORDS) and type(item) not in (int, float, bool):
                raise AuditLogError(
                    f"payload key {path}{name} names biometric material; only a number may go there"
                )
            out[name] = _check(item, f"{path}{name}.", depth + 1, policy)
        return out
    if isinstance(value, (list, tuple)):
        if len(value) > policy.max_list_items:
            raise AuditLogError(f"payload list at {path} has more than {policy.max_list_items} items")
        return [_check_scalar(item, f"{path}[{i}]", policy) for i, item in enumerate(value)]
    return _check_scalar(value, path.rstrip("."), policy)


def check_payload(payload: Mapping[str, object], policy: PayloadPolicy | None = None) -> dict[str, object]:
    """A plain-JSON copy of `payload` if it is allowed in the audit log; else AuditLogError saying why."""
    policy = policy or PayloadPolicy()
    if not isinstance(payload, Mapping):
        raise AuditLogError("an audit payload must be a mapping of decision fields")
    checked = _check(payload, "", 0, policy)
    size = len(json.dumps(checked, separators=(",", ":")))
    if size > policy.max_total_bytes:
        raise AuditLogError(f"payload is {size} bytes of JSON; the limit is {policy.max_total_bytes}")
    return checked  # type: ignore[return-value]
