"""Presentation attacks made from real photographs: a print or a screen of a real NIR eye photograph.

An attacker's material is a photograph of the victim's real eye, not our render (issue 26): a detector
trained on prints of renders could be telling our renderer from our renderer. Here a real photograph is
placed life-size in the station's frame (its iris scaled to the station's range of iris radii, as a print
or screen held where the eye would be), then the same print and screen physics as the render-based
attacks apply (`print_of_photo`, `screen_of_photo`: halftone or dithering, paper tone and texture, gloss,
display grid and moire, refresh bands, glass reflections, the hand, the station's autofocus camera and
light step). What is physical: the photograph's own texture, lids, lashes, the capture camera's specular
reflections and noise. What is modelled: the print and the screen, as for every other attack.

The caller reads the photograph (tests and benchmarks read ../shared/iris-dev at run time); nothing of it
is stored by this module.
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np

from hardware.illumination import IlluminationSchedule
from liveness.errors import LivenessError
from simulation.synthetic_eye import AUTOFOCUS

from .attacks import HELDOUT_RANGES
from .attacks.print_attack import print_of_photo
from .attacks.ranges import AttackRanges
from .attacks.screen_attack import screen_of_photo
from .pad_dataset import Presentation

FRAME_HW = (480, 640)
STATION_IRIS_RADIUS_PX = (80.0, 125.0)  # the station camera's range (CaptureConditions.random)
REAL_PHOTO_SEED_ROOT = 30_107  # its own seed stream: no presentation here repeats a synthetic one
REAL_PHOTO_ATTACKS = {"print": print_of_photo, "screen": screen_of_photo}
N_FRAMES = 20


def check_still(still: np.ndarray, iris_center: tuple[float, float], iris_radius: float) -> None:
    """Raise LivenessError unless `still` is a grey uint8 photograph and the iris circle lies in it."""
    if (
        not isinstance(still, np.ndarray)
        or still.ndim != 2
        or still.dtype != np.uint8
        or min(still.shape) < 32
    ):
        shape = getattr(still, "shape", None)
        raise LivenessError(f"a grey uint8 photograph is needed, got {getattr(still, 'dtype', None)} {shape}")
    x, y = (float(v) for v in iris_center)
    if not (np.isfinite(iris_radius) and 5.0 <= iris_radius <= max(still.shape)):
        raise LivenessError(f"iris radius {iris_radius!r} px does not fit a {still.shape} photograph")
    if not (0.0 <= x < still.shape[1] and 0.0 <= y < still.shape[0]):
        raise LivenessError(f"iris centre {iris_center!r} lies outside the photograph")


def station_placement(
    iris_center: tuple[float, float], iris_radius: float, rng: np.random.Generator
) -> np.ndarray:
    """The 2x3 affine (photograph px -> station px) that puts the iris life-size where a cooperative
    eye would be: its radius drawn from the station's range, its centre as `CaptureConditions.random`
    places one. The iris circle must have been checked (`check_still`)."""
    x, y = (float(v) for v in iris_center)
    target = float(rng.uniform(*STATION_IRIS_RADIUS_PX))
    scale = target / float(iris_radius)
    h, w = FRAME_HW
    margin_x, margin_y = w / 2 - 1.6 * target, h / 2 - 1.25 * target
    cx = w / 2 + float(rng.uniform(-1, 1)) * max(margin_x, 0.0) * 0.6
    cy = h / 2 + float(rng.uniform(-1, 1)) * max(margin_y, 0.0) * 0.6
    return np.float32([[scale, 0.0, cx - scale * x], [0.0, scale, cy - scale * y]])


def station_view_of_still(
    still: np.ndarray, iris_center: tuple[float, float], iris_radius: float, rng: np.random.Generator
) -> np.ndarray:
    """The photograph as the station sees a life-size artefact of it: float32 (480, 640), 1.0 = white.

    `still`: 2-D uint8 photograph; `iris_center` (x, y) and `iris_radius` in its pixels (from the iris
    segmentation). The iris is scaled to a radius drawn from the station's range and placed where a
    cooperative eye would be (`station_placement`); the artefact extends past the photograph's border
    (mirrored), as a print of a wider periocular crop would. Raises LivenessError on a malformed
    photograph or circle.
    """
    check_still(still, iris_center, iris_radius)
    matrix = station_placement(iris_center, iris_radius, rng)
    h, w = FRAME_HW
    view = cv2.warpAffine(
        still.astype(np.float32) / 255.0,
        matrix,
        (w, h),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_REFLECT_101,
    )
    return np.clip(view, 0.0, 1.0)


def real_photo_presentation(
    still: np.ndarray,
    iris_center: tuple[float, float],
    iris_radius: float,
    species: str,
    seed: int,
    ranges: AttackRanges = HELDOUT_RANGES,
) -> Presentation:
    """A `species` ("print" or "screen") presentation of the photograph, deterministic in `seed`.

    The artefact's parameters come from `ranges` (by default the held-out ones, the widest), the camera
    is the station's autofocus camera, and the light schedule the station's random step, as for `pad_dataset`.
    """
    if species not in REAL_PHOTO_ATTACKS:
        raise LivenessError(f"unknown species {species!r}; choose from {sorted(REAL_PHOTO_ATTACKS)}")
    rng = np.random.default_rng([REAL_PHOTO_SEED_ROOT, sorted(REAL_PHOTO_ATTACKS).index(species), int(seed)])
    schedule = IlluminationSchedule.random_step(rng, n_frames=N_FRAMES)
    camera = AUTOFOCUS.draw(rng)
    ranges = dataclasses.replace(ranges, camera=camera)
    photo = station_view_of_still(still, iris_center, iris_radius, rng)
    frames = REAL_PHOTO_ATTACKS[species](photo, schedule, rng, ranges)
    return Presentation(species, frames, schedule, camera)
