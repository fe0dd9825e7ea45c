"""`templates` never overwrites a file it did not write: a template already in DIR is written
again only while it is byte for byte what shinchoku wrote (its folder's `.shinchoku` marker lists
it with that SHA-256). A department may fill its template in place on a shared drive; writing the
templates again there used to replace the filled ones with blank ones (exit 0)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import pipeline
from pipeline.cli import main
from pipeline.errors import OverwriteError, UsageError
from pipeline.outdir import MARKER, written_by_shinchoku
from pipeline.templates import template_path
from tests.hostile import DEPARTMENT, OTHER, YEAR, Base, make_base


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return make_base(tmp_path_factory.mktemp("base"))


def _templates(base: Base, out: Path) -> Result:
    return CliRunner().invoke(
        main, ["templates", str(base.master), "--year", str(YEAR), "--out", str(out)]
    )


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file in `folder` (the marker included) and its bytes; each folder (None)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None
        for p in folder.rglob("*")
    }


def test_a_template_filled_in_place_is_refused_and_left_as_it_is(
    base: Base, tmp_path: Path
) -> None:
    out = tmp_path / "提出"
    assert _templates(base, out).exit_code == 0
    filled = template_path(out, DEPARTMENT, YEAR, base.plan)
    shutil.copy(base.filled, filled)  # the department saved its answers over the template
    before = _snapshot(out)
    result = _templates(base, out)
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert f"出力先 {out} の次のファイル" in result.output and filled.name in result.output
    assert "記入済み" in result.output and "別のフォルダを指定するか" in result.output
    assert "作成しました" not in result.output and "Traceback" not in result.output
    # nothing written at all: the filled file, the other (blank) template, the marker
    assert _snapshot(out) == before


def test_a_file_of_that_name_shinchoku_did_not_write_is_refused(base: Base, tmp_path: Path) -> None:
    out = tmp_path / "配布"
    theirs = template_path(out, OTHER, YEAR, base.plan)
    theirs.parent.mkdir()
    theirs.write_bytes(b"a workbook of the department's own")
    with pytest.raises(OverwriteError) as refused:
        pipeline.make_templates(base.master, YEAR, out)
    assert isinstance(refused.value, UsageError) and refused.value.exit_code == 2
    assert refused.value.paths == [theirs]
    assert theirs.name in str(refused.value)
    assert theirs.read_bytes() == b"a workbook of the department's own"
    assert list(out.iterdir()) == [theirs]  # no template written, no marker


def test_a_marker_listing_it_without_its_digest_is_not_enough(base: Base, tmp_path: Path) -> None:
    """A marker of an output folder lists files by name only: it says nothing of a template
    that has the name of one of them."""
    out = tmp_path / "配布"
    filled = template_path(out, DEPARTMENT, YEAR, base.plan)
    out.mkdir()
    shutil.copy(base.filled, filled)
    record = {"command": "run", "written_at": "", "files": [filled.name]}
    (out / MARKER).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    before = _snapshot(out)
    result = _templates(base, out)
    assert result.exit_code == 2 and filled.name in result.output
    assert _snapshot(out) == before


def test_a_file_named_like_the_marker_that_is_not_one_is_refused(
    base: Base, tmp_path: Path
) -> None:
    out = tmp_path / "配布"
    out.mkdir()
    (out / MARKER).write_text("配布先の控え", encoding="utf-8")
    with pytest.raises(OverwriteError) as refused:
        pipeline.make_templates(base.master, YEAR, out)
    assert refused.value.paths == [out / MARKER]
    assert [p.name for p in out.iterdir()] == [MARKER]
    assert (out / MARKER).read_text(encoding="utf-8") == "配布先の控え"


def test_templates_as_written_are_written_again(base: Base, tmp_path: Path) -> None:
    out = tmp_path / "配布"
    first = pipeline.make_templates(base.master, YEAR, out)
    (out / "配布メモ.txt").write_text("送付先一覧", encoding="utf-8")  # beside them: untouched
    result = _templates(base, out)
    assert result.exit_code == 0, result.output
    assert f"進捗状況シートを {len(first)} 件作成しました" in result.output
    written = written_by_shinchoku(out)
    assert written is not None
    assert all(written.unchanged(out, p.name) for p in first)
    assert (out / "配布メモ.txt").read_text(encoding="utf-8") == "送付先一覧"


def test_the_message_names_the_first_few_and_the_count(tmp_path: Path) -> None:
    paths = [tmp_path / "提出" / f"進捗状況_{n}課_2024年度.xlsx" for n in "ABCDE"]
    text = str(OverwriteError(tmp_path, paths))
    assert "提出/進捗状況_A課_2024年度.xlsx、提出/進捗状況_B課_2024年度.xlsx、" in text
    assert "提出/進捗状況_C課_2024年度.xlsx など 5 件" in text
    assert "D課" not in text
    one = str(OverwriteError(tmp_path, paths[:1]))
    assert "提出/進捗状況_A課_2024年度.xlsx。" in one and "件" not in one
