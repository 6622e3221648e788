"""SMART-M6 (percentages typed as fractions) and SMART-M7 (the statement's change agrees with
the baseline and target, percentage points and percent change told apart)."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.checks.numbers import mismatches
from pipeline.model.vocabulary import Unit
from tests.conftest import read_json
from tests.test_checks import EVERY_PROFILE, SCHOOL_PROFILES, changed, check_data

P = Unit.PERCENT


@pytest.mark.parametrize(
    ("statement", "start", "end"),
    [
        ("By 2021, decrease chronic absenteeism by 2.8 percentage points to 12%.", 14.8, 12),
        ("Increase proficiency from 44% (2024-25) to 52% by June 2028.", 44, 52),
        ("Increase proficiency by 8 points by 2028.", 44, 52),
        ("Increase the pass rate by 25% (from 40% to 50%).", 40, 50),
        ("Raise the graduation rate by 2 points each year.", 80, 86),
        ("Reduce suspensions by 10 pp.", 30, 20),
        ("Increase ACCESS progress to 55% by June 2028.", 40, 55),
        ("By June 2028, every student reads on grade level.", 40, 55),
        ("Increase reading proficiency by 19% (32% to 38%).", 32, 38),
    ],
)
def test_statements_that_agree(statement: str, start: float, end: float) -> None:
    assert mismatches(statement, start, end, [end], P) == []


@pytest.mark.parametrize(
    ("statement", "start", "end", "says"),
    [
        ("Increase reading proficiency by 20%.", 32, 38, "+6 percentage points"),
        ("Achieve a 10% increase in students meeting expectations.", 40, 50, "percentage points"),
        ("Increase proficiency by 6 points.", 32, 40, "+8 percentage points"),
        ("Increase proficiency from 30% to 38%.", 32, 38, "32% → 38%"),
        ("Increase proficiency to 45%.", 32, 40, "the target is 40%"),
    ],
)
def test_statements_that_disagree_say_both_readings(
    statement: str, start: float, end: float, says: str
) -> None:
    (problem,) = mismatches(statement, start, end, [end], P)
    assert says in problem


def test_a_ten_percent_increase_meaning_ten_points_is_named() -> None:
    (problem,) = mismatches("a 10% increase", 40, 50, [50], P)
    assert "+10 percentage points" in problem and "25.0% relative change" in problem
    assert "means percentage points" in problem


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    data: dict[str, Any] = read_json(EVERY_PROFILE)
    return data


def test_a_located_warning(base: dict[str, Any]) -> None:
    statement = "By June 2028, increase the share of students meeting expectations by 20%."
    check = check_data(changed(base, [("outcomes.0.statement", statement)]), SCHOOL_PROFILES)
    (finding,) = check.findings_of("SMART-M7")
    assert finding.location == "$.outcomes[0].statement"
    assert finding.severity.value == "warning" and finding.hint
    assert "percentage points" in finding.message and "relative change" in finding.message


def test_fractions_in_percent_are_a_warning_with_a_hint(base: dict[str, Any]) -> None:
    data = changed(
        base,
        [
            ("outcomes.0.baseline.value", 0.2),
            ("outcomes.0.interim_targets.0.value", 0.24),
            ("outcomes.0.interim_targets.1.value", 0.28),
            ("outcomes.0.final_target.value", 0.32),
            ("outcomes.0.statement", "By June 2028, increase ELA proficiency for SWD."),
        ],
    )
    check = check_data(data, SCHOOL_PROFILES)
    (finding,) = check.findings_of("SMART-M6")
    assert finding.location == "$.outcomes[0].baseline.value"
    assert finding.severity.value == "warning" and "0 to 100" in (finding.hint or "")
    assert check.findings_of("SMART-R1") == []  # not also "0.0 points a year"


def test_whole_zero_and_one_are_not_fractions(base: dict[str, Any]) -> None:
    data = changed(
        base,
        [
            ("outcomes.0.baseline.value", 1),
            ("outcomes.0.interim_targets", []),
            ("outcomes.0.final_target.value", 0),
        ],
    )
    assert check_data(data, SCHOOL_PROFILES).findings_of("SMART-M6") == []
