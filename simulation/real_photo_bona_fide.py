"""Bona fide presentations from real stills: a real NIR eye photograph animated into the station's
20-frame capture of a live eye (issue 26).

The detector was trained and judged on our own renders of live eyes; this checks it on eyes we did not
draw. A still cannot show the cues that need motion, so they are modelled on top of it:

- Physical (from the photograph): the iris texture, pupil, lids, lashes, sclera and skin, their grey
  levels, and the capture camera's own blur and (frozen) noise.
- Modelled: the pupil's light reflex after the station's illumination step (`PupilReflex.random`:
  latency, amplitude and time course drawn per person, hippus), the iris following it as a rubber sheet
  (each ray from the pupil centre to the limbus stretched linearly between the new pupil edge and the
  fixed limbus: the texture moves, no scaled pupil is pasted on), the scene's brightness following the
  illuminator (a reflective eye: radiance = reflectance x level, exposure set once so the bright step
  does not saturate the skin), the station's two LED reflections on the cornea (as the renderer draws
  them), fixational eye movements inside a still face that sways (`MicroMotion`), and the station's
  autofocus camera (residual defocus and motion blur, shot and read noise).
- Beyond the photograph's border (the frame is wider than the periocular crop): its border rows and
  columns replicated and smoothed, so no mirrored second eye appears (the print attacks mirror it).
- Removed: the photograph's own corneal reflections (its camera's LEDs, inside or beside the pupil) are
  filled from their surroundings before animation, since they would move with the pupil's rubber sheet;
  the station's LEDs are added instead. The pupil that the IIT Delhi capture software paints flat black
  is lifted to a live pupil's dark grey (the renderer's range), so the camera's noise shows in it.

The caller reads the photograph and segments it (tests and benchmarks read ../shared/iris-dev at run
time); nothing of it is stored by this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from hardware.illumination import IlluminationSchedule
from liveness.errors import LivenessError
from liveness.pupil_physiology import PupilReflex
from simulation.live_eye import MicroMotion, sensor_readout, shift_image
from simulation.synthetic_eye import AUTOFOCUS, LEGACY, CornealOverlay

from .attacks.recapture import hand_motion, spot, station_leds
from .pad_dataset import BONA_FIDE, Presentation
from .real_photo_attacks import FRAME_HW, N_FRAMES, check_still, station_placement

REAL_STILL_SEED_ROOT = 30_108  # its own seed stream (the real-photo attacks use 30_107)
WHITE_AT_BRIGHT_STEP = (0.80, 0.92)  # the 99th-percentile diffuse grey at the bright level, of full scale
PUPIL_FLOOR = (0.04, 0.09)  # a live pupil's NIR reflectance (EyeIdentity.pupil_brightness's range)
RATIO_STEP = 0.002  # pupil ratios closer than this share one warp (0.2 px at a 100 px iris)

_YS, _XS = np.mgrid[0 : FRAME_HW[0], 0 : FRAME_HW[1]].astype(np.float32)


@dataclass(frozen=True, eq=False)
class AnimatedStill:
    """A presentation animated from a still, with what was drawn for it (the test's ground truth)."""

    presentation: Presentation
    reflex: PupilReflex | None  # None: the pupil never reacts (a prosthesis)
    pupil_radius_px: np.ndarray  # the animated pupil's radius in each station frame
    pupil_center_px: np.ndarray  # (n, 2): its centre in each station frame (moves with the eye)


@dataclass(frozen=True, eq=False)
class Artefact:
    """What turns the animated live eye into an attack (simulation/real_photo_worn.py).

    lens: makes a printed lens (a `CornealOverlay`) for the station's iris radius in px; it rides on the
      cornea over the iris and pupil, fixed at absolute radii, under the tear film's reflections.
    hidden: bool mask in photograph px where lids and lashes hide the iris (no lens ink shows there).
    fixed_pupil: a prosthesis: the pupil never reacts, the eye does not move inside the face; the
      whole artefact moves with the hand (`hand_step_px`, a random walk per frame).
    gloss: (halo sigma in px, amount): the varnish of a glass dome blooms each reflection.
    """

    lens: Callable[[float, np.random.Generator], CornealOverlay] | None = None
    hidden: np.ndarray | None = None
    fixed_pupil: bool = False
    hand_step_px: float = 0.0
    gloss: tuple[float, float] = (0.0, 0.0)


def check_circles(
    still: np.ndarray, pupil: tuple[float, float, float], iris: tuple[float, float, float]
) -> None:
    """Raise LivenessError unless the pupil circle lies inside the iris circle of a valid photograph."""
    check_still(still, iris[:2], iris[2])
    px, py, pr = (float(v) for v in pupil)
    if not all(np.isfinite((px, py, pr))) or pr <= 0.0:
        raise LivenessError(f"pupil circle {pupil!r} is not a circle")
    ratio = pr / float(iris[2])
    if not 0.1 <= ratio <= 0.8:
        raise LivenessError(f"pupil/iris radius ratio {ratio:.2f} is outside a human eye's 0.1-0.8")
    if np.hypot(px - iris[0], py - iris[1]) + pr >= float(iris[2]):
        raise LivenessError("the pupil circle does not lie inside the iris circle")


def without_reflections(still: np.ndarray, pupil: tuple[float, float, float], iris_r: float) -> np.ndarray:
    """The photograph with its own camera's corneal reflections filled from their surroundings.

    A reflection is a small spot near the pupil that stands far above its neighbourhood (a white
    top-hat) or saturates; the search is limited to within one iris radius of the pupil centre.
    """
    size = max(3, int(iris_r / 6) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    tophat = still.astype(np.int16) - cv2.morphologyEx(still, cv2.MORPH_OPEN, kernel)
    spots = ((tophat > 60) & (still > 150)) | (still >= 250)
    near = np.zeros_like(still, np.uint8)
    cv2.circle(near, (round(pupil[0]), round(pupil[1])), round(iris_r), 1, -1)
    spots = cv2.dilate((spots & near.astype(bool)).astype(np.uint8), np.ones((5, 5), np.uint8))
    return cv2.inpaint(still, spots, 3, cv2.INPAINT_TELEA) if spots.any() else still


def rubber_sheet_maps(
    qx: np.ndarray,
    qy: np.ndarray,
    pupil: tuple[float, float, float],
    iris: tuple[float, float, float],
    new_pupil_r: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Where each point (qx, qy) of the animated photograph comes from in the still (photograph px).

    Along each ray from the pupil centre, the iris between the pupil edge and the limbus is one rubber
    sheet: a point a fraction s of the way from the new edge (radius `new_pupil_r`) to the limbus comes
    from the point a fraction s of the way from the still's edge; the pupil inside is scaled; beyond the
    limbus nothing moves.
    """
    px, py, pr = pupil
    ix, iy, ir = iris
    dx, dy = qx - px, qy - py
    rho = np.sqrt(dx * dx + dy * dy)
    safe = np.maximum(rho, 1e-6)
    ux, uy = dx / safe, dy / safe
    b = ux * (px - ix) + uy * (py - iy)  # the limbus along the ray: |p + t u - i| = ir
    limbus = -b + np.sqrt(np.maximum(b * b - ((px - ix) ** 2 + (py - iy) ** 2 - ir * ir), 0.0))
    s = (rho - new_pupil_r) / np.maximum(limbus - new_pupil_r, 1e-6)
    src = np.where(rho < new_pupil_r, rho * (pr / new_pupil_r), pr + s * (limbus - pr))
    src = np.where(rho >= limbus, rho, src)
    return (px + src * ux).astype(np.float32), (py + src * uy).astype(np.float32)


def _motion_streak(image: np.ndarray, length: float, angle: float) -> np.ndarray:
    size = int(np.ceil(length)) | 1
    kernel = np.zeros((size, size), np.float32)
    half = (size - 1) / 2
    end = (round(half + np.cos(angle) * half), round(half + np.sin(angle) * half))
    cv2.line(kernel, (round(half - np.cos(angle) * half), round(half - np.sin(angle) * half)), end, 1.0, 1)
    return cv2.filter2D(image, -1, kernel / kernel.sum())


def real_still_bona_fide(
    still: np.ndarray,
    pupil: tuple[float, float, float],
    iris: tuple[float, float, float],
    seed: int,
    n_frames: int = N_FRAMES,
    denoise: float = 0.0,
) -> AnimatedStill:
    """A live presentation of the eye in `still` under the station's random light step, deterministic
    in `seed`. `pupil` and `iris` are (x, y, r) in the photograph's pixels (the iris segmentation's
    circles); `denoise`: non-local-means strength on the still first (0: none). Raises LivenessError
    on a malformed photograph or circles."""
    rng = np.random.default_rng([REAL_STILL_SEED_ROOT, int(seed)])
    return animate_still(still, pupil, iris, rng, BONA_FIDE, n_frames, denoise)


def animate_still(
    still: np.ndarray,
    pupil: tuple[float, float, float],
    iris: tuple[float, float, float],
    rng: np.random.Generator,
    species: str,
    n_frames: int = N_FRAMES,
    denoise: float = 0.0,
    artefact: Artefact | None = None,
    artefact_rng: np.random.Generator | None = None,
) -> AnimatedStill:
    """The station's capture of the eye in `still`, live or wearing/replaced by `artefact` (whose own
    draws come from `artefact_rng`, so the live eye under it is the one `rng` alone would give)."""
    check_circles(still, pupil, iris)
    pupil = tuple(float(v) for v in pupil)
    iris = tuple(float(v) for v in iris)
    art = artefact if artefact is not None else Artefact()
    art_rng = artefact_rng if artefact_rng is not None else np.random.default_rng(0)
    schedule = IlluminationSchedule.random_step(rng, n_frames=n_frames)
    leds = station_leds(rng)  # where this cornea shows the station's LEDs (the schedule's layout, jittered)
    camera = AUTOFOCUS.draw(rng)
    matrix = station_placement(iris[:2], iris[2], rng)
    scale = float(matrix[0, 0])
    reflex = PupilReflex.random(rng)
    ratios = reflex.pupil_ratios(schedule, pupil[2] / iris[2], rng)
    eye_xy, head_xy = MicroMotion().trajectories(n_frames, rng)
    noise = float(rng.uniform(0.004, 0.02))
    floor = float(rng.uniform(*PUPIL_FLOOR))
    streak_angle = float(rng.uniform(0, np.pi))
    if art.fixed_pupil:
        reflex, ratios = None, np.full(n_frames, pupil[2] / iris[2])
        eye_xy = np.zeros_like(eye_xy)
        head_xy = hand_motion(n_frames, art.hand_step_px, art_rng)[:, :2]

    clean = without_reflections(still, pupil, iris[2])
    if denoise > 0.0:  # the still's own sensor noise, frozen into every frame, is not a live camera's
        clean = cv2.fastNlMeansDenoising(
            clean, None, h=float(denoise), templateWindowSize=5, searchWindowSize=15
        )
    clean = clean.astype(np.float32) / 255.0
    rows, cols = np.mgrid[0 : still.shape[0], 0 : still.shape[1]]
    near = np.hypot(cols - pupil[0], rows - pupil[1])  # distance from the pupil centre, photograph px
    diffuse = clean[near < 2.5 * iris[2]]
    exposure = float(rng.uniform(*WHITE_AT_BRIGHT_STEP)) / (
        max(float(np.percentile(diffuse, 99)), 0.2) * max(schedule.levels)
    )
    lifted = np.float32(floor) * (near < pupil[2])  # a pupil painted flat black lifted to a live one's grey
    reflectance = np.maximum(clean, lifted).astype(np.float32)

    inverse = cv2.invertAffineTransform(matrix)
    qx = inverse[0, 0] * _XS + inverse[0, 2]  # station px -> photograph px (a scale and a shift)
    qy = inverse[1, 1] * _YS + inverse[1, 2]
    station_pupil = matrix @ np.array([pupil[0], pupil[1], 1.0])
    station_iris_r = iris[2] * scale
    opening = np.zeros(FRAME_HW, np.float32)  # the eyeball moves within the lids; take the iris disc
    centre = matrix @ np.array([iris[0], iris[1], 1.0])
    cv2.circle(opening, (round(centre[0]), round(centre[1])), round(1.1 * station_iris_r), 1.0, -1)
    opening = cv2.GaussianBlur(opening, (0, 0), 1.5)
    spot_r = max(2.0, LEGACY.specular_radius * station_iris_r)
    lens = art.lens(station_iris_r, art_rng) if art.lens is not None else None
    shown = np.ones(FRAME_HW, np.float32)  # where lens ink can show: not under the lids and lashes
    if art.hidden is not None:
        h_px, w_px = FRAME_HW
        hidden = cv2.warpAffine(art.hidden.astype(np.float32), matrix, (w_px, h_px), flags=cv2.INTER_LINEAR)
        shown = 1.0 - hidden

    h, w = still.shape
    inside = ((qx >= 0) & (qx <= w - 1) & (qy >= 0) & (qy <= h - 1)).astype(np.float32)
    inside = cv2.GaussianBlur(inside, (0, 0), 3.0)
    outside: np.ndarray | None = None
    cache: dict[float, np.ndarray] = {}
    frames = np.empty((n_frames, *FRAME_HW), np.uint8)
    centres = np.empty((n_frames, 2))
    for i, (ratio, level) in enumerate(zip(ratios, schedule.levels, strict=True)):
        key = round(float(ratio) / RATIO_STEP) * RATIO_STEP
        if key not in cache:
            map_x, map_y = rubber_sheet_maps(qx, qy, pupil, iris, key * iris[2])
            view = cv2.remap(reflectance, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
            if outside is None:  # beyond the photograph: its border, replicated and smoothed (no second eye)
                outside = cv2.GaussianBlur(view, (0, 0), 30.0)
            cache[key] = outside + inside * (view - outside)
        view = cache[key]
        (hx, hy), (ex, ey) = head_xy[i], eye_xy[i]
        face = shift_image(view, hx, hy)
        eyeball = shift_image(view, hx + ex, hy + ey)
        mask = shift_image(opening, hx, hy)
        scene = face + mask * (eyeball - face)
        cx, cy = station_pupil[0] + hx + ex, station_pupil[1] + hy + ey
        centres[i] = (cx, cy)
        if lens is not None:  # the print rides on the cornea, centred on the limbus, with the eye
            u = (_XS - (centre[0] + hx + ex)) / station_iris_r
            v = (_YS - (centre[1] + hy + ey)) / station_iris_r
            ink = lens.opacity * lens.ink(u, v) * shift_image(shown, hx, hy)
            scene = scene * (1.0 - ink) + lens.reflectance * ink
        for lx, ly in leds:  # the station's LEDs on the cornea, drawn as the renderer does
            sx, sy = cx + lx * station_iris_r, cy + ly * station_iris_r
            d2 = ((_XS - sx) ** 2 + (_YS - sy) ** 2) / spot_r**2
            scene = scene + LEGACY.specular_level * np.exp(-(d2**2))
            if art.gloss[1] > 0.0:  # a varnished dome blooms each reflection into a wide halo
                scene = scene + art.gloss[1] * spot(FRAME_HW, sx, sy, art.gloss[0])
        radiance = np.clip(scene, 0.0, None) * (exposure * level)
        if camera.defocus > 0.3:
            radiance = cv2.GaussianBlur(radiance, (0, 0), camera.defocus)
        if camera.motion_blur >= 1.0:
            radiance = _motion_streak(radiance, camera.motion_blur, streak_angle)
        frames[i] = sensor_readout(radiance, noise, rng)
    presentation = Presentation(species, frames, schedule, camera)
    return AnimatedStill(presentation, reflex, np.asarray(ratios) * iris[2] * scale, centres)
