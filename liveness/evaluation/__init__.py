"""Evaluation of presentation-attack detection (ISO/IEC 30107-3): metrics, DET plots, the held-out run.

Not used at run time by a station: `liveness.assess` decides; this package measures how well.
"""

from .metrics import (
    PadMetrics,
    apcer,
    bpcer,
    det_curve,
    pad_metrics,
    plot_det,
    threshold_for_apcer,
    threshold_for_bpcer,
)

__all__ = [
    "PadMetrics",
    "apcer",
    "bpcer",
    "det_curve",
    "pad_metrics",
    "plot_det",
    "threshold_for_apcer",
    "threshold_for_bpcer",
]
