"""SMART-R2 reads a metric's subject: a student outcome measures students; practice,
implementation, fidelity, adult participation and classroom observation are early evidence.
The table is real-world metric phrasings from Massachusetts and other states' plans."""

from __future__ import annotations

import pytest

from pipeline.checks.subject import subject

STUDENTS = [
    "MCAS ELA, grades 3–5: % meeting or exceeding expectations",
    "Chronic absenteeism: % of students absent 10% or more of days enrolled",
    "Ninth-grade on-track rate: % of first-time ninth graders passing all core courses",
    "ACCESS for ELLs: % of English learners making progress",
    "Average student growth percentile (SGP) in mathematics",
    "Four-year cohort graduation rate",
    "Annual dropout rate",
    "% of kindergartners at or above benchmark on DIBELS",
    "Percentage of grade 3 students reading at grade level (i-Ready)",
    "Average daily attendance",
    "Number of students with one or more out-of-school suspensions",
    "% of students passing Algebra I by the end of grade 9",
    "MassCore completion rate",
    "% of seniors completing the FAFSA",
    "College enrollment within 16 months of graduation",
    "% of students with disabilities meeting their IEP reading goals",
    "Share of students scoring 3 or higher on AP exams",
    "Grade 8 science MCAS scaled score",
    "% of English learners reclassified as former ELs",
    "Rate of course failures in grade 9",
    "Students' sense of belonging on the Views of Climate and Learning survey (% favorable)",
    "% of students earning 5 or more credits in grade 9",
    "Acadience composite: % of K-2 students at benchmark",
    "Office discipline referrals per 100 students",
    "Proportion of students in advanced coursework who are Hispanic/Latino",
]
ADULTS = [
    "% of teachers completing the ESL course",
    "Number of PD sessions held",
    "Share of classrooms where teachers are observed using structured talk",
    "% of classrooms observed implementing the new literacy routines",
    "Implementation fidelity of the MTSS framework",
    "Fidelity of Tier 2 intervention delivery (% of sessions delivered as designed)",
    "Teacher retention rate",
    "Percentage of teachers attending collaborative planning weekly",
    "Number of learning walkthroughs completed",
    "% of lesson plans that include differentiated tasks",
    "Classroom walkthrough data: use of high-quality instructional materials",
    "% of PLC meetings using the data protocol",
    "Staff participation in restorative practices training",
    "Number of coaching cycles completed",
    "Percent of families attending parent-teacher conferences",
    "% of new teachers with a trained mentor",
    "Routines in place in every classroom by October",
    "Attendance at PD workshops",
    "Implementation of the new math curriculum with fidelity",
    "% of grade-level teams meeting biweekly",
    "Educator use of the common formative assessment",
    "Number of family engagement events held",
]


@pytest.mark.parametrize("metric", STUDENTS)
def test_student_results_are_outcomes(metric: str) -> None:
    found = subject(metric)
    assert found.students, found.explain()


@pytest.mark.parametrize("metric", ADULTS)
def test_adult_practice_is_early_evidence(metric: str) -> None:
    found = subject(metric)
    assert not found.students, found.explain()
    assert found.words and all(word.lower() in metric.lower() for word in found.words)


def test_the_table_is_large_and_has_both_kinds() -> None:
    assert len(STUDENTS) + len(ADULTS) >= 40 and len(STUDENTS) >= 15 and len(ADULTS) >= 15


def test_the_finding_quotes_the_deciding_words_and_says_where_it_belongs() -> None:
    from tests.conftest import read_json
    from tests.test_checks import EVERY_PROFILE, SCHOOL_PROFILES, changed, check_data

    metric = "% of classrooms observed implementing the new literacy routines"
    data = changed(read_json(EVERY_PROFILE), [("outcomes.0.metric", metric)])
    (finding,) = check_data(data, SCHOOL_PROFILES).findings_of("SMART-R2")
    assert "% of classrooms" in finding.message and "adult practice" in finding.message
    assert finding.hint is not None and "early evidence" in finding.hint
