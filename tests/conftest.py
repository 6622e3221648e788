"""Shared fixtures: the example plans, the minimal scenario, and text extraction from .docx."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest

from pipeline.documents.plan_documents import render_plan
from pipeline.inputs.source import Source
from pipeline.inputs.validate import validate
from pipeline.model.plan import Plan

ROOT = Path(__file__).resolve().parent.parent
INPUTS = sorted((ROOT / "inputs").glob("*.json"))
SCENARIOS = Path(__file__).resolve().parent / "scenarios"
MINIMAL = SCENARIOS / "minimal.json"


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def minimal_data() -> dict[str, Any]:
    """A fresh copy of the smallest complete plan, to break in one place."""
    return copy.deepcopy(read_json(MINIMAL))


def plan_of(data: Any, name: str = "plan.json") -> Plan:
    return validate(Source(name, data))


@pytest.fixture(scope="session")
def example_plans() -> dict[str, Plan]:
    return {path.stem: plan_of(read_json(path), str(path)) for path in INPUTS}


@pytest.fixture(scope="session")
def rendered_examples(example_plans: dict[str, Plan]) -> dict[str, dict[str, bytes]]:
    """{example stem: {document file name: .docx bytes}}, rendered once per session."""
    return {stem: render_plan(plan) for stem, plan in example_plans.items()}


def _cell_text(cell: Any) -> Iterator[str]:
    for paragraph in cell.paragraphs:
        yield paragraph.text
    for table in cell.tables:
        yield from _table_text(table)


def _table_text(table: Any) -> Iterator[str]:
    for row in table.rows:
        yield " | ".join(" / ".join(_cell_text(cell)) for cell in row.cells)


def document_lines(data: bytes) -> list[str]:
    """The text of a .docx, as a person reads it: headers, body paragraphs and table rows in
    order (a row as 'cell | cell'), footers."""
    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for section in document.sections:
        lines += [f"[header] {p.text}" for p in section.header.paragraphs if p.text]
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            lines += _table_text(block)
        elif block.text:
            style = block.style.name if block.style is not None else ""
            prefix = f"[{style}] " if style.startswith(("Heading", "Title")) else ""
            lines.append(prefix + block.text)
    for section in document.sections:
        lines += [f"[footer] {p.text}" for p in section.footer.paragraphs if p.text]
    return lines
