"""The closed lists of the plan model, each value with the label documents show.

Every enumeration the JSON Schema, the workbook dropdowns and the templates use is defined
here once. A value is the stable machine form (what inputs contain); its label is the wording
of the official documents.
"""

from __future__ import annotations

from enum import StrEnum


class Labeled(StrEnum):
    """A closed list whose members carry a human label (the wording documents show)."""

    @property
    def label(self) -> str:
        return _LABELS[type(self).__name__][self._value_]  # `value`, without its property


class Level(Labeled):
    SCHOOL = "school"
    DISTRICT = "district"


class EssaDesignation(Labeled):
    NONE = "none"
    CSI = "csi"
    TSI = "tsi"
    ATSI = "atsi"


class Profile(Labeled):
    DESE_SIP = "dese-sip"
    DESE_DISTRICT = "dese-district"
    MA_SCHOOL_COUNCIL = "ma-school-council"
    ACTION_PLAN = "action-plan"
    ROADMAP = "roadmap"
    ESSA_CSI = "essa-csi"
    ESSA_TSI = "essa-tsi"
    ESSA_ATSI = "essa-atsi"
    IDEA = "idea"


class CouncilRole(Labeled):
    """Who sits on a school council (M.G.L. c.71 §59C)."""

    PRINCIPAL = "principal"
    PARENT = "parent"
    TEACHER = "teacher"
    COMMUNITY = "community"
    STUDENT = "student"


class StudentGroup(Labeled):
    ALL_STUDENTS = "all_students"
    HIGH_NEEDS = "high_needs"
    ECONOMICALLY_DISADVANTAGED = "economically_disadvantaged"
    STUDENTS_WITH_DISABILITIES = "students_with_disabilities"
    ENGLISH_LEARNERS = "english_learners"
    AFRICAN_AMERICAN_BLACK = "african_american_black"
    ASIAN = "asian"
    HISPANIC_LATINO = "hispanic_latino"
    MULTI_RACE = "multi_race"
    NATIVE_AMERICAN = "native_american"
    NATIVE_HAWAIIAN_PACIFIC_ISLANDER = "native_hawaiian_pacific_islander"
    WHITE = "white"
    LOWEST_PERFORMING = "lowest_performing"


class Subject(Labeled):
    ELA = "ela"
    MATHEMATICS = "mathematics"
    SCIENCE = "science"
    HISTORY_SOCIAL_SCIENCE = "history_social_science"
    ATTENDANCE = "attendance"
    GRADUATION = "graduation"
    ENGLISH_LANGUAGE_PROFICIENCY = "english_language_proficiency"
    SCHOOL_CLIMATE = "school_climate"


class StakeholderGroup(Labeled):
    SCHOOL_LEADER = "school_leader"
    TEACHER = "teacher"
    SCHOOL_STAFF = "school_staff"
    PARENT = "parent"
    STUDENT = "student"
    DISTRICT_LEADER = "district_leader"
    SCHOOL_COMMITTEE = "school_committee"
    COMMUNITY_PARTNER = "community_partner"
    TRIBAL_NATION = "tribal_nation"
    UNION = "union"
    OTHER = "other"


class ApproverRole(Labeled):
    SCHOOL_COUNCIL = "school_council"
    PRINCIPAL = "principal"
    SUPERINTENDENT = "superintendent"
    SCHOOL_COMMITTEE = "school_committee"
    STATE = "state"


class DataCategory(Labeled):
    STUDENT = "student"
    PERCEPTION = "perception"
    SYSTEMS = "systems"


class Unit(Labeled):
    PERCENT = "percent"
    PERCENTAGE_POINTS = "percentage_points"
    SCALE_SCORE = "scale_score"
    COUNT = "count"
    RATE = "rate"
    DAYS = "days"


class Direction(Labeled):
    INCREASE = "increase"
    DECREASE = "decrease"


class Frequency(Labeled):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMESTER = "semester"
    ANNUAL = "annual"


class BenchmarkType(Labeled):
    PROCESS = "process"
    EARLY_EVIDENCE = "early_evidence"


class Status(Labeled):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    COMPLETE = "complete"


class ResourceKind(Labeled):
    STAFF = "staff"
    FUNDING = "funding"
    MATERIALS = "materials"
    TIME = "time"
    PROFESSIONAL_DEVELOPMENT = "professional_development"
    PARTNER = "partner"


class RoadmapPhase(Labeled):
    SET_VISION = "set_vision"
    ASSESS_NEEDS = "assess_needs"
    CREATE_PLAN = "create_plan"
    IMPLEMENT_PLAN = "implement_plan"
    MONITOR_ADJUST = "monitor_adjust"

    @property
    def purpose(self) -> str:
        return PHASE_PURPOSES[self]


EVIDENCE_TIERS: dict[int, str] = {
    1: "Tier 1 – Strong evidence",
    2: "Tier 2 – Moderate evidence",
    3: "Tier 3 – Promising evidence",
    4: "Tier 4 – Demonstrates a rationale",
}

