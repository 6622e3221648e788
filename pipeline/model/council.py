"""The school council's plan (M.G.L. c.71 §59C): the council that formulates a school's annual
improvement plan with the principal, and the elements the statute names that the rest of the
plan has no place for (class size and ratios, the allocation of professional development
funds, parental involvement, safety and discipline, tolerance and respect, extracurricular
activities, diverse learning needs within regular education) and its approval path.

What is optional here is optional so that a draft can show it missing: the `ma-school-council`
rules (`pipeline/checks/council.py`) decide what a school plan must state.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from pipeline.model.fields import Amount, Record, SchoolYear, Text
from pipeline.model.vocabulary import CouncilRole

Ratio = Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)]
"""Students per adult (or per class), e.g. 18.5."""


class CouncilMember(Record):
    name: Text = Field(description="Full name of the council member.")
    role: CouncilRole = Field(
        description="Principal (who co-chairs), parent, teacher, community member (not a "
        "parent, teacher, student or staff of the school) or student."
    )
    position: Text | None = Field(
        None,
        title="Council position",
        description="Their seat or office, e.g. 'Parent co-chair' or 'Grade 2 teacher'.",
    )


class ClassSize(Record):
    """The assessment of class size the statute asks for, with the ratios it names."""

    average_class_size: Ratio | None = Field(
        None, description="Average number of students in a class, e.g. 21.5."
    )
    students_per_teacher: Ratio | None = Field(
        None, description="Student-to-teacher ratio: students per teacher, e.g. 14.2."
    )
    students_per_other_adult: Ratio | None = Field(
        None,
        title="Students per other adult",
        description="Ratio of students to other supportive adults (paraprofessionals, "
        "counselors, specialists): students per adult, e.g. 22.",
    )
    impact: Text | None = Field(
        None,
        title="Impact on student performance",
        description="The assessment of the impact of class size on student performance.",
    )
    reduction_needed: bool | None = Field(
        None, description="Whether the council deems a reduction of class size necessary."
    )
    reduction_plan: Text | None = Field(
        None,
        title="Reduction plan",
        description="The scheduled plan for reducing class size (what, by when), if needed.",
    )


class FundAllocation(Record):
    purpose: Text = Field(
        description="What the professional development funds pay for, e.g. 'Coaching cycles'.",
    )
    amount: Amount | None = Field(None, description="Amount in US dollars.")
    funding_source: Text | None = Field(
        None,
        description="Where the funds come from in the school budget, e.g. 'Title II-A'.",
    )


class SchoolCouncil(Record):
    """The school council and its plan's elements (M.G.L. c.71 §59C)."""

    school_year: SchoolYear | None = Field(
        None,
        title="Council plan school year",
        description="The school year of the council's annual plan, e.g. '2025-26'.",
    )
    members: list[CouncilMember] = Field(
        default_factory=list,
        title="Council members",
        description="The school council: the principal, parents, teachers, community members "
        "and, in a school with any of grades 9–12, at least one student.",
    )
    formulated_on: dt.date | None = Field(
        None,
        title="Council formulated on",
        description="When the principal and the school council completed the plan "
        "(YYYY-MM-DD), e.g. the date of the council's vote.",
    )
    school_committee_consulted_on: dt.date | None = Field(
        None,
        description="When the superintendent consulted the school committee on the plan "
        "(YYYY-MM-DD).",
    )
    class_size: ClassSize | None = Field(
        None, description="Class size, the ratios of students to adults, and its impact."
    )
    professional_development_funds: list[FundAllocation] = Field(
        default_factory=list,
        title="PD funds",
        description="The allocation of the professional development funds in the school budget.",
    )
    parental_involvement: Text | None = Field(
        None, description="How the school enhances parental involvement in the life of the school."
    )
    safety_discipline: Text | None = Field(
        None, title="Safety and discipline", description="School safety and discipline."
    )
    tolerance_respect: Text | None = Field(
        None,
        title="Tolerance and respect",
        description="How the school establishes an environment characterized by tolerance and "
        "respect for all groups.",
    )
    extracurricular: Text | None = Field(
        None,
        title="Extracurricular activities",
        description="The extracurricular activities the school offers or plans.",
    )
    diverse_learning_needs: Text | None = Field(
        None,
        description="Means of meeting, within regular education, the diverse learning needs of "
        "as many children as possible, including children with special needs assigned to "
        "separate programs.",
    )
