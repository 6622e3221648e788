"""Writing a plan (or a blank form) as a workbook people can fill in.

Every sheet comes from the layout: headers with an input message (the field's description and
what to type), dropdowns on closed lists and on references to objectives and initiatives, text,
date and number formats, frozen header rows and readable column widths. Text is always written
as text: a value beginning with `=`, `+`, `-` or `@` is never a formula, in openpyxl or when a
person later edits the cell.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from io import BytesIO
from typing import Any
from zipfile import ZipFile

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.errors import InvalidInputError, Problem
from pipeline.files import ZipEntry, zip_package
from pipeline.inputs.workbook.cells import DATE_FORMAT, TEXT_FORMAT, cell_value
from pipeline.inputs.workbook.derive import plan_layout
from pipeline.inputs.workbook.layout import (
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    Column,
    Kind,
    Layout,
    Percent,
    Table,
)
from pipeline.inputs.workbook.places import cell_place
from pipeline.inputs.workbook.read import FORM_HEADERS
from pipeline.model.vocabulary import Unit

DATA_ROWS = 500
"""Rows below the header that get formats and dropdowns, beyond the rows written."""
_PROMPT_LIMIT, _TITLE_LIMIT = 255, 32  # Excel's limits for input messages
_FORMULA_START = ("=", "+", "-", "@")
_REQUIRED_FILL = PatternFill("solid", fgColor="BDD7EE")
_OPTIONAL_FILL = PatternFill("solid", fgColor="E7E6E6")
_BOLD = Font(bold=True)
_TOP = Alignment(vertical="top")
_WRAP = Alignment(vertical="top", wrap_text=True)
_FIXED_TIME = dt.datetime(2000, 1, 1)


def workbook_bytes(data: dict[str, Any] | None = None, layout: Layout | None = None) -> bytes:
    """The .xlsx of a plan's data (JSON form, as `Plan.model_dump(mode="json")` gives), or of
    a blank plan when `data` is None. The same data always gives the same bytes."""
    layout = layout or plan_layout()
    data = data or {}
    book = Workbook()
    book.remove(book.active)
    _instructions(book.create_sheet(INSTRUCTIONS_SHEET), layout)
    lists = _lists(layout)
    sheets = {table.sheet: book.create_sheet(table.sheet) for table in layout.sheets}
    _write_form(sheets[layout.form.sheet], layout.form, data, layout, lists)
    for table in layout.tables:
        _write_table(sheets[table.sheet], table, data, layout, lists)
    _write_lists(book.create_sheet(LISTS_SHEET), layout)
    for key in layout.metadata_keys:
        if isinstance(data.get(key), str):
            book.custom_doc_props.append(StringProperty(name=key, value=data[key]))
    book.properties.title = "Improvement plan"
    book.properties.creator = "pipeline"
    book.properties.created = _FIXED_TIME
    out = BytesIO()
    book.save(out)
    with ZipFile(out) as package:
        return zip_package(
            [
                ZipEntry.of(
                    info.filename, _fixed_modified(info.filename, package.read(info.filename))
                )
                for info in package.infolist()
            ]
        )


def _fixed_modified(name: str, blob: bytes) -> bytes:
    """openpyxl stamps the save time as the workbook's modified date: fix it, so the same data
    gives the same bytes (also across a second's tick)."""
    if name != "docProps/core.xml":
        return blob
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    pattern = rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)"
    return re.sub(pattern, rb"\g<1>" + stamp + rb"\g<2>", blob)


# ---------------------------------------------------------------------------------------------
# Cells


EXCEL_CELL_LIMIT = 32_767
"""The most characters an Excel cell holds; Excel cuts a longer text when it opens the file."""


def _put(cell: Cell, value: Any, column: Column, percent: bool) -> None:
    shown = cell_value(value, column, percent)
    if isinstance(shown, str) and len(shown) > EXCEL_CELL_LIMIT:
        # Refused, never cut. The source is named by the caller (`convert`).
        place = cell_place(cell.parent.title, int(cell.row), column.header, cell.coordinate)
        raise InvalidInputError(
            [
                Problem(
                    "",
                    place,
                    f"the text is {len(shown):,} characters long; an Excel cell holds at most "
                    f"{EXCEL_CELL_LIMIT:,}",
                    "shorten it, or keep the plan as JSON",
                )
            ]
        )
    cell.value = shown
    if isinstance(shown, str):
        cell.data_type = "s"  # openpyxl would store '=…' as a formula
        if shown.startswith(_FORMULA_START):
            cell.quotePrefix = True  # and Excel would make one when the cell is edited
    cell.number_format = _number_format(column) if not isinstance(shown, str) else TEXT_FORMAT
    cell.alignment = _WRAP if column.kind is Kind.TEXT else _TOP


