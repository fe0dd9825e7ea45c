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

from pipeline import face, paths
from pipeline.errors import UsageError
from pipeline.model import Plan, Report

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

    root = paths.submissions(submissions)
    return batch.validate(paths.master(master), root, _year(year), None)


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
    history = paths.as_path(store, "履歴ファイル（store）") if store is not None else None
    target = paths.as_path(out, "出力先（out）") if out is not None else None
    options = Options(percent=percent, store=history)
    return batch.run(
        paths.master(master), paths.submissions(submissions), _year(year), target, options
    )


@_library_face
def read_plan(master: str | Path) -> Plan:
    """The plan of a master workbook (PlanError, a ShinchokuError, lists what is wrong)."""
    from pipeline.plan import read_plan as read

    return read(paths.master(master))


@_library_face
def make_templates(master: str | Path, year: int | str, out: str | Path) -> list[Path]:
    """One progress workbook per department of `year`, written into `out`."""
    from pipeline.templates import make_templates as make

    return make(paths.master(master), _year(year), paths.as_path(out, "出力先（out）")).paths


def _year(year: Year) -> int:
    from pipeline.years import YearError, parse_fiscal_year

    if isinstance(year, int) and not isinstance(year, bool):
        return year
    try:
        return parse_fiscal_year(str(year))
    except YearError:
        raise UsageError(f"年度「{year}」を読み取れません（例: 2024、令和6年度、R6）。") from None
