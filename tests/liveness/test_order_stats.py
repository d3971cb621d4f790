"""The fast order statistics equal numpy's to the bit, on the kinds of arrays the cues pass them."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from liveness.order_stats import column_nanmedian, median, percentiles_u8


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_median_equals_numpys(dtype):
    rng = np.random.default_rng(3)
    for k in range(2000):
        values = np.abs(rng.normal(0, rng.uniform(1e-4, 30), int(rng.integers(1, 80)))).astype(dtype)
        if k % 3 == 0:
            values = np.round(values, 1)  # ties
        expected = np.median(values)
        assert (
            median(values) == float(expected)
            and np.float64(median(values)).tobytes() == np.float64(expected).tobytes()
        )


def test_the_column_median_equals_nanmedian():
    rng = np.random.default_rng(12)
    for _ in range(300):
        values = rng.normal(100.0, 30.0, (24, int(rng.integers(1, 60)))).astype(np.float32)
        values[rng.random(values.shape) < rng.random()] = np.nan  # glare, up to whole columns
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = np.nanmedian(values, axis=0)
        got = column_nanmedian(values)
        assert got.dtype == expected.dtype and np.array_equal(got, expected, equal_nan=True)


def test_the_histogram_percentiles_and_median_of_uint8_equal_numpys():
    rng = np.random.default_rng(11)
    for k in range(300):
        shape = (int(rng.integers(1, 130)), int(rng.integers(1, 170)))
        image = np.clip(rng.normal(rng.uniform(0, 255), rng.uniform(1, 80), shape), 0, 255).astype(np.uint8)
        percents = (0.05, 50) if k % 2 else tuple(rng.uniform(0, 100, 3))
        expected = np.percentile(image, percents)
        got = percentiles_u8(image, percents)
        assert got.dtype == expected.dtype and np.array_equal(got, expected)
        flat = image.ravel()[: int(rng.integers(1, image.size + 1))]
        assert percentiles_u8(flat, (50,))[0] == np.median(flat)  # the finder's medians
