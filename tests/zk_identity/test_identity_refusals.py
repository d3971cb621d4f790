"""Identity's refusals say exactly what is wrong (survivors of the mutation campaign on identity.py).

Each refusal is checked by its exact text: an operator reading "exported identity is not valid base64"
knows what to fix, one reading "None" does not, and a lenient base64 decoder (strict_mode off) shows
only as the wrong one of the two messages.
"""

from __future__ import annotations

import re

import pytest

from zk_identity import Identity
from zk_identity.errors import PointError
from zk_identity.identity import KeyFormatError


def _exactly(text: str) -> str:
    return "^" + re.escape(text) + "$"


@pytest.mark.parametrize(("key", "kind"), [(123, "int"), (None.__class__, "type"), ([1, 2], "list")])
def test_a_key_of_another_type_is_named_in_the_refusal(key, kind):
    with pytest.raises(TypeError, match=_exactly(f"private key must be bytes or str, got {kind}")):
        Identity(key)


@pytest.mark.parametrize("key", [b"", "", bytearray()])
def test_an_empty_key_is_refused_by_name(key):
    with pytest.raises(KeyFormatError, match=_exactly("private key must not be empty")):
        Identity(key)


def test_key_text_that_utf8_cannot_encode_is_refused_with_the_reason():
    with pytest.raises(
        KeyFormatError, match=_exactly("private key text is not encodable as UTF-8: surrogates not allowed")
    ):
        Identity("abc\ud800")


@pytest.mark.parametrize(("exported", "kind"), [(b"AAAA", "bytes"), (7, "int")])
def test_an_export_of_another_type_is_named_in_the_refusal(exported, kind):
    with pytest.raises(TypeError, match=_exactly(f"an exported identity is a base64 str, got {kind}")):
        Identity.import_(exported)


@pytest.mark.parametrize("exported", ["AAAA!", "AA AA", "AAA", "é", "AAAA=AAA"])
def test_malformed_base64_is_not_valid_base64(exported):
    """Stray characters, inner spaces, a missing pad, non-ASCII, data after padding: all invalid, not
    merely non-canonical (a lenient decoder would skip the junk and reach the canonical check)."""
    with pytest.raises(KeyFormatError, match=_exactly("exported identity is not valid base64")):
        Identity.import_(exported)


@pytest.mark.parametrize("exported", ["AB==", "AAB="])
def test_base64_with_trailing_bits_is_not_canonical(exported):
    with pytest.raises(
        KeyFormatError,
        match=_exactly("exported identity is not canonical base64 (padding or trailing bits)"),
    ):
        Identity.import_(exported)


def test_outer_white_space_is_ignored_and_the_round_trip_holds():
    identity = Identity(b"\x01\x02\x03")
    assert Identity.import_(f"  {identity.export()}\n") == identity


def test_a_public_key_off_the_curve_is_named_in_the_refusal():
    with pytest.raises(PointError, match=_exactly("public key is not a point on Baby Jubjub")):
        Identity.generate_commitment((1, 2))


def test_equal_identities_hash_alike_and_by_their_commitment():
    a, b = Identity(b"same key"), Identity("same key")
    assert a == b and hash(a) == hash(b) == hash(a.commitment)
    assert len({a, b, Identity(b"other key")}) == 2
