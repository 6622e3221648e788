"""Reading a plan workbook into the same data a JSON input holds, with a place for every value.

The result is a `Source` like the JSON loader's: `validate()` then checks it with the same
schema and integrity rules, and names problems by sheet, row, column header and cell. What the
reader itself notices (a formula without a saved result, a percentage it had to interpret, an
extra column) is in `Source.problems`; warnings never fail validation.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path as FsPath
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.errors import InvalidInputError, Path, Problem
from pipeline.integrity import KIND_NAMES
from pipeline.load import Source
from pipeline.vocabulary import Unit
from pipeline.workbook.cells import BLANK, Note, Read, fraction_as_percent, normalize, read_cell
from pipeline.workbook.layout import (
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    Column,
    Layout,
    ParentKey,
    Table,
    plan_layout,
)
from pipeline.workbook.places import Places, RecordPlace, Spot, cell_place
from pipeline.workbook.safety import check_package, read_checked

HEADER_SEARCH_ROWS = 10  # a title or a blank row above the headers is tolerated
MAX_COLUMNS = 200  # columns read per sheet; the layout's widest sheet has 16
FORM_HEADERS = ("Section", "Field", "Value")


def read_workbook(path: FsPath, name: str | None = None, layout: Layout | None = None) -> Source:
    """Read a plan workbook. Raises InvalidInputError when it is not a safe, readable .xlsx."""
    shown = name or str(path)
    return read_workbook_bytes(read_checked(path, shown), shown, layout)


def read_workbook_bytes(content: bytes, shown: str, layout: Layout | None = None) -> Source:
    """Read a plan workbook from its bytes; `shown` names it in problems."""
    scan = check_package(content, shown)
    values = _open(content, shown, data_only=True)
    formulas = _open(content, shown, data_only=False) if scan.has_formulas else None
    reader = _Reader(layout or plan_layout(), shown, values, formulas)
    data = reader.read()
    return Source(shown, data, reader.places.locate, reader.problems, locates_missing=True)


def _open(content: bytes, shown: str, *, data_only: bool) -> Workbook:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it drops (extension lists, unknown styles); the
            # reader needs only values, so those warnings say nothing to the user.
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


@dataclass
class _Cell:
    value: Any
    number_format: str
    coordinate: str
    note: Note | None = None


@dataclass(frozen=True)
class _Fraction:
    """A plain number between 0 and 1 whose meaning depends on its record's unit."""

    path: Path
    value: float | int
    unit_key: str


