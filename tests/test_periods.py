"""Timelines as plans write them: each form reads, resolves to its documented date range, and
anything else is refused with the forms to use."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.inputs.read import read_input
from pipeline.model.periods import DateRange, PeriodError, check_period, resolve
from tests.conftest import MINIMAL

D = dt.date

CASES = [
    # (written, the school year it belongs to, first day, last day)
    ("2024-03-01", None, D(2024, 3, 1), D(2024, 3, 1)),
    ("January 2024", None, D(2024, 1, 1), D(2024, 1, 31)),
    ("Jan 2024", None, D(2024, 1, 1), D(2024, 1, 31)),
    ("Sept 2024", None, D(2024, 9, 1), D(2024, 9, 30)),
    ("February 2024", None, D(2024, 2, 1), D(2024, 2, 29)),
    ("Spring 2024", None, D(2024, 3, 1), D(2024, 6, 30)),
    ("Fall 2023", None, D(2023, 9, 1), D(2023, 11, 30)),
    ("Autumn 2023", None, D(2023, 9, 1), D(2023, 11, 30)),
    ("Summer 2024", None, D(2024, 7, 1), D(2024, 8, 31)),
    ("Winter 2024", None, D(2023, 12, 1), D(2024, 2, 29)),
    ("Winter 2023-24", None, D(2023, 12, 1), D(2024, 2, 29)),
    ("Spring 2023-24", None, D(2024, 3, 1), D(2024, 6, 30)),
    ("SY 2023-24", None, D(2023, 7, 1), D(2024, 6, 30)),
    ("2023-24", None, D(2023, 7, 1), D(2024, 6, 30)),
    ("2023-2024", None, D(2023, 7, 1), D(2024, 6, 30)),
    ("School year 2024-25", None, D(2024, 7, 1), D(2025, 6, 30)),
    ("Year 0 (2023-2024)", None, D(2023, 7, 1), D(2024, 6, 30)),
    ("Q1 2024-25", None, D(2024, 7, 1), D(2024, 9, 30)),
    ("Q2 2024-25", None, D(2024, 10, 1), D(2024, 12, 31)),
    ("Q3 2024-25", None, D(2025, 1, 1), D(2025, 3, 31)),
    ("Q4 2024", None, D(2024, 10, 1), D(2024, 12, 31)),
    ("Fall–Winter 2023-24", None, D(2023, 9, 1), D(2024, 2, 29)),
    ("December–April", "2023-24", D(2023, 12, 1), D(2024, 4, 30)),
    ("September - June", "2025-26", D(2025, 9, 1), D(2026, 6, 30)),
    ("September 2024 to June 2025", None, D(2024, 9, 1), D(2025, 6, 30)),
    ("September – June 2025", None, D(2024, 9, 1), D(2025, 6, 30)),
    ("Spring", "2025-26", D(2026, 3, 1), D(2026, 6, 30)),
    ("Fall", "2025-26", D(2025, 9, 1), D(2025, 11, 30)),
    ("Ongoing", "2025-26", D(2025, 7, 1), D(2026, 6, 30)),
    ("Monthly", "2025-26", D(2025, 7, 1), D(2026, 6, 30)),
    ("Throughout the year", "2025-26", D(2025, 7, 1), D(2026, 6, 30)),
    ("2024-01-15 through 2024-03-01", None, D(2024, 1, 15), D(2024, 3, 1)),
]


@pytest.mark.parametrize(("written", "school_year", "start", "end"), CASES)
def test_a_timeline_resolves_to_its_documented_range(
    written: str, school_year: str | None, start: dt.date, end: dt.date
) -> None:
    assert check_period(written) == written
    assert resolve(written, school_year) == DateRange(start, end)


@pytest.mark.parametrize("written", ["December–April", "Spring", "Ongoing", "September"])
def test_a_period_without_a_year_is_valid_but_needs_its_school_year(written: str) -> None:
    assert check_period(written) == written
    assert resolve(written) is None


@pytest.mark.parametrize(
    "written",
    ["whenever", "next June", "Spring 20245", "2023-25", "Q5 2024", "Q2", "June 2024 – May 2024x"],
)
def test_what_is_not_a_period_is_refused_with_the_forms_to_use(written: str) -> None:
    with pytest.raises(PeriodError, match=r"a season \(Spring 2024\)"):
        check_period(written)


def test_a_range_that_runs_backwards_does_not_resolve() -> None:
    assert resolve("June 2025 – May 2024") is None


def _with_step(data: dict[str, Any], timeline: str) -> dict[str, Any]:
    initiative = data["objectives"][0]["initiatives"][0]
    initiative["steps"] = [
        {"school_year": "2025-26", "description": "Pilot the routines", "timeline": timeline}
    ]
    return data


def test_a_step_keeps_its_timeline_as_written(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    data = _with_step(json.loads(MINIMAL.read_text(encoding="utf-8")), "Fall–Winter 2025-26")
    path.write_text(json.dumps(data), encoding="utf-8")
    reading = read_input(path)
    assert reading.ok, reading.problems
    assert reading.plan is not None and reading.plan.objectives is not None
    (step,) = reading.plan.objectives[0].initiatives[0].steps
    assert step.timeline == "Fall–Winter 2025-26"
    assert resolve(step.timeline, step.school_year) == DateRange(D(2025, 9, 1), D(2026, 2, 28))


def test_a_timeline_that_is_not_a_period_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    data = _with_step(json.loads(MINIMAL.read_text(encoding="utf-8")), "when we can")
    path.write_text(json.dumps(data), encoding="utf-8")
    (problem,) = read_input(path).problems
    assert problem.location == "$.objectives[0].initiatives[0].steps[0].timeline"
    assert problem.message.startswith("cannot read 'when we can' as a date or a period; write")
