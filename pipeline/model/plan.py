"""The canonical plan model: the one definition of what a plan contains.

The JSON Schema (`pipeline schema`), the template context and the integrity checks are derived
from these classes. Every field has a description (it becomes the schema's description, the
workbook's input message and the template authors' documentation); unknown fields are errors.

Ids are declared with `Id("kind")` and references with `Ref("kind")`; `integrity.py` walks the
model to check that ids are unique and every reference resolves.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import ConfigDict, Field

from pipeline.model.action_plan import ActionPlan, Benchmark, Resource
from pipeline.model.council import SchoolCouncil
from pipeline.model.fields import (
    Amount,
    EvidenceTier,
    Id,
    IdText,
    Percent,
    Period,
    Record,
    Ref,
    SchoolYear,
    Text,
)
from pipeline.model.outcomes import Outcome
from pipeline.model.plan_info import (
    Organization,
    PlanInfo,
)
from pipeline.model.vocabulary import (
    DataCategory,
    ResourceKind,
    RoadmapPhase,
    Status,
    StudentGroup,
    Subject,
)

__all__ = ["ActionPlan", "Benchmark", "Resource"]  # re-exported: the action plan has its own module

# ---------------------------------------------------------------------------------------------
# foundation, needs assessment, theory of action


class CoreValue(Record):
    name: Text = Field(description="The value in a word or phrase, e.g. 'Equity'.")
    description: Text | None = Field(None, description="What the value means in practice.")


class GraduateAttribute(Record):
    name: Text = Field(description="The attribute in a word or phrase, e.g. 'Critical thinker'.")
    description: Text | None = Field(None, description="What it looks like in a graduate.")


class Foundation(Record):
    """Mission, vision and core values: the foundation of the plan."""

    mission: Text = Field(description="Why the school or district exists.")
    vision: Text = Field(description="Aspirations for students: what future success looks like.")
    core_values: list[CoreValue] = Field(
        default_factory=list, description="Principles that guide decisions and action."
    )
    portrait_of_graduate: list[GraduateAttribute] = Field(
        default_factory=list,
        title="Portrait of a graduate",
        description="The portrait of a graduate: the attributes every student leaves with.",
    )


class Gap(Record):
    subject: Subject = Field(description="Core subject or indicator the gap is measured in.")
    metric: Text = Field(
        description="What is measured, e.g. 'MCAS ELA % meeting or exceeding expectations'."
    )
    student_group: StudentGroup = Field(description="The student group with the gap.")
    group_value: Percent = Field(description="The group's result, in percent (0–100).")
    comparison_group: StudentGroup = Field(
        StudentGroup.ALL_STUDENTS, description="The group compared against."
    )
    comparison_value: Percent = Field(
        description="The comparison group's result, in percent (0–100)."
    )
    year: SchoolYear = Field(description="School year of the data, e.g. '2024-25'.")
    higher_is_better: bool = Field(
        True, description="False for measures such as chronic absenteeism, where lower is better."
    )
    note: Text | None = Field(None, description="Context or trend worth knowing.")


class DataFinding(Record):
    category: DataCategory = Field(description="Student, perception or systems data.")
    finding: Text = Field(description="What the data show.")
    source: Text | None = Field(None, description="Where the data come from.")


class RootCause(Record):
    id: Annotated[IdText, Id("root_cause")] = Field(description="Unique id, e.g. 'RC1'.")
    description: Text = Field(description="The underlying cause the plan addresses.")


class ResourceInequity(Record):
    description: Text = Field(description="The inequity in resources identified.")
    evidence: Text | None = Field(None, description="Data or budget review that shows it.")
    addressed_by: list[Annotated[IdText, Ref("initiative")]] = Field(
        default_factory=list, description="Ids of the initiatives that address it."
    )


class NeedsAssessment(Record):
    """The data analysis the plan rests on."""

    summary: Text = Field(description="How the needs assessment was conducted, and by whom.")
    completed_on: dt.date | None = Field(None, description="When it was completed (YYYY-MM-DD).")
    student_group_gaps: list[Gap] = Field(
        default_factory=list,
        description="Achievement gaps between student groups in core subjects.",
    )
    data_findings: list[DataFinding] = Field(
        default_factory=list, description="Findings from student, perception and systems data."
    )
    strengths: list[Text] = Field(default_factory=list, description="Assets to build on.")
    challenges: list[Text] = Field(default_factory=list, description="Challenges identified.")
    root_causes: list[RootCause] = Field(
        default_factory=list, description="Root causes found by the team."
    )
    resource_inequities: list[ResourceInequity] = Field(
        default_factory=list, description="Resource inequities identified (ESSA CSI/ATSI)."
    )
    prioritized_needs: list[Text] = Field(
        default_factory=list, description="The needs the plan addresses, highest priority first."
    )


class TheoryOfAction(Record):
    """If / then / so that / thereby (or If / Then / And), or a single if–then statement."""

    model_config = ConfigDict(populate_by_name=True)

    if_: Text | None = Field(
        None, alias="if", description="IF we implement this evidence-based strategy…"
    )
    then: Text | None = Field(None, description="THEN adults will demonstrate these practices…")
    and_: Text | None = Field(
        None,
        alias="and",
        description="AND what follows from it (the roadmap's If / Then / And form).",
    )
    so_that: Text | None = Field(None, description="SO THAT students who most need it grow…")
    thereby: Text | None = Field(None, description="THEREBY meeting the long-term goal…")
    statement: Text | None = Field(
        None, description="The theory of action as one if–then statement, when not in parts."
    )


# ---------------------------------------------------------------------------------------------
# objectives and supports


class Evidence(Record):
    tier: EvidenceTier = Field(
        description="ESSA evidence tier (ESEA §8101(21)): 1 strong, 2 moderate, 3 promising, "
        "4 demonstrates a rationale."
    )
    citation: Text = Field(description="The study, review or rationale the tier rests on.")
    funded_by_1003: bool = Field(
        False, description="Whether ESSA §1003 school-improvement funds pay for it."
    )
    evaluation: Text | None = Field(
        None, description="How its effects are examined (required for tier 4)."
    )


class StepResource(Record):
    kinds: list[ResourceKind] = Field(
        min_length=1, description="What kinds of resource: staff, funding, materials, time…"
    )
    description: Text = Field(description="What the resource is, as the plan states it.")
    funding_source: Text | None = Field(None, description="Funding source, e.g. 'Title I'.")
    amount: Amount | None = Field(None, description="Amount in US dollars.")


class Step(Record):
    """One action step of an initiative, in one school year of the plan."""

    school_year: SchoolYear = Field(description="The school year of the step, e.g. '2024-25'.")
    description: Text = Field(description="What will be done.")
    responsible: Text | None = Field(None, description="Person(s) responsible.")
    timeline: Period | None = Field(
        None,
        description="When, as the plan writes it: a date (2024-03-01) or a period (January "
        "2024, Spring 2024, Fall–Winter 2023-24, SY 2024-25, December–April).",
    )
    resources: list[StepResource] = Field(
        default_factory=list, title="Step resources", description="Resources the step needs."
    )
    evidence: Text | None = Field(
        None,
        description="Evidence of effectiveness: the early evidence of change the step should "
        "produce, or how its completion is shown.",
    )
    schools: list[Text] = Field(
        default_factory=list,
        title="Step schools",
        description="In a district plan, the schools (or school levels) the step applies to; "
        "empty: all.",
    )
    status: Status | None = Field(None, description="Status during the year, when recorded.")


class Initiative(Record):
    id: Annotated[IdText, Id("initiative")] = Field(description="Unique id, e.g. '1.1'.")
    title: Text = Field(description="Name of the project or program.")
    description: Text = Field(description="What the initiative does: the 'how'.")
    lead: Text | None = Field(None, description="Person or team who owns the initiative.")
    evidence: Evidence | None = Field(None, description="ESSA evidence base of the strategy.")
    professional_development: Text | None = Field(
        None, description="Professional development that supports this initiative."
    )
    district_objective: Text | None = Field(
        None, description="The District Plan objective this initiative supports."
    )
    also_serves: list[Annotated[IdText, Ref("objective")]] = Field(
        default_factory=list,
        description="Ids of other strategic objectives this initiative also advances.",
    )
    theory_of_action: TheoryOfAction | None = Field(
        None, description="The initiative's own theory of action (If / Then / And)."
    )
    schools: list[Text] = Field(
        default_factory=list,
        title="Initiative schools",
        description="In a district plan, the schools (or school levels) it applies to; empty: all.",
    )
    steps: list[Step] = Field(
        default_factory=list,
        title="Steps",
        description="Action steps, for any school year of the plan; the annual action plan is "
        "the current year's detail.",
    )


class NamedGoal(Record):
    """A named goal between an objective and its initiatives, e.g. 'Universal Academic Goal #1:
    High Quality Instructional Materials'."""

    title: Text = Field(description="The goal's name, e.g. 'High Quality Instructional Materials'.")
    statement: Text | None = Field(None, description="The goal in one sentence.")
    initiatives: list[Annotated[IdText, Ref("initiative")]] = Field(
        default_factory=list, description="Ids of the initiatives under this goal."
    )


