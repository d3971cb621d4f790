"""The scalar-field boundary checks every input goes through: r - 1 passes, r fails, nothing is reduced."""

from __future__ import annotations

import pytest

from zk_identity import FieldRangeError
from zk_identity.field import SNARK_SCALAR_FIELD as R
from zk_identity.field import require_field_element, require_field_elements, require_int


def test_require_int_takes_ints_only() -> None:
    assert require_int(-5, "n") == -5 and type(require_int(2**300, "n")) is int
    for bad, kind in ((True, "bool"), (1.0, "float"), ("1", "str"), (None, "NoneType")):
        with pytest.raises(TypeError, match=rf"^n must be an int, got {kind}$"):
            require_int(bad, "n")


def test_field_element_bounds_are_exact() -> None:
    assert require_field_element(0) == 0
    assert require_field_element(R - 1, "x") == R - 1
    for bad in (R, R + 1, -1, 2**256):
        with pytest.raises(FieldRangeError, match=rf"^x must be in \[0, {R}\), got {bad}$"):
            require_field_element(bad, "x")
    with pytest.raises(FieldRangeError, match=r"^value must be in"):  # the default name
        require_field_element(R)
    assert require_field_element(12, "m", modulus=13) == 12  # another modulus, same exact bound
    with pytest.raises(FieldRangeError, match=r"^m must be in \[0, 13\), got 13$"):
        require_field_element(13, "m", modulus=13)
    with pytest.raises(TypeError, match=r"^x must be an int, got bool$"):
        require_field_element(False, "x")


def test_sequences_are_checked_element_by_element() -> None:
    assert require_field_elements([1, R - 1]) == (1, R - 1)
    assert require_field_elements((v for v in (3, 4)), "g") == (3, 4)
    assert require_field_elements([]) == ()
    with pytest.raises(FieldRangeError, match=r"^inputs\[1\] must be in"):
        require_field_elements([1, R])
    with pytest.raises(TypeError, match=r"^p\[0\] must be an int, got str$"):
        require_field_elements(["1"], "p")
    for bad, kind in (("12", "str"), (b"12", "bytes"), (bytearray(b"1"), "bytearray"), (7, "int")):
        with pytest.raises(TypeError, match=rf"^inputs must be a sequence of ints, got {kind}$"):
            require_field_elements(bad)
