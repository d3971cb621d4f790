"""The iris pipeline: segmentation, quality, normalization, ONNX Gabor encoding, matching."""

from .template import IrisTemplate, TemplateFormatError

__all__ = ["IrisTemplate", "TemplateFormatError"]
