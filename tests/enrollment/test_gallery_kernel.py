"""The search kernels against the plain reference and the iris matcher, bit for bit.

Every kernel runs every test: numpy, numba, the native extension through `kernel.scan` (with its
early stop at the search threshold) and, below, each code path of the native extension this CPU
can run, with and without the early stop.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrollment.gallery import KernelUnavailableError, kernel, native_kernel
from enrollment.gallery.distance import pair_distance
from enrollment.iris.match import match
from enrollment.iris.template import N_ANGLES, IrisTemplate
from simulation.synthetic_templates import random_templates, recapture

NATIVE_MISSING = pytest.mark.skipif(
    not native_kernel.AVAILABLE,
    reason=f"native extension not built ({native_kernel.IMPORT_ERROR}); test_gallery_native_build.py "
    "fails where a C compiler exists",
)
KERNELS = ["fused", pytest.param("native", marks=NATIVE_MISSING), "numba", "numpy"]
# ("native:avx512", None) scores every word; ("native:avx512", "bound") stops early at the threshold
NATIVE_PATHS = [
    pytest.param(f"native:{path}:{mode}", id=f"{path}-{mode}")
    for path in native_kernel.PATHS
    for mode in ("full", "bound")
]


def run(kind: str, probe: IrisTemplate, codes: np.ndarray, masks: np.ndarray, threshold: float):
    if kind.startswith("native:"):
        _, path, mode = kind.split(":")
        d, s, n = native_kernel.scan(
            probe.code, probe.mask, codes, masks, threshold if mode == "bound" else None, path=path
        )
        hit = np.flatnonzero(d <= threshold)
        return kernel.ScanHits(
            rows=hit, distances=d[hit], shifts=s[hit], bits_compared=n[hit].astype(np.int64)
        )
    return kernel.scan(probe.code, probe.mask, codes, masks, threshold, kernel=kind)


def reference_hits(probe: IrisTemplate, codes: np.ndarray, masks: np.ndarray, threshold: float) -> list:
    out = []
    for row in range(len(codes)):
        d, s, n = pair_distance(probe, IrisTemplate(code=codes[row], mask=masks[row]))
        if d <= threshold:
            out.append((row, d, s, n))
    return out


def as_list(hits) -> list:
    return list(
        zip(
            hits.rows.tolist(),
            hits.distances.tolist(),
            hits.shifts.tolist(),
            hits.bits_compared.tolist(),
            strict=True,
        )
    )


words = st.integers(min_value=0, max_value=2**64 - 1)


@st.composite
def small_gallery(draw: st.DrawFn) -> tuple[IrisTemplate, np.ndarray, np.ndarray, float]:
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = draw(st.integers(0, 12))
    codes, masks = random_templates(rng, n)
    # sparse or empty masks and near copies exercise the edges: no overlap, ties, tiny distances
    if n and draw(st.booleans()):
        masks[0] &= rng.integers(0, 2**64, N_ANGLES, dtype=np.uint64) & np.uint64(draw(words))
    probe_codes, probe_masks = random_templates(rng, 1)
    probe = IrisTemplate(code=probe_codes[0], mask=probe_masks[0])
    if n > 1 and draw(st.booleans()):
        source = IrisTemplate(code=codes[1], mask=masks[1])
        probe = recapture(source, rng, draw(st.floats(0.0, 0.45)), draw(st.integers(-15, 15)))
    threshold = draw(st.sampled_from([0.0, 0.2, 0.33, 0.45, 0.5, 0.999]))
    return probe, codes, masks, threshold


@pytest.mark.parametrize("kind", KERNELS + NATIVE_PATHS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=small_gallery())
def test_kernel_equals_reference_on_random_galleries(kind: str, case) -> None:
    probe, codes, masks, threshold = case
    assert as_list(run(kind, probe, codes, masks, threshold)) == reference_hits(
        probe, codes, masks, threshold
    )


@pytest.mark.parametrize("kind", KERNELS + NATIVE_PATHS)
def test_kernel_keeps_a_record_exactly_at_the_threshold(kind: str) -> None:
    rng = np.random.default_rng(11)
    codes, masks = random_templates(rng, 64)
    source = IrisTemplate(code=codes[9], mask=masks[9])
    probe = recapture(source, rng, 0.25, -6)
    distance, shift, bits = pair_distance(probe, source)
    hits = as_list(run(kind, probe, codes, masks, distance))
    assert hits == [(9, distance, shift, bits)]
    below = np.nextafter(distance, 0.0)
    assert as_list(run(kind, probe, codes, masks, below)) == []


def test_reference_agrees_with_the_iris_matcher() -> None:
    rng = np.random.default_rng(5)
    codes, masks = random_templates(rng, 6)
    masks[3] = 0  # no overlap at all
    for row in range(6):
        enrolled = IrisTemplate(code=codes[row], mask=masks[row])
        for probe in (recapture(enrolled, rng, 0.1, 4), IrisTemplate(code=codes[0], mask=masks[0])):
            expected = match(probe, enrolled)
            assert pair_distance(probe, enrolled) == (
                expected.distance,
                expected.shift,
                expected.bits_compared,
            )


@pytest.mark.parametrize("kind", ["fused", pytest.param("native", marks=NATIVE_MISSING), "numba"])
@pytest.mark.parametrize("threads", [1, 2])
def test_compiled_kernels_agree_with_iris_matcher_on_a_larger_gallery(kind: str, threads: int) -> None:
    # 3000 rows: several of the native kernel's 256-row blocks, shared by the threads
    rng = np.random.default_rng(8)
    codes, masks = random_templates(rng, 3000)
    probe = recapture(IrisTemplate(code=codes[1234], mask=masks[1234]), rng, 0.3, 15)
    kernel.set_threads(threads)
    try:
        hits = run(kind, probe, codes, masks, 0.999)
    finally:
        kernel.set_threads(2**16)
    from enrollment.iris.match import match_many

    dist, shift, bits, _ = match_many(probe, codes, masks)
    assert hits.rows.tolist() == list(range(3000))
    assert np.array_equal(hits.distances, dist)
    assert np.array_equal(hits.shifts, shift)
    assert np.array_equal(hits.bits_compared, bits)


@pytest.mark.parametrize("kind", ["fused", "numba", *NATIVE_PATHS])
def test_planted_duplicates_near_the_threshold_are_all_found(kind: str) -> None:
    # Recaptures noisy enough to sit just under the threshold: the fused kernel must keep every one.
    rng = np.random.default_rng(3)
    codes, masks = random_templates(rng, 400)
    threshold = 0.36
    found = 0
    for row in range(0, 400, 7):  # odd and even rows: the AVX-512 path scores rows in pairs
        probe = recapture(
            IrisTemplate(code=codes[row], mask=masks[row]), rng, 0.27, int(rng.integers(-15, 16))
        )
        expected = reference_hits(probe, codes[row : row + 1], masks[row : row + 1], threshold)
        got = [h for h in as_list(run(kind, probe, codes, masks, threshold)) if h[0] == row]
        assert [h[1:] for h in got] == [h[1:] for h in expected]
        found += len(got)
    assert found > 10  # the noise level really puts planted duplicates near the threshold


@pytest.mark.parametrize("kind", KERNELS + NATIVE_PATHS)
def test_ties_go_to_the_first_shift(kind: str) -> None:
    # A probe whose words are all equal scores the same at every shift; an empty mask gives 0.5 at
    # every shift. Both must report shift -15, the first in SHIFT_ORDER.
    rng = np.random.default_rng(4)
    codes, masks = random_templates(rng, 3)
    masks[1] = 0
    word = rng.integers(0, 2**64, dtype=np.uint64)
    probe = IrisTemplate(code=np.full(N_ANGLES, word, dtype=np.uint64), mask=np.full(N_ANGLES, ~np.uint64(0)))
    hits = as_list(run(kind, probe, codes, masks, 0.999))
    assert hits == reference_hits(probe, codes, masks, 0.999)
    assert [h[2] for h in hits] == [-15, -15, -15]


@NATIVE_MISSING
@pytest.mark.parametrize("path", native_kernel.PATHS)
def test_native_bound_only_drops_rows_above_the_threshold(path: str) -> None:
    # Rows the early stop leaves come back as +inf; every other row is exact, and a left row's true
    # distance is above the threshold. On an impostor gallery nearly every row is left.
    rng = np.random.default_rng(21)
    codes, masks = random_templates(rng, 600)
    probe = recapture(IrisTemplate(code=codes[300], mask=masks[300]), rng, 0.25, -9)
    threshold = 0.33
    full = native_kernel.scan(probe.code, probe.mask, codes, masks, None, path=path)
    bounded = native_kernel.scan(probe.code, probe.mask, codes, masks, threshold, path=path)
    left = np.isinf(bounded[0])
    assert np.all(full[0][left] > threshold)
    for exact, fast in zip(full, bounded, strict=True):
        assert np.array_equal(exact[~left], fast[~left])
    assert not left[300]
    assert left.sum() > 590


@NATIVE_MISSING
def test_fused_runs_the_native_kernel_and_falls_back_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert kernel.best_kernel() == "native"
    monkeypatch.setattr(native_kernel, "AVAILABLE", False)
    assert kernel.best_kernel() == "numba"
    rng = np.random.default_rng(6)
    codes, masks = random_templates(rng, 20)
    probe = recapture(IrisTemplate(code=codes[3], mask=masks[3]), rng, 0.1, 2)
    assert as_list(run("fused", probe, codes, masks, 0.33)) == reference_hits(probe, codes, masks, 0.33)
    with pytest.raises(KernelUnavailableError, match="native gallery kernel is not available"):
        run("native", probe, codes, masks, 0.33)


@NATIVE_MISSING
def test_native_scan_rejects_malformed_input() -> None:
    codes, masks = random_templates(np.random.default_rng(1), 2)
    with pytest.raises(ValueError, match=r"not supported|unknown"):
        native_kernel.scan(codes[0], masks[0], codes, masks, path="sse9")
    with pytest.raises(ValueError, match="expected uint64"):
        native_kernel.scan(codes[0], masks[0], codes[:, :128], masks[:, :128])


@pytest.mark.parametrize("kind", ["fused", *NATIVE_PATHS])
def test_every_hit_is_kept_among_near_duplicates_and_impostors(kind: str) -> None:
    # Recaptures of one eye at noise levels on both sides of the threshold, interleaved with
    # impostors, so that the rows the native kernel scores in pairs are left at different points
    # (or not at all): the hits must be exactly the reference's.
    rng = np.random.default_rng(17)
    codes, masks = random_templates(rng, 96)
    eye = IrisTemplate(code=codes[0].copy(), mask=masks[0].copy())
    for row, noise in zip(range(1, 96, 3), np.linspace(0.05, 0.45, 32), strict=True):
        again = recapture(eye, rng, float(noise), int(rng.integers(-15, 16)))
        codes[row], masks[row] = again.code, again.mask
    probe = recapture(eye, rng, 0.1, 3)
    threshold = 0.33
    expected = reference_hits(probe, codes, masks, threshold)
    assert 8 < len(expected) < 30  # hits and near misses both present
    assert as_list(run(kind, probe, codes, masks, threshold)) == expected
