"""JSON → workbook → JSON gives back an equal plan (every example, and generated plans), and
the documents built from a workbook and from its JSON have the same text."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings

from pipeline.documents.plan_documents import render_plan
from pipeline.inputs.interchange import convert
from pipeline.inputs.load import load
from pipeline.inputs.source import Source
from pipeline.inputs.validate import validate
from pipeline.inputs.workbook import read_workbook_bytes, workbook_bytes
from pipeline.model.plan import Plan
from tests.conftest import INPUTS, MINIMAL, ROOT, document_lines, read_json
from tests.strategies import plan_data
from tests.workbooks import every_new_field

EXAMPLES = [*INPUTS, MINIMAL]
WORKBOOK_INPUTS = sorted((ROOT / "inputs").glob("*.xlsx"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_json_to_workbook_to_json_is_equal(example: Path, tmp_path: Path) -> None:
    workbook, back = tmp_path / "plan.xlsx", tmp_path / "back.json"
    assert convert(example, workbook) == []
    assert convert(workbook, back) == []
    original, returned = read_json(example), read_json(back)
    assert returned.get("$schema") == original.get("$schema")
    assert validate(Source("back", returned)) == validate(Source("original", original))


def _workbook_plan(plan: Plan) -> Plan:
    content = workbook_bytes(plan.model_dump(mode="json", by_alias=True, exclude_none=True))
    source = read_workbook_bytes(content, "plan.xlsx")
    assert source.problems == [], [str(p) for p in source.problems]
    return validate(source)


# How many plans: the hypothesis profile's (tests/conftest.py: few by default, more in CI).
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=plan_data())
def test_generated_plans_survive_a_workbook(data: dict[str, Any]) -> None:
    plan = validate(Source("generated.json", data))
    assert _workbook_plan(plan) == plan


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_documents_from_a_workbook_read_as_those_from_its_json(example: Path) -> None:
    plan = validate(load(example))
    from_json = render_plan(plan)
    from_workbook = render_plan(_workbook_plan(plan))
    assert sorted(from_workbook) == sorted(from_json)
    for name, data in from_json.items():
        assert document_lines(from_workbook[name]) == document_lines(data), name


@pytest.mark.parametrize("workbook", WORKBOOK_INPUTS, ids=lambda p: p.name)
def test_example_workbooks_are_valid_without_warnings(workbook: Path) -> None:
    source = load(workbook)
    plan = validate(source)
    assert source.problems == []
    assert plan.organization.name and plan.objectives and plan.action_plan


def test_an_empty_section_cannot_be_kept_and_says_so(
    tmp_path: Path, minimal_data: dict[str, Any]
) -> None:
    minimal_data["supports"] = {}
    minimal_data["theory_of_action"] = {}
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(minimal_data), encoding="utf-8")
    warnings = convert(source, tmp_path / "plan.xlsx")
    assert [(p.location, p.message, p.severity) for p in warnings] == [
        (
            "$.theory_of_action",
            "a workbook cannot hold an empty section; it is left out",
            "warning",
        ),
        ("$.supports", "a workbook cannot hold an empty section; it is left out", "warning"),
    ]


def test_text_that_looks_like_a_formula_is_written_as_text(minimal_data: dict[str, Any]) -> None:
    risky = ['=HYPERLINK("http://example.com","x")', "+1 (555) 010", "-2 points", "@SUM(A1)"]
    minimal_data["needs_assessment"]["strengths"] = risky
    plan = validate(Source("plan.json", minimal_data))
    content = workbook_bytes(plan.model_dump(mode="json", by_alias=True, exclude_none=True))
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Strengths"]
    cells = [sheet.cell(row, 1) for row in range(2, 6)]
    assert [cell.value for cell in cells] == risky
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        assert not any(b"<f>" in package.read(name) for name in package.namelist())
    assert _workbook_plan(plan) == plan


def test_the_same_plan_gives_the_same_bytes(minimal_data: dict[str, Any]) -> None:
    plan = validate(Source("plan.json", minimal_data))
    data = plan.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert workbook_bytes(data) == workbook_bytes(data)


def test_a_plan_with_every_new_field_survives_a_workbook(minimal_data: dict[str, Any]) -> None:
    plan = validate(Source("full.json", every_new_field(minimal_data)))
    assert _workbook_plan(plan) == plan
