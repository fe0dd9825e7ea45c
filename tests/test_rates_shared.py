"""with_rates works each distinct case out once (rates.py, _rate_of): every row must still get
exactly the rate achievement and round_half_up give it alone — equal numbers spelled apart
(80, 80.0, 8E+1) included, and text or no value left without a rate."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.model import ACTUAL_VALUE, PLAN_NUMBER, RATE, RATE_SHOWN, TARGET_SEQ, Plan
from pipeline.model import ZERO_DENOMINATOR as ZERO
from pipeline.rates import achievement, round_half_up, with_rates
from schemas.frames import TypedRows
from tests.stageframes import complete
from tests.test_rates_rows import rated_plan

ACTUALS = st.sampled_from(
    [
        *(Decimal(t) for t in ("80", "80.0", "8E+1", "0", "-0", "800", "799.95", "0.00")),
        "未集計",
        None,
    ]
)


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return rated_plan(tmp_path_factory.mktemp("plan"))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.integers(1, 4), ACTUALS), max_size=15))
def test_each_row_gets_the_rate_it_would_get_alone(
    plan: Plan, rows: list[tuple[int, object]]
) -> None:
    frame = pd.DataFrame(
        [("1-1", seq, actual) for seq, actual in rows],
        columns=[PLAN_NUMBER, TARGET_SEQ, ACTUAL_VALUE],
        dtype=object,
    )
    rated = with_rates(complete(frame, TypedRows), plan, 2024)
    for (seq, actual), rate, shown, zero in zip(
        rows, rated[RATE].tolist(), rated[RATE_SHOWN].tolist(), rated[ZERO].tolist(), strict=True
    ):
        target = plan.target("1-1", seq)
        assert target is not None
        alone = achievement(target.direction, target.baseline, target.value_for(2024), actual)
        assert (rate, zero) == (alone.value, alone.zero_denominator)
        expected = None if alone.value is None else round_half_up(alone.value)
        assert repr(shown) == repr(expected)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.sampled_from([None, "1-1"]), st.integers(0, 4), ACTUALS),
        min_size=1,
        max_size=8,
    )
)
def test_rows_without_a_target_anywhere_get_no_rate_and_the_rest_theirs(
    plan: Plan, rows: list[tuple[str | None, int, object]]
) -> None:
    """A row matched to no target (no 整理番号, or a project without 指標: seq 0) has no rate,
    wherever it comes; the rows after it still get theirs."""
    frame = pd.DataFrame(rows, columns=[PLAN_NUMBER, TARGET_SEQ, ACTUAL_VALUE], dtype=object)
    rated = with_rates(complete(frame, TypedRows), plan, 2024)
    expected = []
    for number, seq, actual in rows:
        target = plan.target(number, seq) if number is not None else None
        if target is None:
            expected.append((None, None, False))
            continue
        alone = achievement(target.direction, target.baseline, target.value_for(2024), actual)
        shown = None if alone.value is None else round_half_up(alone.value)
        expected.append((alone.value, shown, alone.zero_denominator))
    got = zip(rated[RATE], rated[RATE_SHOWN], rated[ZERO], strict=True)
    assert [repr(g) for g in got] == [repr(e) for e in expected]


def test_an_unhashable_actual_gets_its_own_answer_and_the_cases_after_it_theirs() -> None:
    """A value no dictionary can key (a list, as a reader's bug might pass on) is worked out as
    it is — no rate, not a crash — and is not kept: the next cases are still shared."""
    from pipeline.rates import _rate_of

    known: dict[object, object] = {}
    odd = ("増加", None, Decimal(10), [5])
    assert _rate_of(odd, known) == (None, None, False)  # type: ignore[arg-type]
    assert known == {}
    plain = ("増加", None, Decimal(10), Decimal(5))
    first = _rate_of(plain, known)  # type: ignore[arg-type]
    assert first == (achievement(*plain).value, Decimal("50.0"), False)
    assert known == {plain: first}
