"""Capture sources behind one interface (camera, video file, image folder) and illuminator control.

The synthetic eye camera that stands in for a sensor in development lives in simulation/."""

from .camera import OpenCvCamera
from .frame import Frame, to_gray_uint8
from .illuminator import Illuminator, StepIlluminator
from .image_folder import ImageFolderSource
from .source import CaptureSource
from .video_file import VideoFileSource

__all__ = [
    "CaptureSource",
    "Frame",
    "Illuminator",
    "ImageFolderSource",
    "OpenCvCamera",
    "StepIlluminator",
    "VideoFileSource",
    "to_gray_uint8",
]
