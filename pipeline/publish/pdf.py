"""The committee's report as a PDF: A4 portrait, Japanese text that can be selected and searched,
body text at 9 pt or more, the charts, page numbers, the project list grouped by level.

ReportLab with its built-in Japanese CID fonts (HeiseiKakuGo-W5, HeiseiMin-W3): pure Python, no
font files and no system libraries, so it works on a city-hall Windows PC from the wheel alone;
every PDF reader supplies these standard Japanese fonts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from pipeline import labels as L
from pipeline.model import Table as DataTable
from pipeline.publish.charts import COLORS
from pipeline.publish.content import (
    LONG_COLUMNS,
    Chart,
    Edition,
    breakdowns,
    chart_of,
    entries,
    notes,
    shown,
)

GOTHIC = "HeiseiKakuGo-W5"
BODY_SIZE = 9.5
_TEXT_LIMIT = 20_000  # characters of one submitted text in the PDF (the open data has it all)


def _styles() -> dict[str, ParagraphStyle]:
    pdfmetrics.registerFont(UnicodeCIDFont(GOTHIC))
    base = ParagraphStyle(
        "body", fontName=GOTHIC, fontSize=BODY_SIZE, leading=BODY_SIZE * 1.5, wordWrap="CJK"
    )
    return {
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, leading=BODY_SIZE * 1.35),
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=26, spaceAfter=8),
        "h1": ParagraphStyle(
            "h1", parent=base, fontSize=14, leading=20, spaceBefore=10, spaceAfter=6
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontSize=12, leading=17, spaceBefore=8, spaceAfter=4
        ),
        "h3": ParagraphStyle("h3", parent=base, fontSize=10.5, leading=15, spaceBefore=6),
    }


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    """Submitted text is shown as text: escaped, line breaks kept, cut only past a page's worth."""
    plain = str(text)
    if len(plain) > _TEXT_LIMIT:
        plain = plain[:_TEXT_LIMIT] + "…（以下省略。全文はオープンデータのCSVにあります）"
    return Paragraph(escape(plain).replace("\n", "<br/>"), style)


def write_pdf(edition: Edition, path: Path) -> Path:
    """The committee's report as an A4 PDF with selectable Japanese text (CID font, no files)."""
    styles = _styles()
    story: list[Any] = [
        _p(edition.title, styles["title"]),
        _p(f"集計日時 {edition.run_at_shown}", styles["body"]),
        Spacer(1, 6 * mm),
    ]
    plan = edition.plan
    summary = edition.table(L.SUMMARY_SHEET)
    if summary is not None:
        story += _table_section(
            "全体の状況", summary, chart_of(summary, plan, "評価区分の割合"), styles
        )
    levels = [edition.table(L.per_level(level)) for level in plan.levels[1:]]
    for table in [*(t for t in levels if t is not None), *breakdowns(edition)]:
        chart = chart_of(table, plan, f"評価区分の割合（{table.name}）")
        story += _table_section(f"{table.name}の状況", table, chart, styles)
    trend = edition.table(L.TREND_SHEET)
    if trend is not None:
        chart = chart_of(trend, plan, "評価区分の割合の推移（全体）", L.YEAR)
        story += _table_section("推移", trend, chart, styles)
    story += _notes(edition, styles)
    story += _projects(edition, styles)
    document = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=edition.title,
        author=plan.name,
        lang="ja",
    )
    document.build(story, canvasmaker=_NumberedCanvas)
    return path


def _table_section(
    heading: str, table: DataTable, chart: Chart, styles: dict[str, ParagraphStyle]
) -> list[Any]:
    kept = [i for i, c in enumerate(table.columns) if c.in_csv]
    texts = [[shown(row[i], table.columns[i].kind) for i in kept] for row in table.rows]
    names = [table.columns[i].name for i in kept]
    width = A4[0] - 36 * mm
    widths = _column_widths(names, texts, [table.columns[i].kind == "wrap" for i in kept], width)
    header = [_p(name, styles["cell"]) for name in names]
    rows = [[_p(text, styles["cell"]) for text in row] for row in texts]
    grid = Table([header, *rows], colWidths=widths, repeatRows=1)
    grid.setStyle(_GRID)
    return [
        KeepTogether([_p(heading, styles["h1"]), drawing(chart, width)]),
        Spacer(1, 3 * mm),
        grid,
    ]


def _column_widths(
    names: Sequence[str], rows: Sequence[Sequence[str]], wraps: Sequence[bool], total: float
) -> list[float]:
    """Figures as wide as their widest value (headings wrap); wrapping columns share the rest."""
    pad = 5.0
    measure = [
        max(
            [pdfmetrics.stringWidth(row[c], GOTHIC, BODY_SIZE) for row in rows]
            + [pdfmetrics.stringWidth(names[c][:3], GOTHIC, BODY_SIZE)]
        )
        + pad
        for c in range(len(names))
    ]
    fixed = sum(w for w, wrap in zip(measure, wraps, strict=True) if not wrap)
    wrapping = sum(wraps)
    if wrapping and total - fixed >= 90 * wrapping:
        share = (total - fixed) / wrapping
        return [share if wrap else w for w, wrap in zip(measure, wraps, strict=True)]
    scale = total / sum(measure)
    return [w * scale for w in measure]


