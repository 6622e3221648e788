"""SMART: outcomes are specific, measurable, results-focused and timed (DESE 'Setting Outcomes
for the District Plan'). Ids follow the letters of the research's rules (requirements.md §4.4):
M for measurable, R for rigorous and results-focused, T for timed and tracked."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from pipeline.checks.rules import Case, Issue, rule, school_year_of
from pipeline.errors import DataPath, Severity
from pipeline.model.plan import Outcome, Target
from pipeline.model.vocabulary import Direction, Unit

_SMART = (
    "DESE 'Setting Outcomes for the District Plan' (SMART: specific and strategic; "
    "measurable; action-oriented; rigorous, realistic, results-focused; timed and tracked); "
    "DESE SMART goal-setting protocol"
)
_SECTION = "IV. Outcomes"

# Bounds of a realistic and rigorous yearly change, in percentage points (requirements.md
# §4.4 R1): beyond 10 points a year is rarely achieved, below 1 point is hardly a change.
MOST_POINTS_PER_YEAR = 10.0
LEAST_POINTS_PER_YEAR = 1.0


def _shown(value: float, unit: Unit) -> str:
    number = int(value) if float(value).is_integer() else round(value, 2)
    return f"{number}%" if unit is Unit.PERCENT else f"{number} {unit.label}"


def _moves_right(outcome: Outcome, start: float, end: float) -> bool:
    """Whether going from `start` to `end` is progress in the outcome's direction."""
    return end > start if outcome.direction is Direction.INCREASE else end < start


@rule(
    "SMART-M2",
    "Values within their unit's range",
    citation=_SMART,
    section=_SECTION,
    crosswalk=False,
)
def ranges(case: Case) -> Iterator[Issue]:
    """Percentages lie between 0 and 100, percentage-point changes between -100 and 100, and
    counts, days, rates and scale scores are not negative."""
    for index, outcome in enumerate(case.plan.outcomes or []):
        low, high = {
            Unit.PERCENT: (0.0, 100.0),
            Unit.PERCENTAGE_POINTS: (-100.0, 100.0),
        }.get(outcome.unit, (0.0, None))
        values: list[tuple[DataPath, float]] = [(("baseline", "value"), outcome.baseline.value)]
        values += [
            (("interim_targets", t, "value"), target.value)
            for t, target in enumerate(outcome.interim_targets)
        ]
        values.append((("final_target", "value"), outcome.final_target.value))
        for path, value in values:
            if value < low or (high is not None and value > high):
                bound = f"between {low:g} and {high:g}" if high is not None else "at least 0"
                yield Issue(
                    ("outcomes", index, *path),
                    f"{value:g} is out of range for outcome {outcome.id}: a value in "
                    f"{outcome.unit.label} must be {bound}",
                    "check the value and the outcome's unit",
                )


@rule(
    "SMART-M3",
    "Final target moves the right way from the baseline",
    citation=_SMART,
    section=_SECTION,
    crosswalk=False,
)
def direction(case: Case) -> Iterator[Issue]:
    """An outcome to increase has a final target above its baseline; one to decrease, below."""
    for index, outcome in enumerate(case.plan.outcomes or []):
        base, final = outcome.baseline.value, outcome.final_target.value
        if not _moves_right(outcome, base, final):
            word = outcome.direction.value
            yield Issue(
                ("outcomes", index, "final_target", "value"),
                f"outcome {outcome.id} is to {word}, but its final target "
                f"{_shown(final, outcome.unit)} does not {word} from the baseline "
                f"{_shown(base, outcome.unit)}",
                'correct the final target or the "direction"',
            )


@rule(
    "SMART-M4",
    "Outcome statement states its target as a number",
    severity=Severity.WARNING,
    citation=_SMART,
    section=_SECTION,
    crosswalk=False,
)
def statement_number(case: Case) -> Iterator[Issue]:
    """The outcome's sentence says how much, with a number, not only in its fields."""
    for index, outcome in enumerate(case.plan.outcomes or []):
        if not re.search(r"\d", outcome.statement):
            yield Issue(
                ("outcomes", index, "statement"),
                f"the statement of outcome {outcome.id} has no number",
                "write it like 'By June 2028, increase … from 18% to 30%'",
            )


