"""MA: the structure of the Massachusetts multi-year plan (M.G.L. c.69 §1I; DESE Planning for
Success). Each element the statute or DESE's outline requires is present and not empty."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.checks.measures import NAME, Series, per_outcome
from pipeline.checks.rules import (
    Case,
    Issue,
    initiatives,
    is_empty,
    rule,
    school_year_of,
    theories,
)
from pipeline.errors import Severity
from pipeline.model.vocabulary import ApproverRole, Level, StakeholderGroup

_PFS = "DESE Planning for Success plan template"


@rule(
    "MA-1",
    "Mission, vision and core values",
    citation=f"DESE Massachusetts Planning and Implementation Framework; {_PFS}, section I; "
    "DESE Sustainable Improvement Plan guidance, 'Envision the Future'",
    section="I. Mission, Vision and Core Values",
)
def foundation(case: Case) -> Iterator[Issue]:
    """The foundation of the plan: a mission, a vision and at least one core value."""
    if case.plan.foundation is None:
        yield Issue(
            ("foundation",),
            "the plan has no foundation: mission, vision and core values are missing",
            'add "foundation" with "mission", "vision" and "core_values"',
            missing="mission, vision and core values (foundation)",
        )
    elif not case.plan.foundation.core_values:
        yield Issue(
            ("foundation", "core_values"),
            "the plan names no core value",
            'list at least one under "core_values", e.g. {"name": "Equity"}',
            missing="core values",
        )


@rule(
    "MA-2",
    "Data analysis with achievement gaps between student groups",
    citation="M.G.L. c.69 §1I (an analysis of student and subgroup achievement gaps in core "
    f"subjects); {_PFS}, section II(a)",
    section="II. Data Analysis: Achievement gaps between student groups",
)
def data_analysis(case: Case) -> Iterator[Issue]:
    """The needs assessment, with at least one achievement gap between student groups in a
    core subject. DESE's template omits the data analysis, but the statute requires it."""
    needs = case.plan.needs_assessment
    if needs is None:
        yield Issue(
            ("needs_assessment",),
            "the plan has no needs assessment (data analysis)",
            'add "needs_assessment" with a summary and "student_group_gaps"',
            missing="data analysis (needs_assessment)",
        )
    elif not needs.student_group_gaps:
        yield Issue(
            ("needs_assessment", "student_group_gaps"),
            "the data analysis shows no achievement gap between student groups",
            "add at least one gap: subject, metric, student group, its result and the "
            "comparison group's",
            missing="achievement gaps between student groups",
        )


@rule(
    "MA-3",
    "Theory of action",
    citation=f"DESE Massachusetts Planning and Implementation Framework; {_PFS}, section II(b)",
    section="II. Theory of Action",
)
def theory_of_action(case: Case) -> Iterator[Issue]:
    """A theory of action: an if–then statement, or its parts (if, then, so that, thereby);
    the plan's own, or one of its objectives' or initiatives' own. Each one given states
    something."""
    found = list(theories(case.plan))
    for path, name, theory in found:
        if is_empty(theory):
            yield Issue(
                path,
                f"{name} is empty",
                'fill in "if" and "then", or "statement"',
                missing=name.removeprefix("the "),
            )
    if not found:
        yield Issue(
            ("theory_of_action",),
            "the plan has no theory of action",
            'add "theory_of_action" with "if" and "then" (and "so_that", "thereby"), or a '
            '"statement"; or give each objective its own',
            missing="theory of action",
        )


@rule(
    "MA-4",
    "Strategic objectives",
    citation=f"M.G.L. c.69 §1I (specific improvement objectives); {_PFS}, section III(a)",
    section="III. Strategic Objectives and Initiatives",
)
def objectives_present(case: Case) -> Iterator[Issue]:
    """At least one strategic objective: the 'what' and 'why' of the plan."""
    if not case.plan.objectives:
        yield Issue(
            ("objectives",),
            "the plan has no strategic objectives",
            'add "objectives", each with an id, title, rationale and its initiatives',
            missing="strategic objectives",
        )


@rule(
    "MA-5",
    "Three to five strategic objectives",
    severity=Severity.WARNING,
    citation=f"{_PFS}, section III(a): 3 to 5 strategic objectives are recommended",
    section="III. Strategic Objectives and Initiatives",
    crosswalk=False,
)
def objectives_count(case: Case) -> Iterator[Issue]:
    """DESE recommends three to five strategic objectives; fewer or more is allowed."""
    count = len(case.plan.objectives or [])
    if count and not 3 <= count <= 5:
        yield Issue(
            ("objectives",),
            f"the plan has {count} strategic objective{'s' if count > 1 else ''}; DESE "
            "recommends 3 to 5",
            "merge or split objectives so the plan stays focused",
        )


