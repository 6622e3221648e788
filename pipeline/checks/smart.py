"""SMART: outcomes are specific, measurable, results-focused and timed (DESE 'Setting Outcomes
for the District Plan'). Ids follow the letters of the research's rules (requirements.md §4.4):
S for specific, M for measurable, R for rigorous and results-focused, T for timed and
tracked. An outcome with a measure table is checked row by row (`measures.py`): a problem all
its rows share is reported once, on the outcome."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from pipeline.checks.measures import NAME, Series, per_outcome
from pipeline.checks.numbers import fractional
from pipeline.checks.rules import Case, Issue, rule, school_year_of
from pipeline.checks.subject import subject
from pipeline.errors import DataPath, Severity
from pipeline.model.outcomes import Target
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


def moves_right(direction: Direction, start: float, end: float) -> bool:
    """Whether going from `start` to `end` is progress in `direction`."""
    return end > start if direction is Direction.INCREASE else end < start


@rule(
    "SMART-S1",
    "Each outcome names the students it measures",
    citation=_SMART,
    section=_SECTION,
    crosswalk=False,
)
def students(case: Case) -> Iterator[Issue]:
    """Each outcome, or each row of its measure table, names the student group it measures
    (a row without one takes the outcome's)."""
    yield from per_outcome(case.plan, _students)


def _students(s: Series) -> Iterator[Issue]:
    if s.student_group is None:
        yield Issue(
            ("student_group",),
            f"{NAME} does not name the students it measures",
            'add "student_group" (e.g. "all_students")',
            missing=f"the student group of {NAME}",
        )


@rule(
    "SMART-M1",
    "What is measured, its baseline and final target",
    citation=_SMART,
    section=_SECTION,
    crosswalk=False,
)
def measured(case: Case) -> Iterator[Issue]:
    """Each outcome, or each row of its measure table, says what is measured (a row without a
    metric takes the outcome's), from which baseline, to which final target."""
    yield from per_outcome(case.plan, _measured)


def _measured(s: Series) -> Iterator[Issue]:
    for key, value, what, hint in (
        ("metric", s.metric, "metric", 'say what is measured in "metric"'),
        ("baseline", s.baseline, "baseline", 'add "baseline" with its value and school year'),
        ("final_target", s.final_target, "final target", 'add "final_target" (value and date)'),
    ):
        if value is None:
            yield Issue((key,), f"{NAME} has no {what}", hint, missing=f"the {what} of {NAME}")


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
    yield from per_outcome(case.plan, _ranges)


def _ranges(s: Series) -> Iterator[Issue]:
    low, high = {
        Unit.PERCENT: (0.0, 100.0),
        Unit.PERCENTAGE_POINTS: (-100.0, 100.0),
    }.get(s.unit, (0.0, None))
    values: list[tuple[DataPath, float]] = []
    if s.baseline is not None:
        values.append((("baseline", "value"), s.baseline.value))
    values += [
        (("interim_targets", t, "value"), target.value)
        for t, target in enumerate(s.interim_targets)
    ]
    if s.final_target is not None:
        values.append((("final_target", "value"), s.final_target.value))
    for path, value in values:
        if value < low or (high is not None and value > high):
            bound = f"between {low:g} and {high:g}" if high is not None else "at least 0"
            yield Issue(
                path,
                f"{value:g} is out of range for {NAME}: a value in {s.unit.label} must be {bound}",
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
    yield from per_outcome(case.plan, _direction)


def _direction(s: Series) -> Iterator[Issue]:
    if s.baseline is None or s.final_target is None:
        return  # SMART-M1
    base, final = s.baseline.value, s.final_target.value
    if not moves_right(s.direction, base, final):
        word = s.direction.value
        yield Issue(
            ("final_target", "value"),
            f"{NAME} is to {word}, but its final target {_shown(final, s.unit)} does not "
            f"{word} from the baseline {_shown(base, s.unit)}",
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
    """The outcome's sentence says how much, with a number, not only in its fields (an
    outcome with a measure table states its numbers in the table)."""
    for index, outcome in enumerate(case.plan.outcomes or []):
        if not outcome.measures and not re.search(r"\d", outcome.statement):
            yield Issue(
                ("outcomes", index, "statement"),
                f"the statement of outcome {outcome.id} has no number",
                "write it like 'By June 2028, increase … from 18% to 30%'",
            )


@rule(
    "SMART-R2",
    "An outcome measures a result for students, not an adult activity",
    citation=f"{_SMART}; DESE 'PfS Creating Action Plan' (adult practice belongs in early "
    "evidence of change benchmarks)",
    section=_SECTION,
    crosswalk=False,
)
def results_focused(case: Case) -> Iterator[Issue]:
    """An outcome's metric (and each measure row's own) is a result for students
    (achievement, attendance, growth, course passing), not adult practice (implementation,
    fidelity, routines, classroom observations, adults' participation), which belongs in the
    action plan's early-evidence benchmarks. The metric's subject decides (what it counts,
    what it starts with, its practice words: `pipeline/checks/subject.py`), and the finding
    quotes the words that decided it."""
    for index, outcome in enumerate(case.plan.outcomes or []):
        metrics: list[tuple[DataPath, str, str | None]] = [
            (("outcomes", index, "metric"), f"outcome {outcome.id}", outcome.metric)
        ]
        metrics += [
            (("outcomes", index, "measures", r, "metric"), f"row {r + 1} of outcome "
             f"{outcome.id}", row.metric)
            for r, row in enumerate(outcome.measures)
        ]  # fmt: skip
        for path, name, metric in metrics:
            found = subject(metric) if metric is not None else None
            if found is not None and not found.students:
                yield Issue(
                    path,
                    f"{name} measures adult practice, not a result for students: "
                    f"'{metric}': {found.explain()}",
                    "move this measure to action_plan.benchmarks as an early evidence of change "
                    'benchmark ("type": "early_evidence") of the initiative it serves, and '
                    "measure "
                    "the students' result here (scores, proficiency, growth, attendance, course "
                    "passing, graduation)",
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
    yield from per_outcome(case.plan, _yearly_change)


def _yearly_change(s: Series) -> Iterator[Issue]:
    if s.unit not in (Unit.PERCENT, Unit.PERCENTAGE_POINTS) or fractional(s):
        return  # SMART-M6 reports percentages typed as fractions
    if s.baseline is None or s.final_target is None:
        return  # SMART-M1
    baseline_end = dt.date(int(s.baseline.year[:4]) + 1, 6, 30)
    years = (s.final_target.date - baseline_end).days / 365.25
    if years <= 0:
        return  # SMART-T4 reports a baseline that is not before the targets
    change = abs(s.final_target.value - s.baseline.value) / years
    if change > MOST_POINTS_PER_YEAR or change < LEAST_POINTS_PER_YEAR:
        judgement = "may be unrealistic" if change > MOST_POINTS_PER_YEAR else "may not be rigorous"
        yield Issue(
            ("final_target", "value"),
            f"{NAME} changes {change:.1f} percentage points a year, which {judgement}",
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

    def check(s: Series) -> Iterator[Issue]:
        targets: list[tuple[DataPath, Target]] = [
            (("interim_targets", t), target) for t, target in enumerate(s.interim_targets)
        ]
        if s.final_target is not None:
            targets.append((("final_target",), s.final_target))
        for path, target in targets:
            if not years.start <= target.date <= years.end:
                yield Issue(
                    (*path, "date"),
                    f"{NAME} has a target dated {target.date.isoformat()}, outside the plan "
                    f"years ({years.start.isoformat()} to {years.end.isoformat()})",
                    "date every target within the plan",
                )

    yield from per_outcome(case.plan, check)


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
    yield from per_outcome(case.plan, _interim_issues)


def _interim_issues(s: Series) -> Iterator[Issue]:
    base = s.baseline.value if s.baseline is not None else None
    final = s.final_target.value if s.final_target is not None else None
    # Values are judged only when the baseline and final target are stated and move the right
    # way (else SMART-M1 or SMART-M3 reports it); dates, whenever there are interim targets.
    sensible = base is not None and final is not None and moves_right(s.direction, base, final)
    previous_value, previous_date = base, None
    for t, target in enumerate(s.interim_targets):
        path = ("interim_targets", t)
        shown = _shown(target.value, s.unit)
        if previous_date is not None and target.date <= previous_date:
            yield Issue(
                (*path, "date"),
                f"interim target {t + 1} of {NAME} ({target.date.isoformat()}) is not after "
                "the one before it",
                "list interim targets in date order",
            )
        elif s.final_target is not None and target.date >= s.final_target.date:
            yield Issue(
                (*path, "date"),
                f"interim target {t + 1} of {NAME} ({target.date.isoformat()}) is not before "
                "the final target",
                "date interim targets before the final target",
            )
        if sensible and base is not None and final is not None and previous_value is not None:
            if not (
                moves_right(s.direction, base, target.value)
                and moves_right(s.direction, target.value, final)
            ):
                yield Issue(
                    (*path, "value"),
                    f"interim target {t + 1} of {NAME} ({shown}) is not between the baseline "
                    f"{_shown(base, s.unit)} and the final target {_shown(final, s.unit)}",
                    "set interim targets that step from the baseline toward the final target",
                )
            elif moves_right(s.direction, target.value, previous_value):
                yield Issue(
                    (*path, "value"),
                    f"interim targets of {NAME} are out of order: target {t + 1} ({shown}) "
                    f"goes back from the one before it ({_shown(previous_value, s.unit)})",
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

    def check(s: Series) -> Iterator[Issue]:
        if s.baseline is None:
            return  # SMART-M1
        path = ("baseline", "year")
        baseline_first = int(s.baseline.year[:4])
        targets = [*s.interim_targets, *([s.final_target] if s.final_target else [])]
        if targets and dt.date(baseline_first + 1, 6, 30) >= min(t.date for t in targets):
            yield Issue(
                path,
                f"the baseline of {NAME} ({s.baseline.year}) is not before its first target",
                "use the last complete school year's result as the baseline",
            )
        elif first_year - baseline_first > 2:
            yield Issue(
                path,
                f"the baseline of {NAME} ({s.baseline.year}) is more than two years older "
                "than the plan",
                "use recent data as the baseline",
            )

    yield from per_outcome(case.plan, check)
