"""指摘事項: a cell with findings of several severities is coloured by the worst of them, so that an
エラー is never shown in a warning's or an information's colour. A trial slip that picked the
mildest passed the suite, as no fixture put an error and a warning on one cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline import labels as L
from pipeline.batch import Options, validate
from tests.hostile import YEAR, Base, edited, make_base, with_xml_cell

ERROR_FILL, WARNING_FILL = "FFC7CE", "FFEB9C"
NOT_COUNTED = "未集計".encode()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return make_base(tmp_path_factory.mktemp("base"))


def _feedback(out: Path) -> Path:
    (path,) = (out / L.FEEDBACK_SHEET).glob("*.xlsx")
    return path


def test_a_cell_with_an_error_and_a_warning_is_coloured_as_an_error(
    base: Base, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    # a formula whose shown value is text: V02 (warning, value used) and V01 (error, no number)
    cell = b'<c r="H8" t="str"><f>"' + NOT_COUNTED + b'"</f><v>' + NOT_COUNTED + b"</v></c>"
    with_xml_cell("H8", cell)(base, folder)
    report = validate(base.master, folder, YEAR, tmp_path / "out", Options(workers=1))
    at_h8 = sorted((f.rule, f.severity) for f in report.finding_list if f.cell == "H8")
    assert at_h8 == [("V01", L.ERROR), ("V02", L.WARNING)]
    sheet = load_workbook(_feedback(tmp_path / "out"))[L.PROGRESS_SHEET]
    assert sheet["H8"].fill.fgColor.rgb.endswith(ERROR_FILL)
    assert "V01" in sheet["H8"].comment.text and "V02" in sheet["H8"].comment.text


def test_a_cell_with_a_warning_only_is_coloured_as_a_warning(base: Base, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    edited({"H7": "1.2万"})(base, folder)  # V10: converted, to double-check
    validate(base.master, folder, YEAR, tmp_path / "out", Options(workers=1))
    sheet = load_workbook(_feedback(tmp_path / "out"))[L.PROGRESS_SHEET]
    assert sheet["H7"].fill.fgColor.rgb.endswith(WARNING_FILL)
