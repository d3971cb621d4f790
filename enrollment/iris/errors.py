"""Errors of the iris pipeline."""

from __future__ import annotations

from zk_identity.errors import PersonhoodError


class QualityError(PersonhoodError, ValueError):
    """The image cannot give a trustworthy template; `reasons` says why (one line each)."""

    def __init__(self, reasons: tuple[str, ...] | list[str] | str) -> None:
        self.reasons = (reasons,) if isinstance(reasons, str) else tuple(reasons)
        super().__init__("iris image rejected: " + "; ".join(self.reasons))


class EncoderModelError(PersonhoodError, RuntimeError):
    """The ONNX Gabor encoder graph is malformed or has unexpected inputs/outputs."""
