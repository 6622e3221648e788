"""SC: the school council's plan (M.G.L. c.71 §59C), profile `ma-school-council`.

At every public school the principal, with the school council, formulates a school
improvement plan each year (§59C, fifth paragraph as amended by St. 2016, c.255, §2: the
principal, in consultation with the council, develops it annually and submits it to the
superintendent, who reviews and approves it after consultation with the school committee). The
statute names what the plan addresses (as DESE's School Councils Q&A, Part Two E, lists it):
an assessment of class size and its impact on student performance, student-to-teacher ratios
and the ratios of students to other supportive adults, a scheduled plan for reducing class size
if deemed necessary; professional development for the school's staff and the allocation of its
funds; parental involvement; safety and discipline; a school environment of tolerance and
respect for all groups; extracurricular activities; means of meeting, within regular
education, the diverse learning needs of as many children as possible. Its first paragraph
sets the council's composition. The plan holds these in `school_council`
(`pipeline.model.council`); where the statute's wording needs judgment, docs/rules.md says how
the rule reads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.checks.rules import Case, Issue, rule
from pipeline.errors import Severity
from pipeline.model.council import SchoolCouncil
from pipeline.model.vocabulary import ApproverRole, CouncilRole

_59C = "M.G.L. c.71 §59C"
_MEMBERS = f"{_59C}, first paragraph (the council's members)"
_ELEMENTS = (
    f"{_59C} (the school improvement plan's elements, as DESE's School Councils Q&A, "
    "Part Two E, lists them)"
)
_APPROVAL = (
    f"{_59C}, fifth paragraph, as amended by Acts of 2016, c.255, §2 (the principal, in "
    "consultation with the school council, develops the plan annually and submits it to the "
    "superintendent, who reviews and approves it after consultation with the school committee)"
)
_SECTION = "School Council Plan (M.G.L. c.71 §59C)"
_PATH = ("school_council",)


def _council(case: Case) -> SchoolCouncil | None:
    return case.plan.school_council


def _count(council: SchoolCouncil, role: CouncilRole) -> int:
    return sum(member.role is role for member in council.members)


def _high_school(grades: str) -> bool:
    """Whether a grade span ('K-5', '6-12', '9') contains any of grades 9 to 12."""
    numbers = [int(g) for g in re.findall(r"\d+", grades)]
    return bool(numbers) and numbers[-1] >= 9


@rule(
    "SC-1",
    "School council plan",
    citation=f"{_59C} (the principal, with the school council, formulates a school "
    "improvement plan each year; DESE School Councils Q&A, Part Two E)",
    section=_SECTION,
)
def council_plan(case: Case) -> Iterator[Issue]:
    """A school plan states its school council and the elements of the council's plan
    (`school_council`)."""
    if _council(case) is None:
        yield Issue(
            _PATH,
            "the plan has no school council section: the council's members and the elements "
            "M.G.L. c.71 §59C names are missing",
            'add "school_council" with "members", "class_size", "professional_development_funds"'
            ', "parental_involvement", "safety_discipline", "tolerance_respect", '
            '"extracurricular", "diverse_learning_needs" and "formulated_on"',
            missing="the school council and its plan (M.G.L. c.71 §59C)",
        )


@rule("SC-2", "School council members", citation=_MEMBERS, section=_SECTION)
def members(case: Case) -> Iterator[Issue]:
    """The council has the principal (who co-chairs it), parents, teachers and, in a school
    with any of grades 9 to 12, at least one student. Judgment: the statute's "at least one
    such student" is read as at least one student of the school; community members (the
    "other persons" it lists) are not required, only limited (SC-4)."""
    council = _council(case)
    if council is None:
        return
    needed = [
        (CouncilRole.PRINCIPAL, "the principal"),
        (CouncilRole.PARENT, "parents of students at the school"),
        (CouncilRole.TEACHER, "teachers of the school"),
    ]
    if _high_school(case.plan.organization.grades):
        needed.append((CouncilRole.STUDENT, "a student (the school has grades 9–12)"))
    lacking = [words for role, words in needed if _count(council, role) == 0]
    if lacking:
        yield Issue(
            (*_PATH, "members"),
            f"the school council lists no {'; no '.join(lacking)}",
            "add members to school_council.members with role "
            + ", ".join(f"'{role.value}'" for role, _ in needed if _count(council, role) == 0),
            missing="school council members: " + "; ".join(lacking),
        )


@rule("SC-3", "Parents' parity on the council", citation=_MEMBERS, section=_SECTION)
def parity(case: Case) -> Iterator[Issue]:
    """Parents have parity with professional personnel: as many parents as the principal and
    teachers together. Judgment: the statute does not define parity; the rule reads it as
    equal numbers, the principal and teachers being the council's professional personnel."""
    council = _council(case)
    if council is None or not council.members:
        return
    parents = _count(council, CouncilRole.PARENT)
    professionals = _count(council, CouncilRole.PRINCIPAL) + _count(council, CouncilRole.TEACHER)
    if parents != professionals:
        yield Issue(
            (*_PATH, "members"),
            f"the school council has {parents} parent(s) and {professionals} professional "
            "member(s) (the principal and teachers): parents must have parity with them",
            f"list as many parents as the principal and teachers together ({professionals})",
        )


