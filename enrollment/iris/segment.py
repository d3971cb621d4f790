"""Segmentation: pupil and limbus circles, eyelids, eyelashes and reflections as a noise mask.

Classical OpenCV stages, each with its own parameter object; sizes scale with the image so that
320x240 and 640x480 captures (iris radius ~40-130 px) go through the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from .geometry import Circle
from .limbus import LimbusParams, find_limbus
from .occlusion import Levels, OcclusionParams, Parabola, measure_levels, noise_mask
from .painted import dark_tissue_level, find_painted_pupil
from .pupil import PupilParams, find_pupil


@dataclass(frozen=True)
class SegmentationParams:
    """All segmentation settings: specular detection plus the pupil, limbus and occlusion stages."""

    specular_tophat: float = 50.0  # grey levels above the local background
    specular_min_level: float = 200.0
    saturated_level: int = 250
    # A reflection's peak lies at least this fraction of the way from the sclera level (the
    # brightest diffuse surface beside the iris) up to saturation: the midpoint between the two.
    specular_above_sclera: float = 0.5
    pupil: PupilParams = field(default_factory=PupilParams)
    limbus: LimbusParams = field(default_factory=LimbusParams)
    occlusion: OcclusionParams = field(default_factory=OcclusionParams)

    def __post_init__(self) -> None:
        if not 0.0 <= self.specular_above_sclera <= 1.0:
            raise ValueError("specular_above_sclera must be in [0, 1]")


@dataclass(frozen=True, eq=False)
class Segmentation:
    """Where the iris is in one image. `noise_mask` (bool, image shape) is True where iris is hidden."""

    pupil: Circle
    iris: Circle
    noise_mask: np.ndarray
    upper_lid: Parabola | None
    lower_lid: Parabola | None
    levels: Levels
    limbus_edge: float  # grey levels per pixel across the limbus (lateral sectors)
    # The capture software painted the pupil one grey: its circle is the paint's, and
    # `levels.pupil` is the darkest tissue's level, the paint's grey saying nothing about the eye.
    pupil_painted: bool = False

    def __repr__(self) -> str:  # the mask is biometric-adjacent and large: keep it out of logs
        return f"Segmentation(pupil={self.pupil}, iris={self.iris})"


def _odd(n: float) -> int:
    return max(3, int(n) | 1)


def remove_reflections(gray: np.ndarray, params: SegmentationParams) -> tuple[np.ndarray, np.ndarray]:
    """(specular mask, image with reflections replaced by their surroundings)."""
    side = min(gray.shape)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (_odd(side / 30),) * 2)
    opened = cv2.morphologyEx(gray, cv2.MORPH_OPEN, kernel)
    tophat = gray.astype(np.int16) - opened
    specular = ((tophat > params.specular_tophat) & (gray > params.specular_min_level)) | (
        gray >= params.saturated_level
    )
    specular = cv2.dilate(specular.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    return specular, np.where(specular, opened, gray)


def confirm_reflections(
    gray: np.ndarray, candidates: np.ndarray, levels: Levels, params: SegmentationParams
) -> np.ndarray:
    """The candidate spots (bool mask) that are specular reflections, judged by their peak.

    The top-hat test alone also fires on iris texture: in a light iris or a well-exposed capture,
    bright fibres and spots stand 50 grey levels above their neighbourhood, and masking them all
    (with the encoder's coverage rule around each) threw away up to half the code. A reflection
    of the illuminator is far brighter than any diffuse surface: it saturates, or at least peaks
    closer to saturation than to the sclera. Iris texture is diffuse; what of it still stands
    out is left to the noise mask's own bright-pixel test.
    """
    count, labels = cv2.connectedComponents(candidates.astype(np.uint8), connectivity=8)
    if count <= 1:
        return candidates
    peak = np.zeros(count, dtype=np.float64)
    np.maximum.at(peak, labels[candidates], gray[candidates])
    sclera = min(levels.sclera, float(params.saturated_level))
    keep = peak >= sclera + params.specular_above_sclera * (params.saturated_level - sclera)
    keep[0] = False  # the background label
    return keep[labels]


def segment(gray: np.ndarray, params: SegmentationParams | None = None) -> Segmentation:
    """Segment a validated uint8 grayscale eye image; raises QualityError when no eye is found."""
    params = params or SegmentationParams()
    specular, filled = remove_reflections(gray, params)
    lash_kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (_odd(min(gray.shape) / 100),) * 2)
    clean = cv2.morphologyEx(filled, cv2.MORPH_CLOSE, lash_kernel)  # thin dark lashes vanish
    painted = find_painted_pupil(gray, params.pupil.min_radius, params.pupil.max_radius)
    pupil = painted[0] if painted is not None else find_pupil(clean, params.pupil)
    clean_f = clean.astype(np.float32)
    iris, edge = find_limbus(clean_f, pupil, params.limbus)
    levels = measure_levels(clean_f, pupil, iris)
    if painted is not None:
        dark = min(float(painted[1]), dark_tissue_level(filled, pupil, iris))
        levels = replace(levels, pupil=dark)
    # Filling every candidate above is harmless to the boundary search; masking must be exact.
    specular = confirm_reflections(gray, specular, levels, params)
    mask, upper, lower = noise_mask(
        gray, clean, specular, pupil, iris, levels, params.occlusion, painted is not None
    )
    return Segmentation(pupil, iris, mask, upper, lower, levels, edge, painted is not None)
