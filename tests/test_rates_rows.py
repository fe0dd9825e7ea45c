"""rates.with_rates over matched rows: each row's exact rate, its one-decimal display and the
zero-denominator flag, computed from the plan's target of that year (the figures and the
consistency checks both read these columns)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd

from pipeline.model import (
    ACTUAL_VALUE,
    PLAN_NUMBER,
    RATE,
    RATE_SHOWN,
    TARGET_SEQ,
    ZERO_DENOMINATOR,
    Plan,
)
from pipeline.rates import with_rates
from schemas.frames import TypedRows
from tests.builders import master_sheets, write_plan
from tests.stageframes import complete


def rated_plan(folder: Path) -> Plan:
    """A project with a target of each kind: 増加, 減少 from a baseline, 減少 to 0, 定性."""
    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[["1-1", "事業", "1-(1)", "A課", "", "", ""]],
        targets=[
            ["1-1", "件数", "件", "増加", "", "90", "300"],
            ["1-1", "排出量", "g", "減少", "900", "700", "800"],
            ["1-1", "待機", "人", "減少", "", "10", "0"],
            ["1-1", "指針", "", "定性", "", "検討", "策定"],
        ],
        years=[2023, 2024],
    )
    return write_plan(sheets, folder)[1]


def test_each_row_gets_the_rate_of_its_own_target_and_year(tmp_path: Path) -> None:
    plan = rated_plan(tmp_path)
    rows = pd.DataFrame(
        [
            ("1-1", 1, Decimal(200)),  # 200/300: 66.666…
            ("1-1", 2, Decimal(820)),  # (900-820)/(900-800) = 80
            ("1-1", 3, Decimal(5)),  # target 0 this year: 0/5
            ("1-1", 3, Decimal(0)),  # 0/0: no rate, and the zero denominator is said
            ("1-1", 4, "策定"),
            ("1-1", 1, None),
            (None, None, Decimal(5)),  # unmatched row
        ],
        columns=[PLAN_NUMBER, TARGET_SEQ, ACTUAL_VALUE],
        index=[10, 11, 12, 13, 14, 15, 16],
        dtype=object,  # as the matched frame holds them
    )
    rows = complete(rows, TypedRows)  # every other column of a normalised row: empty
    rated = with_rates(rows, plan, 2024)
    assert list(rated.index) == [10, 11, 12, 13, 14, 15, 16]
    assert rated[RATE].tolist() == [
        Fraction(200, 3),
        Fraction(80),
        Fraction(0),
        None,
        None,
        None,
        None,
    ]
    assert rated[RATE_SHOWN].tolist() == [
        Decimal("66.7"),
        Decimal("80.0"),
        Decimal("0.0"),
        None,
        None,
        None,
        None,
    ]
    assert rated[ZERO_DENOMINATOR].tolist() == [False, False, False, True, False, False, False]
    assert ACTUAL_VALUE in rated and RATE not in rows  # the input frame is left as it was
    last_year = with_rates(rows.iloc[:2], plan, 2023)
    assert last_year[RATE].tolist() == [Fraction(2000, 9), Fraction(80, 200) * 100]
    # a folder with no row counted (B07): no rates, and the flag column still of booleans
    none = with_rates(rows.iloc[:0], plan, 2024)
    assert none.empty and list(none.columns[-3:]) == [RATE, RATE_SHOWN, ZERO_DENOMINATOR]
    assert none[ZERO_DENOMINATOR].dtype == bool
