"""What a worker does with one file once read: tie it to the plan's department and match its
rows to the plan's rows, returning a FileReport (the file's findings, its matched rows).

A worker need not hold the plan: `AskedPlan` asks the main process (`plan_answer`) for what a
file needs — the department's template rows, a project's owner — so the workers can be started
before the plan is read and stay small (issue 14: the plan is ~140 MB at 120,000 targets)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline import labels as L
from pipeline.checks.identity import identify_by
from pipeline.checks.integrity import match_grid, plain_rows
from pipeline.ingest.pool import ask
from pipeline.model import (
    RAW_DTYPES,
    ROW,
    ExpectedRow,
    FileReport,
    PlainSubmission,
    Plan,
    PlanFacts,
    Project,
    Submission,
)


def check_file(
    submission: Submission | PlainSubmission, context: tuple[PlanFacts, int]
) -> FileReport:
    """The FileReport of one submission for the plan and year in `context` (picklable: it runs
    in the worker that read the file, so only the matched rows travel back). Its rows are
    matched as lists (a worker's submission is a PlainSubmission) and travel back as lists:
    the batch makes one frame of every file's (frames.matched_frame)."""
    plan, year = context
    file = submission.file
    if isinstance(submission, PlainSubmission):
        rows, columns, dtypes = submission.rows, submission.columns, RAW_DTYPES
    else:  # a frame (read_submission's): its rows as lists, as a worker has them
        rows, columns, dtypes = plain_rows(submission.rows)
    number_at, row_at = columns.index(L.NUMBER), columns.index(ROW)
    identity = identify_by(file, [r[number_at] for r in rows], plan, year)
    matched = None
    if identity.department is not None and file.readable:
        matched = match_grid(file, rows, columns, plan, identity.department, year, dtypes)
    return FileReport(
        file,
        submission.source,
        identity.department,
        identity.claimed,
        (*submission.findings, *identity.findings),
        tuple(int(str(r[row_at])) for r in rows),
        matched.rows if matched else None,
        matched.findings if matched else (),
    )


class AskedPlan:
    """The plan as a worker sees it (PlanFacts) for one year: each fact asked of the main
    process once and kept — the plan's id, a project (a few thousand), a department's spelling
    with its template rows for the year (one question per file; the last few departments kept,
    as Plan.expected_rows keeps them)."""

    def __init__(self, year: int) -> None:
        self.year = year
        self._facts: dict[tuple[str, ...], Any] = {}
        self._rows: dict[tuple[str, int], list[ExpectedRow]] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"year": self.year, "_facts": {}, "_rows": {}}  # sent to each worker empty

    def _asked(self, *question: str) -> Any:
        if question not in self._facts:
            if len(self._facts) >= 4096:
                self._facts.clear()
            self._facts[question] = ask(question)
        return self._facts[question]

    @property
    def plan_id(self) -> str:
        """The plan's id."""
        return str(self._asked("plan_id"))

    def project(self, number: str) -> Project | None:
        """The project `number` names, or None."""
        found: Project | None = self._asked("project", number)
        return found

    def department_of_key(self, department: str) -> str | None:
        """The plan's spelling of `department`, or None; its rows come with it."""
        spelling, rows = ask(department_question(department, self.year))
        if spelling is not None:
            self._keep(spelling, self.year, [ExpectedRow(*fields) for fields in rows])
        found: str | None = spelling
        return found

    def expected_rows(self, department: str, year: int) -> list[ExpectedRow]:
        """The rows of `department`'s template for `year`."""
        if (department, year) not in self._rows:
            rows = ask(("expected", department, year))
            self._keep(department, year, [ExpectedRow(*fields) for fields in rows])
        return self._rows[department, year]

    def _keep(self, department: str, year: int, rows: list[ExpectedRow]) -> None:
        if len(self._rows) >= 4:
            self._rows.clear()
        self._rows[department, year] = rows


def department_question(department: str, year: int) -> tuple[str, str, int]:
    """What a worker asks of a file's department (its spelling and template rows)."""
    return ("department", department, year)


@dataclass(frozen=True)
class Foresee:
    """The question check_file will ask about a file read ahead, known from the file alone:
    its `_meta` department's (see ingest.pool.Readers.read_ahead: the answer then comes with
    the file's task, and the worker does not wait for it). None for a file without `_meta`."""

    year: int

    def __call__(self, submission: Submission | PlainSubmission) -> tuple[str, str, int] | None:
        file = submission.file
        if not file.meta:
            return None
        return department_question(file.meta_value(L.META_DEPARTMENT), self.year)


def plan_answer(plan: Plan) -> Callable[[Any], Any]:
    """The main process's answers to an AskedPlan's questions, from `plan` (template rows as
    tuples of ExpectedRow's fields: a third cheaper to send than the objects)."""

    def answer(question: Any) -> Any:
        kind, *args = question
        if kind == "plan_id":
            return plan.plan_id
        if kind == "project":
            return plan.project(*args)
        if kind == "department":
            department, year = args
            spelling = plan.department_of_key(department)
            return spelling, (
                plan.expected_fields(spelling, year) if spelling is not None else None
            )
        if kind == "expected":
            return plan.expected_fields(*args)
        raise ValueError(f"unknown question {kind!r}")

    return answer
