"""Every row of a native scan is scored as itself, wherever it sits and however many rows there are.

The AVX-512 path scores rows two at a time while both are alive, and an odd last row of a block alone
(`hamming_avx512.c`); every path hands rows out in 256-row blocks (`hamming_scan.c`). A row read from the
wrong place, or a pair run one row past a block's end, is seen only where a duplicate sits at that
place: random galleries draw their duplicate at row 1. Here duplicates are planted at the first row,
the middle, the last row of an odd count, and both sides of a block boundary, and every path's hits
must equal the Python reference, with the early stop and without, on one thread and on several.
"""

from __future__ import annotations

import numpy as np
import pytest

from enrollment.gallery import native_kernel
from enrollment.iris.template import IrisTemplate
from simulation.synthetic_templates import random_templates, recapture

from .test_gallery_kernel import reference_hits

pytestmark = pytest.mark.skipif(not native_kernel.AVAILABLE, reason="native extension not built")

THRESHOLD = 0.33
ROW_COUNTS = (1, 2, 3, 5, 255, 257, 259)  # pairs and an odd tail; one block, and a second short one


def _gallery(rows: int, seed: int) -> tuple[IrisTemplate, np.ndarray, np.ndarray, list[int]]:
    """A probe and `rows` enrolled templates, near copies of the probe's eye at the chosen rows."""
    rng = np.random.default_rng(seed)
    codes, masks = random_templates(rng, rows + 1)
    eye = IrisTemplate(code=codes[rows], mask=masks[rows])
    probe = recapture(eye, rng, 0.1, 5)
    planted = sorted({0, rows // 2, rows - 1} | ({255, 256} & set(range(rows))))
    for k, row in enumerate(planted):  # each a different capture: at 3-18% of its bits flipped
        again = recapture(eye, rng, 0.03 + 0.05 * (k % 4), -3 + 2 * k)
        codes[row], masks[row] = again.code, again.mask
    return probe, codes[:rows].copy(), masks[:rows].copy(), planted


@pytest.fixture(scope="module", params=ROW_COUNTS, ids=lambda n: f"{n}rows")
def case(request):
    probe, codes, masks, planted = _gallery(request.param, seed=request.param)
    expected = reference_hits(probe, codes, masks, THRESHOLD)
    assert [row for row, *_ in expected] == planted  # the planted rows and only they are hits
    return probe, codes, masks, expected


@pytest.mark.parametrize("path", native_kernel.PATHS)
@pytest.mark.parametrize("bound", [None, THRESHOLD], ids=["full", "bound"])
@pytest.mark.parametrize("threads", [1, 2])
def test_every_planted_row_is_found_at_its_own_place(case, path: str, bound, threads: int) -> None:
    probe, codes, masks, expected = case
    before = native_kernel.threads()
    native_kernel.set_threads(threads)
    try:
        d, s, n = native_kernel.scan(probe.code, probe.mask, codes, masks, bound, path=path)
    finally:
        native_kernel.set_threads(before)
    hits = np.flatnonzero(d <= THRESHOLD)
    got = [(int(r), float(d[r]), int(s[r]), int(n[r])) for r in hits]
    assert got == expected
    if bound is None:  # without the early stop every row has a finite distance
        assert np.isfinite(d).all()
