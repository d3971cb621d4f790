"""Evaluating the iris pipeline: data sets, comparisons, error rates, plots."""

from .comparisons import all_pairs
from .dataset import DatasetError, Sample, scan
from .metrics import equal_error_rate, fnmr_at_threshold, summarize, threshold_at_fmr
from .run import Evaluation, enroll_all, evaluate

__all__ = [
    "DatasetError",
    "Evaluation",
    "Sample",
    "all_pairs",
    "enroll_all",
    "equal_error_rate",
    "evaluate",
    "fnmr_at_threshold",
    "scan",
    "summarize",
    "threshold_at_fmr",
]
