"""The enrollment station as one package: the flow (`Station`), its stages and steps, the chain and
uniqueness ports, recovery after a crash, the journal, and the binding of a data directory to one
registry. The operator UI is `enrollment.station.ui`."""

from ..errors import StationBindingError, StationError, StationInputError
from .binding import StationBinding, bind_station_dir, binding_of, require_authorized
from .chain_port import ChainPort, Landed
from .flow import Station, StationParams
from .journal import Journal, JournalEntry
from .steps import (
    OUTCOMES,
    STEPS,
    EnrollmentOutcome,
    RefusedStepError,
    StepResult,
    liveness_advice,
    quality_advice,
)
from .uniqueness_port import (
    ReserveAnswer,
    UniquenessPort,
    UniquenessRefusedError,
    UniquenessUnavailableError,
    new_reservation_id,
)

__all__ = [
    "OUTCOMES",
    "STEPS",
    "ChainPort",
    "EnrollmentOutcome",
    "Journal",
    "JournalEntry",
    "Landed",
    "RefusedStepError",
    "ReserveAnswer",
    "Station",
    "StationBinding",
    "StationBindingError",
    "StationError",
    "StationInputError",
    "StationParams",
    "StepResult",
    "UniquenessPort",
    "UniquenessRefusedError",
    "UniquenessUnavailableError",
    "bind_station_dir",
    "binding_of",
    "liveness_advice",
    "new_reservation_id",
    "quality_advice",
    "require_authorized",
]
