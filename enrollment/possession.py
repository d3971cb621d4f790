"""Proof that the person in front of the station holds the secret of the commitment being enrolled.

Without it a malicious operator, or a swapped QR code, binds the person's eyes to someone else's
commitment, and the person is then refused as a duplicate forever. The station issues a fresh
single-use nonce; the person's wallet (`personhood id sign-enrollment`) signs
Poseidon(POSSESSION_DOMAIN, nonce) with its EdDSA-Poseidon key (the key whose Poseidon hash is the
Semaphore v4 commitment) and shows the answer as text or a QR code:

    personhood:possession:v1:<nonce>:<Ax>:<Ay>:<R8x>:<R8y>:<S>     (decimal field elements)

The station checks the nonce is one it issued, unexpired and unused, then the signature, and only
then derives the commitment Poseidon(Ax, Ay): before any biometric step. The domain tag keeps the
signature from being reusable as any other EdDSA-Poseidon signature of the same key.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from zk_identity import Identity, keccak_to_field
from zk_identity.babyjubjub import Point
from zk_identity.eddsa_poseidon import Signature
from zk_identity.errors import PersonhoodError
from zk_identity.field import SNARK_SCALAR_FIELD
from zk_identity.poseidon import poseidon

from .errors import StationInputError

POSSESSION_PREFIX = "personhood:possession:v1:"
CHALLENGE_PREFIX = "personhood:challenge:v1:"
POSSESSION_DOMAIN = keccak_to_field(b"personhood.enrollment.possession.v1")
NONCE_BYTES = 31  # < 2^248: always a field element
NONCE_TTL_S = 600.0  # the person has ten minutes to answer
MAX_OPEN_NONCES = 32  # one station, one operator: a few open challenges at most
MAX_TEXT_CHARS = 600  # prefix + 6 decimal field elements of at most 78 digits


class PossessionError(PersonhoodError, ValueError):
    """The answer to the station's challenge does not prove possession (unknown nonce, bad signature)."""


@dataclass(frozen=True)
class PossessionAnswer:
    """A wallet's signed answer to a challenge: the nonce, its public key, its signature."""

    nonce: int
    public_key: Point
    signature: Signature

    @property
    def commitment(self) -> int:
        """The Semaphore v4 commitment Poseidon(Ax, Ay) of the signing key."""
        return poseidon(list(self.public_key))

    def to_text(self) -> str:
        """The QR / paste form (see the module docstring)."""
        parts = (self.nonce, *self.public_key, *self.signature.r8, self.signature.s)
        return POSSESSION_PREFIX + ":".join(str(p) for p in parts)


def possession_message(nonce: int) -> int:
    """The field element the wallet signs for `nonce`: Poseidon(POSSESSION_DOMAIN, nonce)."""
    return poseidon([POSSESSION_DOMAIN, nonce])


def answer_challenge(identity: Identity, nonce: int) -> PossessionAnswer:
    """The wallet side: sign the station's `nonce` with `identity` (its secret stays on the device)."""
    if isinstance(nonce, bool) or not isinstance(nonce, int) or not 0 < nonce < SNARK_SCALAR_FIELD:
        raise StationInputError("the station's nonce must be a field element above zero")
    return PossessionAnswer(nonce, identity.public_key, identity.sign(possession_message(nonce)))


def parse_challenge(text: str) -> int:
    """The nonce in a challenge as the station shows it (`personhood:challenge:v1:<nonce>` or digits)."""
    value = text.strip() if isinstance(text, str) else ""
    if value.lower().startswith(CHALLENGE_PREFIX):
        value = value[len(CHALLENGE_PREFIX) :]
    if not (value.isascii() and value.isdigit() and len(value) <= 78):
        raise StationInputError("the challenge must be the decimal nonce the station shows")
    nonce = int(value)
    if not 0 < nonce < SNARK_SCALAR_FIELD:
        raise StationInputError("the challenge nonce is not a field element above zero")
    return nonce


def parse_answer(text: str) -> PossessionAnswer:
    """Parse the wallet's answer (paste or QR text); StationInputError if it is not well formed.

    Only the shape is checked here; `NonceBook.verify` checks the nonce and the signature.
    """
    if not isinstance(text, str):
        raise StationInputError("the signed identity must be text")
    value = text.strip()
    if len(value) > MAX_TEXT_CHARS:
        raise StationInputError(f"the signed identity is longer than {MAX_TEXT_CHARS} characters")
    if not value.lower().startswith(POSSESSION_PREFIX):
        raise StationInputError(
            "paste the signed identity from `personhood id sign-enrollment` (it starts with "
            f"{POSSESSION_PREFIX!r}); a bare commitment does not prove the person holds it"
        )
    parts = value[len(POSSESSION_PREFIX) :].split(":")
    if len(parts) != 6 or not all(p.isascii() and p.isdigit() and len(p) <= 78 for p in parts):
        raise StationInputError("the signed identity must hold six decimal numbers after its prefix")
    nonce, ax, ay, rx, ry, s = (int(p) for p in parts)
    if not all(0 <= v < SNARK_SCALAR_FIELD for v in (nonce, ax, ay, rx, ry, s)):
        raise StationInputError("a number in the signed identity is not below the BN254 field modulus")
    return PossessionAnswer(nonce, (ax, ay), Signature((rx, ry), s))


def answer_from_qr(image: np.ndarray) -> PossessionAnswer:
    """Read the wallet's answer from a photo of its QR code; StationInputError if none is readable."""
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3) or image.dtype != np.uint8:
        raise StationInputError("a QR image must be a 2-D gray or 3-D color array of 8-bit pixels")
    text, points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    if points is None or not text:
        raise StationInputError("no readable QR code in the image; hold the screen steady and closer")
    return parse_answer(text)


class NonceBook:
    """The station's open challenges: issued at random, single use, expiring, at most MAX_OPEN_NONCES."""

    def __init__(self, ttl_s: float = NONCE_TTL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl, self._clock = ttl_s, clock
        self._open: OrderedDict[int, float] = OrderedDict()
        self._lock = threading.Lock()

    def issue(self) -> int:
        """A fresh nonce in (0, 2^248); the oldest open one is dropped past MAX_OPEN_NONCES."""
        nonce = 1 + secrets.randbelow(2 ** (8 * NONCE_BYTES) - 1)
        with self._lock:
            self._open[nonce] = self._clock() + self._ttl
            while len(self._open) > MAX_OPEN_NONCES:
                self._open.popitem(last=False)
        return nonce

    def verify(self, answer: PossessionAnswer) -> int:
        """Spend the answer's nonce and check its signature; the proven commitment, or PossessionError.

        The nonce is spent even when the signature fails, so an answer cannot be retried or replayed.
        """
        with self._lock:
            expires = self._open.pop(answer.nonce, None)
        if expires is None:
            raise PossessionError("the answer is not for an open challenge of this station; issue a new one")
        if self._clock() > expires:
            raise PossessionError("the challenge has expired; issue a new one")
        try:
            valid = Identity.verify_signature(
                possession_message(answer.nonce), answer.signature, answer.public_key
            )
        except (PersonhoodError, TypeError, ValueError) as e:
            raise PossessionError(f"the signed identity is malformed: {e}") from e
        if not valid:
            raise PossessionError("the signature does not verify: this is not the identity's holder")
        return answer.commitment