_ADULTS = re.compile(
    r"\b(teachers?|educators?|staff|paraprofessionals?|coach(es)?|administrators?|"
    r"principals?|interventionists?|mentors?)\b",
    re.IGNORECASE,
)
_ADULT_ACTIVITY = re.compile(
    r"\b(attend(s|ed|ing)?|complet(e|es|ed|ing|ion)|trained|training|sessions?|workshops?|"
    r"professional development|PD|walkthroughs?|observ(ed|ations?)|coaching|"
    r"implement(s|ed|ing|ation)?|participat(e|es|ed|ing|ion)|deliver(s|ed|ing)?)\b",
    re.IGNORECASE,
)
_STUDENTS = re.compile(r"\b(students?|children|learners?|pupils|graduates|graders)\b", re.I)
_EVENTS = re.compile(
    r"\b(sessions?|workshops?|trainings?|professional development|PD|walkthroughs?|"
    r"coaching cycles?)\b",
    re.IGNORECASE,
)


def is_adult_activity(metric: str) -> bool:
    """Whether a metric counts what adults do (trainings attended, practices observed) rather
    than a result for students."""
    if _ADULTS.search(metric) and _ADULT_ACTIVITY.search(metric):
        return True
    return bool(_EVENTS.search(metric)) and not _STUDENTS.search(metric)


@rule(
    "SMART-R2",
    "An outcome measures a result for students, not an adult activity",
    citation=f"{_SMART}; DESE 'PfS Creating Action Plan' (adult practice belongs in early "
    "evidence of change benchmarks)",
    section=_SECTION,
    crosswalk=False,
)
def results_focused(case: Case) -> Iterator[Issue]:
    """An outcome's metric is a result for students (achievement, attendance, growth), not
    what adults do, which belongs in the action plan's early-evidence benchmarks."""
    for index, outcome in enumerate(case.plan.outcomes or []):
        if is_adult_activity(outcome.metric):
            yield Issue(
                ("outcomes", index, "metric"),
                f"outcome {outcome.id} measures an adult activity ('{outcome.metric}'), not a "
                "result for students",
                "make it an early evidence of change benchmark in the action plan, and "
                "measure the students' result here",
            )


@rule(
    "SMART-R1",
    "A realistic and rigorous yearly change",
    severity=Severity.WARNING,
    citation=_SMART,
    section=_SECTION,
    crosswalk=False,
)
def yearly_change(case: Case) -> Iterator[Issue]:
    """For outcomes in percent, the change from baseline to final target is between 1 and 10
    percentage points a year."""
    for index, outcome in enumerate(case.plan.outcomes or []):
        if outcome.unit not in (Unit.PERCENT, Unit.PERCENTAGE_POINTS):
            continue
        baseline_end = dt.date(int(outcome.baseline.year[:4]) + 1, 6, 30)
        years = (outcome.final_target.date - baseline_end).days / 365.25
        if years <= 0:
            continue  # SMART-T4 reports a baseline that is not before the targets
        change = abs(outcome.final_target.value - outcome.baseline.value) / years
        if change > MOST_POINTS_PER_YEAR or change < LEAST_POINTS_PER_YEAR:
            judgement = (
                "may be unrealistic" if change > MOST_POINTS_PER_YEAR else "may not be rigorous"
            )
            yield Issue(
                ("outcomes", index, "final_target", "value"),
                f"outcome {outcome.id} changes {change:.1f} percentage points a year, which "
                f"{judgement}",
                f"aim for {LEAST_POINTS_PER_YEAR:g} to {MOST_POINTS_PER_YEAR:g} points a year, "
                "or explain the target in the statement",
            )


@rule(
    "SMART-T1",
    "Target dates inside the plan years",
    citation=_SMART,
    section=_SECTION,
    crosswalk=False,
)
def deadlines(case: Case) -> Iterator[Issue]:
    """Every target's date, interim and final, falls within the plan's years."""
    years = case.plan.plan.years
    for index, outcome in enumerate(case.plan.outcomes or []):
        targets: list[tuple[DataPath, Target]] = [
            (("interim_targets", t), target) for t, target in enumerate(outcome.interim_targets)
        ]
        targets.append((("final_target",), outcome.final_target))
        for path, target in targets:
            if not years.start <= target.date <= years.end:
                yield Issue(
                    ("outcomes", index, *path, "date"),
                    f"outcome {outcome.id} has a target dated {target.date.isoformat()}, "
                    f"outside the plan years ({years.start.isoformat()} to "
                    f"{years.end.isoformat()})",
                    "date every target within the plan",
                )


