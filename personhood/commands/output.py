"""Printing results for people (text) or programs (`--json`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping

from .progress_line import ProgressLine


def emit(result: Mapping[str, object], as_json: bool, text: str) -> None:
    """Print `result` as one JSON object with --json, else the human-readable `text`."""
    if as_json:
        print(json.dumps(result, sort_keys=True, default=str))
    else:
        print(text)


_quiet = False  # set once per run from the top-level --quiet (personhood/cli.py)


def set_quiet(quiet: bool) -> None:
    """`--quiet`: no progress lines for the rest of this run (errors are still printed)."""
    global _quiet
    _quiet = bool(quiet)


def progress(message: str) -> None:
    """One progress line on stderr (stdout stays clean for JSON); nothing under --quiet."""
    if not _quiet:
        print(message, file=sys.stderr, flush=True)


def notice(message: str) -> None:
    """A line on stderr that --quiet keeps: an address to connect to, a token, a warning, an error."""
    print(message, file=sys.stderr, flush=True)


def working(label: str) -> ProgressLine:
    """A progress line for long work (progress_line.py), on stderr, silent under --quiet:
    `with working("building verifiers") as step: build(progress=step)`."""
    return ProgressLine(label, quiet=_quiet)
