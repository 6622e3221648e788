"""ESSA: school improvement plans of schools identified for comprehensive (CSI), targeted (TSI)
or additional targeted (ATSI) support, ESEA §1111(d). The statute's paragraph numbering is as
the OESE and state crosswalks give it (research/requirements.md §3.1–3.4)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.checks.measures import all_series, student_groups
from pipeline.checks.rules import Case, Issue, initiatives, rule
from pipeline.errors import Severity
from pipeline.model.vocabulary import (
    ApproverRole,
    Profile,
    StakeholderGroup,
    StudentGroup,
    Subject,
)

_CROSSWALKS = "OESE 'Plans That Work'; Colorado CDE ESSA improvement planning requirements"

_CSI = Profile.ESSA_CSI
_TARGETED = (Profile.ESSA_TSI, Profile.ESSA_ATSI)


@rule(
    "ESSA-1",
    "Developed with school leaders, teachers and parents",
    citation="ESEA §1111(d)(1)(B) and (d)(2)(B) (developed in partnership with stakeholders, "
    f"including principals and other school leaders, teachers and parents); {_CROSSWALKS}",
    section="V. Planning Team and Stakeholder Engagement",
)
def stakeholders(case: Case) -> Iterator[Issue]:
    """School leaders, teachers and parents are on the planning team or among the
    stakeholders engaged."""
    plan = case.plan.plan
    present = {member.group for member in plan.team}
    present |= {group for event in plan.stakeholder_engagement for group in event.groups}
    needed = (StakeholderGroup.SCHOOL_LEADER, StakeholderGroup.TEACHER, StakeholderGroup.PARENT)
    absent = [group for group in needed if group not in present]
    if absent:
        names = ", ".join(group.label.lower() for group in absent)
        yield Issue(
            ("plan", "stakeholder_engagement"),
            f"the plan was not developed with {names}: none is on the team or among the "
            "stakeholders engaged",
            "record their part in plan.team or plan.stakeholder_engagement",
            missing=f"engagement of {names}",
        )


@rule(
    "ESSA-2",
    "Stakeholders told why the school was identified",
    severity=Severity.WARNING,
    citation="Colorado CDE ESSA improvement planning requirements (stakeholders made aware of "
    "the reasons for identification)",
    section="Title page: reason for identification",
)
def identification_reason(case: Case) -> Iterator[Issue]:
    """The plan states why the school was identified, and when stakeholders were told."""
    plan = case.plan.plan
    if plan.identification_reason is None:
        yield Issue(
            ("plan", "identification_reason"),
            "the plan does not say why the school was identified",
            'state it in "identification_reason", as it was explained to stakeholders',
            missing="the reason for identification",
            anchor=("plan",),
        )
    if plan.identification_communicated_on is None:
        yield Issue(
            ("plan", "identification_communicated_on"),
            "the plan does not say when stakeholders were told why the school was identified",
            'add "identification_communicated_on" (YYYY-MM-DD)',
            missing="when stakeholders were told the reason for identification",
            anchor=("plan",),
        )


# The Massachusetts accountability indicators, and words by which outcomes and findings
# name them.
_INDICATORS: dict[Subject, re.Pattern[str]] = {
    Subject.ELA: re.compile(r"\b(ELA|English language arts|reading|literacy)\b", re.I),
    Subject.MATHEMATICS: re.compile(r"\bmath", re.I),
    Subject.SCIENCE: re.compile(r"\bscience\b", re.I),
    Subject.ATTENDANCE: re.compile(r"\b(absen|attendance)", re.I),
    Subject.GRADUATION: re.compile(r"\b(graduat|dropout)", re.I),
    Subject.ENGLISH_LANGUAGE_PROFICIENCY: re.compile(
        r"\b(ACCESS|English language proficiency|English proficiency|ELP)\b", re.I
    ),
}


def _grades(span: str) -> set[int]:
    """The grades of a span such as 'K-5' (PK is -1, K is 0)."""
    number = {"PK": -1, "K": 0}
    first, _, last = span.partition("-")
    low, high = (number.get(g) if g in number else int(g) for g in (first, last or first))
    assert low is not None and high is not None
    return set(range(low, high + 1))


def _expected_indicators(case: Case) -> list[Subject]:
    plan = case.plan
    grades = _grades(plan.organization.grades)
    expected = [Subject.ELA, Subject.MATHEMATICS, Subject.ATTENDANCE]
    if grades & {5, 8, 10}:
        expected.append(Subject.SCIENCE)  # MCAS science is tested in grades 5, 8 and 10
    if 12 in grades:
        expected.append(Subject.GRADUATION)
    groups = set(plan.plan.identified_groups)
    groups |= student_groups(plan)
    if plan.needs_assessment:
        groups |= {gap.student_group for gap in plan.needs_assessment.student_group_gaps}
    if StudentGroup.ENGLISH_LEARNERS in groups:
        expected.append(Subject.ENGLISH_LANGUAGE_PROFICIENCY)
    return expected


@rule(
    "ESSA-3",
    "Informed by all accountability indicators",
    severity=Severity.WARNING,
    citation="ESEA §1111(d)(1)(B)(i) and (d)(2)(B)(i) (informed by all indicators in the "
    f"State's accountability system, including performance against long-term goals); {_CROSSWALKS}",
    section="II. Data Analysis; IV. Outcomes",
)
def indicators(case: Case) -> Iterator[Issue]:
    """The data analysis or the outcomes consider each Massachusetts accountability indicator
    that applies to the school: ELA, mathematics and chronic absenteeism; science for grades
    5, 8 and 10; graduation for high schools; English language proficiency where there are
    English learners."""
    needs = case.plan.needs_assessment
    covered = {gap.subject for gap in needs.student_group_gaps} if needs else set()
    texts = [s.metric for s in all_series(case.plan) if s.metric is not None]
    texts += [finding.finding for finding in needs.data_findings] if needs else []
    for subject, words in _INDICATORS.items():
        if any(words.search(text) for text in texts):
            covered.add(subject)
    absent = [subject for subject in _expected_indicators(case) if subject not in covered]
    if absent:
        names = ", ".join(subject.label.lower() for subject in absent)
        yield Issue(
            ("needs_assessment", "student_group_gaps"),
            f"the data analysis does not consider these accountability indicators: {names}",
            "add a student-group gap, data finding or outcome for each",
        )


@rule(
    "ESSA-4",
    "A school-level needs assessment",
    citation=f"ESEA §1111(d)(1)(B)(iii) (based on a school-level needs assessment); {_CROSSWALKS}",
    section="II. Data Analysis",
)
def needs_assessment(case: Case) -> Iterator[Issue]:
    """The needs assessment is dated, reports its data findings, its root causes and the
    needs it prioritizes."""
    needs = case.plan.needs_assessment
    if needs is None:
        yield Issue(
            ("needs_assessment",),
            "the plan has no needs assessment",
            'add "needs_assessment"',
            missing="the school-level needs assessment (needs_assessment)",
        )
        return
    base = ("needs_assessment",)
    parts = (
        ("completed_on", needs.completed_on, "the date it was completed"),
        (
            "data_findings",
            needs.data_findings,
            "its findings from student, perception and systems data",
        ),
        ("root_causes", needs.root_causes, "its root causes"),
        ("prioritized_needs", needs.prioritized_needs, "its prioritized needs"),
    )
    for key, value, what in parts:
        if not value:
            yield Issue(
                (*base, key),
                f"the needs assessment does not record {what}",
                f'add "{key}"',
                missing=f"needs assessment: {what}",
                anchor=base,
            )


def _paid_by_1003(case: Case) -> set[str]:
    """Initiatives paid for with §1003 school-improvement funds, as the evidence or a
    resource's funding source says."""
    paid = {i.id for _, i in initiatives(case.plan) if i.evidence and i.evidence.funded_by_1003}
    action = case.plan.action_plan
    for resource in action.resources if action else []:
        if resource.funding_source and re.search(r"1003", resource.funding_source):
            paid.add(resource.initiative)
    return paid


