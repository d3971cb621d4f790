"""Presentation-attack detection (liveness) for the enrollment station; ISO/IEC 30107-3 evaluation."""

from hardware.illumination import IlluminationSchedule

from .assess import CueResult, LivenessResult, assess, measure_cues
from .errors import LivenessError, LivenessModelError
from .fusion import CUES, Fusion, load_fusion
from .model_files import model_versions

__all__ = [
    "CUES",
    "CueResult",
    "Fusion",
    "IlluminationSchedule",
    "LivenessError",
    "LivenessModelError",
    "LivenessResult",
    "assess",
    "load_fusion",
    "measure_cues",
    "model_versions",
]
