"""Canonical JSON documents signed by a device key (audit entries, audit heads, capture manifests).

A document is a JSON object with a `kind` (domain separation between document types), a `device`
(the signer's address) and a `sig`. The signature is EIP-191 personal_sign over the canonical
serialization of every field except `sig` (keys sorted, no whitespace, ASCII), so anyone can check
it with eth-account's `recover_message(encode_defunct(body))` or Solidity's ecrecover.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

from .device_key import DeviceKey
from .errors import SignatureError
from .secp256k1 import EthSignature, eip191_digest, recover_address


def canonical_json(obj: object) -> bytes:
    """Deterministic JSON bytes: sorted keys, no whitespace, ASCII only, no NaN/Infinity."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode(
        "ascii"
    )


def parse_json_object(data: bytes) -> dict:
    """Parse one JSON object, refusing NaN/Infinity and duplicate keys; raises ValueError."""

    def no_duplicates(pairs: list[tuple[str, object]]) -> dict:
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError("duplicate key")
        return dict(pairs)

    def no_constants(name: str) -> float:
        raise ValueError(f"{name} is not JSON")

    obj = json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicates, parse_constant=no_constants)
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    for value in obj.values():
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("non-finite number")
    return obj


def sign_document(key: DeviceKey, body: Mapping[str, object]) -> dict[str, object]:
    """`body` plus `device` (the key's address) and `sig` (EIP-191 over the canonical body)."""
    if "sig" in body or "kind" not in body:
        raise ValueError("a document to sign has a `kind` and no `sig` yet")
    unsigned = {**body, "device": key.address}
    signature = key.sign_message(canonical_json(unsigned))
    return {**unsigned, "sig": signature.to_hex()}


def verify_document(doc: Mapping[str, object], expected_device: str | None = None) -> str:
    """Check `doc`'s signature; return the signer's address.

    Raises SignatureError if the signature is malformed, does not recover to `doc["device"]`, or
    the device is not `expected_device` (compared case-insensitively, as addresses are).
    """
    sig_text, device = doc.get("sig"), doc.get("device")
    if not isinstance(device, str) or not isinstance(sig_text, str):
        raise SignatureError("document has no device or signature")
    signature = EthSignature.from_hex(sig_text)
    body = {k: v for k, v in doc.items() if k != "sig"}
    signer = recover_address(eip191_digest(canonical_json(body)), signature)
    if signer.lower() != device.lower():
        raise SignatureError(f"signature is by {signer}, not the stated device {device}")
    if expected_device is not None and signer.lower() != expected_device.lower():
        raise SignatureError(f"signed by {signer}, expected device {expected_device}")
    return signer
