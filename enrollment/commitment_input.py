"""The person's identity commitment as the station receives it: typed, pasted or shown as a QR code.

The secret never leaves the person's device; the station only sees the commitment
Poseidon(Ax, Ay) (Semaphore v4), a BN254 scalar field element. Accepted forms: decimal digits, or
0x-prefixed hex, optionally behind the prefix `personhood:commitment:` (what a wallet's QR shows).
Zero and values >= the field modulus are refused: the registry would refuse them too, after the
station had already signed.
"""

from __future__ import annotations

import re

import cv2
import numpy as np

from zk_identity.field import SNARK_SCALAR_FIELD

from .errors import StationInputError

QR_PREFIX = "personhood:commitment:"
MAX_TEXT_CHARS = 120  # 78 decimal digits or 66 hex characters, plus the prefix and whitespace
DECIMAL = re.compile(r"^[0-9]{1,78}$")
HEX = re.compile(r"^0[xX][0-9a-fA-F]{1,64}$")
MAX_QR_IMAGE_PIXELS = 4096 * 4096


def parse_commitment(text: str) -> int:
    """The commitment in `text` (decimal, 0x-hex, optionally prefixed) as an int in (0, r).

    Raises StationInputError with a message for the operator for anything else.
    """
    if not isinstance(text, str):
        raise StationInputError("the commitment must be text")
    value = text.strip()
    if len(value) > MAX_TEXT_CHARS:
        raise StationInputError(f"the commitment is longer than {MAX_TEXT_CHARS} characters")
    if value.lower().startswith(QR_PREFIX):
        value = value[len(QR_PREFIX) :].strip()
    if DECIMAL.match(value):
        number = int(value, 10)
    elif HEX.match(value):
        number = int(value, 16)
    else:
        raise StationInputError(
            "the commitment must be a decimal number or 0x-prefixed hex (the identity commitment "
            "shown by `personhood id show` or the person's wallet)"
        )
    if number == 0:
        raise StationInputError("the commitment must not be zero")
    if number >= SNARK_SCALAR_FIELD:
        raise StationInputError("the commitment is not below the BN254 field modulus: not a commitment")
    return number


def decode_image(data: bytes) -> np.ndarray:
    """Decode an uploaded image file (PNG, JPEG, ...) to a gray array; StationInputError if it is not one."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise StationInputError("no image was uploaded")
    image = cv2.imdecode(np.frombuffer(bytes(data), np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None or image.size == 0:
        raise StationInputError("the upload is not an image OpenCV can read (PNG or JPEG)")
    if image.size > MAX_QR_IMAGE_PIXELS:
        raise StationInputError("the image is too large; take a closer photo of the QR code")
    return image


def commitment_from_qr(image: np.ndarray) -> int:
    """Read a QR code from a photo of the person's screen and parse its text as a commitment.

    Raises StationInputError when no QR code is found or its text is not a valid commitment.
    """
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3) or image.size == 0:
        raise StationInputError("a QR image must be a 2-D gray or 3-D color array")
    if image.dtype != np.uint8:
        raise StationInputError("a QR image must have 8-bit pixels")
    text, points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    if points is None or not text:
        raise StationInputError("no readable QR code in the image; hold the screen steady and closer")
    return parse_commitment(text)
