"""Locate the node tools (circom2, snarkjs, solcjs, anvil) installed by `npm ci`."""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import ToolNotFoundError

# The repository root holds package.json; `npm ci` there fills node_modules/.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_NODE_MODULES = PROJECT_ROOT / "node_modules"
SETUP_HINT = "run `make setup` (it runs `npm ci` in the project root)"


def node_modules_dir(node_modules: str | Path | None = None) -> Path:
    """Return the node_modules folder to use; raise ToolNotFoundError if it is missing."""
    path = Path(node_modules) if node_modules is not None else DEFAULT_NODE_MODULES
    if not path.is_dir():
        raise ToolNotFoundError(f"node_modules not found at {path}; {SETUP_HINT}")
    return path


def node_bin(name: str, node_modules: str | Path | None = None) -> Path:
    """Path of an executable in node_modules/.bin, e.g. `node_bin("snarkjs")`."""
    path = node_modules_dir(node_modules) / ".bin" / name
    if not path.exists():
        raise ToolNotFoundError(f"{name} not found in {path.parent}; {SETUP_HINT}")
    return path


def node_package(name: str, node_modules: str | Path | None = None) -> Path:
    """Folder of an installed npm package, e.g. `node_package("circomlib")`."""
    path = node_modules_dir(node_modules) / name
    if not (path / "package.json").is_file():
        raise ToolNotFoundError(f"npm package {name} not found in {path.parent}; {SETUP_HINT}")
    return path


def node_executable() -> Path:
    """The `node` interpreter on PATH."""
    found = shutil.which("node")
    if found is None:
        raise ToolNotFoundError("node is not on PATH; install Node.js 20+ and " + SETUP_HINT)
    return Path(found)
