"""Each draftable element, removed from the every-profile example one at a time, is shown by
its placeholder in the table cell, row or section where it belongs (issue 12, item 1)."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.checks import check_plan
from pipeline.documents.plan_documents import render_plan
from pipeline.inputs.source import Source
from pipeline.inputs.validate import validated
from tests.conftest import document_lines, read_json
from tests.test_checks import EVERY_PROFILE, SCHOOL_PROFILES, Change, changed


def _documents(changes: list[Change]) -> dict[str, list[str]]:
    source = Source("plan.json", changed(read_json(EVERY_PROFILE), changes))
    plan, problems = validated(source)
    assert plan is not None, problems
    check = check_plan(plan, source, SCHOOL_PROFILES)
    return {
        name.removesuffix(".docx"): document_lines(data)
        for name, data in render_plan(plan, check=check).items()
    }


def _row(lines: list[str], start: str) -> list[str]:
    return next(line for line in lines if line.startswith(start)).split(" | ")


def _after(lines: list[str], heading: str, text: str) -> bool:
    """`text` is on the line right after `heading` (the section's first line)."""
    at = lines.index(heading)
    return text in lines[at + 1]


def _without(path: str) -> Any:
    return (path, None)


CELLS = [
    # rule, change, document, row start, column, placeholder text
    ("R-2", [_without("roadmap.phases.3.by_when")], "roadmap", "Implement Plan", 4, "by when"),
    ("R-2", [_without("roadmap.phases.4.responsible")], "roadmap", "Monitor and Adjust", 5,
     "who is responsible"),
    ("MA-9", [("outcomes.0.interim_targets", [])], "improvement-plan", "O1:", 4,
     "interim targets for outcome O1"),
    ("SMART-M1", [_without("outcomes.1.baseline")], "improvement-plan", "O2:", 3,
     "the baseline of outcome O2"),
    ("SMART-M1", [_without("outcomes.1.final_target")], "improvement-plan", "O2:", 5,
     "the final target of outcome O2"),
    ("AP-9", [_without("action_plan.benchmarks.3.evidence")], "action-plan", None, 4,
     "evidence for benchmark B4"),
    ("IDEA-5", [_without("plan.corrective_actions.0.root_cause")], "improvement-plan", None, 1,
     "root cause of corrective action 1"),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "changes", "document", "row", "column", "text"), CELLS,
                         ids=[f"{c[0]} {c[5]}" for c in CELLS])  # fmt: skip
def test_a_missing_value_stands_in_its_cell(
    rule: str, changes: list[Change], document: str, row: str | None, column: int, text: str
) -> None:
    lines = _documents(changes)[document]
    rows = [line for line in lines if f"required by {rule}]" in line and " | " in line]
    assert rows, lines
    cells = rows[0].split(" | ") if row is None else _row(lines, row)
    assert text in cells[column] and f"required by {rule}]" in cells[column], cells
    assert cells[column].startswith("[MISSING: "), cells  # the placeholder, not a dash


def test_a_missing_phase_is_its_own_row_in_order() -> None:
    lines = _documents([("roadmap.phases", lambda d: d["roadmap"]["phases"][:4])])["roadmap"]
    rows = [line.split(" | ")[0] for line in lines if " | " in line][1:]
    assert [r.split(" / Purpose")[0].split(" [")[0] for r in rows] == [
        "Set the Vision",
        "Assess Needs",
        "Create Strategic Plan",
        "Implement Plan",
        "Monitor and Adjust / Routines",
    ]
    assert "required by R-1]" in rows[-1]
    assert sum("required by R-1]" in line for line in lines) == 1  # not also above the table


def test_missing_resources_stand_under_their_heading() -> None:
    lines = _documents([("action_plan.resources", [])])["action-plan"]
    heading = "Resources supporting this initiative"
    assert _after(lines, heading, "[MISSING: resources for initiative 1.1")
    assert not any("Resource | Description" in line for line in lines)  # no header-only table
    assert not any("$0" in line for line in lines)


def test_missing_supports_keep_their_heading() -> None:
    lines = _documents([("supports.induction_mentoring", [])])["improvement-plan"]
    assert _after(
        lines, "[Heading 2] Teacher Induction and Mentoring", "[MISSING: teacher induction"
    )


def test_a_missing_lead_stands_on_its_line() -> None:
    lines = _documents([_without("objectives.2.initiatives.0.lead")])["action-plan"]
    assert "Initiative lead: [MISSING: the lead of initiative 3.1 — required by AP-8]" in lines


def test_no_key_names_and_a_count_of_this_document() -> None:
    documents = _documents([_without("foundation"), _without("roadmap.phases.3.by_when")])
    plan = documents["improvement-plan"]
    assert "[MISSING: mission, vision and core values — required by MA-1]" in plan
    assert not any("(foundation)" in line for line in plan)
    assert "1 required element missing or wrong here (2 in the plan)" in plan[1]
    assert "check.html" in documents["roadmap"][1]


NEEDS = [
    # change, the heading (or line) the placeholder stands under (or on), placeholder text
    ([("needs_assessment.student_group_gaps", [])],
     "[Heading 3] Achievement gaps between student groups", "[MISSING: "),
    ([("needs_assessment.prioritized_needs", [])], "[Heading 3] Prioritized needs",
     "[MISSING: needs assessment: its prioritized needs"),
    ([("needs_assessment.root_causes", []), ("objectives", lambda d: [
        {**o, "root_causes": []} for o in d["objectives"]])], "[Heading 3] Root causes",
     "[MISSING: needs assessment: its root causes"),
    ([("needs_assessment.data_findings", [])], "[Heading 3] What the data show",
     "[MISSING: needs assessment: its findings"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "heading", "text"), NEEDS, ids=[n[1] for n in NEEDS])
def test_needs_assessment_parts_stand_in_their_sub_sections(
    changes: list[Change], heading: str, text: str
) -> None:
    lines = _documents(changes)["improvement-plan"]
    assert _after(lines, heading, text), lines
    data_analysis = lines.index("[Heading 2] Data Analysis")
    assert "[MISSING" not in lines[data_analysis + 1]  # not under "Data Analysis" as well


def test_a_missing_completion_date_stands_on_its_line() -> None:
    lines = _documents([_without("needs_assessment.completed_on")])["improvement-plan"]
    completed = [line for line in lines if line.startswith("Needs assessment completed: ")]
    assert completed == [
        "Needs assessment completed: [MISSING: needs assessment: the date it was completed"
        " — required by ESSA-4]"
    ], lines
