"""Order statistics that equal numpy's to the bit, for the small arrays the liveness cues take
them of many times per assessment, where numpy's general paths (masked arrays for nanmedian, a
partial sort and its checks for median and percentile) cost more than the work. Each is tested
against numpy (`tests/liveness/test_order_stats.py`).
"""

from __future__ import annotations

import numpy as np


def median(values: np.ndarray) -> float:
    """np.median of a non-empty 1-D float array, to the bit, without its per-call overhead (the
    reflex's robust fit takes 88 per assessment, of ~20 values each)."""
    ordered = np.sort(values)
    half = ordered.size // 2
    return float(ordered[half] if ordered.size % 2 else (ordered[half - 1] + ordered[half]) / 2)


def column_nanmedian(values: np.ndarray) -> np.ndarray:
    """The median of each column's non-NaN values (NaN where there are none): what np.nanmedian
    gives along axis 0, to the bit (the mean of the two middle values in the array's dtype), at a
    tenth of its cost on these small arrays (it goes through masked arrays)."""
    ordered = np.sort(values, axis=0)  # NaN sorts last
    count = np.count_nonzero(~np.isnan(values), axis=0)
    columns = np.arange(values.shape[1])
    low = ordered[np.maximum(count - 1, 0) // 2, columns]
    high = ordered[count // 2 - (count == 0), columns]
    middle = (low + high) / values.dtype.type(2)
    middle[count == 0] = np.nan
    return middle


def percentiles_u8(image: np.ndarray, percents: tuple[float, ...]) -> np.ndarray:
    """np.percentile(image, percents) of a uint8 image, to the bit (linear interpolation between
    order statistics, the same arithmetic), from its histogram instead of a partial sort."""
    cumulative = np.cumsum(np.bincount(image.ravel(), minlength=256))
    virtual = (image.size - 1) * np.true_divide(np.asarray(percents, np.float64), 100)
    below = np.floor(virtual).astype(np.intp)
    above = np.minimum(below + 1, image.size - 1)
    a = np.searchsorted(cumulative, below, side="right").astype(np.uint8)  # the value of that rank
    b = np.searchsorted(cumulative, above, side="right").astype(np.uint8)
    t = virtual - below
    diff = b - a
    out = np.add(a, diff * t)
    np.subtract(b, diff * (1 - t), out=out, where=t >= 0.5)
    return out
