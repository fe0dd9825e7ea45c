"""Which plan, year and department a submission belongs to (via `_meta`, else its rows)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from pipeline import TEMPLATE_VERSION, years
from pipeline import labels as L
from pipeline.fingerprint import expected_fingerprint
from pipeline.messages import finding
from pipeline.model import Finding, PlanFacts, SubmittedFile
from pipeline.text import key


@dataclass(frozen=True)
class Identity:
    """Whom a file is from: the plan's department, what it claims, and why not."""

    department: str | None  # the plan's spelling; None when the file cannot be tied to the plan
    findings: tuple[Finding, ...]
    claimed: str | None = None  # the department the file says it is from, for sending feedback


def identify(file: SubmittedFile, rows: pd.DataFrame, plan: PlanFacts, year: int) -> Identity:
    """A file whose rows cannot be read (a heading renamed: F09) is still tied to its department
    through `_meta` or its rows, so it counts as that department's submission, rows rejected."""
    return identify_by(file, rows[L.NUMBER].tolist(), plan, year)


def identify_by(
    file: SubmittedFile, numbers: Sequence[object], plan: PlanFacts, year: int
) -> Identity:
    """identify, given the rows' 整理番号 only (in sheet order; a worker's raw rows are lists)."""
    if not file.readable and not file.meta and not numbers:
        return Identity(None, ())
    where = {"file": file.path, "sheet": L.META_SHEET}
    if not file.meta:
        return _identify_by_rows(file, numbers, plan)
    plan_id = file.meta_value(L.META_PLAN_ID)
    department = plan.department_of_key(file.meta_value(L.META_DEPARTMENT))
    if key(plan_id) != key(plan.plan_id):
        return Identity(None, (finding("F07", value=plan_id, **where),), department)
    meta_year = _year(file.meta_value(L.META_YEAR))
    if meta_year != year:
        shown = years.display(meta_year) if meta_year else file.meta_value(L.META_YEAR)
        finding_ = finding("F08", value=shown, expected=years.display(year), **where)
        return Identity(None, (finding_,), department)
    if department is None:
        return Identity(None, (finding("B04", value=file.meta_value(L.META_DEPARTMENT), **where),))
    notes: list[Finding] = []
    version = file.meta_value(L.META_VERSION)
    if version != TEMPLATE_VERSION:
        notes.append(finding("F13", value=version, expected=TEMPLATE_VERSION, **where))
    if file.meta_value(L.META_FINGERPRINT) != expected_fingerprint(plan, department, year):
        notes.append(finding("F14", **where))
    return Identity(department, tuple(notes), department)


def _year(text: str) -> int | None:
    try:
        return years.parse_fiscal_year(text)
    except years.YearError:
        return None


def _identify_by_rows(file: SubmittedFile, numbers: Sequence[object], plan: PlanFacts) -> Identity:
    """No `_meta`: the department owning most of the rows' 整理番号, if any."""
    owners = Counter(
        project.department
        for number in numbers
        if (project := plan.project(str(number or ""))) is not None and not project.is_relisting
    )
    if not owners:
        return Identity(None, (finding("F11", file=file.path),))
    department = owners.most_common(1)[0][0]
    return Identity(
        department, (finding("F10", file=file.path, department=department),), department
    )
