"""The simulated illuminator: schedules, the pupil light reflex model, bona fide sequence capture."""

from __future__ import annotations

import numpy as np
import pytest

from hardware.illumination import IlluminationSchedule, ScheduleError
from liveness.pupil_physiology import PupilReflex
from simulation.live_eye import MicroMotion, capture_bona_fide_sequence
from simulation.synthetic_eye import CaptureConditions, EyeIdentity


@pytest.mark.parametrize(
    ("times", "levels"),
    [((0.0,), (1.0,)), ((0.0, 0.1), (1.0,)), ((0.0, 0.0), (1.0, 1.0)), ((0.0, 0.1), (1.0, 9.0)),
     ((0.0, float("nan")), (1.0, 1.0)), ((0.0, 0.1), (1.0, 0.0))],
)  # fmt: skip
def test_malformed_schedules_are_refused(times, levels):
    with pytest.raises(ScheduleError):
        IlluminationSchedule(times, levels)


def test_step_schedule_has_one_step_between_frames():
    s = IlluminationSchedule.step(n_frames=20, fps=20.0, step_frame=3, low=0.7, high=1.3)
    assert len(s) == 20 and s.levels[2] == 0.7 and s.levels[3] == 1.3
    ((t, dlog),) = s.steps
    assert t == pytest.approx(0.125) and dlog == pytest.approx(np.log(1.3 / 0.7))
    with pytest.raises(ScheduleError):
        IlluminationSchedule.step(n_frames=5, step_frame=5)


def test_reflex_waits_for_its_latency_then_constricts():
    s = IlluminationSchedule(
        tuple(np.arange(0, 2.0, 0.01)), tuple(0.5 if t < 0.5 else 1.5 for t in np.arange(0, 2.0, 0.01))
    )
    reflex = PupilReflex(latency_s=0.25, gain=0.3, escape=0.0, hippus=0.0)
    rel = reflex.relative_response(s)
    t = np.asarray(s.times_s)
    assert np.all(rel[t < 0.5 + 0.25] == 0.0)  # nothing before step + latency
    assert rel[-1] == pytest.approx(-0.3 * np.log(3.0), rel=0.02)  # gain x log intensity ratio
    assert np.all(np.diff(rel) <= 1e-12)  # a step up only constricts


def test_pupil_ratios_stay_in_the_human_range():
    s = IlluminationSchedule.step(low=0.05, high=4.0)
    ratios = PupilReflex(gain=2.0).pupil_ratios(s, 0.3)
    assert ratios.min() >= 0.15


def test_micro_motion_starts_at_zero_and_moves():
    eye, head = MicroMotion().trajectories(20, np.random.default_rng(0))
    assert np.all(eye[0] == 0) and np.all(head[0] == 0)
    assert np.abs(eye).max() > 0.3 and np.abs(head).max() > 0.3


def test_bona_fide_capture_shows_a_constricting_pupil_and_follows_the_light():
    schedule = IlluminationSchedule.step(n_frames=12, fps=12.0, step_frame=2)
    rng = np.random.default_rng(3)
    conditions = CaptureConditions.random(rng, lashes=0.0, upper_lid=1.2, pupil_ratio=0.45)
    frames = capture_bona_fide_sequence(EyeIdentity.from_seed(4, "L"), schedule, conditions, rng,
                                        reflex=PupilReflex(gain=0.3, hippus=0.0))  # fmt: skip
    assert frames.shape == (12, 480, 640) and frames.dtype == np.uint8
    # Pupil pixels (darkest) shrink after the step; overall brightness rises with the light.
    dark = [(f < 0.5 * np.median(f)).sum() for f in frames]
    assert dark[-1] < 0.85 * dark[0]
    assert frames[-1].mean() > 1.4 * frames[0].mean()
