"""Reading a plan workbook into the same data a JSON input holds, with a place for every value.

The result is a `Source` like the JSON loader's: `validate()` then checks it with the same
schema and integrity rules, and names problems by sheet, row, column header and cell. What the
reader itself notices (a formula without a saved result, a percentage it had to interpret, an
extra column) is in `Source.problems`; warnings never fail validation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.errors import DataPath, Problem, Severity
from pipeline.inputs.source import Source
from pipeline.inputs.workbook.book import Book, CellValue, has_values, header_row, headers, text
from pipeline.inputs.workbook.cells import (
    BLANK,
    Note,
    Read,
    fraction_as_percent,
    normalize,
    read_cell,
)
from pipeline.inputs.workbook.derive import plan_layout
from pipeline.inputs.workbook.layout import (
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    Column,
    Layout,
    ParentKey,
    Table,
)
from pipeline.inputs.workbook.places import Places, RecordPlace, Spot, cell_place
from pipeline.inputs.workbook.safety import read_checked
from pipeline.model.fields import KIND_NAMES
from pipeline.model.vocabulary import Unit

FORM_HEADERS = ("Section", "Field", "Value")


def read_workbook(path: Path, name: str | None = None, layout: Layout | None = None) -> Source:
    """Read a plan workbook. Raises InvalidInputError when it is not a safe, readable .xlsx."""
    shown = name or str(path)
    return read_workbook_bytes(read_checked(path, shown), shown, layout)


def read_workbook_bytes(content: bytes, shown: str, layout: Layout | None = None) -> Source:
    """Read a plan workbook from its bytes; `shown` names it in problems."""
    reader = _Reader(layout or plan_layout(), shown, Book(content, shown))
    data = reader.read()
    return Source(shown, data, reader.places.locate, reader.problems, locates_missing=True)


@dataclass(frozen=True)
class _Fraction:
    """A plain number between 0 and 1 whose meaning depends on its record's unit."""

    path: DataPath
    value: float | int
    unit_key: str


