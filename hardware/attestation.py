"""Capture provenance: a signed manifest for each accepted capture.

The manifest says which device accepted which frames with which models, and when, so a later audit
can show how a person was accepted without keeping the images: it holds SHA-256 hashes of the
frames (never the frames), the capture source, the model versions and the time, signed by the
device key as a canonical JSON document of kind `personhood.capture-manifest/1` (signed_json.py).
Changing any field, or presenting it as another device's, makes verification fail.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from .device_key import DeviceKey
from .errors import AttestationError, SignatureError
from .signed_json import canonical_json, parse_json_object, sign_document, verify_document

MANIFEST_KIND = "personhood.capture-manifest/1"
MANIFEST_FIELDS = frozenset(
    {"kind", "frames_sha256", "source", "models", "captured_at", "decision", "device", "sig"}
)
DECISIONS = ("accepted", "refused")
MAX_FRAMES = 512
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.:/@+\-]{1,128}$")
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def frame_sha256(image: np.ndarray) -> str:
    """Hex SHA-256 of a frame: its dtype and shape, then its pixels in C order (so a reshaped or
    re-typed array with the same bytes hashes differently)."""
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3):
        raise AttestationError("a frame is a 2-D (gray) or 3-D (color) numpy array")
    header = f"{image.dtype.str}:{'x'.join(map(str, image.shape))}\n".encode("ascii")
    return hashlib.sha256(header + np.ascontiguousarray(image).tobytes()).hexdigest()


def _check_time(text: object) -> str:
    if not isinstance(text, str) or not text.endswith("Z"):
        raise AttestationError("captured_at must be an RFC 3339 UTC time ending in Z")
    try:
        datetime.fromisoformat(text[:-1] + "+00:00")
    except ValueError as e:
        raise AttestationError(f"captured_at {text!r} is not an RFC 3339 time") from e
    return text


@dataclass(frozen=True)
class CaptureManifest:
    """What was captured and decided (unsigned). `models` is sorted (name, version) pairs."""

    frames_sha256: tuple[str, ...]
    source: str
    models: tuple[tuple[str, str], ...]
    captured_at: str
    decision: str = "accepted"

    def __post_init__(self) -> None:
        if not 0 < len(self.frames_sha256) <= MAX_FRAMES or not all(
            isinstance(h, str) and SHA256_HEX.match(h) for h in self.frames_sha256
        ):
            raise AttestationError(f"frames_sha256 must be 1..{MAX_FRAMES} lower-case SHA-256 hex digests")
        if not isinstance(self.source, str) or not NAME_PATTERN.match(self.source):
            raise AttestationError("source must be a short identifier like opencv:0 or synthetic:subject-3")
        names = [name for name, _ in self.models]
        if names != sorted(set(names)) or not all(
            isinstance(n, str) and isinstance(v, str) and NAME_PATTERN.match(n) and NAME_PATTERN.match(v)
            for n, v in self.models
        ):
            raise AttestationError("models must be sorted, unique (name, version) identifier pairs")
        if self.decision not in DECISIONS:
            raise AttestationError(f"decision must be one of {DECISIONS}")
        _check_time(self.captured_at)

    @classmethod
    def for_frames(
        cls,
        frames: Sequence[np.ndarray],
        source: str,
        models: Mapping[str, str],
        captured_at: str,
        decision: str = "accepted",
    ) -> CaptureManifest:
        """Build a manifest from the frames themselves (hashing them) and a model → version map."""
        return cls(
            frames_sha256=tuple(frame_sha256(f) for f in frames),
            source=source,
            models=tuple(sorted(models.items())),
            captured_at=captured_at,
            decision=decision,
        )

    def body(self) -> dict[str, object]:
        """The document to sign (without device and signature)."""
        return {
            "kind": MANIFEST_KIND,
            "frames_sha256": list(self.frames_sha256),
            "source": self.source,
            "models": dict(self.models),
            "captured_at": self.captured_at,
            "decision": self.decision,
        }


@dataclass(frozen=True)
class SignedManifest:
    """A manifest with the signing device's address and its EIP-191 signature."""

    manifest: CaptureManifest
    device: str
    signature: str

    def to_json(self) -> bytes:
        """Canonical JSON bytes (what is stored beside the enrollment record)."""
        return canonical_json({**self.manifest.body(), "device": self.device, "sig": self.signature})

    def matches_frames(self, frames: Sequence[np.ndarray]) -> bool:
        """True iff `frames` are exactly the frames the manifest hashes, in order."""
        return tuple(frame_sha256(f) for f in frames) == self.manifest.frames_sha256


def sign_manifest(key: DeviceKey, manifest: CaptureManifest) -> SignedManifest:
    """Sign `manifest` with the device key."""
    doc = sign_document(key, manifest.body())
    return SignedManifest(manifest, str(doc["device"]), str(doc["sig"]))


def verify_manifest(data: bytes | Mapping[str, object], expected_device: str | None = None) -> SignedManifest:
    """Parse and verify a signed manifest (JSON bytes or a parsed document).

    Raises AttestationError if it is malformed, any field was changed, or it was not signed by
    `expected_device` (when given).
    """
    try:
        doc = parse_json_object(data) if isinstance(data, bytes) else dict(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise AttestationError(f"manifest is not a JSON object: {e}") from e
    if set(doc) != MANIFEST_FIELDS or doc.get("kind") != MANIFEST_KIND:
        raise AttestationError("not a capture manifest (unexpected fields or kind)")
    if not isinstance(doc["frames_sha256"], list) or not isinstance(doc["models"], dict):
        raise AttestationError("frames_sha256 must be a list and models an object")
    manifest = CaptureManifest(
        frames_sha256=tuple(doc["frames_sha256"]),
        source=doc["source"],
        models=tuple(sorted(doc["models"].items())),
        captured_at=doc["captured_at"],
        decision=doc["decision"],
    )
    try:
        verify_document(doc, expected_device=expected_device)
    except SignatureError as e:
        raise AttestationError(f"manifest signature does not verify: {e}") from e
    return SignedManifest(manifest, str(doc["device"]), str(doc["sig"]))