@rule(
    "ESSA-5",
    "Evidence-based interventions",
    citation="ESEA §1111(d)(1)(B)(ii) and (d)(2)(B)(ii) (evidence-based interventions); "
    "ESEA §8101(21)(A) (tiers 1–4; tier 4 includes ongoing efforts to examine its effects); "
    "ESEA §8101(21)(B) (activities funded under §1003: tiers 1–3 only)",
    section="III. Initiatives: Evidence base",
)
def evidence(case: Case) -> Iterator[Issue]:
    """Every initiative states its evidence tier and the study behind it; those paid for with
    §1003 funds are tier 1–3; a tier 4 initiative says how its effects are examined."""
    paid = _paid_by_1003(case)
    for path, initiative in initiatives(case.plan):
        found = initiative.evidence
        if found is None:
            yield Issue(
                (*path, "evidence"),
                f"initiative {initiative.id} states no evidence tier",
                'state its evidence: "tier" (1–4) and "citation" (the study or review it rests on)',
                missing=f"evidence tier and citation for initiative {initiative.id}",
                anchor=path,
            )
            continue
        if found.tier == 4 and initiative.id in paid:
            yield Issue(
                (*path, "evidence", "tier"),
                f"initiative {initiative.id} is paid for with §1003 school-improvement funds, "
                "but its evidence is tier 4; §1003 funds require tier 1, 2 or 3",
                "choose a strategy with stronger evidence, or pay for it from other funds",
                anchor=path,
            )
        if found.tier == 4 and found.evaluation is None:
            yield Issue(
                (*path, "evidence", "evaluation"),
                f"initiative {initiative.id} rests on tier 4 evidence but does not say how its "
                "effects are examined",
                'describe it in "evaluation"',
                missing=f"how the effects of initiative {initiative.id} are examined (tier 4)",
                anchor=path,
            )


