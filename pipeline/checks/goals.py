"""SMART: an objective's goal statement, where it states a measured target (a percentage, a
number of points), is checked as an outcome's sentence is (requirements.md §4.4, the free-text
fallback): it says where it starts, moves the way it says, and by when, within the plan."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.checks.rules import Case, Issue, rule, school_year_of
from pipeline.checks.smart import moves_right
from pipeline.errors import Severity
from pipeline.model.vocabulary import Direction

_SMART = (
    "DESE 'Setting Outcomes for the District Plan' (SMART: measurable; timed and tracked); "
    "UMN TIES SMARTIE goal template (include baseline to change wanted; by when)"
)
_SECTION = "III. Strategic Objectives (goal)"

MEASURED = re.compile(r"\d+(\.\d+)?\s*(%|percent\b|percentage points?\b|points?\b|pp\b)", re.I)
"""A goal states a measured target when it has a number with a unit of change."""
_FROM_TO = re.compile(
    r"\bfrom\s+(\d+(?:\.\d+)?)\s*%?.{0,40}?\bto\s+(\d+(?:\.\d+)?)\s*%?", re.I | re.S
)
_BASELINE = re.compile(r"\b(from\s+(an?\s+)?(baseline\s+(of\s+)?)?\d|baseline)", re.I)
_VERBS = {
    Direction.INCREASE: re.compile(r"\b(increase|raise|improve|grow|rise)s?\b", re.I),
    Direction.DECREASE: re.compile(r"\b(decrease|reduce|lower|cut|decline)s?\b", re.I),
}
_YEAR = re.compile(r"\b(20\d{2})(?:\s*[-–/]\s*(\d{2}|\d{4}))?\b")


def _measured_goals(case: Case) -> Iterator[tuple[int, str, str]]:
    for index, objective in enumerate(case.plan.objectives or []):
        if objective.goal is not None and MEASURED.search(objective.goal):
            yield index, objective.id, objective.goal


@rule(
    "SMART-M5",
    "A measured goal states where it starts, and moves its stated way",
    severity=Severity.WARNING,
    citation=_SMART,
    section=_SECTION,
    crosswalk=False,
)
def goal_baseline(case: Case) -> Iterator[Issue]:
    """An objective's goal with a measured target says where it starts ('from 42% to 55%', or
    a baseline); when it says 'increase' or 'decrease', its numbers move that way."""
    for index, objective, goal in _measured_goals(case):
        path = ("objectives", index, "goal")
        if not _BASELINE.search(goal):
            yield Issue(
                path,
                f"the goal of objective {objective} states a target but not where it starts",
                "write it like 'increase … from 42% (2023-24) to 55% by June 2027'",
            )
            continue
        numbers = _FROM_TO.search(goal)
        if numbers is None:
            continue
        start, end = float(numbers.group(1)), float(numbers.group(2))
        stated = [d for d, verb in _VERBS.items() if verb.search(goal)]
        if len(stated) == 1 and not moves_right(stated[0], start, end):
            yield Issue(
                path,
                f"the goal of objective {objective} says {stated[0].value}, but goes from "
                f"{numbers.group(1)} to {numbers.group(2)}",
                "correct the numbers or the verb",
            )


@rule(
    "SMART-T5",
    "A measured goal says by when, within the plan",
    severity=Severity.WARNING,
    citation=_SMART,
    section=_SECTION,
    crosswalk=False,
)
def goal_deadline(case: Case) -> Iterator[Issue]:
    """An objective's goal with a measured target says by when (a year or a school year),
    and that is within the plan's years."""
    years = case.plan.plan.years
    first, last = school_year_of(years.start), school_year_of(years.end)
    for index, objective, goal in _measured_goals(case):
        path = ("objectives", index, "goal")
        found = [int(match.group(1)) for match in _YEAR.finditer(goal)]
        if not found:
            yield Issue(
                path,
                f"the goal of objective {objective} states a target but not by when",
                "say when it is reached, e.g. 'by June 2027' or 'by 2026-27'",
            )
        elif max(found) > last + 1:
            yield Issue(
                path,
                f"the goal of objective {objective} is for {max(found)}, after the plan ends "
                f"({years.end.isoformat()})",
                "set the goal's date within the plan, or extend the plan",
            )
        elif max(found) < first:
            yield Issue(
                path,
                f"the goal of objective {objective} is for {max(found)}, before the plan "
                f"starts ({years.start.isoformat()})",
                "set the goal's date within the plan",
            )
