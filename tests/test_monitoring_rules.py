"""The monitoring rules (MON) and the due date of a carried-over benchmark (AP-10): each rule
fires at the place to fix, and not on the nearly-same valid plan; a workbook gets the cell; a
plan without monitoring data, and each example, gets no MON finding.

The cases break `scenarios/every-profile.json` (a 2025-26 action plan, benchmarks B1…B6 of
initiatives 1.1, 2.1, 3.1; outcomes O1…O3 with interim targets on 2026-06-30), as
`test_checks.CASES` does; that table holds one breaking case of each rule too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.checks import PlanCheck, check_paths, check_plan
from pipeline.errors import Severity
from pipeline.inputs.validate import validated
from pipeline.inputs.workbook import read_workbook_bytes, workbook_bytes
from tests.conftest import ROOT, read_json
from tests.test_checks import (
    DELETE,
    EVERY_PROFILE,
    SCHOOL_PROFILES,
    Change,
    _check_in,
    _check_ins,
    changed,
    check_data,
)

BASE: dict[str, Any] = read_json(EVERY_PROFILE)
EXAMPLES = sorted([*(ROOT / "inputs").glob("*.json"), *(ROOT / "inputs").glob("*.xlsx")])

KNOWN: dict[str, set[tuple[str, str]]] = {}
"""Findings on the examples to be corrected in their data (none): the test fails on any MON
finding not listed here."""


def _found(changes: list[Change], rule: str) -> list[tuple[str, str]]:
    check = check_data(changed(BASE, changes), SCHOOL_PROFILES)
    return [(f.location, f.message) for f in check.findings if f.rule.id == rule]


def _locations(changes: list[Change], rule: str) -> list[str]:
    return [location for location, _ in _found(changes, rule)]


AT_RISK_TWICE = [
    _check_in("CI1", "2025-11-15", ("B1", "at_risk")),
    _check_in("CI2", "2026-01-20", ("B1", "off_track")),
]


def _adjusting(**names: list[str]) -> dict[str, Any]:
    return {"change": "Coach pairs with the grade team.", **names}


# (rule, broken, its finding's location, nearly the same and valid)
PAIRS: list[tuple[str, list[Change], list[str], list[Change]]] = [
    ("AP-10", [("action_plan.benchmarks.2.due", DELETE)], ["$.action_plan.benchmarks[2].due"],
     [("action_plan.benchmarks.2.due", "2026-06-01")]),
    # MON-1: a target passed (as of the latest check-in) that no result answers
    ("MON-1", [("outcomes.0.interim_targets.0.date", "2026-01-31"),
               _check_ins(_check_in("CI1", "2026-03-15"))],
     ["$.outcomes[0].interim_targets[0].date"],
     [("outcomes.0.interim_targets.0.date", "2026-01-31"),
      _check_ins(_check_in("CI1", "2026-03-15")),
      ("outcomes.0.results", [{"date": "2026-01-20", "value": 23}])]),
    ("MON-1", [("outcomes.0.interim_targets.0.date", "2026-01-31"),  # measured after it
               _check_ins(_check_in("CI1", "2026-03-15")),
               ("outcomes.0.results", [{"date": "2026-02-10", "value": 23}])],
     ["$.outcomes[0].interim_targets[0].date"],
     [("outcomes.0.interim_targets.0.date", "2026-01-31"),  # the check-in before the target
      _check_ins(_check_in("CI1", "2026-01-15"))]),
    ("MON-1", [("outcomes.0.interim_targets.0.date", "2026-01-31"),  # a row's target
               ("outcomes.0.measures", [{"label": "Grade 3", "interim_targets":
                                         [{"value": 24, "date": "2026-01-31"}]}]),
               _check_ins(_check_in("CI1", "2026-03-15")),
               ("outcomes.0.results", [{"date": "2026-01-20", "value": 23}])],
     ["$.outcomes[0].measures[0].interim_targets[0].date"],
     [("outcomes.0.interim_targets.0.date", "2026-01-31"),
      ("outcomes.0.measures", [{"label": "Grade 3", "interim_targets":
                                [{"value": 24, "date": "2026-01-31"}]}]),
      _check_ins(_check_in("CI1", "2026-03-15")),
      ("outcomes.0.results", [{"date": "2026-01-20", "value": 23},
                              {"date": "2026-01-20", "value": 21, "measure": "Grade 3"}])]),
    # MON-2: at risk or off track at two check-ins running, no adjustment at either
    ("MON-2", [_check_ins(*AT_RISK_TWICE)], ["$.action_plan.check_ins[1].reviews[0].status"],
     [_check_ins(AT_RISK_TWICE[0],
                 {**AT_RISK_TWICE[1], "adjustments": [_adjusting(benchmarks=["B1"])]})]),
    ("MON-2", [_check_ins(*AT_RISK_TWICE)], ["$.action_plan.check_ins[1].reviews[0].status"],
     [_check_ins({**AT_RISK_TWICE[0], "adjustments": [_adjusting(initiatives=["1.1"])]},
                 AT_RISK_TWICE[1])]),
    ("MON-2", [_check_ins(*AT_RISK_TWICE)], ["$.action_plan.check_ins[1].reviews[0].status"],
     [_check_ins(_check_in("CI1", "2025-11-15", ("B1", "on_track")), AT_RISK_TWICE[1])]),
    ("MON-2", [_check_ins(*AT_RISK_TWICE, _check_in("CI3", "2026-03-20", ("B1", "at_risk")))],
     ["$.action_plan.check_ins[1].reviews[0].status"],  # a run of three: reported once
     [_check_ins(AT_RISK_TWICE[0], _check_in("CI2", "2026-01-20", ("B2", "on_track")))]),
    ("MON-2", [_check_ins(AT_RISK_TWICE[1], AT_RISK_TWICE[0])],  # listed out of date order
     ["$.action_plan.check_ins[0].reviews[0].status"],
     [_check_ins(AT_RISK_TWICE[1], {**AT_RISK_TWICE[0], "date": "2026-01-20"})]),
    # MON-3: a check-in dated outside the school year (July to June)
    ("MON-3", [_check_ins(_check_in("CI1", "2025-06-30"))], ["$.action_plan.check_ins[0].date"],
     [_check_ins(_check_in("CI1", "2025-07-15"))]),
    ("MON-3", [_check_ins(_check_in("CI1", "2026-07-01"))], ["$.action_plan.check_ins[0].date"],
     [_check_ins(_check_in("CI1", "2026-06-25"))]),  # after the last day, in the year
    # MON-4, MON-5: results
    ("MON-4", [("outcomes.2.results", [{"date": "2026-03-01", "value": 3, "unit": "days"}])],
     ["$.outcomes[2].results[0].unit"],
     [("outcomes.2.results", [{"date": "2026-03-01", "value": 23, "unit": "percent"}])]),
    ("MON-5", [("outcomes.0.measures", [{"label": "Grade 3"}]),
               ("outcomes.0.results", [{"date": "2026-03-01", "value": 22, "measure": "Grade3"}])],
     ["$.outcomes[0].results[0].measure"],
     [("outcomes.0.measures", [{"label": "Grade 3"}]),
      ("outcomes.0.results", [{"date": "2026-03-01", "value": 22, "measure": "Grade 3"}])]),
    ("MON-5", [("outcomes.0.measures", [{"grades": "3", "subject": "ela"}]),
               ("outcomes.0.interim_targets", []), ("outcomes.0.final_target", DELETE),
               ("outcomes.0.results", [{"date": "2026-03-01", "value": 22}])],
     ["$.outcomes[0].results[0].measure"],  # targets by row: the result names none
     [("outcomes.0.measures", [{"grades": "3", "subject": "ela"}]),
      ("outcomes.0.interim_targets", []), ("outcomes.0.final_target", DELETE),
      ("outcomes.0.results", [{"date": "2026-03-01", "value": 22,
                               "measure": "Grade 3 · English language arts"}])]),
    # MON-6, MON-7, MON-8: check-ins' own dates and reviews
    ("MON-6", [_check_ins(_check_in("CI1", "2025-11-15"), _check_in("CI2", "2025-11-15"))],
     ["$.action_plan.check_ins[1].date"],
     [_check_ins(_check_in("CI1", "2025-11-15"), _check_in("CI2", "2025-11-16"))]),
    ("MON-7", [_check_ins(_check_in("CI1", "2025-11-15", next_check_in="2025-11-15"))],
     ["$.action_plan.check_ins[0].next_check_in"],
     [_check_ins(_check_in("CI1", "2025-11-15", next_check_in="2026-01-20"))]),
    ("MON-8", [_check_ins(_check_in("CI1", "2025-11-15", ("B1", "on_track"), ("B2", "on_track"),
                                    ("B1", "complete")))],
     ["$.action_plan.check_ins[0].reviews[2].benchmark"],
     [_check_ins(_check_in("CI1", "2025-11-15", ("B1", "on_track"), ("B2", "on_track")))]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "broken", "locations", "valid"),
    PAIRS,
    ids=[f"{pair[0]}-{n}" for n, pair in enumerate(PAIRS)],
)
def test_a_rule_fires_at_its_place_and_not_on_the_valid_neighbour(
    rule: str, broken: list[Change], locations: list[str], valid: list[Change]
) -> None:
    assert _locations(broken, rule) == locations
    assert _locations(valid, rule) == []


def test_severities_follow_what_the_documents_show() -> None:
    """Errors: a date the plan lacks (a draft), a check-in of another year (the documents
    would show its statuses); the rest are warnings."""
    from pipeline.checks.profiles import applicable
    from pipeline.model.vocabulary import Profile

    applied = applicable([Profile.ACTION_PLAN])
    errors = {rule for rule, severity in applied.items() if severity is Severity.ERROR}
    monitoring = {rule for rule in applied if rule.startswith("MON-")}
    assert monitoring == {f"MON-{n}" for n in range(1, 9)}
    assert errors & monitoring == {"MON-3"}
    assert "AP-10" in errors


def test_a_carried_over_benchmark_names_the_date_to_set() -> None:
    changes: list[Change] = [
        ("action_plan.benchmarks.0.due", DELETE),
        ("action_plan.benchmarks.0.carried_over_from", "2024-25"),
        ("action_plan.benchmarks.4.due", DELETE),
    ]
    check = check_data(changed(BASE, changes), SCHOOL_PROFILES)
    found = check.findings_of("AP-10")
    assert [f.location for f in found] == [
        "$.action_plan.benchmarks[0].due",
        "$.action_plan.benchmarks[4].due",
    ]
    assert found[0].message == "benchmark B1 (carried over from 2024-25) has no due date"
    assert (found[0].hint or "").startswith(
        "set the due date of benchmark B1 (carried over from 2024-25)"
    )
    assert found[0].severity is Severity.ERROR and not check.complete
    assert found[1].message == "benchmark B5 has no due date"
    assert not check.findings_of("AP-4")  # no date to place in the year


def test_messages_say_what_was_found() -> None:
    ((_, target),) = _found(PAIRS[1][1], "MON-1")
    assert target == (
        "the interim target of outcome O1 (24% by 2026-01-31) has passed by the latest "
        "check-in CI1 (2026-03-15), and no result answers it"
    )
    ((_, twice),) = _found(PAIRS[4][1], "MON-2")
    assert twice == (
        "benchmark B1 is at risk at check-in CI1 (2025-11-15) and off track at check-in CI2 "
        "(2026-01-20), and neither records an adjustment to it"
    )
    check = check_data(changed(BASE, PAIRS[12][1]), SCHOOL_PROFILES)
    (measure,) = check.findings_of("MON-5")
    assert measure.hint == 'name the row it measures: "measure": "Grade 3"'


def test_a_check_in_reviewing_an_unknown_benchmark_is_an_integrity_error() -> None:
    data = changed(BASE, [_check_ins(_check_in("CI1", "2025-11-15", ("B9", "on_track")))])
    check = check_data(data, SCHOOL_PROFILES)
    assert not check.valid
    assert [(f.rule.id, f.location) for f in check.findings] == [
        ("INT-1", "$.action_plan.check_ins[0].reviews[0].benchmark")
    ]


def test_a_plan_without_monitoring_data_meets_every_monitoring_rule() -> None:
    check = check_data(BASE, SCHOOL_PROFILES)
    assert {f"MON-{n}" for n in range(1, 9)} <= set(check.applied)
    assert check.findings == []


def _workbook_check(data: dict[str, Any]) -> PlanCheck:
    source = read_workbook_bytes(workbook_bytes(data), "plan.xlsx")
    plan, problems = validated(source)
    assert plan is not None, problems
    return check_plan(plan, source, SCHOOL_PROFILES, problems)


def test_a_workbook_names_the_cell() -> None:
    changes: list[Change] = [
        _check_ins(*AT_RISK_TWICE, _check_in("CI3", "2026-09-01")),
        ("action_plan.benchmarks.1.due", DELETE),
        ("outcomes.1.results", [{"date": "2026-03-01", "value": 44, "unit": "rate"}]),
    ]
    check = _workbook_check(changed(BASE, changes))
    found = {(f.rule.id, f.location) for f in check.findings}
    assert {
        ("AP-10", "Benchmarks › row 3 › Due (G3)"),
        ("MON-2", "Benchmark statuses › row 3 › Status (C3)"),
        ("MON-3", "Check-ins › row 4 › Date (B4)"),
        ("MON-4", "Results › row 2 › Result unit (D2)"),
    } <= found, found
    (adjust,) = check.findings_of("MON-2")
    assert "the Adjustments sheet" in (adjust.hint or "") and "$" not in (adjust.hint or "")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_the_examples_get_no_monitoring_findings(example: Path) -> None:
    (check,) = check_paths([example])
    assert check.valid, [f.message for f in check.findings]
    found = {
        (f.rule.id, f.location)
        for f in check.findings
        if f.rule.family == "MON" or f.rule.id == "AP-10"
    }
    assert found <= KNOWN.get(example.stem, set()), found
