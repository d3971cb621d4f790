"""The search kernels against the plain reference and the iris matcher, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrollment.gallery import kernel
from enrollment.gallery.distance import pair_distance
from enrollment.gallery.synthetic_templates import random_templates, recapture
from enrollment.iris.match import match
from enrollment.iris.template import N_ANGLES, IrisTemplate

KERNELS = ["fused", "numpy"]


def run(kind: str, probe: IrisTemplate, codes: np.ndarray, masks: np.ndarray, threshold: float):
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


@pytest.mark.parametrize("kind", KERNELS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=small_gallery())
def test_kernel_equals_reference_on_random_galleries(kind: str, case) -> None:
    probe, codes, masks, threshold = case
    assert as_list(run(kind, probe, codes, masks, threshold)) == reference_hits(
        probe, codes, masks, threshold
    )


@pytest.mark.parametrize("kind", KERNELS)
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


def test_fused_kernel_agrees_with_iris_matcher_on_a_larger_gallery() -> None:
    rng = np.random.default_rng(8)
    codes, masks = random_templates(rng, 3000)
    probe = recapture(IrisTemplate(code=codes[1234], mask=masks[1234]), rng, 0.3, 15)
    hits = run("fused", probe, codes, masks, 0.999)
    from enrollment.iris.match import match_many

    dist, shift, bits, _ = match_many(probe, codes, masks)
    assert hits.rows.tolist() == list(range(3000))
    assert np.array_equal(hits.distances, dist)
    assert np.array_equal(hits.shifts, shift)
    assert np.array_equal(hits.bits_compared, bits)


def test_planted_duplicates_near_the_threshold_are_all_found() -> None:
    # Recaptures noisy enough to sit just under the threshold: the fused kernel must keep every one.
    rng = np.random.default_rng(3)
    codes, masks = random_templates(rng, 400)
    threshold = 0.36
    found = 0
    for row in range(0, 400, 8):
        probe = recapture(
            IrisTemplate(code=codes[row], mask=masks[row]), rng, 0.27, int(rng.integers(-15, 16))
        )
        expected = reference_hits(probe, codes[row : row + 1], masks[row : row + 1], threshold)
        got = [h for h in as_list(run("fused", probe, codes, masks, threshold)) if h[0] == row]
        assert [h[1:] for h in got] == [h[1:] for h in expected]
        found += len(got)
    assert found > 10  # the noise level really puts planted duplicates near the threshold
