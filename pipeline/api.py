"""The library face (SPEC "Python library"): what `import pipeline` offers a notebook.

Each function takes paths as `str` or `Path` and a year as an `int` or any text the command
line accepts (2024, 令和6年度, R6), and returns plain data: a `Report` with DataFrames, a `Plan`,
a list of paths. Every reason to stop is a ShinchokuError with a Japanese message.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Literal, ParamSpec, TypeVar

from pipeline import face
from pipeline.errors import UsageError
from pipeline.model import Plan, Report

PathLike = str | Path
Year = int | str
Percent = Literal["half-up", "largest-remainder"]
PERCENT_METHODS: tuple[Percent, ...] = ("half-up", "largest-remainder")
P = ParamSpec("P")
R = TypeVar("R")


def _library_face(function: Callable[P, R]) -> Callable[P, R]:
    """Messages made during the call name the library's arguments (`year=2022`), not the
    command line's options (face.py)."""

    @functools.wraps(function)
    def called(*args: P.args, **kwargs: P.kwargs) -> R:
        with face.library():
            return function(*args, **kwargs)

    return called


@_library_face
def validate(master: str | Path, submissions: str | Path, year: int | str) -> Report:
    """Check a folder of submissions against the plan: every finding, the 提出状況 lines and
    the rows counted, as a Report. Writes nothing."""
    from pipeline import batch

    root = _folder(submissions)
    return batch.validate(_master(master), root, _year(year), None)


@_library_face
def run(
    master: str | Path,
    submissions: str | Path,
    year: int | str,
    out: str | Path | None = None,
    *,
    percent: Literal["half-up", "largest-remainder"] = "half-up",
    store: str | Path | None = None,
) -> Report:
    """Validate and aggregate: the Report with its figures and `tables` (each CSV as a
    DataFrame). With `out`, the committee workbook, the CSV files and the feedback are written
    there and the run is recorded in `store`; without it nothing at all is written (an existing
    store is only read, for last year's figures and the trend)."""
    from pipeline import batch
    from pipeline.options import Options

    if percent not in PERCENT_METHODS:
        raise UsageError(f"percent は {' / '.join(PERCENT_METHODS)} のどれかにしてください。")
    history = _path(store, "履歴ファイル（store）") if store is not None else None
    target = _path(out, "出力先（out）") if out is not None else None
    options = Options(percent=percent, store=history)
    return batch.run(_master(master), _folder(submissions), _year(year), target, options)


@_library_face
def read_plan(master: str | Path) -> Plan:
    """The plan of a master workbook (PlanError, a ShinchokuError, lists what is wrong)."""
    from pipeline.plan import read_plan as read

    return read(_master(master))


@_library_face
def make_templates(master: str | Path, year: int | str, out: str | Path) -> list[Path]:
    """One progress workbook per department of `year`, written into `out`."""
    from pipeline.templates import make_templates as make

    return make(_master(master), _year(year), _path(out, "出力先（out）")).paths


def _master(master: PathLike) -> Path:
    return _existing(_path(master, "計画マスタ"), Path.is_file, "計画マスタ", "ファイル")


def _folder(submissions: PathLike) -> Path:
    return _existing(_path(submissions, "提出フォルダ"), Path.is_dir, "提出フォルダ", "フォルダ")


def _existing(path: Path, exists: Callable[[Path], bool], what: str, kind: str) -> Path:
    """`path` when it is there and of its kind; else a ShinchokuError naming it (not a
    traceback later)."""
    if exists(path):
        return path
    if path.exists():
        other = "フォルダ" if path.is_dir() else "ファイル"
        raise UsageError(f"{what}「{path}」は{other}です。{kind}を指定してください。")
    raise UsageError(f"{what}「{path}」が見つかりません。{kind}の場所を確認してください。")


def _path(value: object, what: str) -> Path:
    """`value` as a Path; anything else (None, a number) as a ShinchokuError."""
    if not isinstance(value, str | Path) or not str(value):
        raise UsageError(f"{what}の場所を文字列か Path で指定してください（{value!r}）。")
    return Path(value)


def _year(year: Year) -> int:
    from pipeline.years import YearError, parse_fiscal_year

    if isinstance(year, int) and not isinstance(year, bool):
        return year
    try:
        return parse_fiscal_year(str(year))
    except YearError:
        raise UsageError(f"年度「{year}」を読み取れません（例: 2024、令和6年度、R6）。") from None
