"""INPUT and INT: the input is a valid plan, and its parts are connected.

INPUT-1 and INT-1 are enforced while the input is validated (`pipeline/validate.py`,
`pipeline/integrity.py`): a plan that breaks them cannot be checked further, so their findings
come from validation; they are declared here so that reports and `--list-rules` name them.
INT-2 and INT-3 find parts of a valid plan that nothing else connects to.
"""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.checks.rules import Case, Issue, Rule, declare, rule
from pipeline.errors import Severity
from pipeline.model.documents import IMPROVEMENT_PLAN

_MODEL = "The plan model (schema/plan.schema.json)"

declare(
    Rule(
        "INPUT-1",
        "The input is a valid plan",
        Severity.ERROR,
        f"{_MODEL}: every required field present, values of the right type, dates real dates, "
        "percentages 0–100, closed lists closed",
        IMPROVEMENT_PLAN,
        "The whole input",
        crosswalk=False,
        explanation="The input matches the published JSON Schema and the plan model. "
        "`pipeline validate` reports the same problems.",
    )
)

declare(
    Rule(
        "INT-1",
        "Ids are unique and every reference resolves",
        Severity.ERROR,
        f"{_MODEL}; DESE Massachusetts Planning and Implementation Framework (objective → "
        "initiative → benchmark; outcome → objective)",
        IMPROVEMENT_PLAN,
        "The whole input",
        crosswalk=False,
        explanation="Objective, initiative, outcome, benchmark and root cause ids are unique, "
        "and every reference to one (a benchmark's initiative, an outcome's objectives, a "
        "resource inequity's initiatives…) names an existing id.",
    )
)


@rule(
    "INT-2",
    "Every root cause is addressed by an objective",
    severity=Severity.WARNING,
    citation="DESE Planning for Success, Root Cause Analysis Worksheet; DESE Sustainable "
    "Improvement Plan guidance (objectives emerge from the root causes)",
    section="II. Data Analysis: Root causes; III. Strategic Objectives",
    crosswalk=False,
)
def root_causes_addressed(case: Case) -> Iterator[Issue]:
    """Every root cause the needs assessment found is addressed by at least one strategic
    objective (its `root_causes`)."""
    needs = case.plan.needs_assessment
    if needs is None:
        return
    addressed = {
        cause for objective in case.plan.objectives or [] for cause in objective.root_causes
    }
    for index, cause in enumerate(needs.root_causes):
        if cause.id not in addressed:
            yield Issue(
                ("needs_assessment", "root_causes", index),
                f"no strategic objective addresses root cause {cause.id}",
                f"list '{cause.id}' in objectives[].root_causes of the objective that addresses it",
            )


@rule(
    "INT-3",
    "Support activities name the initiatives they support",
    severity=Severity.WARNING,
    citation="M.G.L. c.69 §1I (professional development that will support each improvement "
    "initiative)",
    section="III. Professional Development; Teacher Induction and Mentoring; Program Models "
    "for English Learners",
    crosswalk=False,
)
def supports_linked(case: Case) -> Iterator[Issue]:
    """Each professional development, induction and English learner activity names the
    initiatives it supports, so the plan shows which initiative each one serves."""
    supports = case.plan.supports
    if supports is None:
        return
    for key in ("professional_development", "induction_mentoring", "english_learners"):
        for index, activity in enumerate(getattr(supports, key)):
            if not activity.initiatives:
                yield Issue(
                    ("supports", key, index, "initiatives"),
                    f"the activity '{activity.title}' names no initiative it supports",
                    'list the ids of the initiatives it supports in "initiatives"',
                )
