"""The year's monitoring in the model: statuses as of a check-in, overdue benchmarks, results
against the target for a date (both directions), and all of it surviving a workbook."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from pipeline.inputs.interchange import convert
from pipeline.inputs.read import read_input
from pipeline.model.plan import Plan
from pipeline.model.progress import (
    Verdict,
    check_in_as_of,
    measured,
    progress,
    status_as_of,
    unanswered,
)
from pipeline.model.vocabulary import Status
from tests.conftest import ROOT, plan_of, read_json

HARBOR = ROOT / "inputs" / "harbor-view-elementary.json"
D = dt.date.fromisoformat


@pytest.fixture
def harbor() -> dict[str, Any]:
    return copy.deepcopy(read_json(HARBOR))


def test_a_benchmarks_status_is_its_status_at_the_latest_check_in(harbor: dict[str, Any]) -> None:
    plan = plan_of(harbor)
    assert plan.action_plan is not None
    b122 = next(b for b in plan.action_plan.benchmarks if b.id == "B1.2.2")
    assert b122.status is Status.ON_TRACK  # as the plan records it
    assert status_as_of(plan, b122, D("2025-10-01")) is Status.ON_TRACK  # before any check-in
    assert status_as_of(plan, b122, D("2025-10-22")) is Status.ON_TRACK
    assert status_as_of(plan, b122, D("2026-01-21")) is Status.AT_RISK
    assert status_as_of(plan, b122, None) is Status.AT_RISK
    check_in = check_in_as_of(plan, D("2026-02-01"))
    assert check_in is not None and check_in.id == "CI2"
    assert check_in_as_of(plan, D("2025-10-01")) is None


def test_overdue_and_counts_as_of_each_check_in(harbor: dict[str, Any]) -> None:
    plan = plan_of(harbor)
    latest = progress(plan)
    assert latest is not None and latest.check_in.id == "CI3"
    assert [b.id for b in latest.overdue] == ["B1.2.2", "B3.1.3"]
    assert latest.total.total == 25
    assert latest.total.counts["complete"] == 8
    assert latest.by_initiative["1.2"].counts == {"complete": 1, "at_risk": 1, "not_started": 1}
    earlier = progress(plan, D("2026-01-31"))
    assert earlier is not None and earlier.check_in.id == "CI2"
    assert [b.id for b in earlier.overdue] == ["B2.2.1", "B1.2.2"]  # by due date
    assert earlier.total.counts["off_track"] == 1
    assert progress(plan, D("2025-09-01")) is None


def test_a_plan_without_check_ins_has_no_progress(harbor: dict[str, Any]) -> None:
    del harbor["action_plan"]["check_ins"]
    assert progress(plan_of(harbor)) is None


def _outcome(direction: str, results: list[tuple[str, float]]) -> Plan:
    data = copy.deepcopy(read_json(HARBOR))
    outcome = data["outcomes"][0]
    outcome["direction"] = direction
    outcome["results"] = [{"date": d, "value": v} for d, v in results]
    return plan_of(data)


@pytest.mark.parametrize(
    ("direction", "results", "as_of", "verdict"),
    [
        ("increase", [], "2026-03-01", Verdict.NOT_MEASURED),
        ("increase", [("2026-02-01", 18)], "2026-03-01", Verdict.MET),  # target 18 by 2026-06-30
        ("increase", [("2026-02-01", 17.9)], "2026-03-01", Verdict.NOT_MET),
        ("decrease", [("2026-02-01", 17.9)], "2026-03-01", Verdict.MET),
        ("decrease", [("2026-02-01", 18.1)], "2026-03-01", Verdict.NOT_MET),
        ("increase", [("2026-02-01", 19)], "2026-01-15", Verdict.NOT_MEASURED),  # not yet taken
        # after the 2026 target, the 2027 one (22) is the year's: a 2026 result answers 2026's
        ("increase", [("2026-05-15", 19)], "2026-09-01", Verdict.NOT_MEASURED),
        ("increase", [("2026-05-15", 19), ("2027-01-15", 22)], "2027-02-01", Verdict.MET),
    ],
)
def test_results_against_the_target_for_the_date(
    direction: str, results: list[tuple[str, float]], as_of: str, verdict: Verdict
) -> None:
    plan = _outcome(direction, results)
    assert plan.outcomes is not None
    assert measured(plan.outcomes[0], None, D(as_of)).verdict is verdict


def test_a_passed_target_without_a_result_is_unanswered() -> None:
    plan = _outcome("increase", [])
    assert plan.outcomes is not None
    outcome = plan.outcomes[0]
    assert unanswered(outcome, None, D("2026-06-29")) == []
    assert [t.date for t in unanswered(outcome, None, D("2026-07-01"))] == [D("2026-06-30")]
    answered = _outcome("increase", [("2026-05-20", 17)])
    assert answered.outcomes is not None
    assert unanswered(answered.outcomes[0], None, D("2026-07-01")) == []


def test_a_result_in_another_unit_is_not_compared(harbor: dict[str, Any]) -> None:
    harbor["outcomes"][0]["results"] = [{"date": "2026-02-01", "value": 30, "unit": "count"}]
    plan = plan_of(harbor)
    assert plan.outcomes is not None
    assert measured(plan.outcomes[0], None, D("2026-03-01")).verdict is Verdict.OTHER_UNIT


def test_measure_rows_are_named_as_the_documents_name_them() -> None:
    plan = read_input(ROOT / "inputs" / "sawmill-river-regional-school-district.json").plan
    assert plan is not None and plan.outcomes is not None
    names = [row.name for row in plan.outcomes[1].measures]
    assert names[0] == "Grade 5 · Science · All students"
    report = progress(plan)
    assert report is not None
    lines = {(m.outcome.id, m.label) for m in report.outcomes}
    assert ("O2", "Grade 5 · Science · All students") in lines


def test_monitoring_and_past_years_survive_a_workbook(
    harbor: dict[str, Any], tmp_path: Path
) -> None:
    action = harbor["action_plan"]
    action["benchmarks"][1].update(carried_over_from="2024-25", due=None, start=None)
    action["history"] = [
        {
            "school_year": "2024-25",
            "start": "2024-08-28",
            "end": "2025-06-20",
            "benchmarks": [
                {
                    "id": "B1.1.1",
                    "initiative": "9.9",  # a record: what it names need not exist now
                    "type": "process",
                    "description": "Last year's launch",
                    "responsible": "Principal",
                    "due": "2024-09-30",
                    "status": "complete",
                }
            ],
            "check_ins": [
                {
                    "id": "CI1",  # the same id as this year's first check-in: allowed
                    "date": "2024-12-11",
                    "reviews": [{"benchmark": "B1.1.1", "status": "complete"}],
                    "adjustments": [{"change": "None needed", "benchmarks": ["B1.1.1"]}],
                }
            ],
        }
    ]
    source = tmp_path / "plan.json"
    source.write_text(__import__("json").dumps(harbor), encoding="utf-8")
    original = plan_of(harbor)
    workbook, back = tmp_path / "plan.xlsx", tmp_path / "back.json"
    assert convert(source, workbook) == []
    assert convert(workbook, back) == []
    returned = read_input(back).plan
    assert returned is not None
    assert returned.model_dump(exclude={"schema_ref"}) == original.model_dump(
        exclude={"schema_ref"}
    )
    assert returned.action_plan is not None and len(returned.action_plan.check_ins) == 3
    assert returned.action_plan.history[0].check_ins[0].reviews[0].benchmark == "B1.1.1"
