"""Reading an evaluation set laid out as the public iris sets are: SUBJECT/EYE/IMAGE.ext."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zk_identity.errors import PersonhoodError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")


class DatasetError(PersonhoodError, ValueError):
    """The evaluation folder is missing, empty or cannot support the comparisons asked for."""


@dataclass(frozen=True)
class Sample:
    """One image and the eye it shows: (subject, eye) names the eye, e.g. ("0042", "L")."""

    subject: str
    eye: str
    path: Path

    @property
    def eye_id(self) -> tuple[str, str]:
        """The identity label: two samples are genuine when these are equal."""
        return self.subject, self.eye


def scan(root: str | Path) -> list[Sample]:
    """All images two folder levels below `root`, sorted; DatasetError when there are none."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"{root} is not a directory")
    samples = [
        Sample(path.parent.parent.name, path.parent.name, path)
        for path in sorted(root.glob("*/*/*"))
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES
    ]
    if not samples:
        raise DatasetError(f"no images found under {root} (expected SUBJECT/EYE/IMAGE.png|jpg|bmp)")
    return samples
