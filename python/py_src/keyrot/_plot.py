"""``plot()``: the age chart of an analysis drawn with matplotlib, in the
buckets the core counted (``keyrot::view::Histogram``, the page's and the
HTML report's): nothing is counted here. matplotlib is imported only when a
chart is drawn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: The statuses stacked in each bar, from the bottom, with the colours of
#: the core's SVG chart.
STACK = (("fail", "#c62828"), ("due_soon", "#ef8f00"), ("pass", "#2e7d32"), ("inactive", "#9e9e9e"))


def plot(chart: Dict[str, Any], ax: Optional["Axes"] = None) -> "Axes":
    """Draws ``chart`` (the core's histogram as a dict) on ``ax``, or on a
    new figure; returns the Axes. One bar container per status, each with
    one bar per bucket."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - exercised with matplotlib hidden
        raise ImportError("plot() draws with matplotlib, which is not installed: pip install matplotlib") from e
    bins: List[Dict[str, Any]] = chart["bins"]
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6.0, 0.45 * len(bins) + 2), 3.2))
    positions = list(range(len(bins)))
    bottom = [0] * len(bins)
    for status, colour in STACK:
        heights = [b["counts"][status] for b in bins]
        ax.bar(positions, heights, bottom=bottom, color=colour, label=status.replace("_", " "), width=0.85)
        bottom = [below + h for below, h in zip(bottom, heights)]
    ax.set_xticks(positions)
    ax.set_xticklabels([b["label"] for b in bins], rotation=40, ha="right")
    limit = chart["max_age_days"]
    for i, b in enumerate(bins):
        if b["start"] == limit:
            ax.axvline(i - 0.5, color="#c62828", linestyle="--", linewidth=1, label=f"limit {limit} d")
    ax.set_xlabel("key age")
    ax.set_ylabel("keys")
    ax.set_title(f"Key ages: {chart['shown']:,} keys; {chart['unusable']:,} without a usable age")
    ax.legend(loc="upper right", fontsize="small")
    return ax
