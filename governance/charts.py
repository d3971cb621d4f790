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


MAX_TICK_CHARS = 18  # longer option labels are cut on the axis (the page's table has them in full)


def bar_chart_png(
    counts: Sequence[int], title: str, ylabel: str = "votes", labels: Sequence[str] | None = None
) -> bytes:
    """A PNG bar chart with one bar per option (labelled `labels`, default `option 0..n-1`) and the
    count above each bar. Labels and title are anyone's text: drawn literally, never as mathtext."""
    figure = Figure(figsize=CHART_SIZE_IN, dpi=CHART_DPI)  # no pyplot state: safe across threads
    axes = figure.subplots()
    names = [f"option {i}" for i in range(len(counts))] if labels is None else [_tick(s) for s in labels]
    if len(names) != len(counts):
        raise ValueError(f"{len(counts)} counts but {len(names)} labels")
    positions = list(range(len(counts)))  # by position: two labels that cut alike stay two bars
    bars = axes.bar(positions, list(counts), color="#3b6ea8")
    axes.set_xticks(positions, [_literal(n) for n in names])
    axes.bar_label(bars, labels=[str(c) for c in counts])
    axes.set_title(_literal(title))
    axes.set_ylabel(ylabel)
    axes.set_ylim(0, max([*counts, 1]) * 1.2)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # votes and credits are whole numbers
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _tick(label: str) -> str:
    return label if len(label) <= MAX_TICK_CHARS else label[: MAX_TICK_CHARS - 1] + "…"


def _literal(text: str) -> str:
    # matplotlib reads text between two "$" as mathtext (and refuses malformed math): escape them
    return text.replace("$", r"\$")
