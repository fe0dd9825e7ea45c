"""schemas/frames.py: what each stage hands the next is a frame of its pandera model — read rows
(RawRows) ⊂ matched (MatchedRows) ⊂ typed (TypedRows) ⊂ rated (RatedRows) — and a frame missing
a column or of the wrong dtype is refused with a message naming the model and the column."""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest

from pipeline import labels as L
from pipeline.ingest.reader import empty_rows, read_submission
from pipeline.model import FILE, GRADE_CODE, PERCENT, PLAN_NUMBER, RATE, ROW, TARGET_SEQ
from pipeline.normalise import normalise
from pipeline.rates import with_rates
from pipeline.validate.identity import identify
from pipeline.validate.integrity import match_rows
from schemas.frames import (
    FrameError,
    MatchedRows,
    RatedRows,
    RawRows,
    TypedRows,
    check_matched,
    check_rated,
    check_raw,
    check_typed,
    schema_of,
)
from tests.builders import complete_row, master_sheets, submit_all, write_plan

MODELS = (RawRows, MatchedRows, TypedRows, RatedRows)


@pytest.fixture(scope="module")
def stages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    """Each stage's output for one filled submission, passed on as the batch passes it."""
    folder = tmp_path_factory.mktemp("stages")
    numbers = ["1-1", "1-2", "1-3"]
    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[[n, f"事業{n}", "1-(1)", "A課", "", "", ""] for n in numbers],
        targets=[
            ["1-1", "件数", "件", "増加", "", "100"],
            ["1-2", "回数", "回", "減少", "50", "40"],
            ["1-3", "方針", "", "定性", "", "策定"],
        ],
        years=[2024],
    )
    _, plan = write_plan(sheets, folder)
    values = {
        ("1-1", "件数"): complete_row("A", "１，２００件"),
        ("1-2", "回数"): complete_row("C", 45),
        ("1-3", "方針"): complete_row("B", "策定した"),
    }
    submissions = submit_all(plan, 2024, folder, values)
    path = next(submissions.glob("*.xlsx"))
    raw = read_submission(path, submissions, layout=plan.layout())
    identity = identify(raw.file, raw.rows, plan, 2024)
    assert identity.department == "A課"
    matched = match_rows(raw.file, raw.rows, plan, "A課", 2024).rows
    typed, _ = normalise(matched, plan.grades, {raw.file.path: raw.file})
    rated = with_rates(typed[typed[PLAN_NUMBER].notna()], plan, 2024)
    return {"raw": raw.rows, "matched": matched, "typed": typed, "rated": rated}


def test_each_stage_gives_a_frame_of_its_model(stages: dict[str, pd.DataFrame]) -> None:
    checks = (check_raw, check_matched, check_typed, check_rated)
    for (stage, frame), check in zip(stages.items(), checks, strict=True):
        assert check(frame) is frame, stage
        assert len(frame) == 3, stage
    assert stages["raw"][ROW].tolist() == [7, 8, 9]  # sheet rows, as integers
    assert stages["raw"][ROW].dtype == "int64" and stages["raw"][PERCENT].dtype == bool
    assert stages["matched"][TARGET_SEQ].tolist() == [1, 1, 1]
    assert stages["typed"]["actual"].tolist() == [Decimal(1200), Decimal(45), "策定した"]
    assert stages["rated"][RATE].tolist() == [Fraction(1200), Fraction(50), None]


def test_each_model_holds_every_column_of_the_one_before() -> None:
    for smaller, larger in itertools.pairwise(MODELS):
        assert issubclass(larger, smaller)
        before, after = schema_of(smaller).columns, schema_of(larger).columns
        assert set(before) < set(after), larger.__name__
        for name, column in before.items():  # same dtype and nullability downstream
            assert str(after[name].dtype) == str(column.dtype), name
            assert after[name].nullable == column.nullable, name


def test_an_empty_read_is_a_raw_frame_too() -> None:
    assert check_raw(empty_rows()).empty


def test_a_frame_missing_a_column_is_refused_naming_it(stages: dict[str, pd.DataFrame]) -> None:
    with pytest.raises(FrameError, match=r"TypedRows.*'grade'"):
        check_typed(stages["typed"].drop(columns=[GRADE_CODE]))
    with pytest.raises(FrameError, match=r"MatchedRows.*'target_seq', 'plan_number'"):
        normalise(stages["raw"], (), {})  # raw rows not yet matched to the plan
    with pytest.raises(FrameError, match=f"RawRows.*'{L.GRADE}'"):
        check_raw(stages["raw"].drop(columns=[L.GRADE]))


def test_a_column_of_the_wrong_dtype_or_with_nulls_is_refused(
    stages: dict[str, pd.DataFrame],
) -> None:
    raw = stages["raw"]
    with pytest.raises(FrameError, match=f"RawRows.*'{ROW}'.*int64"):
        check_raw(raw.assign(**{ROW: raw[ROW].astype(object)}))
    with pytest.raises(FrameError, match=f"RawRows.*'{FILE}'"):
        check_raw(raw.assign(**{FILE: None}))
    with pytest.raises(FrameError, match=f"RawRows.*'{ROW}'"):
        check_raw(raw.assign(**{ROW: 0}))  # sheet rows count from 1
