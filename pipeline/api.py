"""The library face (SPEC "Python library"): what `import pipeline` offers a notebook.

Each function takes paths as `str` or `Path` and a year as an `int` or any text the command
line accepts (2024, 令和6年度, R6), and returns plain data: a `Report` with DataFrames, a `Plan`,
a list of paths. Every reason to stop is a ShinchokuError with a Japanese message.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pipeline.errors import UsageError
from pipeline.model import Plan, Report

PathLike = str | Path
Year = int | str
Percent = Literal["half-up", "largest-remainder"]
PERCENT_METHODS: tuple[Percent, ...] = ("half-up", "largest-remainder")


def validate(master: PathLike, submissions: PathLike, year: Year) -> Report:
    """Check a folder of submissions against the plan: every finding, the 提出状況 lines and
    the rows counted, as a Report. Writes nothing."""
    from pipeline import batch

    root = _folder(submissions)
    return batch.validate(_master(master), root, _year(year), None)


def run(
    master: PathLike,
    submissions: PathLike,
    year: Year,
    out: PathLike | None = None,
    *,
    percent: Percent = "half-up",
    store: PathLike | None = None,
) -> Report:
    """Validate and aggregate: the Report with its figures and `tables` (each CSV as a
    DataFrame). With `out`, the committee workbook, the CSV files and the feedback are written
    there and the run is recorded in `store`; without it nothing at all is written (an existing
    store is only read, for last year's figures and the trend)."""
    from pipeline import batch
    from pipeline.options import Options

    if percent not in PERCENT_METHODS:
        raise UsageError(f"percent は {' / '.join(PERCENT_METHODS)} のどれかにしてください。")
    options = Options(percent=percent, store=Path(store) if store is not None else None)
    target = Path(out) if out is not None else None
    return batch.run(_master(master), _folder(submissions), _year(year), target, options)


def read_plan(master: PathLike) -> Plan:
    """The plan of a master workbook (PlanError, a ShinchokuError, lists what is wrong)."""
    from pipeline.plan import read_plan as read

    return read(_master(master))


def make_templates(master: PathLike, year: Year, out: PathLike) -> list[Path]:
    """One progress workbook per department of `year`, written into `out`."""
    from pipeline.templates import make_templates as make

    return make(_master(master), _year(year), Path(out)).paths


def _master(master: PathLike) -> Path:
    return _existing(Path(master), Path.is_file, "計画マスタ", "ファイル")


def _folder(submissions: PathLike) -> Path:
    return _existing(Path(submissions), Path.is_dir, "提出フォルダ", "フォルダ")


def _existing(path: Path, exists: Callable[[Path], bool], what: str, kind: str) -> Path:
    """`path` when it is there; else a ShinchokuError naming it (not a traceback later)."""
    if not exists(path):
        raise UsageError(f"{what}「{path}」が見つかりません。{kind}の場所を確認してください。")
    return path


def _year(year: Year) -> int:
    from pipeline.years import YearError, parse_fiscal_year

    if isinstance(year, int) and not isinstance(year, bool):
        return year
    try:
        return parse_fiscal_year(str(year))
    except YearError:
        raise UsageError(f"年度「{year}」を読み取れません（例: 2024、令和6年度、R6）。") from None
