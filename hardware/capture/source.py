"""The one interface every capture source implements (camera, video file, image folder, synthetic)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator

from .frame import Frame


class CaptureSource(ABC):
    """A stream of grayscale frames. Use as a context manager; `read()` returns None at the end.

    `source_id` is a short identifier recorded in capture manifests (`opencv:0`, `video:clip.avi`).
    """

    source_id: str = "abstract"

    @abstractmethod
    def read(self) -> Frame | None:
        """The next frame, or None when a finite source is exhausted; raises CaptureError on failure."""

    @abstractmethod
    def close(self) -> None:
        """Release the device or file (idempotent)."""

    def frames(self, limit: int | None = None) -> Iterator[Frame]:
        """Yield frames until the source ends or `limit` frames were read."""
        count = 0
        while limit is None or count < limit:
            frame = self.read()
            if frame is None:
                return
            count += 1
            yield frame

    def __enter__(self) -> CaptureSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.source_id}>"
