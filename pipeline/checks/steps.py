"""MA: the initiatives' action steps over the plan's years (the multi-year implementation the
improvement plan shows as a timeline by year; the annual action plan is one year's detail).
Each step belongs to a school year of the plan, and its timeline, a date or a period as the
plan writes it, resolves (`pipeline.model.periods`) to days within the plan."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.checks.rules import Case, Issue, initiatives, rule, school_year_of
from pipeline.errors import DataPath, Severity
from pipeline.model.periods import FORMS_HINT, resolve
from pipeline.model.plan import Plan, Step

_MULTI_YEAR = (
    "DESE Sustainable Improvement Plan guidance, 'Strategic Objectives & Initiatives' (a "
    "multi-year roadmap of the initiatives for the plan's years)"
)
_SECTION = "III. Strategic Objectives and Initiatives (steps by year)"


def steps(plan: Plan) -> Iterator[tuple[DataPath, str, Step]]:
    """Every action step with its data path and its initiative's id."""
    for path, initiative in initiatives(plan):
        for index, step in enumerate(initiative.steps):
            yield (*path, "steps", index), initiative.id, step


def _label(first: int) -> str:
    return f"{first}-{(first + 1) % 100:02d}"


def early_evidence_initiatives(plan: Plan, school_year: str) -> set[str]:
    """The initiatives with a step in `school_year` that states its early evidence of change
    (its `evidence`): it counts as the initiative's early-evidence benchmark for that year."""
    return {
        initiative
        for _, initiative, step in steps(plan)
        if step.school_year == school_year and step.evidence is not None
    }


@rule(
    "MA-20",
    "Action steps in the plan's school years",
    citation=_MULTI_YEAR,
    section=_SECTION,
    crosswalk=False,
)
def step_years(case: Case) -> Iterator[Issue]:
    """Each initiative's action steps are for school years of the plan."""
    years = case.plan.plan.years
    first, last = school_year_of(years.start), school_year_of(years.end)
    span = f"{_label(first)} to {_label(last)}"
    for path, initiative, step in steps(case.plan):
        if not first <= int(step.school_year[:4]) <= last:
            yield Issue(
                (*path, "school_year"),
                f"a step of initiative {initiative} is for {step.school_year}, outside the "
                f"plan's school years ({span})",
                "move it to a school year of the plan, or extend the plan's years",
                anchor=path[:4],
            )


@rule(
    "MA-21",
    "Step timelines placed within the plan",
    severity=Severity.WARNING,
    citation=_MULTI_YEAR,
    section=_SECTION,
    crosswalk=False,
)
def step_timelines(case: Case) -> Iterator[Issue]:
    """Each step's timeline resolves, in the step's school year, to days within the plan's
    years (for checks and monitoring; documents show it as written)."""
    years = case.plan.plan.years
    for path, initiative, step in steps(case.plan):
        if step.timeline is None:
            continue
        days = resolve(step.timeline, step.school_year)
        if days is None:
            yield Issue(
                (*path, "timeline"),
                f"the timeline '{step.timeline}' of a step of initiative {initiative} cannot "
                f"be placed in {step.school_year}",
                f"{FORMS_HINT}; a range must not end before it starts",
                anchor=path[:4],
            )
        elif days.start < years.start or days.end > years.end:
            yield Issue(
                (*path, "timeline"),
                f"the timeline '{step.timeline}' of a step of initiative {initiative} "
                f"({days.start.isoformat()} to {days.end.isoformat()}) is outside the plan "
                f"years ({years.start.isoformat()} to {years.end.isoformat()})",
                "correct the timeline or the step's school year",
                anchor=path[:4],
            )
