"""normalise's shared paths (normalise._Memo, the typed text columns, the blank 単位): a value
worked out once must be answered for itself whatever came before it — a blank cell first, or a
value that cannot be a dictionary key — and a blank 単位 is no unit at all, not a word."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import labels as L
from pipeline.model import ACTUAL_VALUE, FILE, ROW, SubmittedFile
from pipeline.normalise import _Memo, normalise
from schemas.frames import MatchedRows
from tests.stageframes import complete
from tests.test_normalise_rows import GRADES

FILES = {"a.xlsx": SubmittedFile("a.xlsx", 1, "", columns=((L.ACTUAL, "H"),))}
VALUES = st.one_of(
    st.none(),
    st.sampled_from(["定性", "増加", " 定性 ", "", 0, 1, True, 1.0]),
    st.lists(st.sampled_from(["A", 1]), max_size=2),  # not hashable
)


def _normalised(rows: list[tuple[object, ...]]) -> tuple[pd.DataFrame, list[str]]:
    """rows: (単位, 方向, 実績値, 取組内容) of one file."""
    columns = [FILE, ROW, L.NUMBER, L.UNIT, L.DIRECTION, L.ACTUAL, L.WORK_DONE]
    records = [("a.xlsx", 7 + i, f"1-{i}", *row) for i, row in enumerate(rows)]
    frame = pd.DataFrame(records, columns=columns, dtype=object)
    typed, findings = normalise(complete(frame, MatchedRows), GRADES, FILES)
    return typed, [f.rule for f in findings]


@settings(max_examples=40, deadline=None)
@given(st.lists(VALUES, max_size=8))
def test_a_memo_answers_each_value_as_its_own_parse(values: list[Any]) -> None:
    """Blanks and unhashable values included; keyed, as normalise keys it, by (kind, value)
    (1, True and 1.0 are equal as keys, not as cells)."""
    memo = _Memo(lambda kind_and_value: repr(kind_and_value[1]))
    assert [memo((type(v), v)) for v in values] == [repr(v) for v in values]
    blank_first = _Memo(repr)
    assert [blank_first(v) for v in (None, "定性", ["A"], "増加")] == [
        "None", "'定性'", "['A']", "'増加'",
    ]  # fmt: skip


def test_a_qualitative_target_after_a_project_without_targets_is_kept_as_text() -> None:
    """The project without 指標 has no 方向 (blank): the 定性 target after it is still 定性, so
    its 実績 '1千' stays the words typed, with no 万/千 warning (V10)."""
    typed, rules = _normalised(
        [
            (None, None, None, "周知した"),
            (None, "定性", " 1千 ", "策定した"),
            ("件", "増加", "2千", ""),
        ]
    )
    assert typed[ACTUAL_VALUE].tolist()[:2] == [None, "1千"]
    assert str(typed[ACTUAL_VALUE].tolist()[2]) == "2000"
    assert rules == ["V10"]  # the 増加 target's 2千 only


@pytest.mark.parametrize("typed", ["12None", "12 None", "12XXXX", "12kg"])
def test_with_a_blank_unit_a_number_followed_by_a_word_is_kept_as_typed(typed: str) -> None:
    """A blank 単位 strips no word from the 実績 (the word may say the number is not the
    target's: the department is asked, V-rules quote it as typed)."""
    typed_rows, _ = _normalised([(None, "増加", typed, "")])
    assert typed_rows[ACTUAL_VALUE].tolist() == [typed]


def test_an_unhashable_text_cell_is_parsed_as_it_is() -> None:
    """A text column holding a value that cannot be a dictionary key (never from a workbook,
    but normalise takes any frame) is parsed like the rest, not dropped."""
    typed, _ = _normalised([(None, None, None, ["a"]), (None, None, None, " b ")])
    assert typed[L.WORK_DONE].tolist() == ["['a']", "b"]
