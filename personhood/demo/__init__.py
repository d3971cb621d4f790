"""`personhood demo`: the whole system end to end on the embedded defaults (and the identity-only demo)."""

from .errors import DemoError
from .identity_only import run_identity_demo
from .people import MAX_PEOPLE, MIN_PEOPLE, Cast, Person, make_cast
from .scenario import DemoParams, run_demo
from .summary import DemoSummary, TallyCheck

__all__ = [
    "MAX_PEOPLE",
    "MIN_PEOPLE",
    "Cast",
    "DemoError",
    "DemoParams",
    "DemoSummary",
    "Person",
    "TallyCheck",
    "make_cast",
    "run_demo",
    "run_identity_demo",
]