@rule("SC-4", "Non-school members at most half", citation=_MEMBERS, section=_SECTION)
def non_school(case: Case) -> Iterator[Issue]:
    """Not more than fifty percent of the council are non-school members (neither parents,
    teachers, students nor staff of the school)."""
    council = _council(case)
    if council is None or not council.members:
        return
    outside = _count(council, CouncilRole.COMMUNITY)
    if outside * 2 > len(council.members):
        yield Issue(
            (*_PATH, "members"),
            f"{outside} of the school council's {len(council.members)} members are non-school "
            "(community) members: at most half may be",
            "add parents, teachers (or students) or reduce the community members to half",
        )


@rule("SC-5", "Class size and ratios assessed", citation=_ELEMENTS, section=_SECTION)
def class_size(case: Case) -> Iterator[Issue]:
    """The plan assesses the impact of class size on student performance, and states the
    student-to-teacher ratio and the ratio of students to other supportive adults."""
    council = _council(case)
    if council is None:
        return
    size = council.class_size
    if size is None:
        yield Issue(
            (*_PATH, "class_size"),
            "the plan has no assessment of class size",
            'add "class_size" with "impact", "students_per_teacher" and "students_per_other_adult"',
            missing="the assessment of class size and the student-to-adult ratios",
        )
        return
    absent = [
        (key, words)
        for key, words in (
            ("impact", "the impact of class size on student performance"),
            ("students_per_teacher", "the student-to-teacher ratio"),
            ("students_per_other_adult", "the ratio of students to other supportive adults"),
        )
        if getattr(size, key) is None
    ]
    for key, words in absent:
        yield Issue(
            (*_PATH, "class_size", key),
            f"the class size assessment does not state {words}",
            f'state it in "school_council.class_size.{key}"',
            missing=words,
            anchor=(*_PATH, "class_size"),
        )


@rule(
    "SC-6",
    "Class size reduction, if needed",
    severity=Severity.WARNING,
    citation=_ELEMENTS,
    section=_SECTION,
)
def class_size_reduction(case: Case) -> Iterator[Issue]:
    """The class size assessment says whether a reduction is deemed necessary, and where it
    is, the plan schedules it. A warning: the statute asks for a scheduled plan for reducing
    class size only 'if deemed necessary'."""
    council = _council(case)
    size = council.class_size if council is not None else None
    if size is None:
        return
    if size.reduction_needed is None:
        yield Issue(
            (*_PATH, "class_size", "reduction_needed"),
            "the class size assessment does not say whether a reduction is deemed necessary",
            'set "school_council.class_size.reduction_needed" to true or false',
            missing="whether a reduction of class size is necessary",
            anchor=(*_PATH, "class_size"),
        )
    elif size.reduction_needed and size.reduction_plan is None:
        yield Issue(
            (*_PATH, "class_size", "reduction_plan"),
            "a reduction of class size is deemed necessary, but no scheduled plan for it is stated",
            'describe what will be done, and by when, in "school_council.class_size.'
            'reduction_plan"',
            missing="the scheduled plan for reducing class size",
            anchor=(*_PATH, "class_size"),
        )


