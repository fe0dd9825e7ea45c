"""`shinchoku status`: who has submitted, during the collection weeks. Reads, writes nothing.

The same checks as `validate` (a file with an エラー is 要修正), without the feedback workbooks,
the committee workbook or the history store.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from pipeline import labels as L
from pipeline import years
from pipeline.batch import check_folder
from pipeline.model import FileRow, Report
from pipeline.options import Options
from pipeline.validate.request import plan_for

NEEDS_FIXING = "要修正"


@dataclass(frozen=True)
class CollectionStatus:
    """Every department's state, and the report it was read from."""

    report: Report
    departments: list[FileRow]  # status 要修正 for a file in use with an エラー; Japan time

    @property
    def batch_errors(self) -> list[str]:
        """Messages of the secretariat's own mistakes (wrong year, empty folder…)."""
        return [f.message for f in self.report.batch_errors]

    def count(self, state: str) -> int:
        """Departments in `state`."""
        return sum(1 for d in self.departments if d.status == state)


def collection_status(
    master: Path, root: Path, year: int, options: Options | None = None
) -> CollectionStatus:
    """Every department of the plan with 提出 / 未提出 / 要修正, its file, saved time, counts."""
    report = check_folder(plan_for(master, year), root, year, options)
    departments = set(report.plan.departments(report.year))
    rows = [
        replace(
            r,
            status=NEEDS_FIXING if r.status == L.SUBMITTED and r.errors else r.status,
            saved_at=years.local_time(r.saved_at),
        )
        for r in report.file_rows
        if r.department in departments and r.status in (L.SUBMITTED, L.NOT_SUBMITTED)
    ]
    return CollectionStatus(report, rows)
