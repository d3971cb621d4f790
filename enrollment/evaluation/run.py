"""Evaluating the iris pipeline on a folder of images: FTE, EER, (G)FNMR at fixed FMR, plots, overlays."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from enrollment.iris import PipelineParams, QualityError, analyze
from enrollment.iris.image_input import read_gray
from enrollment.iris.match import match_many
from enrollment.iris.template import IrisTemplate

from .comparisons import all_pairs
from .dataset import DatasetError, scan
from .generalized import failed_genuine_pairs, gfnmr_at_fmr
from .metrics import summarize
from .overlays import write_overlay
from .plots import write_det, write_histogram

WORST_OVERLAYS = 20  # enrolled images with the worst genuine scores drawn beside every refused one


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Results of one evaluation run (scores kept for plots; no images or templates)."""

    images: int
    enrolled: int
    rejections: dict[str, int]
    genuine: np.ndarray
    impostor: np.ndarray
    summary: dict
    encode_ms: np.ndarray = field(repr=False)
    failed_pairs: int = 0  # genuine pairs with an image that failed to enroll

    def as_dict(self) -> dict[str, object]:
        """The `personhood bio eval --json` object."""
        return {
            "images": self.images,
            "enrolled": self.enrolled,
            "fte": (self.images - self.enrolled) / self.images,
            "fte_reasons": dict(sorted(self.rejections.items(), key=lambda kv: (-kv[1], kv[0]))),
            "genuine": len(self.genuine),
            "genuine_failed_to_enroll": self.failed_pairs,
            "impostor": len(self.impostor),
            **self.summary,
            "gfnmr_at_fmr": gfnmr_at_fmr(self.summary, self.genuine, self.failed_pairs),
        }


def reason_key(error: QualityError) -> str:
    """The first reason's measure without its figures, to count refusals by kind.

    "usable iris area 0.31 < 0.4: eyelids ..." -> "usable iris area"; "no pupil found: ..." ->
    "no pupil found"; "only 1842 usable code bits < 2048: ..." -> "only usable code bits"; file
    names are dropped too ("eye7.png is not a readable image ..." -> "is not a readable image ...").
    """
    head = error.reasons[0].split(":")[0].split(" <")[0].split(" >")[0]
    head = re.sub(r"\S+\.(png|jpe?g|bmp|tiff?)\b", "", head, flags=re.IGNORECASE)  # file names
    return re.sub(r"\s+", " ", re.sub(r"-?\d+(\.\d+)?( px)?", "", head)).strip()


def enroll_each(
    images: list[tuple[object, object]],
    params: PipelineParams | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[IrisTemplate | None], list[str | None], np.ndarray]:
    """Encode (label, image-or-path) pairs: per input its template or None, its refusal reason or None, ms."""
    templates: list[IrisTemplate | None] = []
    reasons: list[str | None] = []
    times = []
    for k, (_, image) in enumerate(images):
        template, reason = None, None
        try:
            gray = read_gray(image) if isinstance(image, Path) else image
            start = time.perf_counter()
            try:
                template = analyze(gray, params).template
            finally:
                times.append((time.perf_counter() - start) * 1000.0)
        except QualityError as e:
            reason = reason_key(e)
        templates.append(template)
        reasons.append(reason)
        if progress is not None:
            progress(k + 1, len(images))
    return templates, reasons, np.array(times)


def enroll_all(
    images: list[tuple[object, object]],
    params: PipelineParams | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[IrisTemplate], list[object], dict[str, int], np.ndarray]:
    """Encode (label, image-or-path) pairs; returns templates, their labels, rejection counts, ms each."""
    templates, reasons, times = enroll_each(images, params, progress)
    rejections: dict[str, int] = {}
    for reason in reasons:
        if reason is not None:
            rejections[reason] = rejections.get(reason, 0) + 1
    kept = [(t, label) for t, (label, _) in zip(templates, images, strict=True) if t is not None]
    return [t for t, _ in kept], [label for _, label in kept], rejections, times


def _worst_genuine(
    templates: list[IrisTemplate], labels: list[Hashable], count: int
) -> list[tuple[int, float]]:
    """(index, median genuine distance) of the `count` enrolled images that match their own eye worst."""
    codes = np.stack([t.code for t in templates])
    masks = np.stack([t.mask for t in templates])
    scored = []
    for i, (template, label) in enumerate(zip(templates, labels, strict=True)):
        same = [j for j, other in enumerate(labels) if other == label and j != i]
        if same:
            scored.append((i, float(np.median(match_many(template, codes[same], masks[same])[0]))))
    return sorted(scored, key=lambda item: -item[1])[:count]


def evaluate(
    root: str | Path,
    plots_dir: str | Path | None = None,
    params: PipelineParams | None = None,
    progress: Callable[[int, int], None] | None = None,
    overlays_dir: str | Path | None = None,
) -> Evaluation:
    """Enroll every image under `root` (SUBJECT/EYE/IMAGE), compare all pairs, optionally plot.

    With `overlays_dir`, the segmentation of every refused image and of the WORST_OVERLAYS
    enrolled images with the worst genuine scores is drawn to PNGs there (refused/, worst/).
    """
    samples = scan(root)
    results, reasons, times = enroll_each([(s.eye_id, s.path) for s in samples], params, progress)
    enrolled = [(t, s) for t, s in zip(results, samples, strict=True) if t is not None]
    templates, labels = [t for t, _ in enrolled], [s.eye_id for _, s in enrolled]
    genuine, impostor = all_pairs(templates, labels)
    if len(genuine) == 0 or len(impostor) == 0:
        raise DatasetError("need at least two enrolled images of one eye and two different eyes to evaluate")
    summary = summarize(genuine, impostor)
    if plots_dir is not None:
        out = Path(plots_dir)
        out.mkdir(parents=True, exist_ok=True)
        write_det({"pipeline": (genuine, impostor)}, out / "det.png")
        write_histogram(genuine, impostor, out / "scores.png", summary["threshold_at_fmr"].get("1e-4"))
    if overlays_dir is not None:
        out = Path(overlays_dir)
        for sample, reason in zip(samples, reasons, strict=True):
            if reason is not None:
                name = f"{sample.subject}_{sample.eye}_{sample.path.stem}.png"
                write_overlay(out / "refused" / name, sample.path, f"refused: {reason}", params)
        for rank, (i, distance) in enumerate(_worst_genuine(templates, labels, WORST_OVERLAYS)):
            sample = enrolled[i][1]
            name = f"{rank:02d}_{sample.subject}_{sample.eye}_{sample.path.stem}.png"
            caption = f"median genuine distance {distance:.3f}"
            write_overlay(out / "worst" / name, sample.path, caption, params)
    rejections: dict[str, int] = {}
    for reason in reasons:
        if reason is not None:
            rejections[reason] = rejections.get(reason, 0) + 1
    failed = failed_genuine_pairs([s.eye_id for s in samples], labels)
    return Evaluation(len(samples), len(templates), rejections, genuine, impostor, summary, times, failed)