class Objective(Record):
    id: Annotated[IdText, Id("objective")] = Field(description="Unique id, e.g. 'SO1'.")
    title: Text = Field(description="The objective (goal area): the 'what'.")
    goal: Text | None = Field(
        None, description="The objective's strategic goal in one sentence (SMART where measured)."
    )
    named_goals: list[NamedGoal] = Field(
        default_factory=list, description="Named goals between the objective and its initiatives."
    )
    theory_of_action: TheoryOfAction | None = Field(
        None, description="The objective's own theory of action (If / Then / And)."
    )
    rationale: Text | None = Field(
        None, description="Why it matters: the 'why', grounded in the data."
    )
    root_causes: list[Annotated[IdText, Ref("root_cause")]] = Field(
        default_factory=list, description="Ids of the root causes it addresses."
    )
    initiatives: list[Initiative] = Field(
        default_factory=list, description="The strategic initiatives that achieve it."
    )


class SupportActivity(Record):
    title: Text = Field(description="Name of the activity.")
    description: Text = Field(description="What it is, who takes part and when.")
    initiatives: list[Annotated[IdText, Ref("initiative")]] = Field(
        default_factory=list, description="Ids of the initiatives it supports."
    )


class Supports(Record):
    """Professional development, induction and mentoring, and English learner programs."""

    professional_development: list[SupportActivity] = Field(
        default_factory=list, description="Professional development supporting the initiatives."
    )
    induction_mentoring: list[SupportActivity] = Field(
        default_factory=list, description="Teacher induction and mentoring activities."
    )
    english_learners: list[SupportActivity] = Field(
        default_factory=list, description="Program models and approaches for English learners."
    )


