"""ISO/IEC 30107-3 metrics on hand-made score arrays (values checked by counting)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liveness.errors import LivenessError
from liveness.evaluation import (
    apcer,
    bpcer,
    det_curve,
    pad_metrics,
    plot_det,
    threshold_for_apcer,
    threshold_for_bpcer,
)


def test_apcer_and_bpcer_count_errors_at_the_threshold():
    assert apcer([0.1, 0.5, 0.9, 0.95], 0.9) == 0.5  # two attacks at or above 0.9 are accepted
    assert bpcer([0.2, 0.8, 0.9, 1.0], 0.85) == 0.5  # two bona fide below 0.85 are rejected


def test_pad_metrics_reports_every_species_and_the_worst():
    bona = np.linspace(0.5, 1.0, 100)
    attacks = {"print": np.linspace(0.0, 0.4, 50), "screen": np.r_[np.linspace(0.0, 0.4, 49), 0.99]}
    m = pad_metrics(bona, attacks, threshold=0.6)
    assert m.apcer == {"print": 0.0, "screen": 1 / 50}
    assert m.apcer_max == 1 / 50
    assert m.bpcer == pytest.approx(0.2, abs=0.011)  # bona fide below 0.6: 0.5..0.6
    # APCER 1% with 50 screen attacks allows none: the threshold must pass 0.99, rejecting most bona fide.
    assert m.bpcer_at_apcer["0.01"] > 0.95
    assert m.bpcer_at_apcer["0.05"] == 0.0  # 2 of 50 may pass: threshold just above 0.4
    assert set(m.as_dict()) >= {"apcer", "apcer_max", "bpcer", "bpcer_at_apcer"}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=1, max_size=60),
    st.lists(st.floats(0, 1), min_size=1, max_size=60),
    st.sampled_from([0.0, 0.01, 0.05, 0.2]),
)
def test_threshold_for_apcer_meets_the_target_and_is_the_lowest(a, b, target):
    attacks = {"a": np.array(a), "b": np.array(b)}
    t = threshold_for_apcer(attacks, target)
    assert all(apcer(v, t) <= target + 1e-12 for v in attacks.values())
    lower = np.nextafter(t, -np.inf)
    if np.isfinite(lower):
        assert any(apcer(v, lower) > target for v in attacks.values())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=80), st.sampled_from([0.0, 0.02, 0.1]))
def test_threshold_for_bpcer_meets_the_target(scores, target):
    assert bpcer(scores, threshold_for_bpcer(scores, target)) <= target + 1e-12


def test_det_curve_is_monotone_and_spans_the_corners():
    rng = np.random.default_rng(0)
    a, b = det_curve(rng.normal(1, 1, 300), rng.normal(-1, 1, 300))
    assert np.all(np.diff(a) <= 0) and np.all(np.diff(b) >= 0)
    assert a[0] == 1.0 and b[-1] == 1.0 and a[-1] == 0.0


def test_plot_det_writes_a_png(tmp_path):
    rng = np.random.default_rng(1)
    path = plot_det({"x": (rng.normal(1, 1, 50), {"p": rng.normal(-1, 1, 50)})}, tmp_path / "det.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("bad", [[], [np.nan], [np.inf, 1.0]])
def test_empty_or_non_finite_scores_are_refused(bad):
    with pytest.raises(LivenessError):
        apcer(bad, 0.5)


def test_target_out_of_range_is_refused():
    with pytest.raises(LivenessError):
        threshold_for_apcer({"a": [0.1]}, 1.0)
    with pytest.raises(LivenessError):
        threshold_for_apcer({}, 0.01)
