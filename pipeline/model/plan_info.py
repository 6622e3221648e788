"""The plan's own record: who it is for (the organization), its years, revisions, approvals,
team, stakeholder engagement, monitoring, and any corrective actions it answers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from pipeline.model.fields import (
    Count,
    Grades,
    Name,
    OrgCode,
    Record,
    Text,
)
from pipeline.model.vocabulary import (
    ApproverRole,
    EssaDesignation,
    Frequency,
    Level,
    Profile,
    StakeholderGroup,
    StudentGroup,
)


class Person(Record):
    name: Text | None = Field(
        None,
        description="Full name, as it should appear in the documents (when the plan names it).",
    )
    title: Text = Field(description="Job title or role, e.g. 'Principal'.")


class Organization(Record):
    """Who the plan is for."""

    name: Name = Field(description="Official name of the school or district.")
    code: OrgCode = Field(
        description="The state's organization code (DESE uses 8 digits); leading zeros are kept."
    )
    level: Level = Field(description="Whether this is a school or a district plan.")
    district: Text | None = Field(
        None, description="Name of the district a school belongs to (schools only)."
    )
    district_code: OrgCode | None = Field(
        None, description="The state's code of the district a school belongs to."
    )
    grades: Grades = Field(description="Grade span served, e.g. 'K-5', 'PK-8' or '9-12'.")
    enrollment: Count | None = Field(None, description="Number of students enrolled.")
    leader: Person | None = Field(
        None, description="The principal or superintendent leading the plan."
    )
    address: Text | None = Field(None, description="Street address, one line.")


# ---------------------------------------------------------------------------------------------
# plan


class PlanYears(Record):
    start: dt.date = Field(description="First day of the plan's first school year (YYYY-MM-DD).")
    end: dt.date = Field(description="Last day of the plan's final school year (YYYY-MM-DD).")


class Revision(Record):
    number: Annotated[str, Field(pattern=r"^[0-9]{1,9}(\.[0-9]{1,9}){0,5}$")] | None = Field(
        None, description="Revision number, e.g. '1' or '2.1'."
    )
    date: dt.date = Field(description="Date of this revision (YYYY-MM-DD); documents carry it.")
    summary: Text | None = Field(None, description="What changed in this revision.")


class Approval(Record):
    role: ApproverRole = Field(description="Who approved: the body or office.")
    name: Text = Field(description="Name of the approver or the approving body's chair.")
    date: dt.date = Field(description="Date of approval (YYYY-MM-DD).")


class TeamMember(Record):
    name: Text = Field(description="Full name of the planning team member.")
    role: Text = Field(description="Their position, e.g. 'Grade 3 teacher'.")
    group: StakeholderGroup = Field(description="The stakeholder group they represent.")


class Engagement(Record):
    date: dt.date = Field(description="When the engagement took place (YYYY-MM-DD).")
    groups: list[StakeholderGroup] = Field(min_length=1, description="Stakeholder groups engaged.")
    method: Text = Field(description="How they were engaged, e.g. 'family survey'.")
    participants: Count | None = Field(None, description="Number of participants.")
    summary: Text = Field(description="What was heard and how it shaped the plan.")


class Monitoring(Record):
    frequency: Frequency = Field(description="How often plan progress is reviewed.")
    responsible: Text = Field(description="Who leads the progress reviews.")
    description: Text = Field(description="How progress is monitored and reported.")
    reviewed_by: list[ApproverRole] = Field(
        default_factory=list,
        description="Who reviews progress from outside the school: the superintendent or "
        "school committee (the district monitors TSI and ATSI plans), the state (DESE "
        "periodically reviews CSI plans).",
    )


class CorrectiveAction(Record):
    """An IDEA finding of noncompliance and how it is corrected (34 CFR 300.600(e))."""

    finding: Text = Field(
        description="The noncompliance the state found, e.g. 'SE 13: progress reports are not "
        "sent as often as report cards'."
    )
    identified_on: dt.date = Field(
        description="When the state identified the noncompliance (YYYY-MM-DD); correction is "
        "due within one year of it."
    )
    root_cause: Text | None = Field(None, description="Why the noncompliance occurred.")
    action: Text = Field(description="What will be done to correct it.")
    responsible: Text | None = Field(None, description="Person(s) responsible for the action.")
    due: dt.date | None = Field(
        None,
        description="When correction is due (YYYY-MM-DD): at most one year after it "
        "was identified.",
    )
    verification: Text | None = Field(
        None,
        description="How correction is verified: each child-specific instance corrected, and "
        "later data showing the requirement is met 100% (OSEP Memo 09-02).",
    )


class PlanInfo(Record):
    """The plan's identity, period, revision, designation and governance."""

    title: Name = Field(description="Title of the plan, e.g. 'Sustainable Improvement Plan'.")
    years: PlanYears = Field(description="The plan period; at least three school years.")
    revision: Revision | None = Field(
        None,
        description="The current revision of the plan (without one, documents are dated by the "
        "plan's first day).",
    )
    revision_history: list[Revision] = Field(
        default_factory=list, description="Earlier revisions, oldest first."
    )
    essa_designation: EssaDesignation = Field(
        EssaDesignation.NONE,
        description="The school's ESSA identification: none, CSI, TSI or ATSI.",
    )
    identified_groups: list[StudentGroup] = Field(
        default_factory=list,
        description="Student groups named in a TSI or ATSI identification.",
    )
    identification_reason: Text | None = Field(
        None, description="Why the school was identified, as communicated to stakeholders."
    )
    identification_communicated_on: dt.date | None = Field(
        None,
        description="When stakeholders were told why the school was identified (YYYY-MM-DD).",
    )
    additional_action: Text | None = Field(
        None,
        description="What the district will do if implementation is unsuccessful after the "
        "number of years it has set (ESSA TSI and ATSI).",
    )
    profiles: list[Profile] = Field(
        default_factory=list,
        description="Compliance profiles the plan must satisfy, besides those its level and "
        "designation imply.",
    )
    approvals: list[Approval] = Field(default_factory=list, description="Approvals received.")
    team: list[TeamMember] = Field(default_factory=list, description="The planning team.")
    stakeholder_engagement: list[Engagement] = Field(
        default_factory=list, description="How stakeholders were engaged in planning."
    )
    monitoring: Monitoring | None = Field(
        None, description="How the plan's implementation is monitored."
    )
    corrective_actions: list[CorrectiveAction] = Field(
        default_factory=list,
        description="IDEA corrective actions: findings of noncompliance and their correction.",
    )

    @property
    def document_date(self) -> dt.date:
        """The date documents carry: the current revision's, or the plan's first day."""
        return self.revision.date if self.revision is not None else self.years.start
