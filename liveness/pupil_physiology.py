"""A physiological model of the pupil light reflex (PLR): what a live pupil does after a light step.

The liveness detector fits it to the pupil radii it measures (liveness/pupil_reflex.py); the
simulator draws people from its population ranges (simulation/live_eye.py).

Reference: Kohn & Clynes (1969) two-channel pupil model; Ellis (1981) latency figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hardware.illumination import IlluminationSchedule

PUPIL_RATIO_RANGE = (0.15, 0.75)  # pupil/iris radius ratio a human pupil can reach


@dataclass(frozen=True)
class PupilReflex:
    """One person's pupil light reflex (PLR) parameters.

    latency_s: stimulus to constriction onset (typically 0.2-0.3 s; Ellis 1981).
    gain: relative constriction of the pupil radius per natural-log unit of stimulus increase.
    tau_constrict_s / tau_dilate_s: time constants of constriction (fast) and re-dilation (slow).
    escape: fraction of the constriction lost again over `tau_escape_s` (pupillary escape).
    hippus: amplitude (relative) of the spontaneous ~0.3-1 Hz pupil unrest.
    """

    latency_s: float = 0.24
    gain: float = 0.28
    tau_constrict_s: float = 0.16
    tau_dilate_s: float = 0.6
    escape: float = 0.15
    tau_escape_s: float = 1.5
    hippus: float = 0.008

    @classmethod
    def random(cls, rng: np.random.Generator) -> PupilReflex:
        """A physiologically plausible person, drawn from population ranges."""
        return cls(
            latency_s=float(rng.uniform(0.20, 0.30)),
            gain=float(rng.uniform(0.18, 0.38)),
            tau_constrict_s=float(rng.uniform(0.10, 0.24)),
            tau_dilate_s=float(rng.uniform(0.4, 0.9)),
            escape=float(rng.uniform(0.0, 0.3)),
            tau_escape_s=float(rng.uniform(1.0, 2.5)),
            hippus=float(rng.uniform(0.003, 0.012)),
        )

    def relative_response(self, schedule: IlluminationSchedule) -> np.ndarray:
        """Relative change of the pupil radius at each frame (0 = baseline, -0.2 = 20% smaller).

        Each log-intensity step adds a delayed first-order response (constriction for steps up,
        slower re-dilation for steps down); responses superpose.
        """
        t = np.asarray(schedule.times_s, dtype=np.float64)
        rel = np.zeros_like(t)
        for t_step, dlog in schedule.steps:
            tau = self.tau_constrict_s if dlog > 0 else self.tau_dilate_s
            lag = np.clip(t - t_step - self.latency_s, 0.0, None)
            response = (1.0 - np.exp(-lag / tau)) * (
                1.0 - self.escape * (1.0 - np.exp(-lag / self.tau_escape_s))
            )
            rel -= self.gain * dlog * response
        return rel

    def pupil_ratios(
        self, schedule: IlluminationSchedule, baseline: float, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        """Pupil/iris radius ratio at each frame time of `schedule`, starting from `baseline`.

        The shape is `relative_response`; hippus noise is added when `rng` is given. Values are
        clipped to the human range PUPIL_RATIO_RANGE.
        """
        t = np.asarray(schedule.times_s, dtype=np.float64)
        rel = self.relative_response(schedule)
        if rng is not None and self.hippus > 0:
            freq, phase = rng.uniform(0.3, 1.0), rng.uniform(0, 2 * np.pi)
            rel += self.hippus * np.sin(2 * np.pi * freq * t + phase)
        return np.clip(baseline * (1.0 + rel), *PUPIL_RATIO_RANGE)
