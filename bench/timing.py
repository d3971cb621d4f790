"""Wall-clock timing shared by the benchmark scripts (imported from the bench folder)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(fn: Callable[[], object], repeats: int, warm: bool = True) -> float:
    """Median milliseconds of `repeats` calls of `fn` (after one untimed call when `warm`)."""
    if warm:
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
