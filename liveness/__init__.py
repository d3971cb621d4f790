"""Presentation-attack detection (liveness) for the enrollment station; ISO/IEC 30107-3 evaluation."""

from hardware.illumination import IlluminationSchedule

from .assess import CueResult, LivenessResult, assess, measure_cues
from .errors import LivenessError, LivenessModelError
from .evaluation import PadMetrics, pad_metrics
from .fusion import CUES, Fusion, load_fusion

__all__ = [
    "CUES",
    "CueResult",
    "Fusion",
    "IlluminationSchedule",
    "LivenessError",
    "LivenessModelError",
    "LivenessResult",
    "PadMetrics",
    "assess",
    "load_fusion",
    "measure_cues",
    "pad_metrics",
]
