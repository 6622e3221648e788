"""A vetted workbook opened with openpyxl, and its cells as a person sees them: a merged range's
value on each of its rows, a formula's saved result, an error value named as such.

The package is checked by `safety` before openpyxl opens it. A workbook with formulas is opened
twice, for the saved results and for the formulas themselves, so that a formula without a saved
result can be named rather than read as an empty cell.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.errors import InvalidInputError, Problem, Severity
from pipeline.inputs.workbook.cells import Note, normalize
from pipeline.inputs.workbook.safety import check_package

HEADER_SEARCH_ROWS = 10  # a title or a blank row above the headers is tolerated
MAX_COLUMNS = 200  # columns read per sheet; the layout's widest sheet has 16


@dataclass
class CellValue:
    """A cell's value (None when empty or unreadable), its number format and its coordinate;
    `note` says why a value could not be read."""

    value: Any
    number_format: str
    coordinate: str
    note: Note | None = None

    @property
    def blank(self) -> bool:
        return self.note is None and text(self.value) == ""


def text(value: Any) -> str:
    """A cell value as trimmed text ('' for an empty cell)."""
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _open(content: bytes, shown: str, *, data_only: bool) -> Workbook:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it drops (extension lists, unknown styles); only
            # values are read, so those warnings say nothing to the user.
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(
                BytesIO(content), data_only=data_only, keep_links=False, keep_vba=False
            )
    except Exception as exc:  # any parser failure on an untrusted file is a bad input
        raise InvalidInputError(
            [
                Problem(
                    shown,
                    "file",
                    f"the workbook cannot be read ({type(exc).__name__}: {exc})",
                    "open it in Excel or LibreOffice and save it again as .xlsx",
                )
            ]
        ) from None


class Book:
    """An opened workbook. Raises InvalidInputError when it is unsafe or unreadable."""

    def __init__(self, content: bytes, shown: str) -> None:
        scan = check_package(content, shown)
        self.values = _open(content, shown, data_only=True)
        self.formulas = _open(content, shown, data_only=False) if scan.has_formulas else None
        self._merged: dict[str, dict[tuple[int, int], tuple[int, int]]] = {}

    @property
    def worksheets(self) -> list[Worksheet]:
        return list(self.values.worksheets)

    def document_property(self, name: str) -> str | None:
        """A custom document property's text (where a workbook keeps `$schema`)."""
        for prop in self.values.custom_doc_props:
            if prop.name == name and isinstance(prop.value, str):
                return str(prop.value)
        return None

    def cell(self, sheet: Worksheet, row: int, column: int) -> CellValue:
        source_row, source_column = self._merged_cells(sheet).get((row, column), (row, column))
        cell = sheet.cell(source_row, source_column)
        coordinate = f"{get_column_letter(column)}{row}"
        value, number_format = cell.value, cell.number_format or "General"
        if cell.data_type == "e":
            note = Note(
                Severity.ERROR,
                f"the cell shows the error {value}",
                "correct the formula or type the value",
            )
            return CellValue(None, number_format, coordinate, note)
        if value is None and self.formulas is not None:
            formula = self.formulas[sheet.title].cell(source_row, source_column)
            if formula.data_type == "f":
                shown = formula.value if isinstance(formula.value, str) else "(an array formula)"
                note = Note(
                    Severity.ERROR,
                    f"the formula {shown} has no saved result",
                    "open the workbook in Excel or LibreOffice and save it, so the result is "
                    "saved with it, or type the value",
                )
                return CellValue(None, number_format, coordinate, note)
        return CellValue(value, number_format, coordinate)

    def _merged_cells(self, sheet: Worksheet) -> dict[tuple[int, int], tuple[int, int]]:
        """Cells of a merged range → the range's first cell, down its first column only.

        A range merged down a column (one objective beside its initiatives) means the same
        value on every row; a range merged across columns belongs to its first column.
        """
        if sheet.title not in self._merged:
            cells: dict[tuple[int, int], tuple[int, int]] = {}
            for merged in sheet.merged_cells.ranges:
                for row in range(merged.min_row, merged.max_row + 1):
                    cells[(row, merged.min_col)] = (merged.min_row, merged.min_col)
            self._merged[sheet.title] = cells
        return self._merged[sheet.title]


def header_row(sheet: Worksheet, names: set[str]) -> tuple[int, dict[str, int]]:
    """Among the first rows, the one holding the most of `names` (normalized headers), and the
    column of each name found in it."""
    best, best_positions = 1, dict[str, int]()
    for row in range(1, min(HEADER_SEARCH_ROWS, sheet.max_row) + 1):
        positions: dict[str, int] = {}
        for column in range(1, min(sheet.max_column, MAX_COLUMNS) + 1):
            name = normalize(text(sheet.cell(row, column).value))
            if name in names and name not in positions:
                positions[name] = column
        if len(positions) > len(best_positions):
            best, best_positions = row, positions
    return best, best_positions


def headers(sheet: Worksheet, row: int) -> list[tuple[int, str]]:
    """The non-empty cells of a header row: (column number, text)."""
    cells = (
        (number, text(sheet.cell(row, number).value))
        for number in range(1, min(sheet.max_column, MAX_COLUMNS) + 1)
    )
    return [(number, name) for number, name in cells if name]


def has_values(sheet: Worksheet) -> bool:
    """Whether a sheet holds anything at all (a sheet of blank cells is ignored)."""
    return any(
        text(value)
        for row in sheet.iter_rows(
            max_row=min(sheet.max_row, 1000),
            max_col=min(sheet.max_column, MAX_COLUMNS),
            values_only=True,
        )
        for value in row
    )
