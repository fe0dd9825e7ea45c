"""Share charts as inline SVG for the web pages: a 100 % stacked bar per row, each segment
labelled with its share, a title and a description for screen readers (the table beside the
chart carries every figure too). Widths come from the table's shares, never recomputed."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from pipeline.publish.content import Chart

# Fill colours with white text at a contrast of 4.5:1 or more (WCAG 2.1 AA), best grade first.
COLORS = ("#1F4E79", "#2E6B30", "#A14000", "#5A5A5A", "#6A3D9A", "#00626A")
_WIDTH = 640  # user units; the SVG scales to the page width
_ROW = 50  # a row: its label above its bar
_BAR = 24


def svg(chart: Chart, chart_id: str) -> str:
    """The chart as an <svg> element (role img, <title> and <desc> referenced by aria)."""
    height = 40 + _ROW * len(chart.bars) + 6
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" role="img"'
        f' aria-labelledby="{title_id} {desc_id}" class="chart" id="{chart_id}">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(describe(chart))}</desc>',
        *_legend(chart),
    ]
    for i, bar in enumerate(chart.bars):
        y = 40 + i * _ROW
        label = f"{_short(bar.label)}（評価済 {bar.graded}/{bar.targets}）"
        parts.append(f'<text x="0" y="{y + 14}" class="row-label">{escape(label)}</text>')
        parts += _segments(bar.shares, y + 20)
    parts.append("</svg>")
    return "".join(parts)


def _segments(shares: tuple[Decimal | None, ...], y: int) -> list[str]:
    if not any(shares):
        return [f'<text x="4" y="{y + 17}" class="empty">評価済みの目標なし</text>']
    parts = []
    x = Decimal(0)
    for g, share in enumerate(shares):
        if not share:
            continue
        w = share / 100 * _WIDTH
        color = COLORS[g % len(COLORS)]
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{_BAR}" fill="{color}"/>')
        if w >= 44:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{y + 17}" text-anchor="middle"'
                f' class="value">{share:.1f}%</text>'
            )
        x += w
    return parts


def _legend(chart: Chart) -> list[str]:
    parts = []
    x = 0
    for g, (code, label) in enumerate(chart.grades):
        color = COLORS[g % len(COLORS)]
        parts.append(f'<rect x="{x}" y="10" width="14" height="14" fill="{color}"/>')
        text = f"{code}（{label}）"
        parts.append(f'<text x="{x + 18}" y="22" class="legend">{escape(text)}</text>')
        x += 24 + 13 * len(text)
    return parts


def _short(label: str, limit: int = 34) -> str:
    """Row labels are cut to fit above the bars; the table beside the chart has them whole."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def describe(chart: Chart) -> str:
    """The chart in words: each row's graded count and share per grade."""
    sentences = []
    for bar in chart.bars:
        shares = "、".join(
            f"{code} {share:.1f}%（{count}件）"
            for (code, _), share, count in zip(chart.grades, bar.shares, bar.counts, strict=True)
            if share is not None
        )
        sentences.append(
            f"{bar.label}: 評価済み {bar.graded}/{bar.targets} 件。{shares or '評価なし'}。"
        )
    return " ".join(sentences)
