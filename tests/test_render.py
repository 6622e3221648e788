"""Rendering: literal text (autoescaped), strict variables, reproducible bytes."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import docx
import pytest

from pipeline.authoring.contract import full_plan
from pipeline.documents.context import build_context
from pipeline.documents.plan_documents import render_plan
from pipeline.documents.render import PreparedTemplate, render
from pipeline.errors import TemplateProblemError
from pipeline.model.documents import DOCUMENTS, TEMPLATES_DIR
from tests.conftest import INPUTS, MINIMAL, document_lines, plan_of, read_json

TRICKY = 'Smith & Jones <Partners> "Q1" ≥ 5%'


def test_special_characters_appear_literally_everywhere(minimal_data: dict[str, Any]) -> None:
    minimal_data["foundation"]["mission"] = f"Partnering with {TRICKY} & more."
    documents = render_plan(plan_of(minimal_data))
    for name, data in documents.items():
        lines = document_lines(data)
        header = [line for line in lines if line.startswith("[header]")]
        assert any(TRICKY in line for line in header), name
        assert any(line.startswith("[Subtitle]") or TRICKY in line for line in lines)
        properties = docx.Document(io.BytesIO(data)).core_properties
        assert TRICKY in properties.author
        assert TRICKY in properties.title
    body = document_lines(documents["improvement-plan.docx"])
    assert f"Partnering with {TRICKY} & more." in body


def test_line_breaks_in_values_become_breaks(minimal_data: dict[str, Any]) -> None:
    minimal_data["foundation"]["vision"] = "First line.\nSecond line."
    data = render_plan(plan_of(minimal_data))["improvement-plan.docx"]
    assert "First line.\nSecond line." in document_lines(data)


def _template(tmp_path: Path, text: str) -> Path:
    document = docx.Document()
    document.add_paragraph(text)
    path = tmp_path / "t.docx"
    document.save(str(path))
    return path


def _template_error(message: str, line: str) -> str:
    """The whole message of a template problem in `t.docx`, anchored; the template line it is
    near may follow."""
    return rf"^t\.docx: {re.escape(message)}( near: {re.escape(line)})?$"


def test_an_undefined_variable_is_an_error_not_a_blank(tmp_path: Path) -> None:
    line = "Name: {{ organization.name }}"
    with pytest.raises(
        TemplateProblemError, match=_template_error("'organization' is undefined", line)
    ):
        render(_template(tmp_path, line), {}, dt.date(2025, 1, 1))


def test_an_undefined_field_is_an_error(tmp_path: Path) -> None:
    line = "Name: {{ organization.nmae }}"
    message = "'dict object' has no attribute 'nmae'"
    with pytest.raises(TemplateProblemError, match=_template_error(message, line)):
        render(_template(tmp_path, line), {"organization": {"name": "X"}}, dt.date(2025, 1, 1))


def test_printing_an_empty_value_is_an_error(tmp_path: Path) -> None:
    line = "District: {{ organization.district }}"
    message = "the template prints a value the plan leaves empty; guard it with {% if … %}"
    with pytest.raises(TemplateProblemError, match=_template_error(message, line)):
        render(_template(tmp_path, line), {"organization": {"district": None}}, dt.date(2025, 1, 1))


def test_templates_cannot_reach_python_internals(tmp_path: Path) -> None:
    line = "{{ ''.__class__.__mro__ }}"
    message = "access to attribute '__class__' of 'str' object is unsafe."
    with pytest.raises(TemplateProblemError, match=_template_error(message, line)):
        render(_template(tmp_path, line), {}, dt.date(2025, 1, 1))


def test_same_input_gives_identical_bytes(minimal_data: dict[str, Any]) -> None:
    first = render_plan(plan_of(minimal_data))
    second = render_plan(plan_of(minimal_data))
    assert first == second


def test_document_dates_come_from_the_revision(minimal_data: dict[str, Any]) -> None:
    data = render_plan(plan_of(minimal_data))["roadmap.docx"]
    properties = docx.Document(io.BytesIO(data)).core_properties
    assert (
        properties.created == properties.modified == dt.datetime(2025, 9, 1, 12, 0, tzinfo=dt.UTC)
    )
    assert properties.language == "en-US"


def test_every_branch_of_every_template_renders_with_a_full_plan() -> None:
    """A plan with every optional part filled in exercises every `if` in the templates."""
    documents = render_plan(full_plan())
    assert len(documents) == 4


def test_a_plan_with_only_its_required_parts_renders(minimal_data: dict[str, Any]) -> None:
    """Every optional field left out: templates must guard each one."""
    data = {
        "organization": {
            k: minimal_data["organization"][k]
            for k in ("name", "code", "level", "grades", "leader")
        },
        "plan": {k: minimal_data["plan"][k] for k in ("title", "years", "revision")},
        "foundation": {"mission": "M.", "vision": "V."},
        "needs_assessment": {"summary": "S."},
        "theory_of_action": {},
        "objectives": [
            {
                "id": "SO1",
                "title": "T",
                "rationale": "R",
                "initiatives": [{"id": "1.1", "title": "T", "description": "D", "lead": "L"}],
            }
        ],
        "supports": {},
        "outcomes": [],
        "action_plan": {
            "school_year": "2025-26",
            "start": "2025-08-27",
            "end": "2026-06-19",
            "check_ins": [{"id": "CI1", "date": "2025-10-15"}],
        },
        "roadmap": {"phases": [{"phase": "assess_needs"}]},
    }
    documents = render_plan(plan_of(data))
    assert len(documents) == 4


@pytest.mark.parametrize("source", [*INPUTS, MINIMAL], ids=lambda p: p.stem)
def test_prepared_templates_give_docxtpls_exact_output(source: Path) -> None:
    """The compile-once path is byte-identical to docxtpl's standard render and save
    (table-row loops, autoescaping, headers, footers and properties included)."""
    plan = plan_of(read_json(source))
    for document in DOCUMENTS:
        if not document.included(plan):
            continue
        context = build_context(plan, document)
        template = TEMPLATES_DIR / document.template
        standard = render(template, context, plan.plan.revision.date)
        fast = PreparedTemplate(template)
        assert fast.render(context, plan.plan.revision.date) == standard, document.name
        # and again: a prepared template renders many documents
        assert fast.render(context, plan.plan.revision.date) == standard, document.name


def test_prepared_template_resolves_line_breaks_like_docxtpl(minimal_data: dict[str, Any]) -> None:
    minimal_data["foundation"]["vision"] = "Line one.\nLine two.\tTabbed."
    plan = plan_of(minimal_data)
    document = DOCUMENTS[0]
    context = build_context(plan, document)
    template = TEMPLATES_DIR / document.template
    fast = PreparedTemplate(template).render(context, plan.plan.revision.date)
    assert fast == render(template, context, plan.plan.revision.date)


def _table_template(tmp_path: Path) -> Path:
    """A template whose tables docxtpl must fix: a column loop, and a table whose rows can all
    disappear."""
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.rows[0].cells[0].text = "Item"
    table.rows[0].cells[1].text = "{%tc for c in columns %}"
    table.rows[0].cells[2].text = "{{ c }}{%tc endfor %}"
    table.rows[1].cells[0].text = "{{ name }}"
    table.rows[1].cells[1].text = "{%tc for c in columns %}"
    table.rows[1].cells[2].text = "x{%tc endfor %}"
    rows = document.add_table(rows=3, cols=2)
    rows.rows[0].cells[0].text = "{%tr for r in rows %}"
    rows.rows[1].cells[0].text = "{{ r }}"
    rows.rows[2].cells[0].text = "{%tr endfor %}"
    document.add_paragraph("{{ name }}")
    path = tmp_path / "tables.docx"
    document.save(str(path))
    return path


@pytest.mark.parametrize(
    "context",
    [
        {"columns": ["a", "b", "c", "d", "e"], "rows": ["1", "2"], "name": "A & B"},
        {"columns": [], "rows": [], "name": "<none>"},
        {"columns": ["only"], "rows": ["1"], "name": "one"},
    ],
    ids=["wider", "emptied", "narrower"],
)
def test_prepared_template_fixes_tables_as_docxtpl_does(
    tmp_path: Path, context: dict[str, Any]
) -> None:
    template = _table_template(tmp_path)
    date = dt.date(2025, 1, 1)
    assert PreparedTemplate(template).render(context, date) == render(template, context, date)
