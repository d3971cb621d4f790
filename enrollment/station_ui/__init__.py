"""The station operator's web UI (Flask, localhost only)."""

from .app import create_station_app
from .cameras import Cameras, OpenCvCameras, SyntheticCameras
from .operator_auth import OperatorPassword, load_password, set_password

__all__ = [
    "Cameras",
    "OpenCvCameras",
    "OperatorPassword",
    "SyntheticCameras",
    "create_station_app",
    "load_password",
    "set_password",
]
