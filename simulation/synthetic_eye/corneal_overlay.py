"""Something worn on the cornea: a printed contact lens as the synthetic camera sees it.

A cosmetic lens rides on the cornea, so its print is fixed in the eye's frame at absolute
distances from the corneal centre: unlike the iris tissue under it, it does not stretch or
compress when the pupil reacts to light. The renderer therefore samples an overlay by absolute
radius (in iris radii), not on the iris's rubber sheet.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True, eq=False)
class CornealOverlay:
    """Ink coverage of a lens print over the cornea, composited over whatever lies beneath.

    coverage: float array in [0, 1], a square image of the lens centred on the cornea, spanning
      -outer_radius..outer_radius (in iris radii) along both eye-frame axes (x right, y down).
    reflectance: the pigment's near-infrared reflectance (0..1, nominal illumination).
    opacity: how much of what lies beneath a fully inked point hides (0..1).
    """

    coverage: np.ndarray
    outer_radius: float
    reflectance: float
    opacity: float

    def __post_init__(self) -> None:
        c = self.coverage
        if not isinstance(c, np.ndarray) or c.ndim != 2 or c.shape[0] != c.shape[1] or c.shape[0] < 8:
            raise ValueError("coverage must be a square 2-D array of at least 8 x 8")
        if not np.all(np.isfinite(c)) or c.min() < 0.0 or c.max() > 1.0:
            raise ValueError("coverage must be finite and within [0, 1]")
        if not 0.1 <= self.outer_radius <= 1.6:
            raise ValueError(f"outer_radius must be 0.1..1.6 iris radii, got {self.outer_radius}")
        for name in ("reflectance", "opacity"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be within [0, 1]")

    def ink(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Coverage at eye-frame coordinates (x, y in iris radii from the corneal centre); 0 off the lens."""
        size = self.coverage.shape[0]
        scale = (size - 1) / (2.0 * self.outer_radius)
        map_x = ((x + self.outer_radius) * scale).astype(np.float32)
        map_y = ((y + self.outer_radius) * scale).astype(np.float32)
        return cv2.remap(
            self.coverage.astype(np.float32),
            map_x,
            map_y,
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=0.0,
        )
