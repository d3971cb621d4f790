"""A person's identity key file, shared by the commands that read or write one (`id`, `prove`, `vote`)
and the demo.

The file holds one line: the private key in Semaphore's export format (base64), so the same file works
with @semaphore-protocol/identity's `Identity.import`. It is created with mode 0600, atomically, and
never overwritten.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

from hardware.atomic_file import write_private_file
from zk_identity import Identity, KeyFormatError

KEY_FILE_NAME = "identity.key"


def write_key_file(path: Path, identity: Identity) -> None:
    """Create `path` (mode 0600) holding the identity's export; raises FileExistsError if it exists.

    Written to a temp file in the same directory, fsynced, then hard-linked into place: the link
    fails instead of replacing an existing file, and a reader never sees a half-written key.
    """
    write_private_file(path, (identity.export() + "\n").encode("ascii"), overwrite=False)


def read_key_file(path: Path) -> Identity:
    """The identity in a key file; raises FileNotFoundError, KeyFormatError (malformed content)."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        print(f"personhood: warning: {path} is readable by others; run chmod 600 {path}", file=sys.stderr)
    try:
        text = path.read_text(encoding="ascii")
    except UnicodeDecodeError as e:
        raise KeyFormatError(f"{path} is not a key file (not ASCII base64)") from e
    try:
        return Identity.import_(text)
    except KeyFormatError as e:
        raise KeyFormatError(f"{path}: {e}") from e
