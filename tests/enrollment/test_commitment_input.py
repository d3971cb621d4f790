"""Receiving the person's identity commitment: typed decimal / hex, or a QR code on their screen."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import qrcode

from enrollment.commitment_input import commitment_from_qr, decode_image, parse_commitment
from enrollment.errors import StationInputError
from zk_identity import Identity
from zk_identity.field import SNARK_SCALAR_FIELD

R = SNARK_SCALAR_FIELD


def qr_image(text: str, border_px: int = 40) -> np.ndarray:
    """A photo-like gray image of a QR code showing `text` (scaled, with a margin and noise)."""
    matrix = np.array(_matrix(text), dtype=np.uint8)
    image = np.where(matrix, 0, 255).astype(np.uint8)
    image = cv2.resize(image, None, fx=8, fy=8, interpolation=cv2.INTER_NEAREST)
    image = cv2.copyMakeBorder(
        image, border_px, border_px, border_px, border_px, cv2.BORDER_CONSTANT, value=230
    )
    noise = np.random.default_rng(0).normal(0, 6, image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


def _matrix(text: str) -> list[list[bool]]:
    code = qrcode.QRCode(border=4)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def test_a_real_commitment_parses_in_every_accepted_form() -> None:
    c = Identity("commitment-input-test").commitment
    for text in (
        str(c),
        f"  {c}\n",
        hex(c),
        hex(c).upper().replace("0X", "0x"),
        f"personhood:commitment:{c}",
    ):
        assert parse_commitment(text) == c


def test_field_boundaries() -> None:
    assert parse_commitment(str(R - 1)) == R - 1
    assert parse_commitment("1") == 1
    for bad in (str(R), hex(R), "0", "0x0", str(2**256)):
        with pytest.raises(StationInputError):
            parse_commitment(bad)


@pytest.mark.parametrize("bad", ["", "   ", "12a", "-5", "1.5", "0x", "0xZZ", "1e9", "x" * 500, "１２"])
def test_malformed_text_is_refused_with_a_clear_message(bad: str) -> None:
    with pytest.raises(StationInputError, match="commitment"):
        parse_commitment(bad)


def test_a_qr_code_on_the_persons_screen_is_read() -> None:
    c = Identity("commitment-qr-test").commitment
    assert commitment_from_qr(qr_image(f"personhood:commitment:{c}")) == c
    assert commitment_from_qr(cv2.cvtColor(qr_image(str(c)), cv2.COLOR_GRAY2BGR)) == c
    ok, png = cv2.imencode(".png", qr_image(hex(c)))
    assert ok and commitment_from_qr(decode_image(png.tobytes())) == c


def test_a_qr_code_with_a_bad_value_or_no_qr_code_is_refused() -> None:
    with pytest.raises(StationInputError, match="field modulus"):
        commitment_from_qr(qr_image(str(R)))
    with pytest.raises(StationInputError, match="no readable QR code"):
        commitment_from_qr(np.full((200, 200), 200, np.uint8))
    with pytest.raises(StationInputError, match="not an image"):
        decode_image(b"GIF89a not really")
    with pytest.raises(StationInputError):
        commitment_from_qr(np.zeros((10, 10), np.float32))