def _number_format(column: Column) -> str:
    if column.kind is Kind.DATE and not column.many:
        return DATE_FORMAT
    if column.kind in (Kind.TEXT, Kind.CODE) or column.many:
        return TEXT_FORMAT
    return "General"


def _width(column: Column) -> float:
    by_kind = {Kind.TEXT: 45, Kind.CODE: 14, Kind.DATE: 13, Kind.NUMBER: 12, Kind.INTEGER: 12}
    width = by_kind.get(column.kind, 0)
    if column.choices:
        width = min(max(len(c.label) for c in column.choices) + 4, 40)
    if column.many:
        width = max(width, 30)
    return max(width, len(column.header) + 4)


def _prompt(column: Column) -> str:
    parts = [column.description]
    if column.kind is Kind.DATE:
        parts.append("A date, e.g. 2026-06-15 or 6/15/2026.")
    elif column.percent is Percent.ALWAYS:
        parts.append("A percentage from 0 to 100: type 45 or 45%.")
    elif column.percent is Percent.BY_UNIT:
        parts.append("In the unit chosen; a percentage as 45 or 45%.")
    elif column.kind is Kind.INTEGER:
        parts.append("A whole number.")
    if column.digits:
        parts.append("Type it with its leading zeros.")
    if column.many and column.choices:
        options = "; ".join(c.label for c in column.choices)
        parts.append(f"One or more, separated by ';': {options}.")
    elif column.many:
        parts.append("One or more ids, separated by ';', e.g. SO1; SO2.")
    elif column.choices or column.ref_kind:
        parts.append("Pick from the list.")
    if column.required:
        group = f" whenever a {column.group.lower()} field is" if column.group else ""
        parts.append(f"Required{group}.")
    text = " ".join(parts)
    if len(text) > _PROMPT_LIMIT and column.many and column.choices:
        text = " ".join(
            [
                *parts[:-2],
                f"One or more, separated by ';': see the {LISTS_SHEET} sheet.",
                *parts[-1:],
            ]
        )
    return text[: _PROMPT_LIMIT - 1] + "…" if len(text) > _PROMPT_LIMIT else text


def _message(sheet: Worksheet, cells: str, title: str, prompt: str) -> DataValidation:
    validation = DataValidation(
        showInputMessage=True, promptTitle=title[:_TITLE_LIMIT], prompt=prompt, allow_blank=True
    )
    validation.add(cells)
    sheet.add_data_validation(validation)
    return validation


def _dropdown(
    sheet: Worksheet, cells: str, column: Column, layout: Layout, lists: dict[str, str]
) -> bool:
    """A dropdown on `cells` for a closed list or a reference; False if the column has none."""
    source, strict = None, True
    if column.many:
        return False
    if column.choices_name:
        source = lists[column.choices_name]
    elif column.ref_kind and (found := layout.id_column(column.ref_kind)):
        source, strict = _id_range(*found), False  # an id may be typed before its row exists
    if source is None:
        return False
    validation = DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showInputMessage=True,
        promptTitle=column.header[:_TITLE_LIMIT],
        prompt=_prompt(column),
        showErrorMessage=True,
        errorStyle="stop" if strict else "warning",
        errorTitle=column.header[:_TITLE_LIMIT],
        error="Pick a value from the list." if strict else "No row has this id yet.",
    )
    validation.add(cells)
    sheet.add_data_validation(validation)
    return True


def _id_range(table: Table, column: Column) -> str:
    letter = get_column_letter(len(table.parents) + table.columns.index(column) + 1)
    return f"{quote_sheetname(table.sheet)}!${letter}$2:${letter}${DATA_ROWS + 1000}"