@rule(
    "ESSA-6",
    "Resource inequities identified and addressed",
    citation="ESEA §1111(d)(1)(B)(iv) (CSI) and §1111(d)(2)(C) (ATSI): identifies resource "
    "inequities, which may include a review of district and school-level budgeting; Colorado "
    "CDE resource inequities guidance",
    section="II. Data Analysis: Resource inequities",
)
def resource_inequities(case: Case) -> Iterator[Issue]:
    """The needs assessment identifies at least one resource inequity, and each names the
    initiatives that address it."""
    needs = case.plan.needs_assessment
    if needs is None or not needs.resource_inequities:
        yield Issue(
            ("needs_assessment", "resource_inequities"),
            "the plan identifies no resource inequities",
            "review staffing, funding and access to effective teachers and list each "
            "inequity found in needs_assessment.resource_inequities",
            missing="resource inequities",
            anchor=("needs_assessment",),
        )
        return
    for index, inequity in enumerate(needs.resource_inequities):
        if not inequity.addressed_by:
            yield Issue(
                ("needs_assessment", "resource_inequities", index, "addressed_by"),
                f"resource inequity {index + 1} is not addressed by any initiative",
                'list the ids of the initiatives that address it in "addressed_by"',
                missing=f"the initiatives addressing resource inequity {index + 1}",
                anchor=("needs_assessment",),
            )


_Roles = tuple[ApproverRole, ...]
_SCHOOL: _Roles = (ApproverRole.PRINCIPAL, ApproverRole.SCHOOL_COUNCIL)
_DISTRICT: _Roles = (ApproverRole.SUPERINTENDENT, ApproverRole.SCHOOL_COMMITTEE)
_STATE: _Roles = (ApproverRole.STATE,)


