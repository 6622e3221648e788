"""The workbook's shapes for real plans (issue 17): steps by year named by their number,
resources of several kinds, timelines as periods, theories of action per objective and
initiative, measure tables; each readable as typed and back again."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline.errors import InvalidInputError
from pipeline.inputs.load import load
from pipeline.inputs.validate import validate
from pipeline.inputs.workbook import plan_layout, workbook_bytes
from pipeline.model.plan import Plan
from tests.workbooks import Edit, column_of, every_new_field, workbook_of


@pytest.fixture
def full_xlsx(tmp_path: Path, minimal_data: dict[str, Any]) -> Path:
    return workbook_of(every_new_field(minimal_data), tmp_path / "plan.xlsx")


def _plan(path: Path) -> tuple[Plan, list[str]]:
    source = load(path)
    plan = validate(source)
    return plan, [f"{p.severity}: {p.location}: {p.message}" for p in source.problems]


def _problems(path: Path) -> list[tuple[str, str, str | None]]:
    with pytest.raises(InvalidInputError) as caught:
        validate(load(path))
    return [(p.location, p.message, p.hint) for p in caught.value.problems]


def test_the_blank_form_has_the_new_sheets_and_says_what_to_type() -> None:
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes()))
    for sheet in ("Steps", "Step resources", "Step schools", "Initiative schools"):
        assert sheet in book.sheetnames
    for sheet in ("Outcome measures", "Measure interim targets", "Portrait of a graduate"):
        assert sheet in book.sheetnames
    assert [c.value for c in book["Steps"][1]][:3] == [
        "Initiative ID",
        "Step number",
        "School year",
    ]
    assert [c.value for c in book["Step resources"][1]][:3] == [
        "Initiative ID",
        "Step number",
        "Kinds",
    ]
    headers = [c.value for c in book["Objectives"][1]]
    assert "Goal" in headers and "Theory of action: if" in headers
    assert "Theory of action: so that" in [c.value for c in book["Initiatives"][1]]
    steps = book["Steps"]
    letter = steps.cell(1, column_of(steps, "Timeline")).column_letter
    (prompt,) = [
        dv.prompt
        for dv in steps.data_validations.dataValidation
        if f"{letter}2" in dv.sqref and dv.prompt
    ]
    assert "Spring 2024" in prompt and "SY 2024-25" in prompt and "Fall–Winter" in prompt
    assert len(prompt) <= 255
    kinds = plan_layout().tables
    table = next(t for t in kinds if t.sheet == "Step resources")
    assert table.columns[0].many and table.columns[0].choices  # several kinds in one cell


def test_steps_are_found_by_their_number_whatever_the_row_order(full_xlsx: Path) -> None:
    with Edit(full_xlsx) as book:
        sheet = book["Steps"]
        rows = [[c.value for c in sheet[row]] for row in (2, 3, 4, 5)]
        for row, values in zip((2, 3, 4, 5), reversed(rows), strict=True):  # reversed order
            for number, value in enumerate(values, start=1):
                sheet.cell(row, number).value = value
    plan, notes = _plan(full_xlsx)
    assert notes == []
    steps = plan.objectives[0].initiatives[0].steps
    assert steps[0].description == "Review"
    by_description = {s.description: s for s in steps}
    adopt = by_description["Adopt the ELA curriculum"]
    assert adopt.resources[0].description == "Curriculum, PD time, time in schedule"
    assert adopt.schools == ["Elementary schools"]
    assert [r.description for r in by_description["Extend to grades 6-8"].resources] == ["Stipends"]


def test_a_step_without_a_number_is_named_by_its_place(full_xlsx: Path) -> None:
    with Edit(full_xlsx) as book:
        for row in range(2, 6):
            book.set("Steps", row, "Step number", None)
    plan, notes = _plan(full_xlsx)
    assert notes == []
    step = plan.objectives[0].initiatives[0].steps[2]
    assert [r.description for r in step.resources] == ["Stipends"]


def test_step_numbers_that_repeat_or_name_no_step_are_errors(full_xlsx: Path) -> None:
    with Edit(full_xlsx) as book:
        book.set("Steps", 3, "Step number", 1)
        book.set("Step resources", 4, "Step number", "7")
    assert _problems(full_xlsx) == [
        (
            "Steps › row 3 › Step number (B3)",
            "another step of the same initiative has the number '1' (row 2)",
            "give each step its own Step number",
        ),
        (
            "Step resources › row 4 › Step number (B4)",
            "no step has the number '7'",
            "known numbers: 1, 2, 3, 4",
        ),
    ]


@pytest.mark.parametrize(
    ("typed", "number_format", "stored"),
    [
        ("Spring 2026", "@", "Spring 2026"),
        (" December–April ", "@", "December–April"),
        (dt.datetime(2026, 1, 1), "mmm-yy", "January 2026"),  # 'January 2026' made a date
        (dt.datetime(2026, 3, 1), "m/d/yyyy", "2026-03-01"),
    ],
)
def test_timelines_are_read_as_written(
    full_xlsx: Path, typed: Any, number_format: str, stored: str
) -> None:
    with Edit(full_xlsx) as book:
        book.set("Steps", 3, "Timeline", typed, number_format)
    plan, notes = _plan(full_xlsx)
    assert notes == []
    assert plan.objectives[0].initiatives[0].steps[1].timeline == stored


def test_a_timeline_that_is_no_period_says_what_to_write(full_xlsx: Path) -> None:
    with Edit(full_xlsx) as book:
        book.set("Steps", 3, "Timeline", "when ready")
    ((location, message, _),) = _problems(full_xlsx)
    assert location == "Steps › row 3 › Timeline (F3)"
    assert "cannot read 'when ready'" in message and "Spring 2024" in message


def test_several_kinds_in_one_cell_even_with_commas(full_xlsx: Path) -> None:
    with Edit(full_xlsx) as book:
        book.set("Step resources", 3, "Kinds", "Staff, Professional development (time, stipends)")
    plan, notes = _plan(full_xlsx)
    assert notes == []
    resource = plan.objectives[0].initiatives[0].steps[0].resources[1]
    assert resource.kinds == ["staff", "professional_development"]


def test_measure_rows_keep_their_own_targets(full_xlsx: Path) -> None:
    plan, notes = _plan(full_xlsx)
    assert notes == []
    first, second, third = plan.outcomes[0].measures
    assert [t.value for t in first.interim_targets] == [22, 26]
    assert second.interim_targets == [] and second.baseline and second.baseline.value == 0.5
    assert third.baseline is None and third.label == "High school (no data yet)"
