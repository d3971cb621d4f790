"""Capture sources behind one interface (camera, video file, image folder, synthetic eye) and
illuminator control."""

from .camera import OpenCvCamera
from .frame import Frame, to_gray_uint8
from .illuminator import Illuminator, StepIlluminator
from .image_folder import ImageFolderSource
from .source import CaptureSource
from .synthetic import SyntheticEyeCamera
from .video_file import VideoFileSource

__all__ = [
    "CaptureSource",
    "Frame",
    "Illuminator",
    "ImageFolderSource",
    "OpenCvCamera",
    "StepIlluminator",
    "SyntheticEyeCamera",
    "VideoFileSource",
    "to_gray_uint8",
]
