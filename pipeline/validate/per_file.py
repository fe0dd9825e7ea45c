"""What a worker does with one file once read: tie it to the plan's department and match its
rows to the plan's rows, returning a FileReport (the file's findings, its matched rows)."""

from __future__ import annotations

from pipeline.ingest.reader import Submission
from pipeline.model import ROW, FileReport, Plan
from pipeline.validate.identity import identify
from pipeline.validate.integrity import match_rows


def check_file(submission: Submission, context: tuple[Plan, int]) -> FileReport:
    """The FileReport of one submission for the plan and year in `context` (picklable: it runs
    in the worker that read the file, so only the matched rows travel back)."""
    plan, year = context
    file, rows = submission.file, submission.rows
    identity = identify(file, rows, plan, year)
    matched = None
    if identity.department is not None and file.readable:
        matched = match_rows(file, rows, plan, identity.department, year)
    return FileReport(
        file,
        submission.source,
        identity.department,
        identity.claimed,
        (*submission.findings, *identity.findings),
        tuple(rows[ROW].tolist()),
        matched.rows if matched else None,
        matched.findings if matched else (),
    )
