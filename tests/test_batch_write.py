"""The batch's tail as a library call (batch._produced): the garbage collector's thresholds are
the CLI's while the run works and the caller's again after it, whether the run ends well or
fails while writing (and then leaves no output folder)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

import pipeline
from pipeline import batch
from pipeline.demo import DEFAULT_PLAN, demo_master, demo_years
from pipeline.errors import OutputError
from pipeline.options import GC_THRESHOLDS
from pipeline.report import csvout
from tests.conftest import DemoRun


@pytest.fixture()
def demo(demo_run: DemoRun) -> tuple[Path, Path, int]:
    master = demo_master(demo_run.out, DEFAULT_PLAN)
    year, _ = demo_years(pipeline.read_plan(master))
    return master, demo_run.out / "提出", year


@pytest.fixture()
def callers_thresholds() -> Iterator[tuple[int, int, int]]:
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # Python's defaults, as a notebook has them
    yield (700, 10, 10)
    gc.set_threshold(*saved)


def test_the_collector_runs_rarely_during_the_run_and_as_before_after_it(
    demo: tuple[Path, Path, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    callers_thresholds: tuple[int, int, int],
) -> None:
    master, submissions, year = demo
    seen: list[tuple[int, int, int]] = []
    write = csvout.write_csv

    def spy(*args: object) -> Path:
        seen.append(gc.get_threshold())
        return write(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "write_csv", spy)
    report = pipeline.run(master, submissions, year, tmp_path / "out")
    assert report.outputs and seen and set(seen) == {GC_THRESHOLDS}
    assert gc.get_threshold() == callers_thresholds

    def broken(*args: object) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(batch, "write_csv", broken)
    with pytest.raises(OutputError, match="書き込めませんでした"):  # named in Japanese
        batch.run(master, submissions, year, tmp_path / "failed")
    assert gc.get_threshold() == callers_thresholds
    assert not (tmp_path / "failed").exists()  # no half-written output folder
