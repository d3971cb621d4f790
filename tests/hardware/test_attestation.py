"""Signed capture manifests: they verify, and fail when any field changes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from hardware.attestation import CaptureManifest, frame_sha256, sign_manifest, verify_manifest
from hardware.errors import AttestationError
from hardware.keystore import KeystoreDeviceKey, ScryptParams
from hardware.signed_json import canonical_json

MODELS = {"liveness.pad": "pad-cnn-1.2.0", "iris.segmenter": "seg-0.4.1", "iris.encoder": "gabor-2x16x256"}


@pytest.fixture
def frames():
    rng = np.random.default_rng(5)
    return [rng.integers(0, 256, size=(48, 64), dtype=np.uint8) for _ in range(3)]


@pytest.fixture
def signed(device_key, frames):
    manifest = CaptureManifest.for_frames(frames, "synthetic:3L", MODELS, "2026-11-25T06:00:00.000000Z")
    return sign_manifest(device_key, manifest)


def test_signed_manifest_verifies_and_eth_account_agrees(signed, device_key, frames):
    parsed = verify_manifest(signed.to_json(), expected_device=device_key.address)
    assert parsed == signed and parsed.matches_frames(frames)
    doc = json.loads(signed.to_json())
    body = canonical_json({k: v for k, v in doc.items() if k != "sig"})
    sig = bytes.fromhex(doc["sig"][2:])
    assert Account.recover_message(encode_defunct(body), signature=sig) == device_key.address


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("frames_sha256", ["00" * 32, "11" * 32, "22" * 32]),
        ("source", "opencv:0"),
        ("models", {**MODELS, "liveness.pad": "pad-cnn-1.1.9"}),
        ("captured_at", "2026-11-25T06:00:01.000000Z"),
        ("decision", "refused"),
        ("device", "0x" + "12" * 20),
        ("kind", "personhood.capture-manifest/2"),
    ],
)
def test_any_changed_field_fails_verification(signed, field, value):
    doc = json.loads(signed.to_json())
    doc[field] = value
    with pytest.raises(AttestationError):
        verify_manifest(canonical_json(doc))


def test_reordered_frames_and_swapped_frames_fail(signed, frames):
    doc = json.loads(signed.to_json())
    doc["frames_sha256"] = doc["frames_sha256"][::-1]
    with pytest.raises(AttestationError):
        verify_manifest(canonical_json(doc))
    assert not signed.matches_frames(frames[::-1])
    altered = [f.copy() for f in frames]
    altered[1][0, 0] ^= 1
    assert not signed.matches_frames(altered)


def test_manifest_from_another_device_is_refused(signed, tmp_path):
    other = KeystoreDeviceKey.create(tmp_path / "o.json", "correct horse battery", ScryptParams(n=2**14))
    with pytest.raises(AttestationError, match="expected device"):
        verify_manifest(signed.to_json(), expected_device=other.address)


@pytest.mark.parametrize(
    "data", [b"", b"[]", b"{}", b"not json", b'{"kind": "personhood.capture-manifest/1"}']
)
def test_malformed_manifests_are_refused(data):
    with pytest.raises(AttestationError):
        verify_manifest(data)


def test_manifest_fields_are_validated():
    good = {"frames_sha256": ("ab" * 32,), "source": "opencv:0", "models": (("a", "1"),),
            "captured_at": "2026-11-25T06:00:00Z"}  # fmt: skip
    CaptureManifest(**good)
    for change in [{"frames_sha256": ()}, {"frames_sha256": ("AB" * 32,)}, {"source": "has space"},
                   {"models": (("b", "1"), ("a", "1"))}, {"captured_at": "yesterday"},
                   {"captured_at": "2026-11-25T06:00:00+01:00"}, {"decision": "maybe"}]:  # fmt: skip
        with pytest.raises(AttestationError):
            CaptureManifest(**{**good, **change})


def test_frame_hash_covers_dtype_and_shape():
    image = np.arange(64 * 48, dtype=np.uint16).reshape(48, 64)
    assert frame_sha256(image) != frame_sha256(image.reshape(64, 48))
    assert frame_sha256(image) != frame_sha256(image.view(np.uint8).reshape(48, 128))
    with pytest.raises(AttestationError):
        frame_sha256(np.zeros(10))
