"""Open data: the published tables as CSV (the same writer as beside the committee workbook) and a
Frictionless Data Package (datapackage.json) describing each file with a Japanese title and a
table schema, so that a city's open-data catalogue can load and check them."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from pipeline import labels as L
from pipeline.model import Column, Table
from pipeline.publish.content import Edition
from pipeline.report.csvout import write_csv

_RESOURCE_NAMES = {L.SUMMARY_SHEET: "summary", L.TREND_SHEET: "trend", L.LISTING_SHEET: "projects"}


def write_opendata(edition: Edition, out: Path) -> list[Path]:
    """The published CSV files and a datapackage.json (a table schema per file) in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    resources = []
    for n, table in enumerate(edition.tables, start=1):
        path = write_csv(table, out)
        written.append(path)
        resources.append(_resource(table, path.name, _name(edition, table.name, n)))
    package = {
        "profile": "tabular-data-package",
        "name": f"shinchoku-{edition.plan.plan_id.lower()}-{edition.year}",
        "title": f"{edition.plan.name} {edition.year}年度 進捗状況",
        "description": (
            "各担当課の自己評価を集計した進捗状況（割合は評価済みの目標に対する比率）。"
            + (f" {edition.plan.note}" if edition.plan.note else "")
        ),
        "created": edition.run_at.isoformat(),
        "resources": resources,
    }
    path = out / "datapackage.json"
    path.write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [*written, path]


def _name(edition: Edition, title: str, n: int) -> str:
    """An ASCII resource name (Data Package names are lower-case ASCII): summary, level-1, …"""
    levels = [L.per_level(label) for label in edition.plan.levels]
    if title in levels:
        return f"level-{levels.index(title) + 1}"
    return _RESOURCE_NAMES.get(title, f"table-{n}")


def _resource(table: Table, file_name: str, name: str) -> dict[str, object]:
    columns = [(i, c) for i, c in enumerate(table.columns) if c.in_csv]
    return {
        "name": name,
        "title": table.name,
        "path": file_name,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8-sig",
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
        "schema": {
            "fields": [
                {"name": c.name, "title": c.name, "type": _type(table, i, c)} for i, c in columns
            ],
            "missingValues": [""],
        },
    }


def _type(table: Table, index: int, column: Column) -> str:
    """integer / number where every value of the column is one, else string (目標値 may be text)."""
    values = [row[index] for row in table.rows if row[index] is not None]
    if column.kind == "int" and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "integer"
    if column.kind in {"percent", "number", "int"} and all(
        isinstance(v, int | Decimal) and not isinstance(v, bool) for v in values
    ):
        return "number"
    return "string"
