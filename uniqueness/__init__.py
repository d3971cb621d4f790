"""The deployment's uniqueness service: one gallery for every station, signed and sealed requests."""

from .api import create_app
from .client import AppTransport, HttpTransport, UniquenessClient
from .decision_rule import PairDecision, choose_threshold, decide_pair
from .endpoint import Endpoint
from .errors import (
    GalleryRollbackError,
    RequestRefusedError,
    ReservationError,
    ServiceUnavailableError,
    UnauthorizedDeviceError,
    UniquenessError,
)
from .eyes import EYES
from .local_server import serve_locally
from .registry_view import RegistryView
from .service import Decision, ServiceParams, UniquenessService

__all__ = [
    "EYES",
    "AppTransport",
    "Decision",
    "Endpoint",
    "GalleryRollbackError",
    "HttpTransport",
    "PairDecision",
    "RegistryView",
    "RequestRefusedError",
    "ReservationError",
    "ServiceParams",
    "ServiceUnavailableError",
    "UnauthorizedDeviceError",
    "UniquenessClient",
    "UniquenessError",
    "UniquenessService",
    "choose_threshold",
    "create_app",
    "decide_pair",
    "serve_locally",
]
