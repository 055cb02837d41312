"""A chart of a table answer, as PNG: a line over a run of years (results and targets as two
series), bars for provinces. Drawn with matplotlib (offline, no display needed).

Units are never mixed on one axis: a percentage is never plotted with an amount, and
amounts are shown in one scale (亿元 and 万亿元 both as 万亿元, read from each figure's value
in base units). Rows of the other kind are left out of the chart (the table keeps them).
Labels are in the reply's language when a font with Chinese characters is installed, else
in English (region names in pinyin), so that a chart never shows empty boxes.
"""

from __future__ import annotations

import io
import threading
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from qa import regions
from qa.present.view import AnswerView, RowView
from qa.present.words import say

#: Scales an amount's axis may use, largest first: (factor, Chinese prefix, English word).
_SCALES = (
    (1e12, "万亿", "trillion"),
    (1e8, "亿", "100 million"),
    (1e4, "万", "10,000"),
    (1.0, "", ""),
)
_CJK_FONTS = (
    "Noto Sans CJK",
    "Noto Sans SC",
    "Source Han Sans",
    "WenQuanYi",
    "SimHei",
    "Microsoft YaHei",
    "PingFang",
    "Heiti",
    "AR PL",
)


@dataclass(frozen=True)
class ChartData:
    """What a chart plots: labels, one or two series (name → values, ``None`` for a gap),
    the axis label, and whether it is a line over years or bars."""

    labels: tuple[str, ...]
    series: dict[str, tuple[float | None, ...]]
    axis: str
    kind: str  # "line" | "bar"

    @property
    def points(self) -> int:
        return sum(1 for values in self.series.values() for v in values if v is not None)


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The name of an installed font with Chinese characters, if any."""
    from matplotlib import font_manager

    for font in font_manager.fontManager.ttflist:
        if any(font.name.startswith(prefix) for prefix in _CJK_FONTS):
            return font.name
    return None


def _percent(row: RowView) -> bool:
    return row.unit in ("%", "％") or row.figure.endswith(("%", "％")) or "百分" in row.figure


def chart_data(view: AnswerView) -> ChartData | None:
    """The chart of a table answer, or ``None`` when it has fewer than two figures of one
    kind to plot."""
    table = view.table
    if table is None:
        return None
    rows = [r for r in table.rows if r.quote is not None and r.value is not None]
    if len(rows) < 2:
        return None
    english = view.language == "en" or cjk_font() is None
    lang = "en" if english else view.language
    # One kind per axis: the percentages or the amounts, whichever the rows hold more of.
    percent = Counter(_percent(r) for r in rows).most_common(1)[0][0]
    rows_of_kind = [r for r in rows if _percent(r) == percent]
    units = Counter(r.unit for r in rows_of_kind if not percent)
    unit = units.most_common(1)[0][0] if units else ""
    plotted = [r for r in rows_of_kind if percent or r.unit == unit]
    if len(plotted) < 2:
        return None
    if percent:
        factor, axis = 1.0, "%"
    else:
        top = max(abs(r.value or 0.0) for r in plotted)
        factor, prefix, word = next(s for s in _SCALES if top >= s[0] * 0.5 or s[0] == 1.0)
        axis = f"{word} {unit}".strip() if english else f"{prefix}{unit}"
    if table.by == "year":
        years = sorted({r.year for r in plotted if r.year is not None})
        labels = tuple(str(y) for y in years)
        series: dict[str, tuple[float | None, ...]] = {}
        for role in ("result", "target"):
            by_year = {r.year: (r.value or 0.0) / factor for r in plotted if r.role_code == role}
            if by_year:
                series[say(f"role_{role}", lang)] = tuple(by_year.get(y) for y in years)
        return ChartData(labels, series, axis, "line")
    labels = tuple(_region_label(r, english) for r in plotted)
    values = tuple((r.value or 0.0) / factor for r in plotted)
    return ChartData(labels, {axis: values}, axis, "bar")


def _region_label(row: RowView, english: bool) -> str:
    if not english or row.region is None:
        return row.label
    found = regions.lookup(row.region)
    return regions.english_name(found) if found is not None else row.label


def _is_cjk(ch: str) -> bool:
    """A character only a Chinese font has (ideographs, CJK punctuation, full-width forms)."""
    return "\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef"


def chart_png(view: AnswerView, *, title: str | None = None) -> bytes | None:
    """The chart of a table answer as PNG bytes (``None``: nothing to plot)."""
    data = chart_data(view)
    if data is None:
        return None
    with _DRAWING:  # pyplot's figures and settings are global: one chart at a time
        return _draw(view, data, title)


#: Serialises drawing: a bot or server may ask for charts from several threads at once.
_DRAWING = threading.Lock()


def _draw(view: AnswerView, data: ChartData, title: str | None) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    # An English reply's title may be a question asked in Chinese: drawn in the Chinese
    # font too, or left out when there is none (never as empty boxes).
    chinese_title = title is not None and any(_is_cjk(ch) for ch in title)
    font = cjk_font() if view.language != "en" or chinese_title else None
    if font:
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
    fig, ax = plt.subplots(figsize=(max(6.0, 0.45 * len(data.labels) + 2), 4.0), dpi=100)
    try:
        if data.kind == "line":
            for name, values in data.series.items():
                points = [(i, v) for i, v in enumerate(values) if v is not None]
                ax.plot([i for i, _ in points], [v for _, v in points], marker="o", label=name)
            ax.set_xticks(range(len(data.labels)), data.labels, rotation=45, ha="right")
            if len(data.series) > 1:
                ax.legend()
        else:
            (values,) = data.series.values()
            ax.bar(range(len(values)), [v or 0.0 for v in values])
            ax.set_xticks(range(len(data.labels)), data.labels, rotation=60, ha="right")
        ax.set_ylabel(data.axis)
        if title:
            # A title is a question as asked: "$" in it is text, never mathtext to parse.
            shown = font is not None or (view.language == "en" and not chinese_title)
            ax.set_title(title if shown else "", parse_math=False)
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(fig)


__all__ = ["ChartData", "chart_data", "chart_png", "cjk_font"]