# ---------------------------------------------------------------------------------------------
# roadmap


class PhaseRow(Record):
    phase: RoadmapPhase = Field(description="The phase of the continuous improvement process.")
    done: Text | None = Field(None, description="What have we done?")
    engagement: Text | None = Field(None, description="How have we engaged stakeholders?")
    still_to_do: Text | None = Field(None, description="What do we still need to do?")
    by_when: dt.date | None = Field(None, description="By when? (YYYY-MM-DD)")
    responsible: Text | None = Field(None, description="Who is responsible?")


class Roadmap(Record):
    """The continuous-improvement roadmap: one row per phase."""

    phases: list[PhaseRow] = Field(description="The five phases, in order.")


# ---------------------------------------------------------------------------------------------
# the plan


class Plan(Record):
    """One organization's improvement plan."""

    model_config = ConfigDict(populate_by_name=True)

    schema_ref: str | None = Field(
        None,
        alias="$schema",
        max_length=2048,
        description="Address of the JSON Schema, for editors.",
    )
    organization: Organization = Field(description="Who the plan is for.")
    plan: PlanInfo = Field(description="Title, years, revision, designation and governance.")
    foundation: Foundation | None = Field(None, description="Mission, vision, core values.")
    needs_assessment: NeedsAssessment | None = Field(
        None, description="Data analysis: gaps, findings, root causes, priorities."
    )
    theory_of_action: TheoryOfAction | None = Field(
        None, description="Why the chosen actions lead to the vision."
    )
    objectives: list[Objective] | None = Field(
        None, description="Strategic objectives (3–5), each with its initiatives."
    )
    supports: Supports | None = Field(
        None, description="Professional development, induction and mentoring, EL programs."
    )
    outcomes: list[Outcome] | None = Field(
        None, description="SMART outcomes with interim and final targets."
    )
    action_plan: ActionPlan | None = Field(
        None, description="The annual action plan: benchmarks and resources."
    )
    roadmap: Roadmap | None = Field(None, description="The continuous-improvement roadmap.")
    school_council: SchoolCouncil | None = Field(
        None, description="The school council and its plan's elements (M.G.L. c.71 §59C)."
    )
