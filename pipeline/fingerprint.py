"""The template fingerprint: SHA-256 over the normalised values of the locked cells.

Values only (never styles, XML or shared strings), so a re-save in Excel or LibreOffice keeps it
valid, while an edited target, another department's sheet or a wrong year changes it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence

from pipeline.model import PlanFacts
from pipeline.text import canonical


def _digest(plan_id: str, year: int, department: str, spelled: Iterable[Sequence[str]]) -> str:
    """Hex SHA-256 of the identity (plan, year, department) and each row's locked cells, spelled
    by text.canonical."""
    payload = [canonical(plan_id), str(year), canonical(department)]
    payload += ["\x1f".join(row) for row in spelled]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def expected_fingerprint(plan: PlanFacts, department: str, year: int) -> str:
    """The fingerprint a template generated now from `plan` carries."""
    rows = plan.expected_rows(department, year)
    return _digest(plan.plan_id, year, department, (r.spellings for r in rows))