@rule(
    "SC-7",
    "Professional development funds allocated",
    citation=_ELEMENTS,
    section=_SECTION,
)
def pd_funds(case: Case) -> Iterator[Issue]:
    """The plan states how the professional development funds in the school budget are
    allocated (the professional development itself is MA-7's). Judgment: 'the allocation of
    any professional development funds' is read as requiring at least one allocation; a
    school with none states that as its one allocation."""
    council = _council(case)
    if council is not None and not council.professional_development_funds:
        yield Issue(
            (*_PATH, "professional_development_funds"),
            "the plan does not state how professional development funds are allocated",
            'add an allocation to "school_council.professional_development_funds" with '
            '"purpose", "amount" and "funding_source"',
            missing="the allocation of professional development funds",
        )


def _text_rule(rule_id: str, title: str, key: str, words: str) -> None:
    """Register a rule that requires the text `key` of the council's plan."""

    def check(case: Case) -> Iterator[Issue]:
        council = _council(case)
        if council is not None and getattr(council, key) is None:
            yield Issue(
                (*_PATH, key),
                f"the plan does not address {words}",
                f'describe it in "school_council.{key}"',
                missing=words,
            )

    check.__doc__ = f"The plan addresses {words}."
    rule(rule_id, title, citation=_ELEMENTS, section=_SECTION)(check)


_text_rule(
    "SC-8",
    "Parental involvement",
    "parental_involvement",
    "the enhancement of parental involvement in the life of the school",
)
_text_rule("SC-9", "Safety and discipline", "safety_discipline", "school safety and discipline")
_text_rule(
    "SC-10",
    "Tolerance and respect for all groups",
    "tolerance_respect",
    "a school environment characterized by tolerance and respect for all groups",
)
_text_rule("SC-11", "Extracurricular activities", "extracurricular", "extracurricular activities")
_text_rule(
    "SC-12",
    "Diverse learning needs within regular education",
    "diverse_learning_needs",
    "the means of meeting, within regular education, the diverse learning needs of as many "
    "children as possible, including children with special needs assigned to separate programs",
)


@rule("SC-13", "Formulated with the school council", citation=_APPROVAL, section=_SECTION)
def formulated(case: Case) -> Iterator[Issue]:
    """The plan records when the principal and the school council formulated it."""
    council = _council(case)
    if council is not None and council.formulated_on is None:
        yield Issue(
            (*_PATH, "formulated_on"),
            "the plan does not record when the principal and the school council formulated it",
            'write the date in "school_council.formulated_on" (YYYY-MM-DD)',
            missing="the date the principal and the school council formulated the plan",
        )


@rule(
    "SC-14",
    "Approved by the superintendent after consulting the school committee",
    severity=Severity.WARNING,
    citation=_APPROVAL,
    section=_SECTION,
)
def approved(case: Case) -> Iterator[Issue]:
    """The superintendent's approval is recorded after the council formulated the plan, and
    the school committee was consulted before it. Judgment: this follows §59C's fifth
    paragraph as amended in 2016 (DESE's School Councils Q&A of 1994 still describes review
    by the school committee within thirty days); a warning, since a plan is built before it
    is approved (MA-15 reports a missing approval). The July 1 date of M.G.L. c.69 §1I is not
    checked: when a plan 'is to be implemented' needs the district's schedule."""
    council = _council(case)
    if council is None:
        return
    approvals = [a for a in case.plan.plan.approvals if a.role is ApproverRole.SUPERINTENDENT]
    if council.school_committee_consulted_on is None:
        yield Issue(
            (*_PATH, "school_committee_consulted_on"),
            "the plan does not record when the superintendent consulted the school committee",
            'write the date in "school_council.school_committee_consulted_on" (YYYY-MM-DD)',
            missing="the date the school committee was consulted on the plan",
        )
    if not approvals:
        return  # MA-15 reports a missing approval
    approval = max(approvals, key=lambda a: a.date)
    formulated_on, consulted = council.formulated_on, council.school_committee_consulted_on
    if formulated_on is not None and approval.date < formulated_on:
        yield Issue(
            ("plan", "approvals"),
            f"the superintendent approved the plan on {approval.date}, before the principal "
            f"and the school council formulated it on {formulated_on}",
            "check the dates of the approval and of school_council.formulated_on",
        )
    if consulted is not None and approval.date < consulted:
        yield Issue(
            (*_PATH, "school_committee_consulted_on"),
            f"the superintendent approved the plan on {approval.date}, before consulting the "
            f"school committee on {consulted}",
            "check the dates of the approval and of school_council.school_committee_consulted_on",
        )
