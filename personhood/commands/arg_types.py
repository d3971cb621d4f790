"""argparse types shared by several commands (argparse turns their errors into a usage line, exit 2)."""

from __future__ import annotations

import argparse


def proposal_id(text: str) -> int:
    """A proposal id: a whole number >= 0."""
    if not text.isdecimal() or not text.isascii():
        raise argparse.ArgumentTypeError(f"a proposal id is a whole number >= 0, got {text!r}")
    return int(text)
