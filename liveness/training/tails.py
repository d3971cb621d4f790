"""The capture conditions under which the texture CNN refuses live eyes most often: to draw more of them.

Of the live eyes the stop-41 detector refused by its score (13 of 2,400 in the fusion phase of the train
split, 10 of them in the tails; 13 of 1,600 on fresh seeds 6601-6605 and 6701-6703, 12 in the tails), most
had a dark iris (the darkest tenth of
the population: little texture contrast for the CNN to read) or a pupil at either end of its range (a
thin or a wide iris annulus). `in_tails` picks such captures from their draws alone
(`simulation.pad_dataset.capture_draws`: nothing is rendered), so a training set can hold more of them,
for the live eyes and for the lens wearers alike (the CNN must not learn "dark means live").
"""

from __future__ import annotations

from simulation.pad_dataset import FUSION_OFFSET, capture_draws
from simulation.synthetic_eye import CaptureConditions, EyeIdentity

DARK_IRIS = 0.31  # mean NIR iris reflectance: about the darkest tenth of the synthetic population
SMALL_PUPIL = 0.28  # pupil / iris radius ratio, drawn from [0.25, 0.6]: about the lowest tenth
LARGE_PUPIL = 0.57  # about the highest tenth
TAIL_SPECIES = ("bona_fide", "contact_lens")


def tail_groups(iris_brightness: float, pupil_ratio: float) -> tuple[str, ...]:
    """Which tails a capture is in: "dark_iris", "small_pupil", "large_pupil" (dark and small can go
    together); empty for the middle of the population."""
    groups = []
    if iris_brightness < DARK_IRIS:
        groups.append("dark_iris")
    if pupil_ratio <= SMALL_PUPIL:
        groups.append("small_pupil")
    if pupil_ratio >= LARGE_PUPIL:
        groups.append("large_pupil")
    return tuple(groups)


def in_tails(eye: EyeIdentity, conditions: CaptureConditions) -> bool:
    """True for a dark iris or a pupil at either end of its range."""
    return bool(tail_groups(eye.iris_brightness, conditions.pupil_ratio))


def tail_indices(species: str, start: int, count: int) -> list[int]:
    """The first `count` CNN-phase indices of the train split from `start` on whose capture is in the tails.

    Raises ValueError when `species` has no live eye to draw or the CNN phase runs out first."""
    if species not in TAIL_SPECIES:
        raise ValueError(f"only {TAIL_SPECIES} have a live eye to pick by; not {species!r}")
    if start < 0 or count < 0:
        raise ValueError("start and count must be >= 0")
    found: list[int] = []
    index = start
    while len(found) < count:
        if index >= FUSION_OFFSET:
            raise ValueError(f"the CNN phase ends at {FUSION_OFFSET}: fewer than {count} tails from {start}")
        if in_tails(*capture_draws("train", species, index)):
            found.append(index)
        index += 1
    return found