class _Reader:
    """Reads every sheet of the layout into `data`, recording places and problems."""

    def __init__(self, layout: Layout, shown: str, book: Book) -> None:
        self.layout = layout
        self.shown = shown
        self.book = book
        self.data: dict[str, Any] = {}
        self.problems: list[Problem] = []
        self.places = Places()
        self.fractions: list[_Fraction] = []
        self.records: dict[str, list[tuple[DataPath, dict[str, Any]]]] = {}
        """Each list sheet's records as read, with their paths: the parents of nested rows."""
        self.numbers: dict[DataPath, str] = {}
        """The number typed for a record that nested rows name by number ('Step number')."""

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
            if (value := self.book.document_property(key)) is not None:
                self.data[key] = value
        self._settle_fractions()
        return self.data

    # -- problems ------------------------------------------------------------------------------

    def _note(self, where: str, note: Note) -> None:
        self.problems.append(Problem(self.shown, where, note.message, note.hint, note.severity))

    def _sheets(self) -> dict[str, Worksheet]:
        known = {normalize(t.sheet) for t in self.layout.sheets}
        ignored = {normalize(INSTRUCTIONS_SHEET), normalize(LISTS_SHEET)}
        sheets: dict[str, Worksheet] = {}
        for sheet in self.book.worksheets:
            key = normalize(sheet.title)
            if key in known and key not in sheets:
                sheets[key] = sheet
            elif key in known and has_values(sheet):
                self._note(
                    sheet.title,
                    Note(
                        Severity.ERROR,
                        f"a second sheet named '{sheets[key].title}'; only the first is read",
                        "keep one sheet of each name",
                    ),
                )
            elif key not in ignored and has_values(sheet):
                names = ", ".join(t.sheet for t in self.layout.sheets)
                self._note(
                    sheet.title,
                    Note(
                        Severity.WARNING,
                        "this sheet is not part of a plan workbook; it is ignored",
                        f"the plan's sheets are: {names}",
                    ),
                )
        return sheets

    # -- cells ---------------------------------------------------------------------------------

    def _read(self, cell: CellValue, column: Column, where: str) -> Read:
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
            first, positions = header_row(sheet, {normalize(h) for h in FORM_HEADERS})
            found = [positions.get(normalize(h), 0) for h in FORM_HEADERS]
            at = found if all(found) else at
            fields: dict[str, Column] = {}
            for column in table.columns:
                fields[normalize(f"{column.section}: {column.header}")] = column
                fields.setdefault(normalize(column.dotted), column)
            for row in range(first + 1, sheet.max_row + 1):
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
        section = text(self.book.cell(sheet, row, at[0]).value)
        label = text(self.book.cell(sheet, row, at[1]).value)
        if not section and not label:
            return  # a blank row
        column = fields.get(normalize(f"{section}: {label}")) or fields.get(normalize(label))
        cell = self.book.cell(sheet, row, at[2])
        where = cell_place(table.sheet, row, f"{section}: {label}", cell.coordinate)
        if column is None:
            if not cell.blank:
                self._note(
                    where,
                    Note(
                        Severity.WARNING,
                        "this field is not part of the plan; it is ignored",
                        "keep the Section and Field texts as they are",
                    ),
                )
            return
        if column in rows:
            self._note(
                where,
                Note(
                    Severity.ERROR,
                    f"the field appears twice (also row {rows[column]}); only the first is read",
                ),
            )
            return
        rows[column] = row
        self._store(self.data, (), column, self._read(cell, column, where), where)

    # -- list sheets ---------------------------------------------------------------------------

    def _read_table(self, table: Table, sheet: Worksheet) -> None:
        names: dict[str, str] = {}
        own_number = [table.number_header] if table.number_header else []
        titles = [
            *(p.header for p in table.parents),
            *own_number,
            *(c.header for c in table.columns),
        ]
        for title in titles:
            names[normalize(title)] = title
        for column in table.columns:
            if column.key:
                names.setdefault(normalize(column.dotted), column.header)
        first, positions = header_row(sheet, set(names))
        if not positions:
            if has_values(sheet):
                expected = ", ".join(names.values())
                self._note(
                    table.sheet,
                    Note(
                        Severity.ERROR,
                        "no row of column headers was found",
                        f"the first row names the columns: {expected}",
                    ),
                )
            return
        header_of = {normalize(h): h for h in names.values()}
        columns: dict[str, int] = {}  # header → column number
        for number, title in headers(sheet, first):
            where = cell_place(table.sheet, first, title, f"{get_column_letter(number)}{first}")
            header = names.get(normalize(title))
            if header is None:
                self._note(
                    where,
                    Note(
                        Severity.WARNING,
                        "this column is not part of the plan; it is ignored",
                        f"the sheet's columns are: {', '.join(header_of.values())}",
                    ),
                )
            elif header in columns:
                other = get_column_letter(columns[header])
                self._note(
                    where,
                    Note(
                        Severity.ERROR,
                        f"the column '{header}' appears twice (also "
                        f"column {other}); only the first is read",
                    ),
                )
            else:
                columns[header] = number
        for row in range(first + 1, sheet.max_row + 1):
            self._read_row(table, sheet, row, columns)

    def _read_row(self, table: Table, sheet: Worksheet, row: int, columns: dict[str, int]) -> None:
        cells = {header: self.book.cell(sheet, row, number) for header, number in columns.items()}
        own = [c for c in table.columns if c.header in cells]
        if all(cells[c.header].blank for c in own):
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
        if table.number_header and (cell := cells.get(table.number_header)):
            self._number(table, row, path, cell)
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
        self, table: Table, row: int, cells: dict[str, CellValue]
    ) -> tuple[DataPath, list[Any]] | None:
        """The list this row's record goes into, found through its parent columns."""
        parent_path: DataPath = ()
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
        self, table: Table, key: ParentKey, cell: CellValue | None, within: DataPath, where: str
    ) -> tuple[DataPath, dict[str, Any]] | None:
        parent_sheet = next(
            t for t in self.layout.tables if t.steps == table.steps[: key.level + 1]
        )
        candidates = [
            (path, record)
            for path, record in self.records.get(parent_sheet.sheet, [])
            if path[: len(within)] == within
        ]
        value = text(cell.value) if cell else ""
        noun = KIND_NAMES.get(key.id_kind or "", key.noun)
        if key.id_key:
            known = [str(record.get(key.id_key)) for _, record in candidates]
        else:  # the number typed on the parent's row, else its place among its siblings
            value = _number_text(cell.value) if cell else ""
            known = [self.numbers.get(path, str(int(path[-1]) + 1)) for path, _ in candidates]
        match = next((c for c, k in zip(candidates, known, strict=True) if k == value), None)
        if match is not None:
            return match
        known_text = f"known {'ids' if key.id_key else 'numbers'}: {', '.join(known)}"
        hint = known_text if known else f"the {parent_sheet.sheet} sheet has no rows"
        if not value:
            message = f"this {table.noun} does not say which {noun} it belongs to"
        else:
            message = f"no {noun} has the {'id' if key.id_key else 'number'} '{value}'"
        self._note(where, Note(Severity.ERROR, message, hint))
        # Keep the row, under the first parent: its other cells are still checked and the ids
        # it defines still count, so this one mistake is not reported again wherever the row's
        # id is used. The error above keeps the plan from being built as it stands.
        return candidates[0] if candidates else None

    def _number(self, table: Table, row: int, path: DataPath, cell: CellValue) -> None:
        """Keep the number typed for a record nested rows name by it; say if it repeats."""
        header = table.number_header or ""
        owner = table.parents[-1].noun if table.parents else "plan"
        number = _number_text(cell.value)
        if not number:
            return
        for other, typed in self.numbers.items():
            if other[:-1] == path[:-1] and typed == number:
                where = cell_place(table.sheet, row, header, cell.coordinate)
                twin = self.places.records[other].row
                self._note(
                    where,
                    Note(
                        Severity.ERROR,
                        f"another {table.noun} of the same {owner} has the number "
                        f"'{number}' (row {twin})",
                        f"give each {table.noun} its own {header}",
                    ),
                )
                return
        self.numbers[path] = number

    def _store(
        self, record: dict[str, Any], path: DataPath, column: Column, result: Read, where: str
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


def _number_text(value: Any) -> str:
    """A record's number as typed: 2, 2.0 and ' 2 ' are all '2'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return text(value)


def _form_label(column: Column) -> str:
    return f"{column.section}: {column.header}"


def _get(data: Any, path: DataPath) -> Any:
    for step in path:
        data = data[step]
    return data
