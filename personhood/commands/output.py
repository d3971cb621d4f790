"""Printing results for people (text) or programs (`--json`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping


def emit(result: Mapping[str, object], as_json: bool, text: str) -> None:
    """Print `result` as one JSON object with --json, else the human-readable `text`."""
    if as_json:
        print(json.dumps(result, sort_keys=True, default=str))
    else:
        print(text)


def progress(message: str) -> None:
    """One progress line on stderr (stdout stays clean for JSON)."""
    print(message, file=sys.stderr, flush=True)
