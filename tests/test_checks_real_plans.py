"""Checks of a plan shaped like a real district strategic plan (issue 17): goal areas with goal
statements, named goals and their own theories of action (none for the plan as a whole);
initiatives with action steps over four school years, timelines written as periods; outcome
tables by grade span, subject and student group; and, as real plans do, some things left
unstated (the superintendent's name, a revision, one objective's rationale, one initiative's
lead, statuses). `check` must list exactly those gaps: no crash, no finding for what the plan
states."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pipeline.checks import PlanCheck
from pipeline.errors import Severity
from tests.test_checks import DELETE, Change, changed, check_data


def _step(year: str, description: str, timeline: str, **more: Any) -> dict[str, Any]:
    return {"school_year": year, "description": description, "timeline": timeline, **more}


def _row(label: str, grades: str, subject: str, base: float, *targets: float) -> dict[str, Any]:
    *interim, final = targets
    return {
        "label": label,
        "grades": grades,
        "subject": subject,
        "baseline": {"value": base, "year": "2022-23"},
        "interim_targets": [
            {"value": value, "date": f"{2024 + n}-06-30"} for n, value in enumerate(interim)
        ],
        "final_target": {"value": final, "date": "2027-06-15"},
    }


def _group_row(group: str, base: float, *targets: float) -> dict[str, Any]:
    *interim, final = targets
    return {
        "student_group": group,
        "baseline": {"value": base, "year": "2022-23"},
        "interim_targets": [
            {"value": value, "date": f"{2024 + n}-06-30"} for n, value in enumerate(interim)
        ],
        "final_target": {"value": final, "date": "2027-06-15"},
    }


REAL_PLAN: dict[str, Any] = {
    "organization": {
        "name": "Hillside Regional School District", "code": "07990000", "level": "district",
        "grades": "PK-12", "leader": {"title": "Superintendent"},  # no name in the plan
    },
    "plan": {
        "title": "District Strategic Plan",
        "years": {"start": "2023-07-01", "end": "2027-06-30"},  # Year 0 to Year 3; no revision
        "stakeholder_engagement": [
            {"date": "2023-03-06", "groups": ["parent", "teacher"], "method": "Community forum",
             "summary": "Families asked for more consistent materials."},
        ],
        "approvals": [{"role": "school_committee", "name": "Hillside School Committee",
                       "date": "2023-06-20"}],
    },
    "foundation": {
        "mission": "Every learner, every day.", "vision": "Graduates ready for what comes next.",
        "core_values": [{"name": "Belonging"}],
        "portrait_of_graduate": [{"name": "Critical thinker"}, {"name": "Collaborator"}],
    },
    "needs_assessment": {
        "summary": "MCAS and attendance data, by student group.",
        "student_group_gaps": [
            {"subject": "ela", "metric": "MCAS ELA % meeting expectations",
             "student_group": "english_learners", "group_value": 21, "comparison_value": 44,
             "year": "2022-23"},
        ],
    },
    "objectives": [
        {
            "id": "1", "title": "Universal Academics",
            "goal": "By June 2027, increase the percentage of students in grades 3-8 meeting "
                    "expectations in ELA from 42% (2022-23) to 54%.",
            "named_goals": [{"title": "High Quality Instructional Materials",
                             "statement": "Every classroom uses HQIM.", "initiatives": ["1.1"]}],
            "theory_of_action": {"if": "we adopt and support high-quality materials",
                                 "then": "teachers plan rigorous, aligned lessons",
                                 "so_that": "students who most need it accelerate",
                                 "thereby": "meeting our ELA goal"},
            "rationale": "ELA results are flat and gaps are wide.",
            "initiatives": [{
                "id": "1.1", "title": "High Quality Instructional Materials",
                "description": "Adopt and implement HQIM in ELA and math.",
                "lead": "Director of Curriculum",
                "professional_development": "Curriculum-based PD each quarter.",
                "steps": [
                    _step("2023-24", "Review and select materials.", "Fall–Winter 2023-24",
                          responsible="Curriculum committee",
                          resources=[{"kinds": ["materials", "professional_development"],
                                      "description": "Materials, PD Time"}]),
                    _step("2024-25", "Pilot in grades K-2.", "SY 2024-25",
                          evidence="Materials used in 80% of observed K-2 lessons."),
                    _step("2025-26", "Extend to grades 3-8.", "December–April",
                          schools=["Hillside Middle School"]),
                    _step("2026-27", "Full implementation.", "Year 3 (2026-2027)"),
                ],
            }],
        },
        {
            "id": "2", "title": "Safe and Supportive Schools",
            "goal": "Every student feels safe, known and valued at school.",
            "theory_of_action": {"statement": "If every student has a trusted adult, then "
                                              "students attend and engage."},
            "rationale": "Belonging survey results dropped.",
            "initiatives": [{
                "id": "2.1", "title": "Advisory", "description": "Weekly advisory in grades 6-12.",
                "professional_development": "Advisory training.",  # no lead in the plan
                "steps": [
                    _step("2023-24", "Design advisory.", "Ongoing"),
                    _step("2024-25", "Launch advisory.", "January 2025",
                          evidence="Students name a trusted adult in the spring survey."),
                    _step("2025-26", "Refine lessons.", "Spring 2026"),
                ],
            }],
        },
        {
            "id": "3", "title": "Attendance and Engagement",  # no rationale in the plan
            "goal": "By 2026-27, reduce chronic absenteeism from 18% to 12%.",
            "theory_of_action": {"statement": "If families are partners, then students "
                                              "come to school."},
            "initiatives": [{
                "id": "3.1", "title": "Family outreach", "description": "Home visits and texts.",
                "lead": "Family engagement coordinator",
                "professional_development": "Home-visit training.",
                "steps": [_step("2024-25", "Home visits for chronically absent students.",
                                "Q2 2024-25")],
            }],
        },
    ],
    "supports": {
        "induction_mentoring": [{"title": "Mentoring", "description": "Mentors for new staff.",
                                 "initiatives": ["1.1"]}],
        "english_learners": [{"title": "SEI", "description": "Sheltered English Immersion.",
                              "initiatives": ["1.1"]}],
    },
    "outcomes": [
        {
            "id": "O1", "statement": "Students meeting or exceeding expectations on MCAS will "
                                     "increase in every grade span.",
            "objectives": ["1"], "metric": "MCAS % meeting or exceeding expectations",
            "student_group": "all_students", "unit": "percent", "direction": "increase",
            "measures": [
                _row("Grades 3-5 ELA", "3-5", "ela", 42, 45, 48, 51, 54),
                _row("Grades 3-5 Math", "3-5", "mathematics", 38, 41, 44, 47, 50),
                _row("Grades 6-8 ELA", "6-8", "ela", 40, 43, 46, 49, 52),
                _row("Grades 6-8 Math", "6-8", "mathematics", 35, 38, 41, 44, 47),
            ],
            "data_source": "DESE profiles",
            "monitoring": {"frequency": "annual", "owner": "Assistant Superintendent"},
            "evaluation": "Results of HQIM classrooms are compared year over year.",
        },
        {
            "id": "O2", "statement": "Chronic absenteeism will decrease for every student group.",
            "objectives": ["3"], "metric": "Chronic absenteeism rate",
            "unit": "percent", "direction": "decrease",  # each row names its students
            "measures": [
                _group_row("all_students", 18, 16.5, 15, 13.5, 12),
                _group_row("english_learners", 24, 22, 20, 18, 16),
                _group_row("students_with_disabilities", 26, 24, 22, 20, 18),
            ],
            "data_source": "SIMS attendance",
            "monitoring": {"frequency": "monthly", "owner": "Attendance team"},
            "evaluation": "Attendance of visited families is compared with others.",
        },
        {
            "id": "O3", "statement": "Increase students reporting belonging from 61% to 70% by "
                                     "June 2027.",
            "objectives": ["2"], "metric": "Students reporting a sense of belonging (survey)",
            "student_group": "all_students", "unit": "percent", "direction": "increase",
            "baseline": {"value": 61, "year": "2022-23"},
            "interim_targets": [{"value": 64, "date": "2025-06-30"}],
            "final_target": {"value": 70, "date": "2027-06-15"},
            "data_source": "Climate survey",
            "monitoring": {"frequency": "annual", "owner": "Director of Student Services"},
            "evaluation": "Survey results of advisory schools are compared.",
        },
    ],
    "action_plan": {
        "school_year": "2024-25", "start": "2024-08-26", "end": "2025-06-20",
        "benchmarks": [  # no status recorded; 2.1's early evidence is its step's evidence
            {"id": "B1", "initiative": "1.1", "type": "process", "description": "Train K-2.",
             "responsible": "Coaches", "due": "2024-10-31", "evidence": "Attendance records"},
            {"id": "B2", "initiative": "1.1", "type": "early_evidence",
             "description": "HQIM seen in 80% of K-2 lessons.", "responsible": "Principals",
             "due": "2025-05-30", "evidence": "Walkthrough data"},
            {"id": "B3", "initiative": "2.1", "type": "process", "description": "Launch.",
             "responsible": "Deans", "due": "2025-01-31", "evidence": "Schedules"},
            {"id": "B4", "initiative": "3.1", "type": "process", "description": "Visit homes.",
             "responsible": "Coordinator", "due": "2024-12-20", "evidence": "Visit log"},
            {"id": "B5", "initiative": "3.1", "type": "early_evidence",
             "description": "Visited students attend more.", "responsible": "Coordinator",
             "due": "2025-06-13", "evidence": "Attendance data"},
        ],
        "resources": [
            {"initiative": "1.1", "kind": "materials", "description": "HQIM licences"},
            {"initiative": "2.1", "kind": "time", "description": "Advisory block"},
            {"initiative": "3.1", "kind": "funding", "description": "Coordinator",
             "funding_source": "Title I", "amount": 60000},
        ],
    },
}  # fmt: skip

# What the plan really lacks: (rule, location, severity).
GAPS = {
    ("MA-17", "$.organization.leader.name", Severity.ERROR),
    ("MA-18", "$.plan.revision", Severity.WARNING),
    ("MA-19", "$.objectives[2].rationale", Severity.ERROR),
    ("AP-8", "$.objectives[1].initiatives[0].lead", Severity.ERROR),
}

Finding = tuple[str, str, Severity]


def _found(check: PlanCheck) -> set[Finding]:
    return {(f.rule.id, f.location, f.severity) for f in check.findings}


def test_the_real_plan_shows_exactly_its_gaps() -> None:
    check = check_data(copy.deepcopy(REAL_PLAN))
    assert check.valid
    assert _found(check) == GAPS, [f"{f.rule.id} {f.location}: {f.message}" for f in check.findings]
    for finding in check.findings:  # each gap is shown in place in a draft
        assert finding.missing, finding.rule.id


def test_stating_the_gaps_completes_it() -> None:
    data = changed(
        REAL_PLAN,
        [
            ("organization.leader.name", "Dr. Ana Ruiz"),
            ("plan.revision", {"number": "1", "date": "2023-06-20"}),
            ("objectives.2.rationale", "Chronic absenteeism doubled since 2019."),
            ("objectives.1.initiatives.0.lead", "Dean of Students"),
        ],
    )
    assert _found(check_data(data)) == set()


E, W = Severity.ERROR, Severity.WARNING
O1 = "$.outcomes[0]"
STEPS_1 = "$.objectives[0].initiatives[0].steps"

# (case, changes, findings added to GAPS, findings no longer there)
VARIANTS: list[tuple[str, list[Change], set[Finding], set[Finding]]] = [
    ("one row without a final target", [("outcomes.0.measures.2.final_target", DELETE)],
     {("SMART-M1", f"{O1}.measures[2].final_target", E)}, set()),
    ("one row whose target moves the wrong way",
     [("outcomes.0.measures.1.final_target.value", 30)],
     {("SMART-M3", f"{O1}.measures[1].final_target.value", E)}, set()),
    ("no row has interim targets: once for the outcome",
     [(f"outcomes.0.measures.{r}.interim_targets", []) for r in range(4)],
     {("MA-9", f"{O1}.measures", E)}, set()),
    ("no row has a baseline: once for the outcome",
     [(f"outcomes.0.measures.{r}.baseline", DELETE) for r in range(4)],
     {("SMART-M1", f"{O1}.measures", E)}, set()),
    ("a row without its own group and an outcome without one",
     [("outcomes.0.student_group", DELETE)], {("SMART-S1", f"{O1}.measures", E)}, set()),
    ("a row measuring adults", [("outcomes.0.measures.3.metric", "% of teachers trained")],
     {("SMART-R2", f"{O1}.measures[3].metric", E)}, set()),
    ("an outcome with neither values nor rows", [("outcomes.0.measures", [])],
     {("SMART-M1", f"{O1}.baseline", E), ("SMART-M1", f"{O1}.final_target", E),
      ("MA-9", f"{O1}.interim_targets", E), ("SMART-M4", f"{O1}.statement", W)}, set()),
    ("a theory of action without THEN",
     [("objectives.0.theory_of_action.then", DELETE)],
     {("TOA-1", "$.objectives[0].theory_of_action.then", E)}, set()),
    ("an initiative's theory of action without SO THAT",
     [("objectives.2.initiatives.0.theory_of_action", {"if": "we visit", "then": "they come"})],
     {("TOA-2", "$.objectives[2].initiatives[0].theory_of_action.so_that", W),
      ("TOA-2", "$.objectives[2].initiatives[0].theory_of_action.thereby", W)}, set()),
    ("a one-sentence theory of action that is not if-then",
     [("objectives.1.theory_of_action", {"statement": "Advisory builds belonging."})],
     {("TOA-3", "$.objectives[1].theory_of_action.statement", W)}, set()),
    ("no theory of action anywhere",
     [(f"objectives.{o}.theory_of_action", DELETE) for o in range(3)],
     {("MA-3", "$.theory_of_action", E)}, set()),
    ("an empty objective theory of action", [("objectives.1.theory_of_action", {})],
     {("MA-3", "$.objectives[1].theory_of_action", E)}, set()),
    ("a measured goal without a baseline",
     [("objectives.0.goal", "By June 2027, 54% of students in grades 3-8 meet expectations.")],
     {("SMART-M5", "$.objectives[0].goal", W)}, set()),
    ("a measured goal without a date",
     [("objectives.2.goal", "Reduce chronic absenteeism from 18% to 12%.")],
     {("SMART-T5", "$.objectives[2].goal", W)}, set()),
    ("the step's early evidence is another year's",
     [("objectives.1.initiatives.0.steps.1.school_year", "2025-26"),
      ("objectives.1.initiatives.0.steps.1.timeline", "January 2026")],
     {("AP-2", "$.action_plan.benchmarks", E)}, set()),
    ("a step after the plan", [("objectives.0.initiatives.0.steps.3.school_year", "2027-28"),
                               ("objectives.0.initiatives.0.steps.3.timeline", "Fall 2027")],
     {("MA-20", f"{STEPS_1}[3].school_year", E), ("MA-21", f"{STEPS_1}[3].timeline", W)},
     set()),
    ("a step timeline that does not fit its year",
     [("objectives.0.initiatives.0.steps.2.timeline", "April–December 2025")],
     {("MA-21", f"{STEPS_1}[2].timeline", W)}, set()),
    ("a step timeline after the plan",
     [("objectives.0.initiatives.0.steps.2.timeline", "Spring 2028")],
     {("MA-21", f"{STEPS_1}[2].timeline", W)}, set()),
    ("a benchmark without evidence", [("action_plan.benchmarks.2.evidence", DELETE)],
     {("AP-9", "$.action_plan.benchmarks[2].evidence", E)}, set()),
    ("no leader at all", [("organization.leader", DELETE)],
     {("MA-17", "$.organization.leader", E)}, {("MA-17", "$.organization.leader.name", E)}),
    ("a revision without a number", [("plan.revision", {"date": "2023-06-20"})],
     {("MA-18", "$.plan.revision.number", W)}, {("MA-18", "$.plan.revision", W)}),
    ("statuses recorded, or not", [("action_plan.benchmarks.0.status", "complete"),
                                   ("objectives.0.initiatives.0.steps.0.status", "complete")],
     set(), set()),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "changes", "added", "removed"), VARIANTS, ids=[v[0] for v in VARIANTS]
)
def test_a_real_plan_variant_shows_exactly_its_gaps(
    case: str, changes: list[Change], added: set[Finding], removed: set[Finding]
) -> None:
    check = check_data(changed(REAL_PLAN, changes))
    assert check.valid, [f.message for f in check.findings]
    assert _found(check) == (GAPS - removed) | added, [
        f"{f.rule.id} {f.location}: {f.message}" for f in check.findings
    ]


def test_a_shared_problem_is_reported_once_and_a_rows_names_the_row() -> None:
    data = changed(
        REAL_PLAN,
        [(f"outcomes.0.measures.{r}.interim_targets", []) for r in range(4)]
        + [("outcomes.1.measures.2.final_target", DELETE)],
    )
    check = check_data(data)
    (shared,) = check.findings_of("MA-9")
    assert shared.message == "outcome O1 (all 4 rows) has no interim target"
    (row,) = check.findings_of("SMART-M1")
    assert row.message == "outcome O2, row 3 has no final target"
    assert row.missing == "the final target of outcome O2, row 3"
    one = check_data(changed(REAL_PLAN, [("outcomes.0.measures.2.final_target", DELETE)]))
    (labelled,) = one.findings_of("SMART-M1")
    assert labelled.message == "outcome O1, row 3 (Grades 6-8 ELA) has no final target"


def test_a_plan_level_theory_of_action_alone_still_meets_ma3() -> None:
    data = changed(
        REAL_PLAN,
        [(f"objectives.{o}.theory_of_action", DELETE) for o in range(3)]
        + [("theory_of_action", {"statement": "If we align materials, then students learn."})],
    )
    assert _found(check_data(data)) == GAPS


def test_benchmark_status_absent_is_not_not_started() -> None:
    check = check_data(REAL_PLAN)
    assert all(b.status is None for b in check.plan.action_plan.benchmarks)  # type: ignore[union-attr]
    assert not any("status" in f.location or "not started" in f.message for f in check.findings)


def test_the_roadmaps_if_then_and_form_is_a_complete_theory_of_action() -> None:
    from pipeline.model.plan import TheoryOfAction

    theory = TheoryOfAction.model_validate(
        {
            "if": "we coach every teacher",
            "then": "teachers use the routines",
            "and": "students talk",
        }
    )
    assert theory.and_ == "students talk"
    assert theory.model_dump(by_alias=True, exclude_none=True)["and"] == "students talk"
