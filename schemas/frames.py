"""The frames that pass from one stage to the next, each a pandera model (columns, dtypes,
nullability), each a superset of the one before — by inheritance:

    RawRows      one submission's rows, by header label, values as typed
    MatchedRows  + the plan's 整理番号 and the target each row matched
    TypedRows    + typed 実績値, 評価 and 今後の方向性
    RatedRows    + 達成率 (exact and shown) and the zero-denominator flag

Where each is made and checked on every batch:
- RawRows: in a worker, a file's rows stay plain lists (model.PlainSubmission) and are matched
  there (checks.integrity.match_grid): no frame crosses a process. The model is the contract of
  ingest.reader's frame for one file (read_submission, checks.integrity.match_rows: the
  library's one-file path and the tests), checked by the tests (check_raw).
- MatchedRows: made in the main process from every file in use (checks.files.use_files ->
  pipeline.frames.matched_frame); checked as normalise.normalise takes it.
- TypedRows: normalise.normalise's result; checked as it returns (checks.values.check_values
  and checks.rows.row_state read it).
- RatedRows: rates.with_rates's result on the rows counted; checked as it returns
  (checks.consistency.check_consistency and figures.compute read it).

The checks are cheap on purpose (column presence, dtype, nulls, one vectorised bound). What a
*valid submitted value* is lives in
schemas/submission.py (the rules users see as findings); a frame failing a model here is a
defect in shinchoku, reported as FrameError naming the stage and what is wrong.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline import labels as L
from pipeline.model import (
    ACTUAL_VALUE,
    FILE,
    GRADE_CODE,
    OUTLOOK_CHOICE,
    PERCENT,
    PLAN_NUMBER,
    RATE,
    RATE_SHOWN,
    ROW,
    TARGET_SEQ,
    ZERO_DENOMINATOR,
)


def _cell(label: str) -> Any:
    """A sheet column read as typed: any value, or None."""
    return pa.Field(alias=label, nullable=True)


class RawRows(pa.DataFrameModel):
    """One submission's non-empty rows below the header (ingest.reader). Every TEMPLATE_COLUMNS
    label is there (None where a layout has no such column); a layout's other labels may follow.
    """

    file: Series[object] = pa.Field(alias=FILE)  # the path shown, relative to SUBMISSIONS
    row: Series[int] = pa.Field(alias=ROW, ge=1)  # 1-based sheet row
    number: Series[object] = _cell(L.NUMBER)
    project_name: Series[object] = _cell(L.PROJECT_NAME)
    target_name: Series[object] = _cell(L.TARGET_NAME)
    unit: Series[object] = _cell(L.UNIT)
    direction: Series[object] = _cell(L.DIRECTION)
    baseline: Series[object] = _cell(L.BASELINE)
    target: Series[object] = _cell(L.TARGET)
    actual: Series[object] = _cell(L.ACTUAL)
    rate: Series[object] = _cell(L.RATE)
    grade: Series[object] = _cell(L.GRADE)
    work_done: Series[object] = _cell(L.WORK_DONE)
    issues: Series[object] = _cell(L.ISSUES)
    outlook: Series[object] = _cell(L.OUTLOOK)
    percent: Series[bool] = pa.Field(alias=PERCENT)  # 実績値 shown with a percent format

    class Config:
        name = "読み取った行 (RawRows)"
        strict = False  # a layout's own columns (取組主体, 協働の相手, …) may follow
        coerce = False


class MatchedRows(RawRows):
    """Raw rows tied to the plan (checks.integrity.match_rows): None where a row matched no
    target of the department (its finding says why)."""

    target_seq: Series[object] = pa.Field(alias=TARGET_SEQ, nullable=True)  # int; 0: no target
    plan_number: Series[object] = pa.Field(alias=PLAN_NUMBER, nullable=True)  # master's spelling

    class Config:
        name = "計画と照合した行 (MatchedRows)"


class TypedRows(MatchedRows):
    """Matched rows with typed values (normalise): Decimal, None or the text as typed."""

    actual_value: Series[object] = pa.Field(alias=ACTUAL_VALUE, nullable=True)
    grade_code: Series[object] = pa.Field(alias=GRADE_CODE, nullable=True)
    outlook_choice: Series[object] = pa.Field(alias=OUTLOOK_CHOICE, nullable=True)

    class Config:
        name = "値を解釈した行 (TypedRows)"


class RatedRows(TypedRows):
    """Counted rows with each one's 達成率 (rates.with_rates): exact Fraction and the half-up
    one-decimal Decimal, None where there is none."""

    rate_exact: Series[object] = pa.Field(alias=RATE, nullable=True)
    rate_shown: Series[object] = pa.Field(alias=RATE_SHOWN, nullable=True)
    zero_denominator: Series[bool] = pa.Field(alias=ZERO_DENOMINATOR)

    class Config:
        name = "達成率を加えた行 (RatedRows)"


class FrameError(RuntimeError):
    """A frame that does not have the shape the next stage expects: a defect in shinchoku, not
    in a submission. The message names the model and what is wrong."""


_SCHEMAS: dict[type[pa.DataFrameModel], pa.DataFrameSchema] = {}


def schema_of(model: type[pa.DataFrameModel]) -> pa.DataFrameSchema:
    """The model's schema, built once."""
    if model not in _SCHEMAS:
        _SCHEMAS[model] = model.to_schema()
    return _SCHEMAS[model]


def check(frame: pd.DataFrame, model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """`frame` itself when it fits `model`; FrameError otherwise."""
    schema = schema_of(model)
    missing = [c for c in schema.columns if c not in frame.columns]
    if missing:
        raise FrameError(f"{schema.name}: 列 {', '.join(map(repr, missing))} がありません")
    try:
        schema.validate(frame, lazy=False, inplace=True)
    except pa.errors.SchemaError as error:
        raise FrameError(f"{schema.name}: {error}") from None
    return frame


def check_raw(frame: pd.DataFrame) -> pd.DataFrame:
    """A reader's rows (RawRows)."""
    return check(frame, RawRows)


def check_matched(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows matched to the plan (MatchedRows)."""
    return check(frame, MatchedRows)


def check_typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Normalised rows (TypedRows)."""
    return check(frame, TypedRows)


def check_rated(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with their rates (RatedRows)."""
    return check(frame, RatedRows)