@rule(
    "MA-6",
    "Strategic initiatives for every objective",
    citation="M.G.L. c.69 §1I (the strategic initiatives undertaken to achieve the "
    f"objectives); DESE Massachusetts Planning and Implementation Framework; {_PFS}, "
    "section III(b)",
    section="III. Strategic Objectives and Initiatives",
)
def initiatives_per_objective(case: Case) -> Iterator[Issue]:
    """Every strategic objective has at least one strategic initiative: the 'how'."""
    for index, objective in enumerate(case.plan.objectives or []):
        if not objective.initiatives:
            yield Issue(
                ("objectives", index, "initiatives"),
                f"strategic objective {objective.id} has no initiatives",
                "add at least one initiative: id, title, description and lead",
                missing=f"strategic initiatives for objective {objective.id}",
                anchor=("objectives", index),
            )


@rule(
    "MA-7",
    "Professional development supporting each initiative",
    citation="M.G.L. c.69 §1I (the professional development activities that will support "
    f"each improvement initiative); {_PFS}, section III(c)",
    section="III. Initiatives (professional development); Professional Development "
    "Supporting the Initiatives",
)
def professional_development(case: Case) -> Iterator[Issue]:
    """Every initiative is supported by professional development: described on the initiative
    itself, or a professional development activity in `supports` names it."""
    supports = case.plan.supports
    covered = {
        initiative_id
        for activity in (supports.professional_development if supports else [])
        for initiative_id in activity.initiatives
    }
    for path, initiative in initiatives(case.plan):
        if initiative.professional_development is None and initiative.id not in covered:
            yield Issue(
                (*path, "professional_development"),
                f"initiative {initiative.id} has no professional development supporting it",
                'describe it in "professional_development", or list '
                f"'{initiative.id}' in supports.professional_development[].initiatives of an "
                "activity",
                missing=f"professional development for initiative {initiative.id}",
                anchor=path,
            )


@rule(
    "MA-8",
    "Teacher induction and mentoring",
    citation="M.G.L. c.69 §1I (the teacher induction and mentoring activities); "
    f"{_PFS}, section III(d)",
    section="III. Teacher Induction and Mentoring",
)
def induction_mentoring(case: Case) -> Iterator[Issue]:
    """The plan describes its teacher induction and mentoring activities."""
    supports = case.plan.supports
    if supports is None or not supports.induction_mentoring:
        yield Issue(
            ("supports", "induction_mentoring"),
            "the plan describes no teacher induction and mentoring activities",
            "add at least one activity to supports.induction_mentoring",
            missing="teacher induction and mentoring activities",
            anchor=("supports",),
        )


@rule(
    "MA-9",
    "Outcomes with interim and final targets",
    citation="M.G.L. c.69 §1I (performance benchmarks); "
    f"{_PFS}, section IV(a) (interim and final outcomes); DESE 'Setting Outcomes for the "
    "District Plan'",
    section="IV. Outcomes",
)
def outcomes(case: Case) -> Iterator[Issue]:
    """The plan has SMART outcomes, each (or each row of its measure table) with at least one
    interim target besides its final target (SMART-M1 asks for the baseline and final
    target)."""
    if not case.plan.outcomes:
        yield Issue(
            ("outcomes",),
            "the plan has no outcomes",
            'add "outcomes": SMART goals with a baseline, interim targets and a final target',
            missing="outcomes with interim and final targets",
        )
        return
    yield from per_outcome(case.plan, _interim_targets)


def _interim_targets(s: Series) -> Iterator[Issue]:
    if not s.interim_targets:
        yield Issue(
            ("interim_targets",),
            f"{NAME} has no interim target",
            "add at least one interim target (value and date) between the baseline and the "
            "final target",
            missing=f"interim targets for {NAME}",
            anchor=(),
        )


@rule(
    "MA-10",
    "Every objective measured by an outcome",
    citation="DESE 'Setting Outcomes for the District Plan'; DESE Massachusetts Planning and "
    "Implementation Framework",
    section="III. Strategic Objectives ('Measured by'); IV. Outcomes",
)
def objectives_measured(case: Case) -> Iterator[Issue]:
    """Every strategic objective is measured by at least one outcome."""
    measured = {
        objective for outcome in case.plan.outcomes or [] for objective in outcome.objectives
    }
    for index, objective in enumerate(case.plan.objectives or []):
        if objective.id not in measured:
            yield Issue(
                ("objectives", index),
                f"no outcome measures strategic objective {objective.id}",
                f"list '{objective.id}' in outcomes[].objectives of the outcomes that measure it",
                missing=f"an outcome measuring objective {objective.id}",
            )


