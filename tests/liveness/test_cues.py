"""Physical cues on controlled inputs: each responds to what it is meant to measure."""

from __future__ import annotations

import numpy as np

from hardware.illumination import IlluminationSchedule
from liveness.illumination_response import illumination_response_score
from liveness.pupil_finder import PupilObservation
from liveness.pupil_physiology import PupilReflex
from liveness.pupil_reflex import pupil_reflex_score

SCHEDULE = IlluminationSchedule.step(n_frames=20, fps=20.0, step_frame=3)


def observed(radii):
    return tuple(PupilObservation(320.0, 240.0, float(r), True) for r in radii)


def test_a_pupil_that_constricts_on_time_scores_high():
    rel = PupilReflex(latency_s=0.25, gain=0.25, hippus=0.0).relative_response(SCHEDULE)
    noise = np.random.default_rng(0).normal(0, 0.2, 20)
    assert pupil_reflex_score(observed(40 * (1 + rel) + noise), SCHEDULE) > 0.6


def test_a_static_pupil_scores_near_zero():
    noise = np.random.default_rng(1).normal(0, 0.3, 20)
    assert pupil_reflex_score(observed(40 + noise), SCHEDULE) < 0.15


def test_a_pupil_that_constricts_too_early_or_dilates_scores_low():
    # A replay whose recorded pupil began constricting before this station's light stepped.
    station = IlluminationSchedule.step(n_frames=20, fps=20.0, step_frame=8)
    recording = IlluminationSchedule.step(n_frames=20, fps=20.0, step_frame=1)
    rel_early = PupilReflex(latency_s=0.2, gain=0.25, hippus=0.0).relative_response(recording)
    assert pupil_reflex_score(observed(40 * (1 + rel_early)), station) < 0.3
    rel = PupilReflex(latency_s=0.25, gain=0.25, hippus=0.0).relative_response(SCHEDULE)
    assert pupil_reflex_score(observed(40 * (1 - rel)), SCHEDULE) < 0.0


def test_an_instant_brightness_bias_in_the_radius_is_not_a_reflex():
    radii = np.where(np.asarray(SCHEDULE.levels) > 1.0, 38.0, 40.0)  # jumps with the light, no latency
    assert pupil_reflex_score(observed(radii), SCHEDULE) < 0.3


def test_missing_pupils_floor_the_reflex_score():
    obs = tuple(PupilObservation(np.nan, np.nan, np.nan, False) for _ in range(20))
    assert pupil_reflex_score(obs, SCHEDULE) < 0


def test_brightness_proportional_to_the_light_scores_high_and_constant_scores_low():
    base = np.random.default_rng(2).uniform(40, 120, size=(480, 640)).astype(np.float32)
    levels = np.asarray(SCHEDULE.levels)[:, None, None]
    reflective = np.clip(base * levels, 0, 255).astype(np.uint8)
    emissive = np.repeat(base[None].astype(np.uint8), 20, axis=0)
    assert illumination_response_score(reflective, SCHEDULE) > 0.9
    assert illumination_response_score(emissive, SCHEDULE) < 0.1


def test_one_mismeasured_frame_does_not_spoil_a_live_reflex():
    rel = PupilReflex(latency_s=0.25, gain=0.25, hippus=0.0).relative_response(SCHEDULE)
    radii = 40 * (1 + rel) + np.random.default_rng(3).normal(0, 0.15, 20)
    radii[13] = 55.0  # the edge of a lash, not the pupil's
    assert pupil_reflex_score(observed(radii), SCHEDULE) > 0.6


def test_a_radius_jumping_between_two_edges_is_no_reflex():
    # A finder that flips between the pupil and another edge after the light step: a 40%
    # "constriction" where this step draws at most ~24% from a person (gain <= 0.38), and frames
    # that fit no response.
    flips = np.array([50.0] * 8 + [30.0, 50.0, 30.0, 30.0, 50.0, 30.0, 30.0, 30.0, 50.0, 30.0, 30.0, 30.0])
    assert pupil_reflex_score(observed(flips), SCHEDULE) < 0.15
    huge = PupilReflex(latency_s=0.25, gain=0.9, hippus=0.0).relative_response(SCHEDULE)
    assert pupil_reflex_score(observed(40 * (1 + huge)), SCHEDULE) < 0.05


def test_biweight_fit_marks_outliers_and_recovers_the_line():
    from liveness.pupil_reflex import biweight_fit

    x = np.linspace(0, 1, 30)
    y = 0.2 * x + 0.01 + np.random.default_rng(4).normal(0, 0.002, 30)
    y[[5, 17]] += 0.3
    coef, w = biweight_fit(np.stack([x, np.ones_like(x)], axis=1), y)
    assert abs(coef[0] - 0.2) < 0.01 and abs(coef[1] - 0.01) < 0.005
    assert w[5] == 0 and w[17] == 0 and (w > 0).sum() == 28
