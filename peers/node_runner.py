"""One way to run an independent JavaScript peer: an ES-module snippet under node, JSON out."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from zk_identity.errors import PersonhoodError
from zk_identity.node_tools import PROJECT_ROOT, node_executable, node_modules_dir


class NodePeerError(PersonhoodError, AssertionError):
    """A node peer exited non-zero or printed something that is not one JSON value (its stderr attached).

    An AssertionError too, so a failing peer fails the test that ran it rather than erroring it."""


def run_node(source: str, *args: str, stdin: str | None = None, timeout: float = 120.0) -> Any:
    """Run an ES-module snippet with node in the project root and parse the one JSON value it prints.

    The snippet gets `args` in `process.argv.slice(1)` and `stdin` on its standard input. Bigints in the
    output should be printed as decimal strings. Raises NodePeerError on a non-zero exit or bad JSON.
    """
    node_modules_dir()  # clear error naming the setup command when npm ci was not run
    proc = subprocess.run(
        [str(node_executable()), "--input-type=module", "-e", source, "--", *args],
        cwd=PROJECT_ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise NodePeerError(f"node peer failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        raise NodePeerError(f"node peer printed no JSON value: {proc.stdout[-400:]!r}") from e
