"""Share charts as inline SVG for the web pages: a 100 % stacked bar per row, each segment
labelled with its share, a title and a description for screen readers (the table beside the
chart carries every figure too). Widths come from the table's shares, never recomputed."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from pipeline.publish.content import Chart

# Fill colours with white text at a contrast of 4.5:1 or more (WCAG 2.1 AA), best grade first.
COLORS = ("#1F4E79", "#2E6B30", "#A14000", "#5A5A5A", "#6A3D9A", "#00626A")
_LINE = 20  # px per line of a row label (text is not scaled: it stays legible on a phone)
_BAR = 26
_GAP = 12
_LABEL_CHARS = 24  # a longer label wraps onto further lines


def svg(chart: Chart, chart_id: str) -> str:
    """The chart as an <svg> element (role img, <title> and <desc> referenced by aria) as wide
    as its container: bars are placed in percent, text stays at its size."""
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    body: list[str] = []
    y = 0
    for bar in chart.bars:
        lines = _wrap(bar.label, f"（評価済 {bar.graded}/{bar.targets}）")
        body.append(f'<text class="row-label" x="0" y="{y}">')
        body += [f'<tspan x="0" dy="{_LINE}">{escape(line)}</tspan>' for line in lines]
        body.append("</text>")
        y += _LINE * len(lines) + 6
        body += _segments(bar.shares, y)
        y += _BAR + _GAP
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="{y}" role="img"'
            f' aria-labelledby="{title_id} {desc_id}" class="chart" id="{chart_id}">',
            f'<title id="{title_id}">{escape(chart.title)}</title>',
            f'<desc id="{desc_id}">{escape(describe(chart))}</desc>',
            *body,
            "</svg>",
        ]
    )


def legend(chart: Chart) -> str:
    """The colour key as an HTML list (it wraps on a narrow screen, unlike SVG text)."""
    items = "".join(
        f'<li><span class="swatch" style="background:{COLORS[g % len(COLORS)]}"></span>'
        f"{escape(code)}（{escape(label)}）</li>"
        for g, (code, label) in enumerate(chart.grades)
    )
    return f'<ul class="legend">{items}</ul>'


def _wrap(label: str, suffix: str) -> list[str]:
    """The label in lines of at most _LABEL_CHARS characters, the suffix kept whole."""
    lines = [label[i : i + _LABEL_CHARS] for i in range(0, len(label), _LABEL_CHARS)] or [""]
    if len(lines[-1]) + len(suffix) <= _LABEL_CHARS + 4:
        lines[-1] += suffix
    else:
        lines.append(suffix)
    return lines


def _segments(shares: tuple[Decimal | None, ...], y: int) -> list[str]:
    if not any(shares):
        return [f'<text x="4" y="{y + 18}" class="empty">評価済みの目標なし</text>']
    parts = []
    x = Decimal(0)
    for g, share in enumerate(shares):
        if not share:
            continue
        color = COLORS[g % len(COLORS)]
        parts.append(
            f'<rect x="{x:.1f}%" y="{y}" width="{share:.1f}%" height="{_BAR}" fill="{color}"/>'
        )
        if share >= 12:
            parts.append(
                f'<text x="{x + share / 2:.1f}%" y="{y + 18}" text-anchor="middle"'
                f' class="value">{share:.1f}%</text>'
            )
        x += share
    return parts


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