_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#808080")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
)


def drawing(chart: Chart, width: float) -> Drawing:
    """A 100 % stacked bar per row (ReportLab graphics: vector, text selectable), label above."""
    row, bar = 30.0, 14.0
    height = 26 + row * len(chart.bars)
    shape = Drawing(width, height)
    shape.add(String(0, height - 10, chart.title, fontName=GOTHIC, fontSize=10))
    x = 0.0
    for g, (code, label) in enumerate(chart.grades):
        color = colors.HexColor(COLORS[g % len(COLORS)])
        shape.add(Rect(width * 0.45 + x, height - 11, 8, 8, fillColor=color, strokeColor=None))
        text = f"{code}（{label}）"
        shape.add(String(width * 0.45 + x + 10, height - 10, text, fontName=GOTHIC, fontSize=9))
        x += 14 + pdfmetrics.stringWidth(text, GOTHIC, 9)
    for i, item in enumerate(chart.bars):
        top = height - 26 - i * row
        label = f"{item.label}（評価済 {item.graded}/{item.targets}）"
        shape.add(String(0, top - 9, label, fontName=GOTHIC, fontSize=9))
        left = 0.0
        for g, share in enumerate(item.shares):
            if not share:
                continue
            w = float(share) / 100 * width
            color = colors.HexColor(COLORS[g % len(COLORS)])
            shape.add(Rect(left, top - 12 - bar, w, bar, fillColor=color, strokeColor=None))
            if w > 30:
                shape.add(
                    String(
                        left + w / 2,
                        top - 9 - bar,
                        f"{share:.1f}%",
                        fontName=GOTHIC,
                        fontSize=9,
                        fillColor=colors.white,
                        textAnchor="middle",
                    )
                )
            left += w
    return shape


def _notes(edition: Edition, styles: dict[str, ParagraphStyle]) -> list[Any]:
    return [_p("注記", styles["h1"]), *(_p(f"・{n}", styles["body"]) for n in notes(edition))]


_FIGURE_COLUMNS = (L.TARGET_NAME, L.UNIT, L.TARGET, L.ACTUAL, L.RATE, L.GRADE, L.OUTLOOK)


def _figure_columns(rows: Sequence[dict[str, str]]) -> list[str]:
    """A target's figures (指標名 … 今後の方向性); in a plan graded per project, which has no
    targets, every short column the project list has (区分, 今年度の予定, 自己評価, …)."""
    first = rows[0] if rows else {}
    if L.TARGET_NAME in first:
        return [name for name in _FIGURE_COLUMNS if name in first]
    return [name for name in first if name not in LONG_COLUMNS]


def _projects(edition: Edition, styles: dict[str, ParagraphStyle]) -> list[Any]:
    """事業一覧 grouped by level: a heading per level-1 entry and lowest-level node, then each
    project with its targets' figures and its 取組内容・実績 and 課題 as flowing text (which may
    run over pages, however long)."""
    story: list[Any] = [PageBreak(), _p("事業一覧", styles["h1"])]
    width = A4[0] - 36 * mm
    for entry in entries(edition):
        story.append(_p(f"{edition.plan.levels[0]} {entry.code}　{entry.name}", styles["h1"]))
        for group in entry.groups:
            if group.name:
                path = "".join(f"{name} ＞ " for name in group.path)
                story.append(_p(f"{path}{group.code}　{group.name}", styles["h2"]))
            for project in group.projects:
                heading = [
                    _p(f"{project.number}　{project.name}", styles["h3"]),
                    _p(f"担当課: {project.department}", styles["body"]),
                ]
                names = _figure_columns(project.rows)
                header = [_p(name, styles["cell"]) for name in names]
                texts = [[r.get(name, "") for name in names] for r in project.rows]
                rows = [[_p(text, styles["cell"]) for text in row] for row in texts]
                wraps = [i == 0 for i in range(len(names))]  # 指標名 (or 区分) takes the rest
                widths = _column_widths(names, texts, wraps, width)
                grid = Table([header, *rows], colWidths=widths, repeatRows=1, splitInRow=1)
                grid.setStyle(_GRID)
                story.append(KeepTogether([*heading, grid]))  # a long table still splits
                for r in project.rows:
                    for name in LONG_COLUMNS:
                        if r.get(name):
                            label = (
                                f"{name}（{r.get(L.TARGET_NAME, '')}）"
                                if len(project.rows) > 1
                                else name
                            )
                            story.append(_p(f"{label}: {r[name]}", styles["body"]))
    return story


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Page numbers as 'n / N' in the footer (the total is known once every page is laid out)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(GOTHIC, 9)
            self.drawCentredString(A4[0] / 2, 10 * mm, f"{self._pageNumber} / {total}")
            super().showPage()
        super().save()


__all__: Sequence[str] = ("write_pdf",)
