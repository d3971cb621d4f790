import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrollment.iris import IrisTemplate, TemplateFormatError
from enrollment.iris.template import SERIALIZED_SIZE


def _random_template(seed: int) -> tuple[IrisTemplate, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    code = rng.random((2, 16, 256, 2)) < 0.5
    mask = rng.random((2, 16, 256, 2)) < 0.8
    return IrisTemplate.from_bits(code, mask), code, mask


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_bits_and_bytes_round_trip(seed: int) -> None:
    template, code, mask = _random_template(seed)
    code2, mask2 = template.to_bits()
    assert np.array_equal(code, code2) and np.array_equal(mask, mask2)
    assert IrisTemplate.from_bytes(template.to_bytes()) == template


def test_rolling_words_rotates_angular_columns() -> None:
    template, code, _ = _random_template(7)
    rolled = IrisTemplate(code=np.roll(template.code, 3), mask=np.roll(template.mask, 3))
    code2, _ = rolled.to_bits()
    assert np.array_equal(code2, np.roll(code, 3, axis=2))


def test_repr_does_not_leak_bits() -> None:
    template, _, _ = _random_template(1)
    assert "usable_bits" in repr(template) and str(int(template.code[0])) not in repr(template)


@pytest.mark.parametrize(
    "data",
    [b"", b"PHIT", b"XXXX" + bytes(SERIALIZED_SIZE - 4), b"PHIT\x09" + bytes(SERIALIZED_SIZE - 5), "text"],
)
def test_malformed_bytes_are_refused(data: object) -> None:
    with pytest.raises(TemplateFormatError):
        IrisTemplate.from_bytes(data)  # type: ignore[arg-type]


def test_wrong_arrays_are_refused() -> None:
    with pytest.raises(TemplateFormatError):
        IrisTemplate(code=np.zeros(256, dtype=np.int64), mask=np.zeros(256, dtype=np.uint64))
    with pytest.raises(TemplateFormatError):
        IrisTemplate(code=np.zeros(255, dtype=np.uint64), mask=np.zeros(255, dtype=np.uint64))
