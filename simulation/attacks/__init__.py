"""Presentation-attack generators (development and evaluation data): one module per PAI species."""

from .contact_lens import contact_lens_attack
from .print_attack import print_attack
from .prosthetic_eye import prosthetic_attack
from .ranges import HELDOUT_RANGES, TRAIN_RANGES, AttackRanges
from .screen_attack import screen_attack
from .video_replay import video_replay_attack

ATTACKS = {
    "print": print_attack,
    "screen": screen_attack,
    "contact_lens": contact_lens_attack,
    "prosthetic": prosthetic_attack,
    "video_replay": video_replay_attack,
}
SPECIES = tuple(ATTACKS)

__all__ = [
    "ATTACKS",
    "HELDOUT_RANGES",
    "SPECIES",
    "TRAIN_RANGES",
    "AttackRanges",
    "contact_lens_attack",
    "print_attack",
    "prosthetic_attack",
    "screen_attack",
    "video_replay_attack",
]
