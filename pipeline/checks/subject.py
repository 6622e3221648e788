"""What an outcome's metric measures: a result for students, or adult practice (SMART-R2).

An outcome of the multi-year plan measures students: their scores, proficiency, growth,
attendance, course passing, graduation. What adults do (practices observed in classrooms,
implementation and its fidelity, routines in place, trainings attended, coaching cycles held)
is early evidence of change: it belongs in the action plan's benchmarks (DESE Planning for
Success, 'Creating an Action Plan').

The decision reads the metric's subject, in this order, and keeps the words that decided it so
that the finding can quote them:

1. what the metric counts: "% of teachers…", "number of classrooms…", "share of students…";
2. what it starts with: "Teacher retention…", "Classroom walkthrough data…";
3. practice words where the metric names no students: "implementation fidelity", "routines
   observed", "PD sessions attended" (weaker words such as "use of" or "held" only when no
   student result is named either).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ADULT_NOUNS = (
    r"teachers?|educators?|staff|faculty|paraprofessionals?|paras|coach(?:es)?|administrators?|"
    r"principals?|leaders?|interventionists?|mentors?|clinicians?|counselors?|tutors?|"
    r"families|parents?|caregivers?|classrooms?|lessons?|lesson plans?|units? of study|"
    r"plcs?|teams?|meetings?|sessions?|workshops?|trainings?|walkthroughs?|observations?|"
    r"visits?|coaching cycles?|schools?|grade[- ]level teams?|departments?|courses offered|"
    r"events?|conferences? held"
)
_STUDENT_NOUNS = (
    r"students?|children|child|learners?|pupils?|graduates?|graders?|kindergartners?|"
    r"seniors?|juniors?|freshmen|ninth graders|youth|english learners|els|"
    r"students with disabilities|swd|cohort"
)
_RESULTS = re.compile(
    r"\b(scores?|scaled scores?|proficien\w*|meeting or exceeding|meets?(?:/| or )exceed\w*|"
    r"achievement|attendance|absen\w*|chronic\w*|growth|sgp|gpa|grades? of|graduat\w*|"
    r"drop[- ]?outs?|passing|pass(?:es|ed)?|failures?|fail\w*|credits?|on[- ]track|mcas|"
    r"access for ells|i-ready|dibels|acadience|map growth|benchmark assessment|reading level|"
    r"reading at|reclassif\w*|suspensions?|referrals?|enroll\w* in|college|fafsa|"
    r"literacy|numeracy|math|ela|reading|writing|science|assessment results?|test results?|"
    r"retained|retention in grade|completion of (?:algebra|masscore)|masscore|ap exams?)\b",
    re.IGNORECASE,
)
_STRONG_PRACTICE = (
    r"implement\w*|fidelity|observ\w*|walk[- ]?throughs?|routines?|practices?|"
    r"professional development|pd|trainings?|trained|workshops?|sessions?|coaching|coached|"
    r"lesson plans?|plc\w*|collaborative planning|common planning"
)
_STRONG = re.compile(rf"\b({_STRONG_PRACTICE})\b", re.IGNORECASE)
_PRACTICE = re.compile(
    rf"\b({_STRONG_PRACTICE}|curriculum (?:adopted|in use)|use of|using|delivered|attended|"
    r"participat\w*|completed the|in place|held|adopted)\b",
    re.IGNORECASE,
)
_COUNTED = re.compile(
    r"(?:%|percent(?:age)?|share|proportion|number|count|rate|ratio|average|#)\s+of\s+"
    r"(?:the\s+|all\s+|our\s+|each\s+)?(?:[\w-]+\s+){0,3}?"
    rf"(?P<noun>{_STUDENT_NOUNS}|{_ADULT_NOUNS})\b",
    re.IGNORECASE,
)
_LEADING = re.compile(
    rf"^\W*(?:(?:new|novice|all|core|content|ela|math|grade \d+|k-\d+)\s+)?"
    rf"(?P<noun>{_STUDENT_NOUNS}|{_ADULT_NOUNS}|student|teacher|staff|classroom|educator)\b",
    re.IGNORECASE,
)
_STUDENT_ONLY = re.compile(rf"^(?:{_STUDENT_NOUNS}|student)$", re.IGNORECASE)
_STUDENT_ANYWHERE = re.compile(rf"\b(?:{_STUDENT_NOUNS}|student)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Subject:
    """What a metric measures, and the words that decided it."""

    students: bool
    """True for a result for students; False for adult practice (an early-evidence benchmark)."""
    words: tuple[str, ...]
    reason: str

    def explain(self) -> str:
        quoted = ", ".join(f"'{word}'" for word in self.words)
        return f"{self.reason} ({quoted})" if quoted else self.reason


def subject(metric: str) -> Subject:
    """What `metric` measures: students or adult practice, with the deciding words."""
    counted = _COUNTED.search(metric)
    if counted is not None:
        noun = counted.group("noun")
        if _STUDENT_ONLY.match(noun):
            return Subject(True, (counted.group(0),), "it counts students")
        return Subject(False, (counted.group(0),), "it counts adults or their practice")
    leading = _LEADING.search(metric)
    if leading is not None and not _STUDENT_ONLY.match(leading.group("noun")):
        result = _RESULTS.search(metric)
        practice = _PRACTICE.search(metric)
        if result is None or practice is not None or not _STUDENT_ANYWHERE.search(metric):
            words = [leading.group("noun")] + [m.group(0) for m in (practice,) if m]
            return Subject(False, tuple(words), "it measures adults or their practice")
    practice = _PRACTICE.search(metric)
    result = _RESULTS.search(metric)
    if not _STUDENT_ANYWHERE.search(metric):
        strong = _STRONG.search(metric)
        if strong is not None:
            return Subject(False, (strong.group(0),), "it measures practice, not students")
        if practice is not None and result is None:
            return Subject(False, (practice.group(0),), "it measures practice, not students")
    deciding = [m.group(0) for m in (result, _STUDENT_ANYWHERE.search(metric)) if m]
    return Subject(True, tuple(deciding), "it measures students")


def is_adult_activity(metric: str) -> bool:
    """Whether a metric measures what adults do rather than a result for students."""
    return not subject(metric).students
