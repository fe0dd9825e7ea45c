"""Publication (公表): the web report, the PDF report and the open data, written from the
committee's tables into the new output folder (batch.publish swaps it in for DIR whole)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from pipeline.model import Plan, Table
from pipeline.publish.content import Edition, published

OPENDATA = "opendata"


def write_publication(
    plan: Plan, year: int, run_at: datetime, tables: Sequence[Table], out: Path
) -> list[Path]:
    """index.html and the pages beside it, the PDF report and opendata/ in `out`."""
    from pipeline.publish.html import write_site
    from pipeline.publish.opendata import write_opendata
    from pipeline.publish.pdf import write_pdf

    edition = Edition(plan, year, run_at, published(tables))
    written = write_site(edition, out)
    written.append(write_pdf(edition, out / edition.pdf_name))
    return written + write_opendata(edition, out / OPENDATA)