@rule(
    "ESSA-7",
    "Approved as ESSA requires",
    citation="ESEA §1111(d)(1)(B)(v) (CSI: approved by the school, the district and the "
    "State); ESEA §1111(d)(2)(B)(iii) (TSI and ATSI: approved by the district); "
    f"{_CROSSWALKS}",
    section="VI. Approvals",
)
def approvals(case: Case) -> Iterator[Issue]:
    """A CSI plan records the school's, the district's and the state's approval; a TSI or
    ATSI plan the district's."""
    needed = [("the district (superintendent or school committee)", _DISTRICT)]
    if _CSI in case.profiles:
        needed = [("the school (principal or school council)", _SCHOOL), *needed]
        needed.append(("the state (DESE)", _STATE))
    roles = {approval.role for approval in case.plan.plan.approvals}
    for who, accepted in needed:
        if not roles & set(accepted):
            yield Issue(
                ("plan", "approvals"),
                f"the approval of {who} is not recorded",
                'add an approval with "role": '
                + " or ".join(f'"{r.value}"' for r in accepted)
                + ", the approver's name and the date",
                missing=f"approval by {who}",
            )


@rule(
    "ESSA-8",
    "Monitored by the district or the state",
    citation="ESEA §1111(d)(1)(B)(vi) (CSI: monitored and periodically reviewed by the "
    "State); ESEA §1111(d)(2)(B)(iii) (TSI and ATSI: monitored by the district); "
    f"{_CROSSWALKS}",
    section="V. Monitoring the Plan",
)
def monitoring(case: Case) -> Iterator[Issue]:
    """The plan says how its implementation is monitored, and who reviews it from outside the
    school: the state for a CSI plan, the district for a TSI or ATSI plan."""
    found = case.plan.plan.monitoring
    if found is None:
        yield Issue(
            ("plan", "monitoring"),
            "the plan does not say how its implementation is monitored",
            'fill in how the plan is monitored: "frequency", "responsible" (who leads it), '
            '"description" (how) and "reviewed_by"',
            missing="how the plan is monitored",
        )
        return
    needed = []
    if _CSI in case.profiles:
        needed.append(("the state (DESE)", _STATE))
    if any(profile in case.profiles for profile in _TARGETED):
        needed.append(("the district (superintendent or school committee)", _DISTRICT))
    for who, accepted in needed:
        if not set(found.reviewed_by) & set(accepted):
            yield Issue(
                ("plan", "monitoring", "reviewed_by"),
                f"the plan does not say that {who} reviews its progress",
                "include plan.monitoring.reviewed_by: "
                + " or ".join(f'"{r.value}"' for r in accepted)
                + " (with any others)",
                missing=f"progress reviews by {who}",
                anchor=("plan", "monitoring"),
            )


@rule(
    "ESSA-9",
    "Additional action if implementation is unsuccessful",
    severity=Severity.WARNING,
    citation="ESEA §1111(d)(2)(B)(iv) (TSI: additional action following unsuccessful "
    "implementation after a number of years determined by the district)",
    section="V. Monitoring the Plan",
)
def additional_action(case: Case) -> Iterator[Issue]:
    """The plan says what the district will do if implementation is unsuccessful."""
    if case.plan.plan.additional_action is None:
        yield Issue(
            ("plan", "additional_action"),
            "the plan does not say what the district will do if implementation is unsuccessful",
            'describe it, with the number of years, in "additional_action"',
            missing="additional action if implementation is unsuccessful",
            anchor=("plan", "monitoring"),
        )


@rule(
    "ESSA-10",
    "The identified student groups, each with an outcome",
    citation="ESEA §1111(d)(2)(A)–(B) (targeted support for the consistently underperforming "
    "student groups identified); Marin and Riverside County Offices of Education TSI guidance",
    section="Title page: identified student groups; IV. Outcomes",
)
def identified_groups(case: Case) -> Iterator[Issue]:
    """The plan names the student groups the identification named, and sets an outcome for
    each of them."""
    groups = case.plan.plan.identified_groups
    if not groups:
        yield Issue(
            ("plan", "identified_groups"),
            "the plan does not name the student groups the school was identified for",
            'list them in "identified_groups"',
            missing="the identified student groups",
            anchor=("plan",),
        )
        return
    measured = student_groups(case.plan)
    for index, group in enumerate(groups):
        if group not in measured:
            yield Issue(
                ("plan", "identified_groups", index),
                f"no outcome measures the identified group '{group.label}'",
                f'add an outcome with "student_group": "{group.value}"',
                missing=f"an outcome for {group.label.lower()}",
                anchor=("outcomes",),
            )
