"""Values crossing the uniqueness service's boundary: its parameters and the decisions it answers."""

from __future__ import annotations

from dataclasses import dataclass

from enrollment.gallery.decision import DEFAULT_MAX_FALSE_DUPLICATES

from .eyes import EYES, check_eyes


@dataclass(frozen=True)
class ServiceParams:
    """Which eyes the deployment stores, the gallery engine and shards, and the dedup target."""

    eyes: tuple[str, ...] = EYES
    engine: str = "local"  # Gallery.connect address: "local", "ray" or "ray://host:port"
    shards: int = 2
    kernel: str = "fused"
    max_false_duplicates: float = DEFAULT_MAX_FALSE_DUPLICATES

    def __post_init__(self) -> None:
        object.__setattr__(self, "eyes", check_eyes(tuple(self.eyes)))
        if not 0 < self.max_false_duplicates < 1:
            raise ValueError("max_false_duplicates must be in (0, 1)")


@dataclass(frozen=True)
class Decision:
    """What the service answers (signed by the endpoint); ids and numbers only."""

    op: str
    result: str  # unique | duplicate | committed | released
    station: str
    reservation: str
    deadline: int | None = None
    searched: int | None = None
    threshold: float | None = None