@rule(
    "SMART-T2",
    "Interim targets in order, between baseline and final target",
    citation=f"{_SMART}; DESE Planning for Success plan template, section IV(a) (interim "
    "and final outcomes)",
    section=_SECTION,
    crosswalk=False,
)
def interim_order(case: Case) -> Iterator[Issue]:
    """Interim targets come in date order before the final target, and step from the
    baseline toward the final target without going back."""
    for index, outcome in enumerate(case.plan.outcomes or []):
        yield from _interim_issues(index, outcome)


def _interim_issues(index: int, outcome: Outcome) -> Iterator[Issue]:
    base, final = outcome.baseline.value, outcome.final_target.value
    values_sensible = _moves_right(outcome, base, final)  # else SMART-M3 reports it
    previous_value, previous_date = base, None
    for t, target in enumerate(outcome.interim_targets):
        path = ("outcomes", index, "interim_targets", t)
        shown = _shown(target.value, outcome.unit)
        if previous_date is not None and target.date <= previous_date:
            yield Issue(
                (*path, "date"),
                f"interim target {t + 1} of outcome {outcome.id} ({target.date.isoformat()}) "
                "is not after the one before it",
                "list interim targets in date order",
            )
        elif target.date >= outcome.final_target.date:
            yield Issue(
                (*path, "date"),
                f"interim target {t + 1} of outcome {outcome.id} ({target.date.isoformat()}) "
                "is not before the final target",
                "date interim targets before the final target",
            )
        if values_sensible and not (
            _moves_right(outcome, base, target.value) and _moves_right(outcome, target.value, final)
        ):
            yield Issue(
                (*path, "value"),
                f"interim target {t + 1} of outcome {outcome.id} ({shown}) is not between the "
                f"baseline {_shown(base, outcome.unit)} and the final target "
                f"{_shown(final, outcome.unit)}",
                "set interim targets that step from the baseline toward the final target",
            )
        elif values_sensible and _moves_right(outcome, target.value, previous_value):
            yield Issue(
                (*path, "value"),
                f"interim targets of outcome {outcome.id} are out of order: target {t + 1} "
                f"({shown}) goes back from the one before it "
                f"({_shown(previous_value, outcome.unit)})",
                "order interim targets so each moves toward the final target",
            )
        previous_value, previous_date = target.value, target.date


@rule(
    "SMART-T3",
    "Each outcome is tracked: how often, by whom",
    severity=Severity.WARNING,
    citation=_SMART,
    section=_SECTION,
    crosswalk=False,
)
def tracked(case: Case) -> Iterator[Issue]:
    """Each outcome says how often its progress is checked and who tracks it."""
    for index, outcome in enumerate(case.plan.outcomes or []):
        if outcome.monitoring is None:
            yield Issue(
                ("outcomes", index, "monitoring"),
                f"outcome {outcome.id} does not say who tracks it, or how often",
                'add "monitoring" with a frequency and an owner',
            )


@rule(
    "SMART-T4",
    "A recent baseline, before the first target",
    severity=Severity.WARNING,
    citation=_SMART,
    section=_SECTION,
    crosswalk=False,
)
def baseline_year(case: Case) -> Iterator[Issue]:
    """The baseline's school year ends before the first target is due, and is at most two
    school years older than the plan's first year."""
    first_year = school_year_of(case.plan.plan.years.start)
    for index, outcome in enumerate(case.plan.outcomes or []):
        path = ("outcomes", index, "baseline", "year")
        baseline_first = int(outcome.baseline.year[:4])
        targets = [*outcome.interim_targets, outcome.final_target]
        if dt.date(baseline_first + 1, 6, 30) >= min(target.date for target in targets):
            yield Issue(
                path,
                f"the baseline of outcome {outcome.id} ({outcome.baseline.year}) is not "
                "before its first target",
                "use the last complete school year's result as the baseline",
            )
        elif first_year - baseline_first > 2:
            yield Issue(
                path,
                f"the baseline of outcome {outcome.id} ({outcome.baseline.year}) is more than "
                "two years older than the plan",
                "use recent data as the baseline",
            )
