"""A seeded synthetic near-infrared eye camera: the one stand-in for real hardware."""

from .conditions import FRAME_SIZE, CaptureConditions
from .corneal_overlay import CornealOverlay
from .dataset import write_dataset
from .identity import EyeIdentity
from .render import Circle, GroundTruth, render_eye, render_eye_with_truth
from .texture import TEXTURE_SHAPE, iris_texture_polar

__all__ = [
    "FRAME_SIZE",
    "TEXTURE_SHAPE",
    "CaptureConditions",
    "Circle",
    "CornealOverlay",
    "EyeIdentity",
    "GroundTruth",
    "iris_texture_polar",
    "render_eye",
    "render_eye_with_truth",
    "write_dataset",
]