def _header(cell: Cell, text: str, required: bool) -> None:
    cell.value = text
    cell.font = _BOLD
    cell.fill = _REQUIRED_FILL if required else _OPTIONAL_FILL
    cell.alignment = _WRAP


# ---------------------------------------------------------------------------------------------
# Sheets


def _get(data: Any, keys: tuple[str | int, ...]) -> Any:
    for key in keys:
        if not isinstance(data, dict | list):
            return None
        data = data.get(key) if isinstance(data, dict) else data[key]  # type: ignore[index]
    return data


def _write_form(
    sheet: Worksheet, table: Table, data: dict[str, Any], layout: Layout, lists: dict[str, str]
) -> None:
    prompts = (
        "The part of the plan the field belongs to. Keep this text as it is.",
        "The field. Keep this text as it is: it tells which value is on the row.",
        "The value. Select a cell to see what it needs; blue fields are required.",
    )
    for number, (text, prompt) in enumerate(zip(FORM_HEADERS, prompts, strict=True), start=1):
        _header(sheet.cell(1, number), text, True)
        _message(sheet, f"{get_column_letter(number)}1", text, prompt)
    for row, column in enumerate(table.columns, start=2):
        sheet.cell(row, 1, column.section).font = _BOLD
        label = sheet.cell(row, 2, column.header)
        label.fill = _REQUIRED_FILL if column.required else _OPTIONAL_FILL
        value = _get(data, column.key)
        cell = sheet.cell(row, 3)
        cell.number_format = _number_format(column)
        if value is not None and value != []:
            _put(cell, value, column, column.percent is Percent.ALWAYS)
        cell.alignment = _WRAP
        if not _dropdown(sheet, f"C{row}", column, layout, lists):
            _message(sheet, f"C{row}", column.header, _prompt(column))
        _message(sheet, f"B{row}", column.header, _prompt(column))
    for letter, width in zip("ABC", (20, 26, 90), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"


def _records(
    node: Any, steps: tuple[tuple[str, ...], ...], ancestors: tuple[tuple[int, Any], ...] = ()
) -> Iterator[tuple[tuple[tuple[int, Any], ...], Any]]:
    """Every record of a (nested) list, with its ancestors' (position, record)."""
    first, *rest = steps
    for index, item in enumerate(_get(node, first) or []):
        if rest:
            yield from _records(item, tuple(rest), (*ancestors, (index, item)))
        else:
            yield ancestors, item


def _is_percent(column: Column, record: Any, ancestors: tuple[tuple[int, Any], ...]) -> bool:
    if column.percent is Percent.ALWAYS:
        return True
    if column.percent is Percent.BY_UNIT:
        for holder in (record, *(a for _, a in reversed(ancestors))):
            if isinstance(holder, dict) and column.unit_key in holder:
                return bool(holder[column.unit_key] == Unit.PERCENT.value)
    return False


def _write_table(
    sheet: Worksheet, table: Table, data: dict[str, Any], layout: Layout, lists: dict[str, str]
) -> None:
    width = len(table.parents) + len(table.columns)
    rows = list(_records(data, table.steps))
    last = len(rows) + 1 + DATA_ROWS
    # A parent column holds an id, as a column of references to that kind of record would.
    parent_columns = [
        Column(
            (),
            parent.header,
            f"The {'id' if parent.id_key else 'number'} of the {parent.noun} this "
            f"{table.noun} belongs to. Required.",
            Kind.CODE,
            True,
            ref_kind=parent.id_kind,
        )
        for parent in table.parents
    ]
    for number, parent_column in enumerate(parent_columns, start=1):
        letter = get_column_letter(number)
        prompt = parent_column.description
        _header(sheet.cell(1, number), parent_column.header, True)
        _message(sheet, f"{letter}1", parent_column.header, prompt)
        if not _dropdown(sheet, f"{letter}2:{letter}{last}", parent_column, layout, lists):
            _message(sheet, f"{letter}2:{letter}{last}", parent_column.header, prompt)
        sheet.column_dimensions[letter].width = max(14, len(parent_column.header) + 4)
        sheet.column_dimensions[letter].number_format = TEXT_FORMAT
    offset = len(table.parents)
    for number, column in enumerate(table.columns, start=offset + 1):
        letter = get_column_letter(number)
        _header(sheet.cell(1, number), column.header, column.required)
        _message(sheet, f"{letter}1", column.header, _prompt(column))
        if not _dropdown(sheet, f"{letter}2:{letter}{last}", column, layout, lists):
            _message(sheet, f"{letter}2:{letter}{last}", column.header, _prompt(column))
        sheet.column_dimensions[letter].width = _width(column)
        sheet.column_dimensions[letter].number_format = _number_format(column)
    for row, (ancestors, record) in enumerate(rows, start=2):
        for number, parent in enumerate(table.parents, start=1):
            position, holder = ancestors[parent.level]
            key = holder.get(parent.id_key) if parent.id_key else position + 1
            _put(sheet.cell(row, number), str(key), parent_columns[number - 1], False)
        for number, column in enumerate(table.columns, start=offset + 1):
            value = record if column.key == () else _get(record, column.key)
            if value is not None and value != []:
                _put(sheet.cell(row, number), value, column, _is_percent(column, record, ancestors))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(width)}1"