@rule(
    "MA-11",
    "A process for evaluating the initiatives",
    citation="M.G.L. c.69 §1I (processes for evaluating the effect of improvement "
    f"initiatives); {_PFS}, section IV(a)",
    section="IV. Evaluating the Effectiveness of the Initiatives",
)
def evaluation(case: Case) -> Iterator[Issue]:
    """Each outcome says how the initiatives' effectiveness is evaluated against it."""
    for index, outcome in enumerate(case.plan.outcomes or []):
        if outcome.evaluation is None:
            yield Issue(
                ("outcomes", index, "evaluation"),
                f"outcome {outcome.id} does not say how the initiatives are evaluated",
                'describe in "evaluation" how the results are used to judge the initiatives',
                missing=f"evaluation process for outcome {outcome.id}",
                anchor=("outcomes", index),
            )


@rule(
    "MA-12",
    "Program models for English learners",
    severity=Severity.WARNING,
    citation="DESE Planning for Success plan outline, section III (program models for "
    "English learners)",
    section="III. Program Models for English Learners",
)
def english_learners(case: Case) -> Iterator[Issue]:
    """The plan describes its program models for English learners."""
    supports = case.plan.supports
    if supports is None or not supports.english_learners:
        yield Issue(
            ("supports", "english_learners"),
            "the plan describes no program model for English learners",
            "add the English learner program (e.g. Sheltered English Immersion) to "
            "supports.english_learners",
            missing="program models for English learners",
            anchor=("supports",),
        )


@rule(
    "MA-13",
    "A plan of at least three school years",
    citation="DESE Sustainable Improvement Plan guidance, 'Strategic Objectives & "
    "Initiatives' (a multi-year roadmap for at least the next three years)",
    section="Title page: plan period",
)
def plan_years(case: Case) -> Iterator[Issue]:
    """The plan spans at least three school years (July to June)."""
    years = case.plan.plan.years
    count = school_year_of(years.end) - school_year_of(years.start) + 1
    if count < 3:
        yield Issue(
            ("plan", "years", "end"),
            f"the plan covers {count} school year{'s' if count != 1 else ''}; a multi-year "
            "plan covers at least three",
            "end the plan at least three school years after it starts",
        )


@rule(
    "MA-14",
    "Stakeholders engaged, families among them",
    severity=Severity.WARNING,
    citation="DESE Sustainable Improvement Plan guidance, 'Stakeholder Engagement'; "
    "M.G.L. c.69 §1S (input from parents and school councils); M.G.L. c.71 §59C",
    section="V. Planning Team and Stakeholder Engagement",
)
def engagement(case: Case) -> Iterator[Issue]:
    """The plan records how stakeholders, including parents and families, were engaged."""
    events = case.plan.plan.stakeholder_engagement
    if not events:
        yield Issue(
            ("plan", "stakeholder_engagement"),
            "the plan records no stakeholder engagement",
            "add each engagement: date, groups, method and what was heard",
            missing="stakeholder engagement",
        )
    elif not any(StakeholderGroup.PARENT in event.groups for event in events):
        yield Issue(
            ("plan", "stakeholder_engagement"),
            "no recorded engagement included parents and families",
            "record how families were engaged (survey, forum, school council)",
            missing="engagement of parents and families",
        )


@rule(
    "MA-15",
    "Approval recorded",
    severity=Severity.WARNING,
    citation="M.G.L. c.69 §1I (the district plan; a school plan is submitted to the "
    "superintendent, who reviews and approves it after consultation with the school "
    "committee); M.G.L. c.71 §59C (school council)",
    section="VI. Approvals",
)
def approval(case: Case) -> Iterator[Issue]:
    """A school plan records the superintendent's approval; a district plan the school
    committee's."""
    school = case.plan.organization.level is Level.SCHOOL
    needed = ApproverRole.SUPERINTENDENT if school else ApproverRole.SCHOOL_COMMITTEE
    if all(approval.role is not needed for approval in case.plan.plan.approvals):
        yield Issue(
            ("plan", "approvals"),
            f"the {needed.label.lower()}'s approval is not recorded",
            f'add an approval with "role": "{needed.value}", name and date once it is given',
            missing=f"approval by the {needed.label.lower()}",
        )


@rule(
    "MA-16",
    "Initiatives aligned with the District Plan",
    severity=Severity.WARNING,
    citation="DESE Planning for Success, 'Align Systems' (connect School Improvement Plans to "
    "the District Plan)",
    section="III. Initiatives (District Plan alignment)",
)
def district_alignment(case: Case) -> Iterator[Issue]:
    """Each initiative of a school plan names the District Plan objective it supports."""
    for path, initiative in initiatives(case.plan):
        if initiative.district_objective is None:
            yield Issue(
                (*path, "district_objective"),
                f"initiative {initiative.id} does not name the District Plan objective it supports",
                'write it in "district_objective"',
                missing=f"District Plan alignment of initiative {initiative.id}",
                anchor=path,
            )
