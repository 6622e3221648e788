"""MA: what the schema leaves optional, because a real plan may not state it, but the
Massachusetts plan must contain: who leads the plan, its current revision, each objective's
'why'. A plan that lacks one validates, and these rules report it in place."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.checks.rules import Case, Issue, rule
from pipeline.errors import Severity
from pipeline.model.vocabulary import Level

_MPIF = "DESE Massachusetts Planning and Implementation Framework"
_PFS = "DESE Planning for Success plan template"


@rule(
    "MA-17",
    "The plan's leader named",
    citation="M.G.L. c.69 §1I (the principal develops the school improvement plan; the "
    f"superintendent the district's); {_PFS}, title page",
    section="Title page: leader",
    # Once required by the schema: stated plans keep the crosswalk they had, and a plan
    # that leaves it out sees it in place (a draft) and in its check report.
    crosswalk=False,
)
def leader(case: Case) -> Iterator[Issue]:
    """The plan names who leads it (the principal of a school, the superintendent of a
    district): their title and their name."""
    organization = case.plan.organization
    who = "principal" if organization.level is Level.SCHOOL else "superintendent"
    if organization.leader is None:
        yield Issue(
            ("organization", "leader"),
            f"the plan does not name its leader (the {who})",
            f'add "leader" with the {who}\'s "name" and "title"',
            missing=f"the plan's leader (the {who})",
            anchor=("plan",),
        )
    elif organization.leader.name is None:
        title = organization.leader.title
        yield Issue(
            ("organization", "leader", "name"),
            f"the plan names its leader's title ({title}) but not their name",
            'add the leader\'s "name"',
            missing=f"the name of the {title.lower()}",
            anchor=("plan",),
        )


@rule(
    "MA-18",
    "The current revision: number and what changed",
    severity=Severity.WARNING,
    citation="DESE Planning for Success (the plan as a living document, revised as "
    "implementation is monitored)",
    section="Title page: revision",
    crosswalk=False,
)
def revision(case: Case) -> Iterator[Issue]:
    """The plan records its current revision with a number and a date (without one, documents
    are dated by the plan's first day); a revision after the first says what changed."""
    info = case.plan.plan
    current = info.revision
    if current is None:
        yield Issue(
            ("plan", "revision"),
            "the plan records no revision: its documents are dated by the plan's first day "
            f"({info.years.start.isoformat()})",
            'add "revision" with its "number", "date" and "summary"',
            missing="the revision number and date",
            anchor=("plan",),
        )
        return
    if current.number is None:
        yield Issue(
            ("plan", "revision", "number"),
            f"the current revision (dated {current.date.isoformat()}) has no number",
            'add its "number", e.g. "1" or "2.1"',
            missing="the revision number",
            anchor=("plan",),
        )
    if current.summary is None and info.revision_history:
        yield Issue(
            ("plan", "revision", "summary"),
            f"the current revision (dated {current.date.isoformat()}) does not say what changed",
            'say in "summary" what this revision changed',
            missing="what the current revision changed",
            anchor=("plan",),
        )


@rule(
    "MA-19",
    "Each objective says why: its rationale",
    citation=f"{_MPIF} (strategic objectives: the 'what' and the 'why'); {_PFS}, "
    "section III(a); DESE Sustainable Improvement Plan guidance (objectives emerge from the "
    "data and root causes)",
    section="III. Strategic Objectives and Initiatives",
    # Once required by the schema: stated plans keep the crosswalk they had, and a plan
    # that leaves it out sees it in place (a draft) and in its check report.
    crosswalk=False,
)
def rationale(case: Case) -> Iterator[Issue]:
    """Every strategic objective says why it matters, grounded in the data: its rationale."""
    for index, objective in enumerate(case.plan.objectives or []):
        if objective.rationale is None:
            yield Issue(
                ("objectives", index, "rationale"),
                f"strategic objective {objective.id} does not say why it matters",
                'write in "rationale" why, from the data analysis, this objective matters',
                missing=f"the rationale of objective {objective.id}",
                anchor=("objectives", index),
            )
