"""Evaluating the iris pipeline: data sets, comparisons, error rates, plots."""

from .comparisons import all_pairs
from .dataset import DatasetError, Sample, scan
from .generalized import failed_genuine_pairs, generalized_fnmr
from .metrics import equal_error_rate, fnmr_at_threshold, summarize, threshold_at_fmr
from .run import Evaluation, enroll_all, enroll_each, evaluate

__all__ = [
    "DatasetError",
    "Evaluation",
    "Sample",
    "all_pairs",
    "enroll_all",
    "enroll_each",
    "equal_error_rate",
    "evaluate",
    "failed_genuine_pairs",
    "fnmr_at_threshold",
    "generalized_fnmr",
    "scan",
    "summarize",
    "threshold_at_fmr",
]
