"""Bar charts as PNG for the report (matplotlib, Agg, the map's Korean font): one idea per chart,
whole-number axes from 0, every label shown. The same numbers give the same bytes."""

from __future__ import annotations

import io
from collections.abc import Sequence

from automation.documents.map import korean_font

DPI = 130


def bars_png(
    labels: Sequence[str], values: Sequence[int], title: str, unit: str, *, size: tuple[float, float] = (6.4, 2.8)
) -> bytes:
    """A column chart of ``values`` over ``labels`` with each bar's value written on it."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    font = korean_font()
    font_manager.fontManager.addfont(str(font))
    family = font_manager.FontProperties(fname=str(font)).get_name()
    fig = Figure(figsize=size, dpi=DPI)
    ax = fig.add_subplot(1, 1, 1)
    positions = list(range(len(labels)))
    bars = ax.bar(positions, list(values), color="#3182bd", width=0.6)
    ax.set_xticks(positions, list(labels), fontfamily=family, fontsize=7, rotation=45 if len(labels) > 8 else 0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    ax.set_ylim(0, max([*values, 1]) * 1.2)
    ax.bar_label(bars, labels=[f"{v:,}" for v in values], fontsize=6.5, fontfamily=family, padding=2)
    ax.set_title(title, fontfamily=family, fontsize=10)
    ax.set_ylabel(unit, fontfamily=family, fontsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()
