"""The rendered documents: their text (golden files), their content, their Word structure."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.section import WD_ORIENT

from pipeline.authoring.contract import missing, model_shape, used_paths
from pipeline.documents.plan_documents import render_plan
from pipeline.model.documents import DOCUMENTS, TEMPLATES_DIR, Document
from pipeline.model.plan import Plan
from tests.conftest import INPUTS, MINIMAL, ROOT, SCENARIOS, document_lines, plan_of, read_json

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = [*INPUTS, MINIMAL, SCENARIOS / "every-profile.json"]


@pytest.mark.parametrize("source", CASES, ids=lambda p: p.stem)
def test_document_text_matches_golden(source: Path) -> None:
    """The text a reader sees. Regenerate after a deliberate change: UPDATE_GOLDEN=1 make test."""
    documents = render_plan(plan_of(read_json(source)))
    for name, data in documents.items():
        golden = GOLDEN / source.stem / name.replace(".docx", ".txt")
        text = "\n".join(document_lines(data)) + "\n"
        if os.environ.get("UPDATE_GOLDEN"):
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(text, encoding="utf-8")
        assert golden.exists(), f"no golden file {golden}: run UPDATE_GOLDEN=1 make test"
        assert text == golden.read_text(encoding="utf-8"), f"{golden} differs"


def _all_text(data: bytes) -> str:
    """The document's text as it reads: the no-break spaces and hyphens that keep dates and
    school years on one line in table cells (the `nobreak` filter) read as plain ones."""
    return _as_read("\n".join(document_lines(data)))


def _as_read(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u2011", "-")


@pytest.mark.parametrize("example", INPUTS, ids=lambda p: p.stem)
def test_examples_hold_their_content_and_no_leftover_tags(
    example: Path, example_plans: dict[str, Plan], rendered_examples: dict[str, dict[str, bytes]]
) -> None:
    plan = example_plans[example.stem]
    documents = rendered_examples[example.stem]
    assert sorted(documents) == [
        "action-plan.docx",
        "improvement-plan.docx",
        "progress-report.docx",
        "roadmap.docx",
    ]
    improvement = _all_text(documents["improvement-plan.docx"])
    action = _all_text(documents["action-plan.docx"])
    assert plan.foundation is not None and plan.objectives and plan.action_plan
    assert plan.foundation.mission in improvement
    for objective in plan.objectives:
        assert objective.title in improvement and objective.title in action
    for benchmark in plan.action_plan.benchmarks:
        assert benchmark.description in action
    for name, data in documents.items():
        text = _all_text(data)
        assert plan.organization.name in text, name
        for leftover in ("{{", "}}", "{%", "%}", "{#"):
            assert leftover not in text, (name, leftover)
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            xml = b"".join(package.read(n) for n in package.namelist() if n.endswith(".xml"))
        assert b"{{" not in xml and b"{%" not in xml, name


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.name)
def test_every_template_variable_exists_in_the_context(document: Document) -> None:
    used = used_paths(TEMPLATES_DIR / document.template)
    assert len(used) > 10
    assert missing(used, model_shape(document)) == []


def test_the_contract_catches_a_misspelled_variable(tmp_path: Path) -> None:
    template = docx.Document()
    template.add_paragraph(
        "{{ organization.nmae }} {% for o in objectives %}{{ o.titel }}{% endfor %}"
    )
    template.save(str(tmp_path / "t.docx"))
    used = used_paths(tmp_path / "t.docx")
    assert missing(used, model_shape(DOCUMENTS[0])) == [
        "objectives[].titel (body)",
        "organization.nmae (body)",
    ]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.name)
def test_templates_have_real_word_structure(document: object) -> None:
    template = docx.Document(str(TEMPLATES_DIR / document.template))  # type: ignore[attr-defined]
    styles = {p.style.name for p in template.paragraphs if p.style is not None}
    assert ("Title" in styles and "Heading 1" in styles) or "Title" in styles
    properties = template.core_properties
    assert properties.title and properties.subject and properties.author
    assert properties.language
    for table in template.tables:
        header = table.rows[0]._tr
        if (
            header.trPr is not None
            and header.trPr.find(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader"
            )
            is not None
        ):
            break
    else:
        pytest.fail("no table has a repeating header row")
    footer = "".join(
        node.text or ""
        for node in template.sections[0].footer._element.iter()
        if node.tag.endswith("}instrText")
    )
    assert "PAGE" in footer and "NUMPAGES" in footer
    if document.name != "improvement-plan":  # type: ignore[attr-defined]
        assert template.sections[0].orientation == WD_ORIENT.LANDSCAPE
    else:
        assert WD_ORIENT.LANDSCAPE in {s.orientation for s in template.sections}


@pytest.mark.parametrize("example", CASES, ids=lambda p: p.stem)
def test_documents_pass_the_ooxml_validator(
    example: Path, tmp_path: Path, ooxml_errors: Any
) -> None:
    documents = render_plan(plan_of(read_json(example)))
    assert documents
    for name, data in documents.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert ooxml_errors(path) == [], name


def test_templates_are_in_the_repository() -> None:
    for document in DOCUMENTS:
        assert (ROOT / "templates" / document.template).is_file()


DISTRICT = ROOT / "inputs" / "sawmill-river-regional-school-district.json"


def test_goals_theories_of_action_steps_and_measure_tables_are_shown() -> None:
    """Issue 17: what a real strategic plan holds reaches the improvement plan, as written."""
    plan = plan_of(read_json(DISTRICT))
    text = _all_text(render_plan(plan)["improvement-plan.docx"])
    assert plan.foundation is not None and plan.objectives and plan.outcomes
    for attribute in plan.foundation.portrait_of_graduate:
        assert attribute.name in text
    for objective in plan.objectives:
        assert f"Goal: {objective.goal}" in text
        for goal in objective.named_goals:
            assert goal.title in text
        assert objective.theory_of_action is not None
        theory = objective.theory_of_action
        assert (theory.if_ or theory.statement or "-") in text
        for initiative in objective.initiatives:
            for step in initiative.steps:
                assert step.description in text
                assert f"School year {step.school_year}" in text
                assert step.timeline is not None and f"| {step.timeline} |" in text
    for timeline in ("Spring 2024", "SY 2024-25", "Fall–Winter 2023-24", "December–April"):
        assert f"| {timeline} |" in text
    assert "Professional development (time, stipends): " in text
    assert "| Not recorded" in text and "| Complete" in text
    assert "None" not in text
    lines = text.splitlines()
    for outcome in plan.outcomes:
        if outcome.measures:
            assert f"[Heading 2] Outcome {outcome.id}" in lines
            header = lines.index(f"[Heading 2] Outcome {outcome.id}")
            assert lines[header + 1] == outcome.statement
    # a measure row: its label, baseline, interim targets (one a line) and final target
    assert "Grades 3-5 ELA | 43% (2022-23) | 45% by Jun 30, 2024\n48% by Jun 30, 2025" in text
    assert "Grade 5 · Science · All students | 40% (2022-23)" in text
    # the cells keep each date and school year on one line (issue 12: page flow)
    raw = "\n".join(document_lines(render_plan(plan)["improvement-plan.docx"]))
    assert "| 43% (2022\u201123) | 45% by Jun\u00a030,\u00a02024\n" in raw
    # the plain outcome keeps the one table of today, under its own heading beside the others
    assert "[Heading 2] Outcome O4" in lines
    assert any(line.startswith("O4: By June 2027, increase") for line in lines)
