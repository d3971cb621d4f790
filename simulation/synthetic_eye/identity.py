"""One synthetic eye's persistent traits: what stays the same across every capture of it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

EYES = ("L", "R")


def _derive_seed(subject: int, eye: str, purpose: str) -> int:
    # A hash, not subject*2+eye: neighbouring subjects must not share structure.
    digest = hashlib.sha256(f"synthetic-eye/{subject}/{eye}/{purpose}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


@dataclass(frozen=True)
class EyeIdentity:
    """Everything persistent about one synthetic eye (texture seed, anatomy, NIR reflectance).

    `texture_seed` drives the iris structure (fibers, crypts, furrows, collarette, spots);
    brightness values are relative NIR reflectances in [0, 1] at nominal illumination.
    """

    subject: int
    eye: str
    texture_seed: int
    periocular_seed: int
    iris_brightness: float  # mean iris reflectance (dark brown ~0.3 .. light blue ~0.55 in NIR)
    texture_contrast: float  # how strongly the texture modulates the iris (0.55 .. 1.0)
    collarette_radius: float  # fraction of the way from pupil to limbus
    pupil_offset: tuple[float, float]  # pupil centre relative to iris centre, in iris radii
    radius_scale: float  # this eye's iris size relative to the population mean
    skin_brightness: float
    sclera_brightness: float
    pupil_brightness: float

    def __post_init__(self) -> None:
        if self.eye not in EYES:
            raise ValueError(f"eye must be 'L' or 'R', got {self.eye!r}")
        if self.subject < 0:
            raise ValueError("subject must be a non-negative integer")

    @classmethod
    def from_seed(cls, subject: int, eye: str) -> EyeIdentity:
        """The eye `eye` ("L" or "R") of synthetic subject `subject`: same arguments, same eye."""
        import numpy as np

        if eye not in EYES:
            raise ValueError(f"eye must be 'L' or 'R', got {eye!r}")
        if not isinstance(subject, int) or subject < 0:
            raise ValueError("subject must be a non-negative integer")
        rng = np.random.default_rng(_derive_seed(subject, eye, "anatomy"))
        # The two eyes of one person share pigmentation; their texture is independent.
        person = np.random.default_rng(_derive_seed(subject, "person", "pigment"))
        brightness = float(np.clip(person.normal(0.40, 0.07), 0.25, 0.6) + rng.normal(0, 0.01))
        offset = rng.normal(0.0, 0.025, size=2)
        return cls(
            subject=subject,
            eye=eye,
            texture_seed=_derive_seed(subject, eye, "texture"),
            periocular_seed=_derive_seed(subject, eye, "periocular"),
            iris_brightness=brightness,
            texture_contrast=float(rng.uniform(0.55, 1.0)),
            collarette_radius=float(rng.uniform(0.25, 0.4)),
            pupil_offset=(float(offset[0]), float(offset[1])),
            radius_scale=float(rng.normal(1.0, 0.04)),
            skin_brightness=float(person.uniform(0.55, 0.72)),
            sclera_brightness=float(person.uniform(0.68, 0.82)),
            pupil_brightness=float(rng.uniform(0.04, 0.09)),
        )
