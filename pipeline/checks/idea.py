"""IDEA: improvement and corrective action plans for special education (IDEA Part B:
34 CFR 300.600–300.604; the State Systemic Improvement Plan, Indicator B17)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pipeline.checks.measures import all_series
from pipeline.checks.rules import Case, Issue, rule
from pipeline.errors import Severity
from pipeline.model.outcomes import Outcome
from pipeline.model.plan import Plan
from pipeline.model.vocabulary import StudentGroup, Unit

_SWD = StudentGroup.STUDENTS_WITH_DISABILITIES
_SSIP = (
    "IDEA Part B SPP/APR Indicator B17, State Systemic Improvement Plan (data analysis, "
    "measurable result, improvement strategies, evaluation)"
)
_CAP = "34 CFR 300.600(e) and 300.604(b)(2)(i) (corrective action or improvement plan)"


def _swd_outcomes(plan: Plan) -> list[tuple[int, Outcome]]:
    """The outcomes that measure students with disabilities (as a whole, or in a row of their
    measure table)."""
    indexes = sorted({s.index for s in all_series(plan) if s.student_group is _SWD})
    return [(i, (plan.outcomes or [])[i]) for i in indexes]


@rule(
    "IDEA-1",
    "Students with disabilities in the data analysis",
    citation=f"{_SSIP}: data analysis; 34 CFR 300.600(b) (improving educational results for "
    "children with disabilities)",
    section="II. Data Analysis: Achievement gaps between student groups",
)
def data_analysis(case: Case) -> Iterator[Issue]:
    """The data analysis shows results for students with disabilities."""
    needs = case.plan.needs_assessment
    if needs is None or all(gap.student_group is not _SWD for gap in needs.student_group_gaps):
        yield Issue(
            ("needs_assessment", "student_group_gaps"),
            "the data analysis shows no results for students with disabilities",
            'add a student-group gap with "student_group": "students_with_disabilities"',
            missing="results of students with disabilities in the data analysis",
            anchor=("needs_assessment",),
        )


@rule(
    "IDEA-2",
    "A measurable result for students with disabilities, in percent",
    citation=f"{_SSIP}: baseline and measurable, rigorous targets expressed as percentages",
    section="IV. Outcomes",
)
def measurable_result(case: Case) -> Iterator[Issue]:
    """An outcome for students with disabilities in percent, with a baseline, interim targets
    and a final target."""
    if not any(
        s.student_group is _SWD and s.unit is Unit.PERCENT and s.interim_targets
        for s in all_series(case.plan)
    ):
        yield Issue(
            ("outcomes",),
            "no outcome for students with disabilities is measured in percent with interim "
            "and final targets",
            'add an outcome with "student_group": "students_with_disabilities", "unit": '
            '"percent", a baseline, interim targets and a final target',
            missing="a measurable result for students with disabilities",
        )


@rule(
    "IDEA-3",
    "Improvement strategies for students with disabilities",
    citation=f"{_SSIP}: coherent improvement strategies",
    section="III. Strategic Objectives and Initiatives",
)
def strategies(case: Case) -> Iterator[Issue]:
    """The objectives an outcome for students with disabilities measures have initiatives."""
    plan = case.plan
    with_initiatives = {o.id for o in plan.objectives or [] if o.initiatives}
    for index, outcome in _swd_outcomes(plan):
        if not with_initiatives & set(outcome.objectives):
            yield Issue(
                ("outcomes", index, "objectives"),
                f"no initiative works toward outcome {outcome.id} for students with disabilities",
                "add initiatives to the objectives it measures",
                missing=f"improvement strategies for outcome {outcome.id}",
                anchor=("outcomes", index),
            )


@rule(
    "IDEA-4",
    "An evaluation plan for the result",
    citation=f"{_SSIP}: evaluation",
    section="IV. Evaluating the Effectiveness of the Initiatives",
)
def evaluation(case: Case) -> Iterator[Issue]:
    """Each outcome for students with disabilities says how the strategies are evaluated."""
    for index, outcome in _swd_outcomes(case.plan):
        if outcome.evaluation is None:
            yield Issue(
                ("outcomes", index, "evaluation"),
                f"outcome {outcome.id} for students with disabilities has no evaluation plan",
                'describe in "evaluation" how the strategies are evaluated against it',
                missing=f"evaluation plan for outcome {outcome.id}",
                anchor=("outcomes", index),
            )


@rule(
    "IDEA-5",
    "Each corrective action: root cause and person responsible",
    citation=f"{_CAP}; OSEP Memo 09-02 (root cause); Massachusetts DESE corrective action "
    "plans (Coordinated Program Review)",
    section="VII. Corrective Actions",
)
def corrective_actions(case: Case) -> Iterator[Issue]:
    """Each corrective action states the finding's root cause and who is responsible (the
    model requires the finding, the action and the date it was identified)."""
    for index, action in enumerate(case.plan.plan.corrective_actions):
        path = ("plan", "corrective_actions", index)
        for key, value, what in (
            ("root_cause", action.root_cause, "root cause"),
            ("responsible", action.responsible, "person responsible"),
        ):
            if value is None:
                yield Issue(
                    (*path, key),
                    f"corrective action {index + 1} has no {what}",
                    f'add "{key}"',
                    missing=f"{what} of corrective action {index + 1}",
                    anchor=("plan", "corrective_actions"),
                )


def _one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@rule(
    "IDEA-6",
    "Corrected within one year of identification",
    citation="34 CFR 300.600(e) (noncompliance corrected as soon as possible, and in no case "
    "later than one year after identification); Massachusetts DESE 'Mandatory One-Year "
    "Compliance Date'",
    section="VII. Corrective Actions",
)
def within_a_year(case: Case) -> Iterator[Issue]:
    """Each corrective action has a due date no later than one year after the noncompliance
    was identified."""
    for index, action in enumerate(case.plan.plan.corrective_actions):
        path = ("plan", "corrective_actions", index, "due")
        deadline = _one_year_after(action.identified_on)
        if action.due is None:
            yield Issue(
                path,
                f"corrective action {index + 1} has no due date",
                f"set one no later than {deadline.isoformat()}, one year after identification",
                missing=f"due date of corrective action {index + 1}",
                anchor=("plan", "corrective_actions"),
            )
        elif action.due > deadline:
            yield Issue(
                path,
                f"corrective action {index + 1} is due {action.due.isoformat()}, more than one "
                f"year after the noncompliance was identified ({action.identified_on.isoformat()})",
                f"correct it by {deadline.isoformat()} at the latest",
                anchor=("plan", "corrective_actions"),
            )


@rule(
    "IDEA-7",
    "Correction verified on both prongs",
    severity=Severity.WARNING,
    citation="OSEP Memo 09-02 (each child-specific instance corrected; later data show the "
    "requirement is met 100%)",
    section="VII. Corrective Actions",
)
def verification(case: Case) -> Iterator[Issue]:
    """Each corrective action says how correction will be verified: each child-specific
    instance corrected, and later data showing full compliance."""
    for index, action in enumerate(case.plan.plan.corrective_actions):
        if action.verification is None:
            yield Issue(
                ("plan", "corrective_actions", index, "verification"),
                f"corrective action {index + 1} does not say how correction is verified",
                'describe both prongs in "verification"',
                missing=f"verification of corrective action {index + 1}",
                anchor=("plan", "corrective_actions"),
            )
