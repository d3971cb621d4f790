"""Video replay: a recorded live sequence of the victim played back on a display.

The recording is a real pupil under the recording's own light (a step at another time, or none),
so its pupil moves and its eye drifts naturally, but not in answer to the station's illuminator.
It plays at the recording's frame rate on a fine-pitch display (the pixel grid is nearly
invisible to the station camera).
"""

from __future__ import annotations

import numpy as np

from hardware.illumination import IlluminationSchedule
from simulation.live_eye import capture_bona_fide_sequence

from .ranges import AttackRanges
from .recapture import victim_photo
from .screen_attack import Display, present_on_display


def video_replay_attack(
    schedule: IlluminationSchedule, rng: np.random.Generator, ranges: AttackRanges
) -> np.ndarray:
    """Frames (n, 480, 640) uint8 of a replayed recording of a live eye under `schedule`."""
    eye, conditions, _ = victim_photo(rng, ranges.subjects)
    duration = schedule.times_s[-1] - schedule.times_s[0]
    fps = float(rng.choice([10.0, 12.5, 15.0, 20.0]))
    m = int(np.ceil((duration + 0.5) * fps)) + 1
    if rng.random() < 0.7:  # the recording had its own light step, at its own time
        low, high = sorted(rng.uniform(0.6, 1.4, size=2))
        recorded = IlluminationSchedule.step(m, fps, int(rng.integers(1, m - 1)), float(low), float(high))
    else:
        level = float(rng.uniform(0.8, 1.2))
        recorded = IlluminationSchedule(tuple(i / fps for i in range(m)), (level,) * m)
    clip = capture_bona_fide_sequence(eye, recorded, conditions, rng).astype(np.float32) / 255.0
    start = rng.uniform(0.0, 0.5)
    t0 = schedule.times_s[0]
    index = [min(int((t - t0 + start) * fps), m - 1) for t in schedule.times_s]
    display = Display(clip.shape[1:], rng.uniform(*ranges.video_screen_pitch_px), rng)
    return present_on_display(display, [clip[k] for k in index], schedule, rng, ranges)
