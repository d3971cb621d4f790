"""The BN254 fields (the one place r and q are written), keccak into the scalar field, and boundary checks."""

from __future__ import annotations

from Crypto.Hash import keccak

from .errors import FieldRangeError

# BN254 (alt_bn128) group order r; circom signals, Poseidon and Baby Jubjub coordinates live mod r.
SNARK_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617
# BN254 base field q: coordinates of G1 and G2 points (EIP-196).
BN254_BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583

# Checked once at import, as py_ecc does for its curve constants: r is the BN254 order polynomial at
# x = 4965661367192848881 (EIP-196: r = 36x^4 + 36x^3 + 18x^2 + 6x + 1).
_BN_X = 4965661367192848881
assert 36 * _BN_X**4 + 36 * _BN_X**3 + 18 * _BN_X**2 + 6 * _BN_X + 1 == SNARK_SCALAR_FIELD
assert pow(5, SNARK_SCALAR_FIELD - 1, SNARK_SCALAR_FIELD) == 1
# q = 36x^4 + 36x^3 + 24x^2 + 6x + 1 for the same x (EIP-196).
assert 36 * _BN_X**4 + 36 * _BN_X**3 + 24 * _BN_X**2 + 6 * _BN_X + 1 == BN254_BASE_FIELD


def keccak_to_field(data: bytes) -> int:
    """keccak256(data) >> 8: below 2^248 < r, so always a canonical scalar-field element.

    How Semaphore, World ID and our contracts map bytes (a message, a scope, an ABI encoding) into the field.
    """
    return int.from_bytes(keccak.new(digest_bits=256, data=bytes(data)).digest(), "big") >> 8


def require_int(value: object, name: str) -> int:
    """Return `value` if it is a Python int (not a bool); raise TypeError otherwise."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    return int(value)


def require_field_element(value: object, name: str = "value", modulus: int = SNARK_SCALAR_FIELD) -> int:
    """Return `value` as an int if 0 <= value < modulus.

    Raises TypeError for a non-int (a bool is not an int here) and FieldRangeError (a ValueError)
    for a negative value or one >= modulus: nothing is ever reduced silently.
    """
    value = require_int(value, name)
    if not 0 <= value < modulus:
        raise FieldRangeError(f"{name} must be in [0, {modulus}), got {value}")
    return value


def require_field_elements(values: object, name: str = "inputs") -> tuple[int, ...]:
    """Validate a sequence of field elements (see `require_field_element`); returns them as a tuple."""
    if isinstance(values, (str, bytes, bytearray)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a sequence of ints, got {type(values).__name__}")
    return tuple(require_field_element(v, f"{name}[{i}]") for i, v in enumerate(values))  # type: ignore[attr-defined]
