"""What a valid row of a progress sheet is, after normalising (see pipeline/normalise.py).

Every check is named by its rule code in pipeline/messages.py; that table holds the message.
The checks are vectorised and run once on the merged frame of all submissions.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pandas as pd
import pandera.pandas as pa

from pipeline import labels as L
from pipeline.model import ACTUAL_VALUE, FILE, GRADE_CODE, OUTLOOK_CHOICE, ROW
from pipeline.text import key

SchemaErrors = pa.errors.SchemaErrors  # what a lazy validation raises, with every failure

# rule code -> the column whose cell the finding points at, and whose value it quotes
RULE_COLUMNS: dict[str, str] = {
    "V01": L.ACTUAL,
    "V05": L.GRADE,
    "V06": L.GRADE,
    "V07": L.WORK_DONE,
    "V08": L.ISSUES,
    "V09": L.OUTLOOK,
    "V12": L.OUTLOOK,
    "V14": L.ACTUAL,
}
MAX_MAGNITUDE = Decimal("1e15")  # Excel keeps 15 significant digits: larger is no real result


def _each(column: pd.Series, test: Callable[[object], bool]) -> pd.Series:
    """`test` of each value as a bool column (a list, not Series.map: ~10× cheaper a value),
    each distinct value tested once."""
    values = column.tolist()
    try:
        known = {v: test(v) for v in dict.fromkeys(values)}
        flags = [known[v] for v in values]
    except TypeError:  # an unhashable value: each tested as it is
        flags = [test(v) for v in values]
    return pd.Series(flags, index=column.index, dtype=bool)


def _is_numeric_row(df: pd.DataFrame) -> pd.Series:
    return _each(df[L.DIRECTION], lambda v: key(v) != L.DIRECTION_QUALITATIVE)


def _has_target(df: pd.DataFrame) -> pd.Series:
    return _each(df[L.TARGET], lambda v: key(v) != "")


def _one_of(code: str, allowed: tuple[str, ...]) -> pa.Check:
    choices = set(allowed)
    return pa.Check(lambda s: _each(s, lambda v: v in choices), name=code)


def submission_schema(
    grade_codes: tuple[str, ...], graded_per_project: bool = False
) -> pa.DataFrameSchema:
    """Schema for the merged, normalised rows of one plan (grades come from its master). With
    `graded_per_project` every row is a project planned this year, so every row needs a grade."""
    lowest = grade_codes[-1]

    def actual_is_number(df: pd.DataFrame) -> pd.Series:
        """V01: a numeric target's 実績値 is a number or empty."""
        ok = pd.Series(
            [v is None or isinstance(v, Decimal) for v in df[ACTUAL_VALUE].tolist()],
            index=df.index,
            dtype=bool,
        )
        return ok | ~_is_numeric_row(df)

    def actual_in_range(df: pd.DataFrame) -> pd.Series:
        """V14: within what Excel keeps exactly."""
        values = df[ACTUAL_VALUE].tolist()
        ok = [not isinstance(v, Decimal) or abs(v) < MAX_MAGNITUDE for v in values]
        return pd.Series(ok, index=df.index, dtype=bool)

    def grade_present(df: pd.DataFrame) -> pd.Series:
        """V05: a graded row has its 自己評価."""
        if graded_per_project:
            return df[GRADE_CODE].notna()
        return df[GRADE_CODE].notna() | ~_has_target(df)

    def issues_when_lowest(df: pd.DataFrame) -> pd.Series:
        """V08: the lowest grade comes with its 課題."""
        return df[L.ISSUES].notna() | (df[GRADE_CODE] != lowest)

    text = pa.Column(object, nullable=True)
    return pa.DataFrameSchema(
        {
            FILE: pa.Column(object, nullable=False),
            ROW: pa.Column("int64"),  # ≥ 1: checked by schemas.frames as normalise takes the rows
            L.NUMBER: text,
            L.TARGET: text,
            L.DIRECTION: text,
            ACTUAL_VALUE: text,
            GRADE_CODE: pa.Column(object, _one_of("V06", grade_codes), nullable=True),
            L.WORK_DONE: pa.Column(object, nullable=True),
            L.ISSUES: text,
            OUTLOOK_CHOICE: pa.Column(object, _one_of("V09", L.OUTLOOK_CHOICES), nullable=True),
        },
        # ignore_na=False: a row is never all empty (its file is named), so ignoring such rows
        # changes nothing, and pandera would look for them on the whole frame once per check
        checks=[
            pa.Check(actual_is_number, name="V01", ignore_na=False),
            pa.Check(actual_in_range, name="V14", ignore_na=False),
            pa.Check(grade_present, name="V05", ignore_na=False),
            pa.Check(lambda df: df[L.WORK_DONE].notna(), name="V07", ignore_na=False),
            pa.Check(issues_when_lowest, name="V08", ignore_na=False),
            pa.Check(lambda df: df[OUTLOOK_CHOICE].notna(), name="V12", ignore_na=False),
        ],
        strict=False,
        name="進捗状況の行",
    )
