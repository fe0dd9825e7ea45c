"""The `.shinchoku` marker (outdir.py) beside templates: it lists them with their SHA-256, so an
output folder never replaces a template a department filled in place."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.outdir import MARKER, FolderError, check_folder, written_by_shinchoku
from pipeline.templates import make_templates, template_path
from tests.hostile import YEAR, Base, make_base


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return make_base(tmp_path_factory.mktemp("base"))


def test_templates_are_listed_with_their_hash(base: Base, tmp_path: Path) -> None:
    made = make_templates(base.master, YEAR, tmp_path)
    written = written_by_shinchoku(tmp_path)
    assert written is not None and written.command == "templates"
    assert written.files == {p.name for p in made.paths}
    assert all(written.owns(tmp_path, p.name) for p in made.paths)
    assert not list(tmp_path.glob(f"{MARKER}.*"))  # no part file left beside it


def test_a_template_filled_in_place_is_not_replaced_by_an_output(
    base: Base, tmp_path: Path
) -> None:
    folder = tmp_path / "配布"
    make_templates(base.master, YEAR, folder)
    check_folder(folder)  # blank templates only: shinchoku's, may be replaced
    shutil.copy(base.filled, template_path(folder, "A課", YEAR, base.plan))
    with pytest.raises(FolderError) as refused:
        check_folder(folder)
    assert "進捗状況_A課_2025年度.xlsx など 1 件" in str(refused.value)


@pytest.mark.parametrize("text", ["", "[]", '{"files": 3}', '{"command": "run"}', "壊れた"])
def test_a_broken_marker_is_no_marker(tmp_path: Path, text: str) -> None:
    (tmp_path / MARKER).write_text(text, encoding="utf-8")
    assert written_by_shinchoku(tmp_path) is None


def test_an_output_folders_marker_has_no_hashes(tmp_path: Path) -> None:
    (tmp_path / MARKER).write_text(
        json.dumps({"command": "run", "written_at": "", "files": ["a.csv"]}), encoding="utf-8"
    )
    written = written_by_shinchoku(tmp_path)
    assert written is not None and written.owns(tmp_path, "a.csv")
    assert not written.owns(tmp_path, "b.csv")
