"""File name parts as Windows compares them: names differing only in case must not share a file
(a trial slip compared them case-sensitively and the property test did not find it)."""

from __future__ import annotations

import pytest

from pipeline.text import file_name_parts


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["ABC課", "abc課"], ["ABC課", "abc課_2"]),
        (["abc課", "ABC課"], ["abc課", "ABC課_2"]),  # the upper-case name second
        (["x課", "ｘ課", "X課"], ["x課", "ｘ課", "X課_2"]),  # NFKC is not applied: only case
        (["ｄ課", "Ｄ課"], ["ｄ課", "Ｄ課_2"]),  # full-width letters fold too
    ],
)
def test_names_equal_but_for_case_get_distinct_file_names(
    names: list[str], expected: list[str]
) -> None:
    parts = file_name_parts(names)
    assert [parts[n] for n in names] == expected
