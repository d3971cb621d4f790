"""Segmentation overlays: the circles, eyelids and noise mask drawn on an eye image, for a person.

Written only where the user asks (`bio eval --overlays DIR`): these are pictures of eyes, so they
go to the user's own folder, never to a log or the repository.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from enrollment.iris.errors import QualityError
from enrollment.iris.image_input import read_gray
from enrollment.iris.pipeline import PipelineParams
from enrollment.iris.segment import Segmentation, segment

PUPIL_BGR, IRIS_BGR, LID_BGR, MASK_BGR, TEXT_BGR = (
    (0, 220, 0),
    (255, 80, 0),
    (0, 230, 255),
    (0, 0, 255),
    (0, 255, 255),
)


def draw_segmentation(gray: np.ndarray, seg: Segmentation | None, caption: str) -> np.ndarray:
    """A BGR picture of `gray` with `seg` drawn on it (masked pixels tinted red) and `caption`."""
    image = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    if seg is not None:
        tint = np.array(MASK_BGR, dtype=np.float32)
        image[seg.noise_mask] = (0.6 * image[seg.noise_mask] + 0.4 * tint).astype(np.uint8)
        for circle, colour in ((seg.pupil, PUPIL_BGR), (seg.iris, IRIS_BGR)):
            cv2.circle(image, (round(circle.x), round(circle.y)), max(1, round(circle.r)), colour, 1)
        for lid in (seg.upper_lid, seg.lower_lid):
            if lid is None:
                continue
            dx = np.arange(-seg.iris.r, seg.iris.r + 1.0)
            points = np.stack([dx + seg.iris.x, lid[0] * dx * dx + lid[1] * dx + lid[2]], axis=1)
            cv2.polylines(image, [np.round(points).astype(np.int32)], False, LID_BGR, 1)
    scale = max(0.3, min(gray.shape) / 700.0)
    for k, line in enumerate(_wrap(caption, max(20, int(gray.shape[1] / (14 * scale))))):
        y = int((k + 1) * 24 * scale)
        cv2.putText(image, line, (3, y), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), 3, cv2.LINE_AA)
        cv2.putText(image, line, (3, y), cv2.FONT_HERSHEY_SIMPLEX, scale, TEXT_BGR, 1, cv2.LINE_AA)
    return image


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line][:4]


def write_overlay(path: Path, image_path: Path, caption: str, params: PipelineParams | None) -> Path | None:
    """Segment `image_path` again and write its overlay PNG to `path` (segmentation failures too).

    Returns None, writing nothing, when the file is no readable image: there is nothing to draw.
    """
    params = params or PipelineParams()
    try:
        gray = read_gray(image_path)
    except QualityError:
        return None
    try:
        seg = segment(gray, params.segmentation)
    except QualityError as e:
        seg, caption = None, f"{caption} | {e.reasons[0]}"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), draw_segmentation(gray, seg, caption)):
        raise OSError(f"cannot write {path}")
    return path
