"""Plan.fingerprint (model.content_fingerprint): worked out when first asked, not with every plan
read (~1 s at 120,000 targets, which a run without a history store never needs), and the very
hash the audit trail has always recorded for a master, so that an existing store does not see
its master as changed."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from pipeline import labels as L
from pipeline.plan import read_plan

DATA = Path(__file__).resolve().parent.parent / "pipeline" / "data"
RECORDED = {  # what read_plan gave before the fingerprint was made lazy (session 7's code)
    "sendai2021": "5629523db355f0e62ade366736e6f0877b1efa26ae4aab131e7f85a88c71a8f3",
    "ichinoseki2024": "3c084ae732f7058b1d17aa0855c226249c6c48b1a9000c217d245bab578e2329",
    "shiminkyodo2": "db1bcfc4d25d8822418851d06da920d7ea14d88a3d2d1c3731ee28304a334cda",
}


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_a_masters_fingerprint_is_the_one_the_audit_trail_recorded(name: str) -> None:
    plan = read_plan(DATA / f"{name}_計画マスタ.xlsx")
    assert "fingerprint" not in vars(plan)  # not worked out by reading the plan
    assert plan.fingerprint == RECORDED[name]
    assert vars(plan)["fingerprint"] == RECORDED[name]  # kept once asked


def test_a_changed_plan_has_another_fingerprint_and_a_pickled_one_the_same() -> None:
    plan = read_plan(DATA / "sendai2021_計画マスタ.xlsx")
    assert plan.fingerprint == RECORDED["sendai2021"]
    per_project = dataclasses.replace(plan, unit=L.UNIT_PROJECT)  # nothing stale carried over
    assert per_project.fingerprint != plan.fingerprint
    renamed = dataclasses.replace(plan, name=plan.name + "（改定）")
    assert renamed.fingerprint not in (plan.fingerprint, per_project.fingerprint)
    again = pickle.loads(pickle.dumps(plan))
    assert again == plan and again.fingerprint == plan.fingerprint
