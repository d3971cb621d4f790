"""Bar charts of proposal results as PNG bytes (matplotlib, headless Agg backend)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display on servers and CI; must precede pyplot
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

CHART_SIZE_IN = (6.4, 3.6)
CHART_DPI = 100


def bar_chart_png(counts: Sequence[int], title: str, ylabel: str = "votes") -> bytes:
    """A PNG bar chart with one bar per option (labelled 0..n-1) and the count above each bar."""
    figure = Figure(figsize=CHART_SIZE_IN, dpi=CHART_DPI)  # no pyplot state: safe across threads
    axes = figure.subplots()
    labels = [f"option {i}" for i in range(len(counts))]
    bars = axes.bar(labels, list(counts), color="#3b6ea8")
    axes.bar_label(bars, labels=[str(c) for c in counts])
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.set_ylim(0, max([*counts, 1]) * 1.2)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # votes and credits are whole numbers
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
