"""Synthetic bona fide and attack presentations, generated per data split from seeds.

Splits (documented in liveness/models/MODEL_CARD.md):
- "train": seed root 7_001, subjects [0, 500k), TRAIN_RANGES. Indices [0, 10_000) train the
  texture CNN; indices [10_000, 20_000) fit the score fusion (so the fusion sees CNN scores on
  presentations the CNN never trained on).
- "heldout": seed root 9_113, subjects [500k, 1M), HELDOUT_RANGES (wider halftone pitches and
  angles, screen pitches, hand motion, and a lens pattern family, "rings", never used in
  training). Only `personhood pad eval` and the benchmark use it.

The camera: the CNN's presentations (train indices below FUSION_OFFSET) keep the fixed-focus
blur each generator draws (defocus up to 1.5 px, motion streaks in a fifth): the CNN learns on
more blur than the station makes. Every other presentation is captured by the station's
autofocus camera (`simulation.synthetic_eye.AUTOFOCUS`), drawn from its own seed stream so the
rest of the presentation is the same one; a share of lens wearers (`evasive_share`) blur their
capture on purpose (`EVASIVE`: out of focus, often moving), which liveness must refuse.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from hardware.illumination import IlluminationSchedule
from liveness.errors import LivenessError
from simulation.live_eye import capture_bona_fide_sequence
from simulation.synthetic_eye import AUTOFOCUS, EVASIVE, CameraBlur, CaptureConditions, EyeIdentity

from .attacks import ATTACKS, HELDOUT_RANGES, SPECIES, TRAIN_RANGES, AttackRanges
from .attacks.contact_lens import wearer_draws
from .attacks.recapture import random_eye, station_conditions

BONA_FIDE = "bona_fide"
CLASSES = (BONA_FIDE, *SPECIES)
FUSION_OFFSET = 10_000  # train-split indices from here on are reserved for fitting the fusion
CAMERA_STREAM = 1  # seed-stream tag of the station camera's blur draw


@dataclass(frozen=True)
class Split:
    """A data split: its seed root and the parameter ranges its presentations are drawn from."""

    name: str
    seed_root: int
    ranges: AttackRanges


SPLITS = {
    "train": Split("train", 7_001, TRAIN_RANGES),
    "heldout": Split("heldout", 9_113, HELDOUT_RANGES),
}


@dataclass(frozen=True, eq=False)
class Presentation:
    """One presentation: the frames the station captured and the schedule it ran."""

    species: str  # BONA_FIDE or an attack species
    frames: np.ndarray  # uint8 (n, 480, 640)
    schedule: IlluminationSchedule
    camera: CameraBlur | None = None  # the station camera's blur (None: the generator's own)
    evasive: bool = False  # a lens wearer who blurred the capture on purpose

    @property
    def is_bona_fide(self) -> bool:
        """True for a live, unaltered eye."""
        return self.species == BONA_FIDE


def live_eye_draws(rng: np.random.Generator, ranges: AttackRanges) -> tuple[EyeIdentity, CaptureConditions]:
    """The eye (a random subject in `ranges.subjects`) and capture conditions of a live presentation:
    the first draws of `bona_fide`, in its order (cheap: nothing is rendered)."""
    eye = random_eye(rng, ranges.subjects)
    return eye, station_conditions(rng, ranges)


def bona_fide(schedule: IlluminationSchedule, rng: np.random.Generator, ranges: AttackRanges) -> np.ndarray:
    """Frames of a live eye of a random subject in `ranges.subjects` under `schedule`."""
    eye, conditions = live_eye_draws(rng, ranges)
    return capture_bona_fide_sequence(eye, schedule, conditions, rng)


def _start(
    split: str, species: str, index: int, n_frames: int
) -> tuple[np.random.Generator, IlluminationSchedule, AttackRanges, CameraBlur | None, bool]:
    """(rng after the schedule's draws, schedule, ranges with the station camera, camera, evasive)."""
    if split not in SPLITS:
        raise LivenessError(f"unknown split {split!r}; choose from {sorted(SPLITS)}")
    if species not in CLASSES:
        raise LivenessError(f"unknown species {species!r}; choose from {CLASSES}")
    spec = SPLITS[split]
    rng = np.random.default_rng([spec.seed_root, CLASSES.index(species), int(index)])
    schedule = IlluminationSchedule.random_step(rng, n_frames=n_frames)
    camera, evasive = station_camera(split, species, index)
    ranges = spec.ranges if camera is None else dataclasses.replace(spec.ranges, camera=camera)
    return rng, schedule, ranges, camera, evasive


def presentation(split: str, species: str, index: int, n_frames: int = 20) -> Presentation:
    """The `index`-th presentation of `species` in `split` (deterministic)."""
    rng, schedule, ranges, camera, evasive = _start(split, species, index, n_frames)
    make = bona_fide if species == BONA_FIDE else ATTACKS[species]
    return Presentation(species, make(schedule, rng, ranges), schedule, camera, evasive)


def capture_draws(split: str, species: str, index: int) -> tuple[EyeIdentity, CaptureConditions]:
    """The live eye and capture conditions `presentation(split, species, index)` renders, for bona fide
    and contact_lens (the wearer's eye), without rendering anything: to pick presentations by them."""
    if species not in (BONA_FIDE, "contact_lens"):
        raise LivenessError(f"capture_draws covers bona_fide and contact_lens, not {species!r}")
    rng, _, ranges, _, _ = _start(split, species, index, 20)  # the schedule draws alike for any length
    if species == BONA_FIDE:
        return live_eye_draws(rng, ranges)
    eye, _, conditions = wearer_draws(rng, ranges)
    return eye, conditions


def station_camera(split: str, species: str, index: int) -> tuple[CameraBlur | None, bool]:
    """(blur, evasive) of the `index`-th presentation of `species` in `split` (deterministic and
    cheap: no rendering). None for the CNN's training presentations, which keep the generators'
    own fixed-focus blur."""
    spec = SPLITS[split]
    if split == "train" and index < FUSION_OFFSET:
        return None, False
    rng = np.random.default_rng([spec.seed_root, CLASSES.index(species), int(index), CAMERA_STREAM])
    evasive = species == "contact_lens" and bool(rng.random() < spec.ranges.evasive_share)
    return (EVASIVE if evasive else AUTOFOCUS).draw(rng), evasive
