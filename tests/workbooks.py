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
