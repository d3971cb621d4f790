"""Textured contact lenses and prosthetic eyes made from real photographs (issue 26).

Both start from a real NIR still animated as a live capture (`simulation.real_photo_bona_fide`), so the
eye around the artefact is the photograph's, not our render:

- Textured lens: the wearer's real eye, alive (the pupil's light reflex, eye motion), with a printed
  cosmetic lens on the cornea: one of the held-out split's designs (`contact_lens.lens_overlay`: dot
  screen, clear optic zone of 0.3-0.5 iris radii, limbal ring in half), fixed at absolute radii so it
  does not stretch with the iris under it, moving with the eye, hidden where the iris pipeline's noise
  mask says the lids and lashes hide the iris. The real pupil and its reflex show through the clear
  centre. Only ordinary wearers: none blurs the capture on purpose (the synthetic set has those).
- Prosthetic: the photograph's iris painted on a glass dome (a copy of it, blurred and posterized as a
  painter or a printer would render it), its pupil painted and fixed, no reflex and no eye motion inside
  the face, the whole artefact moving with the hand, and the dome's varnish blooming each of the station's
  reflections into a wide halo.

What is physical: the photograph's iris texture, lids, lashes, sclera and skin. What is modelled: the
lens print, the painting, the varnish, and everything the live animation models. The caller reads the
photograph and segments it; nothing of it is stored here.
"""

from __future__ import annotations

import cv2
import numpy as np

from liveness.errors import LivenessError

from .attacks import HELDOUT_RANGES
from .attacks.contact_lens import lens_overlay
from .attacks.ranges import AttackRanges
from .real_photo_attacks import N_FRAMES
from .real_photo_bona_fide import AnimatedStill, Artefact, animate_still, check_circles

LENS_SEED_ROOT = 30_110  # own seed streams: nothing here repeats a live or printed presentation
PROSTHETIC_SEED_ROOT = 30_111
ARTEFACT_STREAM = 1


def real_photo_lens(
    still: np.ndarray,
    pupil: tuple[float, float, float],
    iris: tuple[float, float, float],
    hidden: np.ndarray | None,
    seed: int,
    n_frames: int = N_FRAMES,
    ranges: AttackRanges = HELDOUT_RANGES,
) -> AnimatedStill:
    """The eye in `still`, alive, wearing a printed cosmetic lens; deterministic in `seed`.
    `ranges`: the lens designs and dot pitches to draw from (the held-out split's, the widest, unless
    training data is made: `liveness` training uses TRAIN_RANGES, so the held-out designs stay unseen).

    `hidden`: bool mask of the photograph (its shape) where lids and lashes hide the iris, e.g. the iris
    segmentation's noise mask; None: nowhere. Raises LivenessError on a malformed photograph or circles.
    """
    check_circles(still, pupil, iris)
    if hidden is not None and (not isinstance(hidden, np.ndarray) or hidden.shape != still.shape):
        raise LivenessError("the hidden-iris mask must have the photograph's shape")
    rng = np.random.default_rng([LENS_SEED_ROOT, int(seed)])
    art_rng = np.random.default_rng([LENS_SEED_ROOT, int(seed), ARTEFACT_STREAM])
    kind = str(art_rng.choice(ranges.lens_patterns))

    def make(iris_px: float, g: np.random.Generator):
        return lens_overlay(kind, iris_px, ranges.lens_dot_pitch_px, g)

    artefact = Artefact(lens=make, hidden=hidden)
    return animate_still(still, pupil, iris, rng, "contact_lens", n_frames, 0.0, artefact, art_rng)


def painted_copy(
    still: np.ndarray,
    pupil: tuple[float, float, float],
    iris: tuple[float, float, float],
    rng: np.random.Generator,
) -> np.ndarray:
    """The photograph with its iris annulus replaced by a painted copy: blurred, posterized, re-toned."""
    sigma = float(rng.uniform(1.0, 3.0))
    levels = int(rng.integers(4, 10))
    soft = cv2.GaussianBlur(still.astype(np.float32), (0, 0), sigma)
    rows, cols = np.mgrid[0 : still.shape[0], 0 : still.shape[1]]
    annulus = (np.hypot(cols - iris[0], rows - iris[1]) < iris[2]) & (
        np.hypot(cols - pupil[0], rows - pupil[1]) > pupil[2]
    )
    lo, hi = np.percentile(soft[annulus], (1, 99)) if annulus.any() else (0.0, 255.0)
    poster = lo + np.round(np.clip((soft - lo) / (hi - lo + 1e-6), 0, 1) * levels) / levels * (hi - lo)
    poster = poster * float(rng.uniform(0.85, 1.15))
    painted = np.where(annulus, poster, still.astype(np.float32))
    return np.clip(np.rint(painted), 0, 255).astype(np.uint8)


def real_photo_prosthetic(
    still: np.ndarray,
    pupil: tuple[float, float, float],
    iris: tuple[float, float, float],
    seed: int,
    n_frames: int = N_FRAMES,
    ranges: AttackRanges = HELDOUT_RANGES,
) -> AnimatedStill:
    """A glass-dome prosthetic eye painted after the iris in `still`; deterministic in `seed`; the hand's
    motion drawn from `ranges`. Raises LivenessError on a malformed photograph or circles."""
    check_circles(still, pupil, iris)
    rng = np.random.default_rng([PROSTHETIC_SEED_ROOT, int(seed)])
    art_rng = np.random.default_rng([PROSTHETIC_SEED_ROOT, int(seed), ARTEFACT_STREAM])
    painted = painted_copy(still, pupil, iris, art_rng)
    artefact = Artefact(
        fixed_pupil=True,
        hand_step_px=float(art_rng.uniform(*ranges.hand_motion_px)),
        gloss=(float(art_rng.uniform(5.0, 12.0)), float(art_rng.uniform(0.15, 0.45))),
    )
    return animate_still(painted, pupil, iris, rng, "prosthetic", n_frames, 0.0, artefact, art_rng)
