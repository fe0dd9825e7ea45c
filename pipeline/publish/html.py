"""The web report: index.html and a page per level-1 entry, from Jinja2 templates (package data)
with autoescape on, since departments type the text shown (取組内容・実績 may hold `<script>`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from pipeline import labels as L
from pipeline import years
from pipeline.model import Table
from pipeline.publish import charts
from pipeline.publish.content import (
    LONG_COLUMNS,
    Chart,
    Edition,
    Entry,
    breakdowns,
    chart_of,
    counted_column,
    entries,
    notes,
    shown,
)


@dataclass(frozen=True)
class TableView:
    """A table as the page template shows it: every cell already text, with its kind for CSS."""

    name: str
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[tuple[str, str], ...], ...]  # (text, kind) per cell
    chart: Markup | None = None


def view(table: Table, caption: str, chart: Markup | None = None) -> TableView:
    """The CSV columns of `table` as text cells, numbers shown as on the committee's sheets."""
    kept = [i for i, c in enumerate(table.columns) if c.in_csv]
    rows = tuple(
        tuple((shown(row[i], table.columns[i].kind), table.columns[i].kind) for i in kept)
        for row in table.rows
    )
    headers = tuple(table.columns[i].name for i in kept)
    return TableView(table.name, caption, headers, rows, chart)


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("pipeline", "publish/templates"),
        autoescape=select_autoescape(["html"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def write_site(edition: Edition, out: Path) -> list[Path]:
    """index.html, entry-N.html and style.css in `out`."""
    env = _environment()
    plan = edition.plan
    pages = entries(edition)
    common = {
        "edition": edition,
        "entries": pages,
        "year_label": years.display(edition.year),
        "run_at": edition.run_at_shown,
        "grades": [(g.code, g.label) for g in plan.grades],
        "long_columns": LONG_COLUMNS,
        "notes": notes(edition),
    }
    written = [_write(out / "style.css", _template_text(env, "style.css"))]
    summary = edition.table(L.SUMMARY_SHEET)
    levels = [edition.table(L.per_level(level)) for level in plan.levels]
    trend = edition.table(L.TREND_SHEET)
    index = env.get_template("index.html").render(
        **common,
        page_title=edition.title,
        current="index.html",
        key=_key_figures(summary, edition),
        summary=view(summary, f"表: {L.SUMMARY_SHEET}") if summary else None,
        summary_chart=_svg(chart_of(summary, plan, "評価区分の割合（概要）"), "c-summary")
        if summary
        else "",
        levels=[
            view(
                t, f"表: {t.name}", _svg(chart_of(t, plan, f"評価区分の割合（{t.name}）"), f"c-{n}")
            )
            for n, t in enumerate([*levels[1:], *breakdowns(edition)], start=1)
            if t is not None
        ],
        trend=view(trend, "表: 推移（記録された各年度）") if trend else None,
        trend_chart=_svg(chart_of(trend, plan, "評価区分の割合の推移（全体）", L.YEAR), "c-trend")
        if trend
        else "",
    )
    written.append(_write(out / "index.html", index))
    template = env.get_template("entry.html")
    for entry in pages:
        written.append(_write(out / entry.page, _entry_page(template, common, entry)))
    return written


def _entry_page(template: object, common: dict[str, object], entry: Entry) -> str:
    table = entry.summary
    return template.render(  # type: ignore[attr-defined,no-any-return]
        **common,
        page_title=f"{entry.name}｜{common['edition'].title}",  # type: ignore[attr-defined]
        current=entry.page,
        entry=entry,
        entry_table=view(table, f"表: {entry.name}の内訳") if table else None,
        entry_chart=_svg(entry.chart, f"c-entry-{entry.index}") if entry.chart else "",
    )


def _key_figures(summary: Table | None, edition: Edition) -> dict[str, object]:
    if summary is None or not summary.rows:
        return {"counted": L.TARGETS_SET, "targets": "", "shares": [], "ungraded": ""}
    names = [c.name for c in summary.columns]
    total = summary.rows[0]
    counted = counted_column(summary)
    return {
        "counted": counted,
        "targets": shown(total[names.index(counted)], "int"),
        "shares": [
            (g.code, shown(total[names.index(g.code + L.SHARE_SUFFIX)], "percent") or "—")
            for g in edition.plan.grades
        ],
        "ungraded": shown(total[names.index(L.UNGRADED)], "int"),
    }


def _svg(chart: Chart, chart_id: str) -> Markup:
    """The colour key and the SVG, built with every text escaped (charts), so marked safe."""
    return Markup(charts.legend(chart) + charts.svg(chart, chart_id))


def _template_text(env: Environment, name: str) -> str:
    source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    return source


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


__all__: Sequence[str] = ("write_site",)
