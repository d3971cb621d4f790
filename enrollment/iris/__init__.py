"""The iris pipeline: segmentation, quality, normalization, ONNX Gabor encoding, matching."""

from .errors import EncoderModelError, QualityError
from .match import MAX_SHIFT, MatchResult, match, match_many
from .pipeline import Encoding, PipelineParams, analyze, encode, encode_graded
from .quality import QualityReport, QualityThresholds
from .template import IrisTemplate, TemplateFormatError

__all__ = [
    "MAX_SHIFT",
    "EncoderModelError",
    "Encoding",
    "IrisTemplate",
    "MatchResult",
    "PipelineParams",
    "QualityError",
    "QualityReport",
    "QualityThresholds",
    "TemplateFormatError",
    "analyze",
    "encode",
    "encode_graded",
    "match",
    "match_many",
]