class _Reader:
    def __init__(
        self, layout: Layout, shown: str, values: Workbook, formulas: Workbook | None
    ) -> None:
        self.layout = layout
        self.shown = shown
        self.values = values
        self.formulas = formulas
        self.data: dict[str, Any] = {}
        self.problems: list[Problem] = []
        self.places = Places()
        self.fractions: list[_Fraction] = []
        self.records: dict[str, list[tuple[Path, dict[str, Any]]]] = {}
        self.merged: dict[str, dict[tuple[int, int], tuple[int, int]]] = {}

    def read(self) -> dict[str, Any]:
        sheets = self._sheets()
        for table in self.layout.sheets:
            sheet = sheets.get(normalize(table.sheet))
            if table.form:
                self._read_form(table, sheet)
            elif sheet is not None:
                self._read_table(table, sheet)
            if not table.parents and not table.form:
                self.places.lists[table.steps[0]] = table.sheet
        for key in self.layout.metadata_keys:
            for prop in self.values.custom_doc_props:
                if prop.name == key and isinstance(prop.value, str):
                    self.data[key] = prop.value
        self._settle_fractions()
        return self.data

    # -- problems ------------------------------------------------------------------------------

    def _note(self, where: str, note: Note) -> None:
        self.problems.append(Problem(self.shown, where, note.message, note.hint, note.severity))

    def _sheets(self) -> dict[str, Worksheet]:
        known = {normalize(t.sheet) for t in self.layout.sheets}
        ignored = {normalize(INSTRUCTIONS_SHEET), normalize(LISTS_SHEET)}
        sheets: dict[str, Worksheet] = {}
        for sheet in self.values.worksheets:
            key = normalize(sheet.title)
            if key in known and key not in sheets:
                sheets[key] = sheet
            elif key not in ignored and _has_values(sheet):
                names = ", ".join(t.sheet for t in self.layout.sheets)
                self._note(
                    sheet.title,
                    Note(
                        "warning",
                        "this sheet is not part of a plan workbook; it is ignored",
                        f"the plan's sheets are: {names}",
                    ),
                )
        return sheets

    # -- cells ---------------------------------------------------------------------------------

    def _cell(self, sheet: Worksheet, row: int, column: int) -> _Cell:
        merged = self._merged_cells(sheet)
        source_row, source_column = merged.get((row, column), (row, column))
        cell = sheet.cell(source_row, source_column)
        coordinate = f"{get_column_letter(column)}{row}"
        value, number_format = cell.value, cell.number_format or "General"
        if cell.data_type == "e":
            note = Note(
                "error",
                f"the cell shows the error {value}",
                "correct the formula or type the value",
            )
            return _Cell(None, number_format, coordinate, note)
        if value is None and self.formulas is not None:
            formula = self.formulas[sheet.title].cell(source_row, source_column)
            if formula.data_type == "f":
                text = formula.value if isinstance(formula.value, str) else "(an array formula)"
                note = Note(
                    "error",
                    f"the formula {text} has no saved result",
                    "open the workbook in Excel or LibreOffice and save it, so the result is "
                    "saved with it, or type the value",
                )
                return _Cell(None, number_format, coordinate, note)
        return _Cell(value, number_format, coordinate)

    def _merged_cells(self, sheet: Worksheet) -> dict[tuple[int, int], tuple[int, int]]:
        """Cells of a merged range → the range's first cell, down its first column only.

        A range merged down a column (one objective beside its initiatives) means the same
        value on every row; a range merged across columns belongs to its first column.
        """
        if sheet.title not in self.merged:
            cells: dict[tuple[int, int], tuple[int, int]] = {}
            for merged in sheet.merged_cells.ranges:
                for row in range(merged.min_row, merged.max_row + 1):
                    cells[(row, merged.min_col)] = (merged.min_row, merged.min_col)
            self.merged[sheet.title] = cells
        return self.merged[sheet.title]

    def _read(self, cell: _Cell, column: Column, where: str) -> Read:
        if cell.note:
            self._note(where, cell.note)
            return Read()
        result = read_cell(cell.value, cell.number_format, column)
        for note in result.notes:
            self._note(where, note)
        return result

    # -- the form sheet ------------------------------------------------------------------------

    def _read_form(self, table: Table, sheet: Worksheet | None) -> None:
        rows: dict[Column, int] = {}
        at = [1, 2, 3]  # Section, Field, Value: where `pipeline init` puts them
        if sheet is not None:
            header_row, positions = self._header_row(sheet, {normalize(h): h for h in FORM_HEADERS})
            found = [positions.get(normalize(h), 0) for h in FORM_HEADERS]
            at = found if all(found) else at
            fields: dict[str, Column] = {}
            for column in table.columns:
                fields[normalize(f"{column.section}: {column.header}")] = column
                fields.setdefault(normalize(column.dotted), column)
            for row in range(header_row + 1, sheet.max_row + 1):
                self._read_form_row(table, sheet, row, at, fields, rows)
        letter = get_column_letter(at[2])
        spots = [
            Spot(c.key, _form_label(c), rows.get(c), f"{letter}{rows[c]}" if c in rows else None)
            for c in table.columns
        ]
        self.places.records[()] = RecordPlace(table.sheet, None, spots)

    def _read_form_row(
        self,
        table: Table,
        sheet: Worksheet,
        row: int,
        at: list[int],
        fields: dict[str, Column],
        rows: dict[Column, int],
    ) -> None:
        section = _text(self._cell(sheet, row, at[0]).value)
        label = _text(self._cell(sheet, row, at[1]).value)
        if not section and not label:
            return  # a blank row
        column = fields.get(normalize(f"{section}: {label}")) or fields.get(normalize(label))
        cell = self._cell(sheet, row, at[2])
        where = cell_place(table.sheet, row, f"{section}: {label}", cell.coordinate)
        if column is None:
            if not _blank(cell):
                self._note(
                    where,
                    Note(
                        "warning",
                        "this field is not part of the plan; it is ignored",
                        "keep the Section and Field texts as they are",
                    ),
                )
            return
        if column in rows:
            self._note(
                where,
                Note(
                    "error",
                    f"the field appears twice (also row {rows[column]}); only the first is read",
                ),
            )
            return
        rows[column] = row
        self._store(self.data, (), column, self._read(cell, column, where), where)

    # -- list sheets ---------------------------------------------------------------------------

    def _header_row(self, sheet: Worksheet, names: dict[str, str]) -> tuple[int, dict[str, int]]:
        """The row among the first few that holds the most known headers, and their columns."""
        best, best_positions, best_count = 1, {}, 0
        for row in range(1, min(HEADER_SEARCH_ROWS, sheet.max_row) + 1):
            positions: dict[str, int] = {}
            for column in range(1, min(sheet.max_column, MAX_COLUMNS) + 1):
                text = _text(sheet.cell(row, column).value)
                if text and normalize(text) in names and normalize(text) not in positions:
                    positions[normalize(text)] = column
            if len(positions) > best_count:
                best, best_positions, best_count = row, positions, len(positions)
        return best, best_positions

    def _read_table(self, table: Table, sheet: Worksheet) -> None:
        names: dict[str, str] = {}
        for title in [*(p.header for p in table.parents), *(c.header for c in table.columns)]:
            names[normalize(title)] = title
        for column in table.columns:
            if column.key:
                names.setdefault(normalize(column.dotted), column.header)
        header_row, positions = self._header_row(sheet, names)
        if not positions:
            if _has_values(sheet):
                expected = ", ".join(names.values())
                self._note(
                    table.sheet,
                    Note(
                        "error",
                        "no row of column headers was found",
                        f"the first row names the columns: {expected}",
                    ),
                )
            return
        header_of = {normalize(h): h for h in names.values()}
        columns: dict[str, int] = {}  # header → column number
        for number in range(1, min(sheet.max_column, MAX_COLUMNS) + 1):
            text = _text(sheet.cell(header_row, number).value)
            if not text:
                continue
            where = cell_place(
                table.sheet, header_row, text, f"{get_column_letter(number)}{header_row}"
            )
            header = names.get(normalize(text))
            if header is None:
                self._note(
                    where,
                    Note(
                        "warning",
                        "this column is not part of the plan; it is ignored",
                        f"the sheet's columns are: {', '.join(header_of.values())}",
                    ),
                )
            elif header in columns:
                first = get_column_letter(columns[header])
                self._note(
                    where,
                    Note(
                        "error",
                        f"the column '{header}' appears twice (also "
                        f"column {first}); only the first is read",
                    ),
                )
            else:
                columns[header] = number
        for row in range(header_row + 1, sheet.max_row + 1):
            self._read_row(table, sheet, row, columns)

    def _read_row(self, table: Table, sheet: Worksheet, row: int, columns: dict[str, int]) -> None:
        cells = {header: self._cell(sheet, row, number) for header, number in columns.items()}
        own = [c for c in table.columns if c.header in cells]
        if all(_blank(cells[c.header]) for c in own):
            return  # a blank row (parent ids alone do not make a record)
        container = self._container(table, row, cells)
        if container is None:
            return
        index = len(container[1])
        path = (*container[0], index)
        spots = [
            Spot(c.key, c.header, row, cells[c.header].coordinate if c.header in cells else None)
            for c in table.columns
        ]
        self.places.records[path] = RecordPlace(table.sheet, row, spots)
        record: dict[str, Any] = {}
        for column in own:
            cell = cells[column.header]
            where = cell_place(table.sheet, row, column.header, cell.coordinate)
            result = self._read(cell, column, where)
            if column.key == ():
                if result.value is not BLANK:
                    container[1].append(result.value)
                    self.places.cells[path] = where
                return
            self._store(record, path, column, result, where)
        container[1].append(record)
        self.records.setdefault(table.sheet, []).append((path, record))

    def _container(
        self, table: Table, row: int, cells: dict[str, _Cell]
    ) -> tuple[Path, list[Any]] | None:
        """The list this row's record goes into, found through its parent columns."""
        parent_path: Path = ()
        parent: dict[str, Any] = self.data
        for key in table.parents:
            cell = cells.get(key.header)
            where = (
                cell_place(table.sheet, row, key.header, cell.coordinate)
                if cell
                else f"{table.sheet} › row {row} › {key.header} (no such column)"
            )
            found = self._find_parent(table, key, cell, parent_path, where)
            if found is None:
                return None
            parent_path, parent = found
        *inner, last = table.steps[-1]
        node = parent
        for step in inner:
            node = node.setdefault(step, {})
        items = node.setdefault(last, [])
        path = (*parent_path, *table.steps[-1])
        self.places.lists[path] = table.sheet
        return path, items

    def _find_parent(
        self, table: Table, key: ParentKey, cell: _Cell | None, within: Path, where: str
    ) -> tuple[Path, dict[str, Any]] | None:
        parent_sheet = next(
            t for t in self.layout.tables if t.steps == table.steps[: key.level + 1]
        )
        candidates = [
            (path, record)
            for path, record in self.records.get(parent_sheet.sheet, [])
            if path[: len(within)] == within
        ]
        value = _text(cell.value) if cell else ""
        noun = KIND_NAMES.get(key.id_kind or "", key.noun)
        if key.id_key:
            known = [str(record.get(key.id_key)) for _, record in candidates]
            match = next((c for c in candidates if str(c[1].get(key.id_key)) == value), None)
        else:
            known = [str(n) for n in range(1, len(candidates) + 1)]
            number = int(value) if value.isdigit() else 0
            match = candidates[number - 1] if 0 < number <= len(candidates) else None
        if match is not None:
            return match
        known_text = f"known {'ids' if key.id_key else 'numbers'}: {', '.join(known)}"
        hint = known_text if known else f"the {parent_sheet.sheet} sheet has no rows"
        if not value:
            message = f"this {table.noun} does not say which {noun} it belongs to"
        else:
            message = f"no {noun} has the {'id' if key.id_key else 'number'} '{value}'"
        self._note(where, Note("error", message, hint))
        # Keep the row, under the first parent: its other cells are still checked and the ids
        # it defines still count, so this one mistake is not reported again wherever the row's
        # id is used. The error above keeps the plan from being built as it stands.
        return candidates[0] if candidates else None

    def _store(
        self, record: dict[str, Any], path: Path, column: Column, result: Read, where: str
    ) -> None:
        if result.value is BLANK:
            return
        node = record
        for step in column.key[:-1]:
            node = node.setdefault(step, {})
        node[column.key[-1]] = result.value
        full = (*path, *column.key)
        self.places.cells[full] = where
        if result.fraction:
            self.fractions.append(_Fraction(full, result.value, column.unit_key or "unit"))

    def _settle_fractions(self) -> None:
        """0.45 in an outcome value is 45% when the outcome's unit is percent, else 0.45."""
        for fraction in self.fractions:
            unit = None
            for end in range(len(fraction.path) - 1, -1, -1):
                node = _get(self.data, fraction.path[:end])
                if isinstance(node, dict) and fraction.unit_key in node:
                    unit = node[fraction.unit_key]
                    break
            if unit != Unit.PERCENT.value:
                continue
            result = fraction_as_percent(fraction.value)
            *parents, last = fraction.path
            holder = _get(self.data, tuple(parents))
            holder[last] = result.value
            for note in result.notes:
                self._note(self.places.locate(fraction.path), note)


def _form_label(column: Column) -> str:
    return f"{column.section}: {column.header}"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _blank(cell: _Cell) -> bool:
    return cell.note is None and (cell.value is None or _text(cell.value) == "")


def _has_values(sheet: Worksheet) -> bool:
    return any(
        value is not None and _text(value)
        for row in sheet.iter_rows(
            max_row=min(sheet.max_row, 1000),
            max_col=min(sheet.max_column, MAX_COLUMNS),
            values_only=True,
        )
        for value in row
    )


def _get(data: Any, path: Path) -> Any:
    for step in path:
        data = data[step]
    return data
