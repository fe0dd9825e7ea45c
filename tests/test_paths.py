"""The checks of the paths a user gives (pipeline/paths.py): one message, what and where."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline import face, paths
from pipeline.errors import UsageError


def test_each_path_is_given_back_when_it_is_there_and_of_its_kind(tmp_path: Path) -> None:
    book = tmp_path / "計画マスタ.xlsx"
    book.write_bytes(b"")
    assert paths.master(str(book)) == book and paths.store(book) == book
    assert paths.submissions(str(tmp_path)) == tmp_path


@pytest.mark.parametrize(
    ("check", "given", "said"),
    [
        (
            paths.master,
            "ない.xlsx",
            "計画マスタ「{}」が見つかりません。ファイルの場所を確認してください。",
        ),
        (
            paths.submissions,
            "ない",
            "提出フォルダ「{}」が見つかりません。フォルダの場所を確認してください。",
        ),
        (paths.master, "", "計画マスタ「{}」はフォルダです。ファイルを指定してください。"),
        (
            paths.submissions,
            "f.xlsx",
            "提出フォルダ「{}」はファイルです。フォルダを指定してください。",
        ),
    ],
)
def test_a_missing_or_wrong_kind_of_path_says_what_and_where_to_look(
    check: Callable[[object], Path], given: str, said: str, tmp_path: Path
) -> None:
    (tmp_path / "f.xlsx").write_bytes(b"")
    path = tmp_path / given
    with pytest.raises(UsageError) as raised:
        check(path)
    assert str(raised.value) == said.format(path)
    assert raised.value.exit_code == 2


def test_a_missing_store_names_the_option_of_the_face_in_use(tmp_path: Path) -> None:
    gone = tmp_path / "h.sqlite3"
    with pytest.raises(UsageError, match="--db で場所を指定するか、先に run で記録して"):
        paths.store(gone)
    with face.library(), pytest.raises(UsageError, match="store= で場所を指定するか"):
        paths.store(gone)


@pytest.mark.parametrize("value", [None, 3, ""])
def test_a_value_that_is_not_a_path_is_named(value: object) -> None:
    with pytest.raises(UsageError, match="計画マスタの場所を文字列か Path で指定してください"):
        paths.master(value)
