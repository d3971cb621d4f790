"""A seeded synthetic near-infrared eye camera: the one stand-in for real hardware."""

from .appearance import FITTED, LEGACY, Appearance, CaptureSpread
from .camera_blur import AUTOFOCUS, EVASIVE, FIXED_FOCUS, CameraBlur, CameraOptics
from .conditions import FRAME_SIZE, CaptureConditions
from .corneal_overlay import CornealOverlay
from .dataset import write_dataset
from .identity import EyeIdentity
from .render import Circle, GroundTruth, render_eye, render_eye_with_truth
from .texture import TEXTURE_SHAPE, iris_texture_polar

__all__ = [
    "AUTOFOCUS",
    "EVASIVE",
    "FITTED",
    "FIXED_FOCUS",
    "FRAME_SIZE",
    "LEGACY",
    "TEXTURE_SHAPE",
    "Appearance",
    "CameraBlur",
    "CameraOptics",
    "CaptureConditions",
    "CaptureSpread",
    "Circle",
    "CornealOverlay",
    "EyeIdentity",
    "GroundTruth",
    "iris_texture_polar",
    "render_eye",
    "render_eye_with_truth",
    "write_dataset",
]
