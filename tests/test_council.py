"""The school council's plan (M.G.L. c.71 §59C): its rules and profile, the section that shows
it, and the workbook that holds it. (Each SC rule's breaking case is in test_checks.CASES.)"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import openpyxl

from pipeline.checks import REGISTRY, check_plan
from pipeline.checks.profiles import plan_profiles, profile_rules
from pipeline.documents.plan_documents import render_plan
from pipeline.errors import Severity
from pipeline.inputs.load import load
from pipeline.inputs.validate import validate
from pipeline.model.vocabulary import Level, Profile
from tests.conftest import MINIMAL, ROOT, document_lines, plan_of, read_json

WORKBOOK = ROOT / "inputs" / "maple-street-elementary.xlsx"
HARBOR_VIEW = ROOT / "inputs" / "harbor-view-elementary.json"

# (rule, default severity)
RULES = [
    ("SC-1", Severity.ERROR),
    ("SC-2", Severity.ERROR),
    ("SC-3", Severity.ERROR),
    ("SC-4", Severity.ERROR),
    ("SC-5", Severity.ERROR),
    ("SC-6", Severity.WARNING),
    ("SC-7", Severity.ERROR),
    ("SC-8", Severity.ERROR),
    ("SC-9", Severity.ERROR),
    ("SC-10", Severity.ERROR),
    ("SC-11", Severity.ERROR),
    ("SC-12", Severity.ERROR),
    ("SC-13", Severity.ERROR),
    ("SC-14", Severity.WARNING),
]


def test_the_family_cites_the_statute_and_binds_school_plans_only() -> None:
    family = sorted((r for r in REGISTRY.values() if r.family == "SC"), key=lambda r: r.sort_key())
    assert [(r.id, r.severity) for r in family] == RULES
    for rule in family:
        assert "M.G.L. c.71 §59C" in rule.binding_for(Level.SCHOOL), rule.id
        assert rule.crosswalk_citation(Level.DISTRICT) is None, rule.id
        assert rule.explanation, rule.id
    assert set(profile_rules().rules[Profile.MA_SCHOOL_COUNCIL]) == {"INT-4"} | {
        r for r, _ in RULES
    }


def test_school_plans_get_the_profile_and_district_plans_do_not() -> None:
    school = read_json(MINIMAL)
    assert Profile.MA_SCHOOL_COUNCIL in plan_profiles(plan_of(school))
    district = copy.deepcopy(school)
    district["organization"]["level"] = "district"
    assert Profile.MA_SCHOOL_COUNCIL not in plan_profiles(plan_of(district))
    check = check_plan(plan_of(district))
    assert not any(f.rule.family == "SC" for f in check.findings)


def test_a_school_plan_without_a_council_is_a_draft_showing_it_in_place() -> None:
    data: dict[str, Any] = read_json(MINIMAL)
    del data["school_council"]
    plan = plan_of(data)
    check = check_plan(plan)
    assert [f.rule.id for f in check.findings if f.severity is Severity.ERROR] == ["SC-1"]
    lines = document_lines(render_plan(plan)["improvement-plan.docx"])
    heading = lines.index("[Heading 1] School Council Plan (M.G.L. c.71 §59C)")
    assert lines[heading + 1].startswith(
        "[MISSING: the school council and its plan (M.G.L. c.71 §59C) — required by SC-1"
    )


def test_a_missing_element_is_shown_in_the_council_section() -> None:
    data: dict[str, Any] = read_json(MINIMAL)
    del data["school_council"]["extracurricular"]
    lines = document_lines(render_plan(plan_of(data))["improvement-plan.docx"])
    heading = lines.index("[Heading 1] School Council Plan (M.G.L. c.71 §59C)")
    assert lines[heading + 1].startswith("[MISSING: extracurricular activities — required by SC-11")


def test_the_section_shows_the_council_and_every_element() -> None:
    plan = plan_of(read_json(HARBOR_VIEW))
    lines = document_lines(render_plan(plan)["improvement-plan.docx"])
    start = lines.index("[Heading 1] School Council Plan (M.G.L. c.71 §59C)")
    section = lines[start : lines.index("[Heading 1] VI. Approvals and Signatures")]
    text = "\n".join(section)
    assert (
        "on October 8, 2025; the superintendent consulted the school committee on October 14"
        in (text)
    )
    assert "Daniel Kowalski | Parent | Parent co-chair; parent of a grade 3 student" in section
    assert "Students per teacher | 14.3" in section
    assert "Class size reduction | Not deemed necessary" in section
    assert any(line.endswith("| Title II, Part A | $38,000") for line in section)
    for heading in (
        "Parental Involvement",
        "Safety and Discipline",
        "A School Environment of Tolerance and Respect for All Groups",
        "Extracurricular Activities",
        "Meeting Diverse Learning Needs within Regular Education",
    ):
        assert f"[Heading 2] {heading}" in section


def test_a_plan_without_a_council_renders_no_section() -> None:
    data: dict[str, Any] = read_json(MINIMAL)
    del data["school_council"]
    data["organization"]["level"] = "district"
    lines = document_lines(render_plan(plan_of(data))["improvement-plan.docx"])
    assert not any("School Council Plan" in line for line in lines)


def test_the_workbook_holds_the_council(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(WORKBOOK)
    assert [c.value for c in book["Council members"][1]] == ["Name", "Role", "Council position"]
    assert [c.value for c in book["PD funds"][1]] == ["Purpose", "Amount", "Funding source"]
    plan = validate(load(WORKBOOK))
    council = plan.school_council
    assert council is not None and council.class_size is not None
    assert len(council.members) == 7
    assert council.class_size.students_per_other_adult == 26.9
    assert council.formulated_on is not None and council.formulated_on.isoformat() == "2025-10-08"
    assert council.professional_development_funds[0].amount == 38000
    assert check_plan(plan).complete
