"""SoftHSM2, the software PKCS#11 token used for development and tests: finding its library and
initializing a private token directory with `softhsm2-util` (a subprocess, never a shell).

SoftHSM2 reads its configuration from the file named by $SOFTHSM2_CONF when the library is
initialized, so a test or a development station points that variable at a config whose token
directory it owns; a system token is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import HsmError

SOFTHSM_LIBRARY_CANDIDATES: tuple[Path, ...] = (
    Path("/usr/lib/softhsm/libsofthsm2.so"),  # Debian/Ubuntu package softhsm2
    Path("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
    Path("/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"),
    Path("/usr/lib64/pkcs11/libsofthsm2.so"),  # Fedora/RHEL
    Path("/usr/local/lib/softhsm/libsofthsm2.so"),  # built from source
    Path("/opt/homebrew/lib/softhsm/libsofthsm2.so"),  # macOS Homebrew
)
SOFTHSM_UTIL = "softhsm2-util"
TOOL_TIMEOUT_S = 60.0
INSTALL_HINT = "install SoftHSM2 with `make setup` (runs the system-deps step) or `apt-get install softhsm2`"


@dataclass(frozen=True)
class SoftHsmToken:
    """A SoftHSM2 token in a private directory: its config file, library and credentials.

    The PINs are test/development credentials; `repr` hides them anyway.
    """

    config: Path
    token_dir: Path
    library: Path
    label: str
    user_pin: str
    so_pin: str

    def __repr__(self) -> str:
        return (
            f"SoftHsmToken(label={self.label!r}, config={str(self.config)!r}, library={str(self.library)!r})"
        )

    def environment(self) -> dict[str, str]:
        """The environment variable that makes the library use this token directory."""
        return {"SOFTHSM2_CONF": str(self.config)}


def find_softhsm_library(candidates: Iterable[Path] = SOFTHSM_LIBRARY_CANDIDATES) -> Path:
    """The first existing SoftHSM2 PKCS#11 library; raises HsmError naming the install step."""
    for candidate in candidates:
        if Path(candidate).is_file():
            return Path(candidate)
    raise HsmError(f"SoftHSM2 library libsofthsm2.so not found; {INSTALL_HINT}")


def _softhsm_util() -> str:
    tool = shutil.which(SOFTHSM_UTIL)
    if tool is None:
        raise HsmError(f"{SOFTHSM_UTIL} not found on PATH; {INSTALL_HINT}")
    return tool


def init_softhsm_token(directory: Path, label: str, user_pin: str, so_pin: str) -> SoftHsmToken:
    """Create a SoftHSM2 config and token directory under `directory` and initialize one token.

    Raises HsmError (with the tool's stderr) if softhsm2-util is missing or fails, and ValueError
    for a label longer than 32 characters or PINs shorter than 4 (the token's own limits).
    """
    if not 0 < len(label) <= 32:
        raise ValueError("a PKCS#11 token label is 1..32 characters")
    if len(user_pin) < 4 or len(so_pin) < 4:
        raise ValueError("SoftHSM2 PINs are at least 4 characters")
    directory = Path(directory)
    token_dir = directory / "tokens"
    token_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    config = directory / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {token_dir}\nobjectstore.backend = file\n"
        "log.level = ERROR\nslots.removable = false\n",
        encoding="utf-8",
    )
    library = find_softhsm_library()
    command = [
        _softhsm_util(),
        "--init-token",
        "--free",
        "--label",
        label,
        "--pin",
        user_pin,
        "--so-pin",
        so_pin,
    ]
    try:
        subprocess.run(
            command,
            env={**os.environ, "SOFTHSM2_CONF": str(config)},
            capture_output=True,
            text=True,
            timeout=TOOL_TIMEOUT_S,
            check=True,
        )
    except subprocess.CalledProcessError as e:
        raise HsmError(
            f"{SOFTHSM_UTIL} --init-token failed (exit {e.returncode}): {e.stderr.strip()}", e.stderr
        ) from e
    except subprocess.TimeoutExpired as e:
        raise HsmError(f"{SOFTHSM_UTIL} --init-token timed out after {TOOL_TIMEOUT_S:.0f} s") from e
    return SoftHsmToken(config, token_dir, library, label, user_pin, so_pin)
