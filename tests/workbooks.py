"""Helpers to make real workbooks in tests: from a JSON plan, then edited with openpyxl the way
a person would edit them (cells typed, rows added, columns inserted, cells merged)."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.inputs.source import Source
from pipeline.inputs.validate import validate
from pipeline.inputs.workbook import workbook_bytes
from pipeline.inputs.workbook.safety import check_package
from tests.conftest import read_json


def workbook_of(data: dict[str, Any], path: Path) -> Path:
    """Write the workbook of a plan's JSON data (validated first) to `path`."""
    plan = validate(Source("plan.json", data))
    path.write_bytes(workbook_bytes(plan.model_dump(mode="json", by_alias=True, exclude_none=True)))
    return path


def workbook_from(json_path: Path, path: Path) -> Path:
    return workbook_of(read_json(json_path), path)


def column_of(sheet: Worksheet, header: str) -> int:
    for cell in sheet[1]:
        if cell.value == header:
            return int(cell.column)
    raise KeyError(header)


def form_row(sheet: Worksheet, section: str, label: str) -> int:
    for row in range(2, sheet.max_row + 1):
        if (sheet.cell(row, 1).value, sheet.cell(row, 2).value) == (section, label):
            return row
    raise KeyError((section, label))


class Edit:
    """Open a workbook, change it, save it: `with Edit(path) as book: book["Team"]...`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.book = openpyxl.load_workbook(path)

    def __enter__(self) -> Edit:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.book.save(self.path)

    def __getitem__(self, sheet: str) -> Worksheet:
        return self.book[sheet]

    def set(self, sheet: str, row: int, header: str, value: Any, number_format: str = "") -> str:
        """Type `value` into the cell under `header`; returns the cell's coordinate."""
        ws = self.book[sheet]
        cell = ws.cell(row, column_of(ws, header))
        cell.value = value
        if number_format:
            cell.number_format = number_format
        return str(cell.coordinate)

    def set_form(self, section: str, label: str, value: Any, number_format: str = "") -> str:
        ws = self.book["Plan"]
        cell = ws.cell(form_row(ws, section, label), 3)
        cell.value = value
        if number_format:
            cell.number_format = number_format
        return str(cell.coordinate)


def patch_cell(path: Path, sheet: str, coordinate: str, xml: str) -> None:
    """Replace one cell's XML in the package: what openpyxl cannot write, such as a formula
    with a saved result (as Excel and LibreOffice save them)."""
    content = path.read_bytes()
    parts = {v: k for k, v in check_package(content, str(path)).sheets.items()}
    part = parts[sheet]
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == part:
                text = data.decode()
                cell = re.compile(rf'<c r="{coordinate}"[^>]*?(/>|>.*?</c>)')
                assert cell.search(text), f"no cell {coordinate} in {sheet}"
                data = cell.sub(xml, text, count=1).encode()
            target.writestr(info, data)
    path.write_bytes(out.getvalue())


def every_new_field(data: dict[str, Any]) -> dict[str, Any]:
    """`data` (the minimal plan) with every field a real district plan brought (issue 17):
    goals, named goals and theories of action per objective and initiative, steps over three
    years with periods, step resources of several kinds, schools, measure tables, a portrait
    of a graduate; and the optional fields a plan may lack left out."""
    data["organization"].pop("leader", None)
    data["plan"]["revision"] = {"date": data["plan"]["revision"]["date"]}
    data["foundation"]["portrait_of_graduate"] = [
        {"name": "Critical thinker", "description": "Weighs evidence; asks; decides."},
        {"name": "Communicator"},
    ]
    objective = data["objectives"][0]
    objective.pop("rationale", None)
    objective["goal"] = "By June 2028, 30% of English learners meet ELA expectations."
    objective["theory_of_action"] = {
        "if": "we coach every teacher weekly",
        "then": "instruction improves",
        "so_that": "English learners read on grade level",
    }
    initiative = objective["initiatives"][0]
    initiative.pop("lead", None)
    objective["named_goals"] = [
        {
            "title": "Universal Academic Goal #1: High Quality Instructional Materials",
            "statement": "Every classroom uses HQIM; units, grades 3-5.",
            "initiatives": [initiative["id"]],
        },
        {"title": "Goal #2"},
    ]
    initiative["theory_of_action"] = {"statement": "If coaches model, then teachers adopt."}
    initiative["schools"] = ["Harbor View Elementary", "Maple Street, grades 3-5"]
    initiative["steps"] = [
        {
            "school_year": "2025-26",
            "description": "Adopt the ELA curriculum",
            "responsible": "Literacy coach; principal",
            "timeline": "Fall–Winter 2025-26",
            "resources": [
                {
                    "kinds": ["materials", "professional_development", "time"],
                    "description": "Curriculum, PD time, time in schedule",
                    "funding_source": "Title I",
                    "amount": 12500.5,
                },
                {"kinds": ["staff"], "description": "Science and Social Studies teachers"},
            ],
            "evidence": "Walkthroughs show the units in use",
            "schools": ["Elementary schools"],
            "status": "on_track",
        },
        {"school_year": "2025-26", "description": "Plan the pilot", "timeline": "January 2026"},
        {
            "school_year": "2026-27",
            "description": "Extend to grades 6-8",
            "timeline": "December–April",
            "resources": [{"kinds": ["funding"], "description": "Stipends"}],
        },
        {"school_year": "2027-28", "description": "Review", "timeline": "SY 2027-28"},
    ]
    outcome = data["outcomes"][0]
    for key in ("metric", "student_group", "baseline", "interim_targets", "final_target"):
        outcome.pop(key, None)
    outcome["measures"] = [
        {
            "label": "Grades 3-5 ELA",
            "grades": "3-5",
            "subject": "ela",
            "baseline": {"value": 18, "year": "2024-25"},
            "interim_targets": [
                {"value": 22, "date": "2026-06-30"},
                {"value": 26, "date": "2027-06-30"},
            ],
            "final_target": {"value": 30, "date": "2028-06-15"},
        },
        {
            "grades": "6-8",
            "subject": "mathematics",
            "student_group": "english_learners",
            "metric": "Percent meeting expectations",
            "baseline": {"value": 0.5, "year": "2024-25"},
            "final_target": {"value": 12, "date": "2028-06-15"},
        },
        {"label": "High school (no data yet)"},
    ]
    for benchmark in data["action_plan"].get("benchmarks", []):
        benchmark.pop("evidence", None)
        benchmark.pop("status", None)
    return data
