"""The Sendai seed's published A/B/C tables (FY2017-2019), reproduced from filled templates."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipeline import labels as L
from pipeline.batch import Options, run
from tests.seedplan import FIELDS, PUBLISHED, SCOPE_OF, YEARS, published_rows, seed_submissions


def _submissions(tmp: Path, year: int, messy: bool) -> tuple[Path, Path]:
    return seed_submissions(tmp, year, messy)


def _summary(out: Path) -> dict[str, dict[str, str]]:
    with (out / f"{L.SUMMARY_SHEET}.csv").open(encoding="utf-8-sig") as handle:
        return {row[L.SCOPE]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module", params=YEARS)
def year_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    year = request.param
    tmp = tmp_path_factory.mktemp(f"seed{year}")
    master, submissions = _submissions(tmp, year, messy=year == 2019)
    half_up = run(master, submissions, year, tmp / "half-up")
    run(master, submissions, year, tmp / "lr", Options(percent="largest-remainder"))
    return year, half_up, _summary(tmp / "half-up"), _summary(tmp / "lr")


def test_counts_match_the_published_tables(year_run) -> None:
    year, outcome, summary, _ = year_run
    assert outcome.exit_code == 0, [
        f.message for f in outcome.finding_list if f.severity == L.ERROR
    ]
    for row in (r for r in published_rows() if int(r["年度"]) == year):
        got = summary[SCOPE_OF[row[L.SCOPE]]]
        for column in (L.TARGETS_SET, L.PROJECTS_WITH_TARGETS, "A", "B", "C"):
            assert got[column] == row[column], (year, row[L.SCOPE], column)
        assert got[L.UNGRADED] == "0"


def test_half_up_percentages_match_except_the_hand_adjusted_rows(year_run) -> None:
    year, _, summary, _ = year_run
    hand_adjusted = {(2017, "全体"), (2018, "全体")}  # see shared/seeds/README.md
    for row in (r for r in published_rows() if int(r["年度"]) == year):
        got = summary[SCOPE_OF[row[L.SCOPE]]]
        shares = [got[f"{g}割合"] for g in "ABC"]
        published = [row[f"{g}割合"] for g in "ABC"]
        assert (shares == published) != ((year, row[L.SCOPE]) in hand_adjusted), (
            year,
            row[L.SCOPE],
        )


def test_largest_remainder_gives_the_published_h29_total(year_run) -> None:
    year, _, _, largest = year_run
    total = largest[L.TOTAL]
    assert sum(float(total[f"{g}割合"]) for g in "ABC") == pytest.approx(100.0)
    if year == 2017:
        assert [total[f"{g}割合"] for g in "ABC"] == ["62.0", "28.2", "9.8"]
    if year == 2018:  # published 71.0 / 24.7 / 4.3 matches neither method
        assert [total[f"{g}割合"] for g in "ABC"] != ["71.0", "24.7", "4.3"]


def test_relisted_project_is_listed_but_counted_once(year_run) -> None:
    _, outcome, summary, _ = year_run
    listing = [r for r in outcome.figures.listing if r.project.number == "3-(1)-99"]
    assert listing and all(any("再掲" in n for n in r.notes) for r in listing)
    # the 再掲 row sits in 分野3 and re-lists a 分野1 project that has targets: neither 分野3
    # nor 全体 counts them a second time (the figures are the seed's, not derived from the run)
    year = outcome.year
    total, *fields = outcome.figures.summary.rows
    for field, row in zip(FIELDS, fields, strict=True):
        targets, projects, _ = PUBLISHED[year][field]
        assert (row.targets_set, row.projects_with_targets) == (targets, projects), field
    assert total.targets_set == sum(PUBLISHED[year][f][0] for f in FIELDS)
    assert total.projects_with_targets == sum(PUBLISHED[year][f][1] for f in FIELDS)
    assert summary[L.TOTAL][L.TARGETS_SET] == str(total.targets_set)


def test_rows_read_equal_counted_plus_rejected(year_run) -> None:
    _, outcome, _, _ = year_run
    checked = outcome
    assert checked.rows_read == checked.rows_counted + checked.rows_rejected
    assert checked.rows_rejected == 0
