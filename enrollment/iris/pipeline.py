"""From pixels to template: validate, segment, gate on quality, normalize, encode (ONNX)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import QualityError
from .gabor import EncoderParams
from .gabor_onnx import GaborEncoder
from .image_input import as_gray, read_gray
from .normalize import NormalizationParams, NormalizedIris, normalize
from .quality import QualityReport, QualityThresholds, assess
from .segment import Segmentation, SegmentationParams, segment
from .template import IrisTemplate

MIN_USABLE_BITS = 2048  # fewer usable code bits than this cannot support a decision at FMR 1e-6


@dataclass(frozen=True)
class PipelineParams:
    """Every stage's parameters in one value."""

    segmentation: SegmentationParams = field(default_factory=SegmentationParams)
    quality: QualityThresholds = field(default_factory=QualityThresholds)
    normalization: NormalizationParams = field(default_factory=NormalizationParams)
    encoder: EncoderParams = field(default_factory=EncoderParams)
    min_usable_bits: int = MIN_USABLE_BITS


@dataclass(frozen=True, eq=False)
class Encoding:
    """A template with what produced it (for evaluation and operator feedback; never log it)."""

    template: IrisTemplate
    segmentation: Segmentation
    quality: QualityReport
    normalized: NormalizedIris

    def __repr__(self) -> str:
        return f"Encoding({self.template!r}, {self.segmentation!r})"


_encoders: dict[EncoderParams, GaborEncoder] = {}
_lock = threading.Lock()


def encoder_for(params: EncoderParams) -> GaborEncoder:
    """One loaded ONNX session per encoder configuration, built on first use."""
    with _lock:
        if params not in _encoders:
            _encoders[params] = GaborEncoder(params)
        return _encoders[params]


def analyze(image: np.ndarray | str | Path, params: PipelineParams | None = None) -> Encoding:
    """Encode one eye image (array or file path) and keep the intermediate results.

    Raises QualityError (with `reasons`) for unreadable or invalid input, no eye found, or a
    capture below the quality thresholds; never returns a template for such input.
    """
    params = params or PipelineParams()
    gray = read_gray(image) if isinstance(image, (str, Path)) else as_gray(image)
    seg = segment(gray, params.segmentation)
    return encode_graded(gray, seg, assess(gray, seg, params.quality), params)


def encode_graded(
    gray: np.ndarray, seg: Segmentation, report: QualityReport, params: PipelineParams | None = None
) -> Encoding:
    """Encode an image already segmented (`seg`) and graded (`report`), as a station does once per frame.

    Raises QualityError when `report` refused the image or too few code bits are usable.
    """
    params = params or PipelineParams()
    if report.reasons:
        raise QualityError(report.reasons)
    norm = normalize(gray, seg, params.normalization)
    code, mask = encoder_for(params.encoder).encode(norm.sheet, norm.valid)
    template = IrisTemplate.from_bits(code[0], mask[0])
    if template.usable_bits < params.min_usable_bits:
        raise QualityError(
            f"only {template.usable_bits} usable code bits < {params.min_usable_bits}: "
            "too little clear iris texture"
        )
    return Encoding(template, seg, report, norm)


def encode(image: np.ndarray | str | Path, params: PipelineParams | None = None) -> IrisTemplate:
    """The iris template of one eye image (uint8 gray or BGR array, or an image file path).

    Raises QualityError with reasons for anything that should not be enrolled.
    """
    return analyze(image, params).template
