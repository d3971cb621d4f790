"""DET curve and score histograms as PNG files (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from .metrics import det_curve


def write_det(curves: dict[str, tuple[np.ndarray, np.ndarray]], path: Path) -> Path:
    """DET curve (FNMR against FMR, log axes) for each named (genuine, impostor) score set."""
    fig, ax = plt.subplots(figsize=(6, 5))
    for name, (gen, imp) in curves.items():
        _, fmr, fnmr = det_curve(gen, imp)
        floor_fmr, floor_fnmr = 0.5 / len(imp), 0.5 / len(gen)  # plot zeros at half a count
        ax.step(np.maximum(fmr, floor_fmr), np.maximum(fnmr, floor_fnmr), where="post", label=name)
    ax.set(xscale="log", yscale="log", xlabel="false match rate", ylabel="false non-match rate", title="DET")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_histogram(genuine: np.ndarray, impostor: np.ndarray, path: Path, threshold: float | None) -> Path:
    """Genuine and impostor distance histograms (densities), with the threshold if given."""
    fig, ax = plt.subplots(figsize=(6, 4))
    bins = np.linspace(0.0, 0.6, 121)
    ax.hist(impostor, bins=bins, density=True, alpha=0.6, label=f"impostor ({len(impostor)})")
    ax.hist(genuine, bins=bins, density=True, alpha=0.6, label=f"genuine ({len(genuine)})")
    if threshold is not None:
        ax.axvline(threshold, color="k", linestyle="--", label=f"threshold {threshold:.3f}")
    ax.set(xlabel="normalized fractional Hamming distance", ylabel="density", title="score distributions")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
