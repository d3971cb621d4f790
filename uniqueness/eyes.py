"""A probe: one or both eyes' templates, and their byte form (what travels encrypted, what is digested).

Byte form: for each eye in EYES order that is present, one byte ("L" or "R") then the template's
`IrisTemplate.to_bytes()`. The request signs the SHA-256 of exactly these bytes, so the service
can check that what it decrypted is what the station signed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from enrollment.iris.template import SERIALIZED_SIZE, IrisTemplate, TemplateFormatError

from .errors import RequestRefusedError

EYES = ("L", "R")  # left, right (the subject's own sides, as the synthetic camera names them)
_ENTRY = 1 + SERIALIZED_SIZE


def check_eyes(eyes: tuple[str, ...]) -> tuple[str, ...]:
    """`eyes` in canonical order if it is a non-empty subset of EYES; else RequestRefusedError."""
    if not eyes or len(set(eyes)) != len(eyes) or not set(eyes) <= set(EYES):
        raise RequestRefusedError(f"eyes must be a non-empty subset of {EYES}, got {eyes!r}")
    return tuple(e for e in EYES if e in eyes)


def probe_bytes(probe: Mapping[str, IrisTemplate]) -> bytes:
    """The byte form of a probe (see module docstring)."""
    eyes = check_eyes(tuple(probe))
    return b"".join(eye.encode() + probe[eye].to_bytes() for eye in eyes)


def probe_sha256(data: bytes) -> str:
    """Hex SHA-256 of a probe's byte form (signed in the request; never the bits themselves)."""
    return hashlib.sha256(data).hexdigest()


def parse_probe(data: bytes, expected: tuple[str, ...]) -> dict[str, IrisTemplate]:
    """Parse a probe's byte form; it must hold exactly the `expected` eyes. Raises RequestRefusedError."""
    if len(data) != _ENTRY * len(expected):
        raise RequestRefusedError(f"the probe must hold the eyes {expected}", "bad_probe")
    probe: dict[str, IrisTemplate] = {}
    for n, eye in enumerate(expected):
        entry = data[n * _ENTRY : (n + 1) * _ENTRY]
        if entry[:1] != eye.encode():
            raise RequestRefusedError(f"the probe must hold the eyes {expected}", "bad_probe")
        try:
            probe[eye] = IrisTemplate.from_bytes(entry[1:])
        except TemplateFormatError as e:
            raise RequestRefusedError(f"a probe template is malformed: {e}", "bad_probe") from e
    return probe
