"""The station operator's web UI (Flask, localhost only)."""

from .app import create_station_app
from .cameras import Cameras, OpenCvCameras, check_subject
from .operator_auth import OperatorPassword, load_password, set_password

__all__ = [
    "Cameras",
    "OpenCvCameras",
    "OperatorPassword",
    "check_subject",
    "create_station_app",
    "load_password",
    "set_password",
]
