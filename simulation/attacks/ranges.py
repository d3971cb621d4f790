"""Parameter ranges of the attack generators, one set per data split.

The held-out split uses wider ranges (and one lens pattern family, finer and coarser lens dots)
that training never saw, so evaluation measures generalization, not memorized artefacts.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulation.synthetic_eye import CameraBlur


@dataclass(frozen=True)
class AttackRanges:
    """Ranges (low, high) from which each attack presentation draws its physical parameters."""

    halftone_pitch_px: tuple[float, float]  # printed dot period as seen by the camera
    halftone_angles_deg: tuple[float, ...]  # screen angles a printer may use
    stochastic_print_share: float  # share of prints made with FM (inkjet) instead of AM dots
    screen_pitch_px: tuple[float, float]  # display pixel pitch as seen by the camera
    video_screen_pitch_px: tuple[float, float]  # the (finer) display used for video replay
    lens_patterns: tuple[str, ...]  # cosmetic contact lens print families
    lens_dot_pitch_px: tuple[float, float]  # the lens print's dot screen as seen by the camera
    hand_motion_px: tuple[float, float]  # per-frame random-walk step of a hand-held artefact
    subjects: tuple[int, int]  # synthetic subjects [low, high) used as victims or wearers
    evasive_share: float  # lens wearers who blur the capture on purpose (see simulation.pad_dataset)
    # The station camera's blur for this one presentation (simulation.pad_dataset draws it); None: each
    # generator draws its own from CaptureConditions.random's fixed-focus spread.
    camera: CameraBlur | None = None


TRAIN_RANGES = AttackRanges(
    halftone_pitch_px=(2.6, 5.5),
    halftone_angles_deg=(15.0, 45.0, 75.0),
    stochastic_print_share=0.3,
    screen_pitch_px=(1.8, 3.2),
    video_screen_pitch_px=(1.1, 1.6),
    lens_patterns=("dots", "spokes", "cells"),
    lens_dot_pitch_px=(3.0, 6.0),
    hand_motion_px=(0.2, 0.9),
    subjects=(0, 500_000),
    evasive_share=0.25,
)

HELDOUT_RANGES = AttackRanges(
    halftone_pitch_px=(2.2, 6.5),
    halftone_angles_deg=(0.0, 22.5, 30.0, 45.0, 60.0, 67.5),
    stochastic_print_share=0.4,
    screen_pitch_px=(1.5, 3.8),
    video_screen_pitch_px=(1.0, 1.8),
    lens_patterns=("dots", "spokes", "cells", "rings"),
    lens_dot_pitch_px=(2.5, 7.0),
    hand_motion_px=(0.1, 1.2),
    subjects=(500_000, 1_000_000),
    evasive_share=0.3,
)
