"""The deployment file (`Settings.deployment_path`): where `chain up` / `chain deploy` leave the addresses
and RPC URL of a deployed system for every other command (`gov`, `registry`, `station`, `group`).

Written atomically (a temporary file beside it, then a rename), so a reader never sees half a file and an
interrupted write leaves the old one.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from pathlib import Path

from contracts.deploy import Deployment


def deployment_json(deployment: Deployment, rpc_url: str, owner: str) -> dict[str, object]:
    """The file's content: the addresses (`governance.load_deployment` reads them), RPC URL and owner."""
    return {**dataclasses.asdict(deployment), "rpc_url": rpc_url, "owner": owner}


def write_deployment(path: Path, content: dict[str, object]) -> None:
    """Replace `path` with `content` as JSON, atomically; creates the parent directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, json.dumps(content, indent=2, sort_keys=True, default=str) + "\n")


def write_text_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` (a temporary file in the same directory, then a rename); the directory
    must exist. On any error or interrupt the temporary file is removed and `path` is unchanged."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
