"""`assess`: is this capture sequence a live eye? Physical cues + the texture CNN, fused.

Cues (each a score, higher = more live; see each module): pupil light reflex, illumination
response, corneal specular layout, frequency-domain print/screen artefacts, micro-motion of the
eye inside the face, and the learned texture model. The fusion turns them into p(bona fide) and
decides at the threshold shipped with it, after its vetoes: a cue below its floor, or a capture
whose corneal reflections show more blur than the ceiling. Frames are never logged or kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hardware.illumination import IlluminationSchedule

from .frames import validate_frames
from .frequency import frequency_score
from .fusion import BLUR, Fusion, default_fusion
from .glint_blur import glint_blur
from .illumination_response import illumination_response_score
from .micro_motion import micro_motion_score
from .pupil_edge import edge_radii
from .pupil_finder import PupilObservation, track_pupil
from .pupil_reflex import pupil_reflex_score
from .specular import specular_score
from .texture_model import TextureModel, default_texture_model, texture_crops


@dataclass(frozen=True)
class CueResult:
    """One cue's score (higher = more live) and whether it fired (score below its threshold)."""

    name: str
    score: float
    threshold: float
    fired: bool


@dataclass(frozen=True)
class LivenessResult:
    """The decision: fused p(bona fide), accept/reject at `threshold`, and every cue's result."""

    score: float
    is_live: bool
    threshold: float
    cues: tuple[CueResult, ...]
    vetoed: tuple[str, ...] = ()  # cues below their veto floor, or "glint_blur" (then score = 0)
    blur_px: float = float("nan")  # the corneal reflections' blur (NaN when none was measured)
    live_if_sharp: bool = False  # refused only for blur (the ceiling or the blur zone's penalty)

    @property
    def blurred(self) -> bool:
        """True when the blur ceiling refused the capture (too blurred to judge)."""
        return BLUR in self.vetoed

    @property
    def fired(self) -> tuple[str, ...]:
        """Names of the cues that speak for an attack."""
        return tuple(c.name for c in self.cues if c.fired)


def physical_cues(
    frames: np.ndarray, schedule: IlluminationSchedule, observations: tuple[PupilObservation, ...]
) -> dict[str, float]:
    """The hand-built cues' scores for a validated stack and its per-frame pupil observations."""
    return {
        "pupil_reflex": pupil_reflex_score(edge_radii(frames, observations), schedule),
        "illumination_response": illumination_response_score(frames, schedule),
        "specular": specular_score(frames, observations, schedule.leds),
        "frequency": frequency_score(frames, observations),
        "micro_motion": micro_motion_score(frames, observations),
    }


def measure_cues(
    frames: np.ndarray, schedule: IlluminationSchedule, texture_model: TextureModel | None = None
) -> dict[str, float]:
    """Every cue's score for a validated (n, 480, 640) uint8 stack captured under `schedule`, and
    the reflection blur under `fusion.BLUR`."""
    return cues_for_observations(frames, schedule, track_pupil(frames), texture_model)


def cues_for_observations(
    frames: np.ndarray,
    schedule: IlluminationSchedule,
    observations: tuple[PupilObservation, ...],
    texture_model: TextureModel | None = None,
) -> dict[str, float]:
    """`measure_cues` with the per-frame pupil observations given (bench/pupil_pad.py compares
    two pupil finders on the same frames with it)."""
    model = texture_model if texture_model is not None else default_texture_model()
    scores = physical_cues(frames, schedule, observations)
    scores["texture"] = model.score(texture_crops(frames, observations))
    scores[BLUR] = glint_blur(frames, observations, len(schedule.leds))
    return scores


def assess(
    frames: np.ndarray | Sequence[np.ndarray],
    schedule: IlluminationSchedule,
    *,
    fusion: Fusion | None = None,
    texture_model: TextureModel | None = None,
) -> LivenessResult:
    """Presentation-attack detection on one capture sequence.

    `frames`: (n, 480, 640) uint8 array or a sequence of n such frames, captured under `schedule`
    (n entries). Raises LivenessError for empty sequences, wrong frame size or dtype, or a
    schedule of another length; LivenessModelError when a shipped model is missing or malformed.
    """
    stack = validate_frames(frames, schedule)
    fusion = fusion if fusion is not None else default_fusion()
    scores = measure_cues(stack, schedule, texture_model)
    p = fusion.probability(scores)
    vetoed = fusion.vetoed(scores)
    unblurred = {name: score for name, score in scores.items() if name != BLUR}
    cues = tuple(
        CueResult(
            name, float(scores[name]), fusion.cue_thresholds[name], scores[name] < fusion.cue_thresholds[name]
        )
        for name in fusion.cues
    )
    return LivenessResult(
        score=p,
        is_live=p >= fusion.threshold,
        threshold=fusion.threshold,
        cues=cues,
        vetoed=vetoed,
        blur_px=float(scores[BLUR]),
        live_if_sharp=p < fusion.threshold and fusion.probability(unblurred) >= fusion.threshold,
    )