def _lists(layout: Layout) -> dict[str, str]:
    """Closed list name → the range of its labels on the Lists sheet."""
    ranges = {}
    for number, (name, choices) in enumerate(layout.choice_lists().items(), start=1):
        letter = get_column_letter(number)
        ranges[name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(choices) + 1}"
    return ranges


def _write_lists(sheet: Worksheet, layout: Layout) -> None:
    for number, (name, choices) in enumerate(layout.choice_lists().items(), start=1):
        _header(sheet.cell(1, number), name, False)
        for row, choice in enumerate(choices, start=2):
            shown = choice.label if isinstance(choice.value, str | bool) else choice.value
            sheet.cell(row, number, shown)
        width = max([len(name), *(len(c.label) for c in choices)]) + 2
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.freeze_panes = "A2"
    sheet.protection.sheet = True  # the dropdowns read these cells: keep them as they are


def _instructions(sheet: Worksheet, layout: Layout) -> None:
    links = []
    for table in layout.tables:
        for parent in table.parents:
            links.append(f"each {table.noun} names its {parent.noun} in '{parent.header}'")
        for column in table.columns:
            if column.ref_kind and not column.many:
                noun = column.ref_kind.replace("_", " ")
                links.append(f"each {table.noun} names its {noun} in '{column.header}'")
    lines = [
        "One workbook holds one school's or district's plan. Fill in the Plan sheet, then the "
        "list sheets: each row of a list sheet is one record.",
        "Select a column header, or a field of the Plan sheet, to see what belongs there. "
        "Blue headers are required whenever their row (or their group of columns) is filled in.",
        "Closed lists have a dropdown. Several values in one cell (student groups, ids) are "
        "separated by ';'.",
        "Dates: 2026-06-15 or 6/15/2026. Percentages: 45 or 45% (stored as 45). Codes keep "
        "their leading zeros.",
        "Ids tie the sheets together: " + "; ".join(links) + ".",
        "Blank rows are skipped. Extra columns and sheets are ignored, with a warning. Keep the "
        "sheet names and column headers as they are.",
        "Check the workbook with `pipeline validate plan.xlsx`: every problem is listed with its "
        "sheet, row and column. Build the documents with `pipeline build plan.xlsx`.",
    ]
    sheet.cell(1, 1, "Improvement plan workbook").font = Font(bold=True, size=14)
    for row, line in enumerate(lines, start=3):
        sheet.cell(row, 1, line).alignment = _WRAP
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        sheet.row_dimensions[row].height = 15 * (len(line) // 110 + 1) + 3  # wrapped lines
    row = len(lines) + 4
    _header(sheet.cell(row, 1), "Sheet", True)
    _header(sheet.cell(row, 2), "What it holds", True)
    for table in layout.sheets:
        row += 1
        text = table.description
        for parent in table.parents:
            text += f" Each row names its {parent.noun} in '{parent.header}'."
        if table.columns and table.columns[0].key == ():
            text += " One per row."
        sheet.cell(row, 1, table.sheet).font = _BOLD
        sheet.cell(row, 2, text).alignment = _WRAP
    row += 1
    sheet.cell(row, 1, LISTS_SHEET).font = _BOLD
    sheet.cell(row, 2, "The closed lists behind the dropdowns (kept as they are).")
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 100
