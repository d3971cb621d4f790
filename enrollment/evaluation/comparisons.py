"""All-against-all comparisons of a set of templates, split into genuine and impostor scores."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from enrollment.iris.match import MAX_SHIFT, match_many
from enrollment.iris.template import IrisTemplate


def all_pairs(
    templates: Sequence[IrisTemplate],
    labels: Sequence[Hashable],
    max_shift: int = MAX_SHIFT,
    use_mask: bool = True,
    normalized: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """(genuine, impostor) distances over every unordered pair; genuine = same label.

    `use_mask=False` compares every bit (a naive matcher); `normalized=False` reports the raw
    fractional Hamming distance instead of Daugman's normalized score.
    """
    if len(templates) != len(labels):
        raise ValueError("one label per template")
    codes = np.stack([t.code for t in templates]) if templates else np.zeros((0, 256), np.uint64)
    masks = np.stack([t.mask for t in templates]) if use_mask else np.full_like(codes, np.uint64(2**64 - 1))
    ids = np.array([hash(x) for x in labels])
    genuine, impostor = [], []
    for i in range(len(templates) - 1):
        probe = templates[i] if use_mask else IrisTemplate(code=templates[i].code, mask=masks[i])
        dist, _, _, raw = match_many(probe, codes[i + 1 :], masks[i + 1 :], max_shift)
        scores = dist if normalized else raw
        same = ids[i + 1 :] == ids[i]
        genuine.append(scores[same])
        impostor.append(scores[~same])
    empty = np.zeros(0)
    return (np.concatenate(genuine) if genuine else empty, np.concatenate(impostor) if impostor else empty)
