"""The template fingerprint: SHA-256 over the normalised values of the locked cells.

Values only (never styles, XML or shared strings), so a re-save in Excel or LibreOffice keeps it
valid, while an edited target, another department's sheet or a wrong year changes it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from pipeline.model import ExpectedRow, Plan
from pipeline.text import key


def canonical(value: object) -> str:
    """One spelling per value: numbers as plain decimals (66000.0 -> '66000'), text as its key."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int | float | Decimal):
        try:
            number = Decimal(str(value)).normalize()
        except InvalidOperation:
            return key(value)
        return format(number, "f") if number.is_finite() else key(value)
    return key(value)


def fingerprint(plan_id: str, year: int, department: str, rows: Iterable[Sequence[object]]) -> str:
    """Hex SHA-256 of the identity (plan, year, department) and the locked cells of each row."""
    payload = [canonical(plan_id), str(year), canonical(department)]
    payload += ["\x1f".join(canonical(v) for v in row) for row in rows]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def locked_values(row: ExpectedRow) -> tuple[object, ...]:
    """The locked cells of a template row, in LOCKED_COLUMNS order."""
    return (
        row.number,
        row.project_name,
        row.target_name,
        row.unit,
        row.direction,
        row.baseline,
        row.target,
    )


def expected_fingerprint(plan: Plan, department: str, year: int) -> str:
    """The fingerprint a template generated now from `plan` carries."""
    rows = plan.expected_rows(department, year)
    return fingerprint(plan.plan_id, year, department, (locked_values(r) for r in rows))
