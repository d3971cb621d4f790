"""Group files, shared by the commands that read one (`group root --file`, `prove --group`,
`verify --group`): one decimal identity commitment per line, in insertion order; 0 marks a removed
member (as `group export` and the registry write it)."""

from __future__ import annotations

import re
from pathlib import Path

from zk_identity import LeanIMT, ProofFormatError

_DECIMAL = re.compile(r"[0-9]+")


def parse_commitments(lines: list[tuple[str, str]]) -> list[int]:
    """Decimal commitments (each tagged with where it came from, for messages); raises ValueError."""
    values = []
    for where, text in lines:
        if not _DECIMAL.fullmatch(text):
            raise ValueError(f"{where}: {text!r} is not a decimal commitment")
        values.append(int(text))
    return values


def read_commitment_lines(path: Path) -> list[tuple[str, str]]:
    """The file's non-blank lines, each tagged `path:line`; raises OSError, UnicodeDecodeError."""
    text = path.read_text(encoding="utf-8")
    return [(f"{path}:{n}", line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def read_group(path: Path) -> LeanIMT:
    """The group in a file of decimal commitments; raises ProofFormatError naming the bad line."""
    try:
        lines = read_commitment_lines(path)
    except (OSError, UnicodeDecodeError) as e:
        raise ProofFormatError(f"cannot read group file {path}: {e}") from e
    if not lines:
        raise ProofFormatError(f"group file {path} has no commitments")
    try:
        return _group_with_removals(parse_commitments(lines))
    except (ValueError, TypeError) as e:
        raise ProofFormatError(str(e)) from e


def _group_with_removals(values: list[int]) -> LeanIMT:
    """The group of `values` where 0 marks a removed member (as `group export` and the registry write it).

    A LeanIMT takes no zero leaf, so each 0 enters as a distinct placeholder and is then removed, which
    sets it to 0 exactly as the registry's revoke did; the root is the registry's.
    """
    present = set(values)
    placeholders = (p for p in range(1, len(values) + len(present) + 2) if p not in present)
    zeros = [i for i, v in enumerate(values) if v == 0]
    tree = LeanIMT([next(placeholders) if v == 0 else v for v in values])
    for index in zeros:
        tree.remove(index)
    return tree
