"""Whether a request can be carried out at all, before any file is read: the plan and its
period, and an output folder that is not among the submissions."""

from __future__ import annotations

from pathlib import Path

from pipeline import years
from pipeline.errors import UsageError
from pipeline.face import option
from pipeline.model import Plan
from pipeline.plan import read_plan


def plan_for(master: Path, year: int) -> Plan:
    """The plan of `master`, refusing a year outside its period."""
    plan = read_plan(master)
    if year not in plan.years():
        raise UsageError(
            f"{years.display(year)}は計画の期間（{plan.start_year}〜{plan.end_year}年度）の外です。"
            f"{option('year')} を確認してください。"
        )
    return plan


def check_paths(root: Path, out: Path) -> None:
    """Outputs must not land among the submissions: the next run would read them back."""
    if out.resolve().is_relative_to(root.resolve()):
        raise UsageError(
            f"出力先 {out} が提出フォルダ {root} の中にあります。別のフォルダを指定してください。"
        )