# The purposes are the roadmap's own wording (seed 003).
PHASE_PURPOSES: dict[RoadmapPhase, str] = {
    RoadmapPhase.SET_VISION: (
        "The district vision offers a clear direction and paints a picture of what you are "
        "striving for. It should answer the question: What is our purpose for improvement?"
    ),
    RoadmapPhase.ASSESS_NEEDS: "Identify and prioritize critical needs based on data.",
    RoadmapPhase.CREATE_PLAN: (
        "Create a rigorous yet attainable plan with enough detail to guide the work."
    ),
    RoadmapPhase.IMPLEMENT_PLAN: (
        "To implement the improvement plan effectively and continuously collect progress data."
    ),
    RoadmapPhase.MONITOR_ADJUST: (
        "Install feedback loops designed to self-monitor and adjust plan implementation and "
        "outcomes based on evidence."
    ),
}

_LABELS: dict[str, dict[str, str]] = {
    "Level": {"school": "School", "district": "District"},
    "EssaDesignation": {
        "none": "Not identified",
        "csi": "Comprehensive Support and Improvement (CSI)",
        "tsi": "Targeted Support and Improvement (TSI)",
        "atsi": "Additional Targeted Support and Improvement (ATSI)",
    },
    "Profile": {
        "dese-sip": "DESE school improvement plan",
        "dese-district": "DESE district plan",
        "ma-school-council": "School council plan (M.G.L. c.71 §59C)",
        "action-plan": "Annual action plan",
        "roadmap": "Continuous improvement roadmap",
        "essa-csi": "ESSA comprehensive support (CSI)",
        "essa-tsi": "ESSA targeted support (TSI)",
        "essa-atsi": "ESSA additional targeted support (ATSI)",
        "idea": "IDEA improvement plan",
    },
    "CouncilRole": {
        "principal": "Principal (co-chair)",
        "parent": "Parent",
        "teacher": "Teacher",
        "community": "Community member (non-school)",
        "student": "Student",
    },
    "StudentGroup": {
        "all_students": "All students",
        "high_needs": "High needs",
        "economically_disadvantaged": "Economically disadvantaged",
        "students_with_disabilities": "Students with disabilities",
        "english_learners": "English learners",
        "african_american_black": "African American/Black",
        "asian": "Asian",
        "hispanic_latino": "Hispanic/Latino",
        "multi_race": "Multi-race, non-Hispanic/Latino",
        "native_american": "Native American",
        "native_hawaiian_pacific_islander": "Native Hawaiian/Pacific Islander",
        "white": "White",
        "lowest_performing": "Lowest performing students",
    },
    "Subject": {
        "ela": "English language arts",
        "mathematics": "Mathematics",
        "science": "Science",
        "history_social_science": "History and social science",
        "attendance": "Attendance",
        "graduation": "Graduation",
        "english_language_proficiency": "English language proficiency",
        "school_climate": "School climate",
    },
    "StakeholderGroup": {
        "school_leader": "School leaders",
        "teacher": "Teachers",
        "school_staff": "School staff",
        "parent": "Parents and families",
        "student": "Students",
        "district_leader": "District leaders",
        "school_committee": "School committee",
        "community_partner": "Community partners",
        "tribal_nation": "Sovereign Tribal nations",
        "union": "Educator association",
        "other": "Other",
    },
    "ApproverRole": {
        "school_council": "School council",
        "principal": "Principal",
        "superintendent": "Superintendent",
        "school_committee": "School committee",
        "state": "State education agency (DESE)",
    },
    "DataCategory": {
        "student": "Student data",
        "perception": "Perception data",
        "systems": "Systems data",
    },
    "Unit": {
        "percent": "%",
        "percentage_points": "percentage points",
        "scale_score": "scale score",
        "count": "count",
        "rate": "rate",
        "days": "days",
    },
    "Direction": {"increase": "Increase", "decrease": "Decrease"},
    "Frequency": {
        "weekly": "Weekly",
        "monthly": "Monthly",
        "quarterly": "Quarterly",
        "semester": "Each semester",
        "annual": "Annually",
    },
    "BenchmarkType": {"process": "Process", "early_evidence": "Early evidence of change"},
    "Status": {
        "not_started": "Not started",
        "on_track": "On track",
        "at_risk": "At risk",
        "off_track": "Off track",
        "complete": "Complete",
    },
    "ResourceKind": {
        "staff": "Staff",
        "funding": "Funding",
        "materials": "Materials",
        "time": "Time",
        "professional_development": "Professional development (time, stipends)",
        "partner": "Partner",
    },
    "Verdict": {
        "met": "Met",
        "not_met": "Not met",
        "not_measured": "Not yet measured",
        "no_target": "No target stated",
        "other_unit": "Unit differs",
    },
    "RoadmapPhase": {
        "set_vision": "Set the Vision",
        "assess_needs": "Assess Needs",
        "create_plan": "Create Strategic Plan",
        "implement_plan": "Implement Plan",
        "monitor_adjust": "Monitor and Adjust / Routines",
    },
}


# ---------------------------------------------------------------------------------------------
# monitoring (what `progress.py` decides; here, so that reports name them without the model)

NOT_RECORDED = "not_recorded"
"""The status key of a benchmark whose status nobody has recorded."""


class Verdict(Labeled):
    """An outcome's latest result against the target for the date."""

    MET = "met"
    NOT_MET = "not_met"
    NOT_MEASURED = "not_measured"
    """No result answers the target yet."""
    NO_TARGET = "no_target"
    """The outcome (or measure row) states no target."""
    OTHER_UNIT = "other_unit"
    """The latest result is in another unit than the outcome's: it cannot be compared."""
