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
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.errors import InvalidInputError, Problem
from pipeline.files import ZipEntry, zip_package
from pipeline.inputs.workbook.cells import DATE_FORMAT, TEXT_FORMAT, cell_value
from pipeline.inputs.workbook.derive import plan_layout
from pipeline.inputs.workbook.instructions import (
    BOLD,
    OPTIONAL_FILL,
    REQUIRED_FILL,
    TOP,
    WRAP,
    header,
    instructions,
)
from pipeline.inputs.workbook.layout import (
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    Column,
    Kind,
    Layout,
    ParentKey,
    Percent,
    Table,
)
from pipeline.inputs.workbook.places import cell_place
from pipeline.inputs.workbook.read import FORM_HEADERS
from pipeline.model.periods import FORMS_HINT
from pipeline.model.vocabulary import Unit

DATA_ROWS = 500
"""Rows below the header that get formats and dropdowns, beyond the rows written."""
_PROMPT_LIMIT, _TITLE_LIMIT = 255, 32  # Excel's limits for input messages
_FORMULA_START = ("=", "+", "-", "@")
_FIXED_TIME = dt.datetime(2000, 1, 1)


def workbook_bytes(data: dict[str, Any] | None = None, layout: Layout | None = None) -> bytes:
    """The .xlsx of a plan's data (JSON form, as `Plan.model_dump(mode="json")` gives), or of
    a blank plan when `data` is None. The same data always gives the same bytes."""
    layout = layout or plan_layout()
    data = data or {}
    book = Workbook()
    book.remove(book.active)
    instructions(book.create_sheet(INSTRUCTIONS_SHEET), layout)
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
"""The most characters an Excel cell holds; Excel cuts a longer text when it opens the file.
Excel counts UTF-16 code units: a character beyond U+FFFF (an emoji) counts as two."""


def excel_length(text: str) -> int:
    """How long Excel takes `text` to be (see EXCEL_CELL_LIMIT)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _put(cell: Cell, value: Any, column: Column, percent: bool) -> None:
    shown = cell_value(value, column, percent)
    if isinstance(shown, str) and excel_length(shown) > EXCEL_CELL_LIMIT:
        # Refused, never cut. The source is named by the caller (`convert`).
        place = cell_place(cell.parent.title, int(cell.row), column.header, cell.coordinate)
        raise InvalidInputError(
            [
                Problem(
                    "",
                    place,
                    f"the text is {excel_length(shown):,} characters long as Excel counts them "
                    f"(an emoji counts as 2); an Excel cell holds at most {EXCEL_CELL_LIMIT:,}",
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
    cell.alignment = WRAP if column.kind is Kind.TEXT else TOP


def _number_format(column: Column) -> str:
    if column.kind is Kind.DATE and not column.many:
        return DATE_FORMAT
    if column.kind in (Kind.TEXT, Kind.CODE, Kind.PERIOD) or column.many:
        return TEXT_FORMAT
    return "General"


def _width(column: Column) -> float:
    by_kind = {Kind.TEXT: 45, Kind.CODE: 14, Kind.DATE: 13, Kind.NUMBER: 12, Kind.INTEGER: 12}
    by_kind[Kind.PERIOD] = 24
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
    elif column.kind is Kind.PERIOD:
        forms = FORMS_HINT[:1].upper() + FORMS_HINT[1:] + ", or Ongoing."
        if len(column.description) + len(forms) > _PROMPT_LIMIT - 30:
            parts[0] = column.description.split(":")[0].rstrip(".") + "."  # the lead only
        parts.append(forms)
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
    letter = get_column_letter(table.lead + table.columns.index(column) + 1)
    return f"{quote_sheetname(table.sheet)}!${letter}$2:${letter}${DATA_ROWS + 1000}"


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
        header(sheet.cell(1, number), text, True)
        _message(sheet, f"{get_column_letter(number)}1", text, prompt)
    for row, column in enumerate(table.columns, start=2):
        sheet.cell(row, 1, column.section).font = BOLD
        label = sheet.cell(row, 2, column.header)
        label.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        value = _get(data, column.key)
        cell = sheet.cell(row, 3)
        cell.number_format = _number_format(column)
        if value is not None and value != []:
            _put(cell, value, column, column.percent is Percent.ALWAYS)
        cell.alignment = WRAP
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
    width = table.lead + len(table.columns)
    rows = list(_records(data, table.steps))
    last = len(rows) + 1 + DATA_ROWS
    # A parent column holds an id, as a column of references to that kind of record would.
    parent_columns = [
        Column(
            (),
            parent.header,
            f"The {'id' if parent.id_key else 'number'} of the {parent.noun} this "
            f"{table.noun} belongs to{_where_numbered(parent, table, layout)}.",
            Kind.CODE,
            True,
            ref_kind=parent.id_kind,
        )
        for parent in table.parents
    ]
    for number, parent_column in enumerate(parent_columns, start=1):
        letter = get_column_letter(number)
        prompt = _prompt(parent_column)
        header(sheet.cell(1, number), parent_column.header, True)
        _message(sheet, f"{letter}1", parent_column.header, prompt)
        if not _dropdown(sheet, f"{letter}2:{letter}{last}", parent_column, layout, lists):
            _message(sheet, f"{letter}2:{letter}{last}", parent_column.header, prompt)
        sheet.column_dimensions[letter].width = max(14, len(parent_column.header) + 4)
        sheet.column_dimensions[letter].number_format = TEXT_FORMAT
    if table.number_header:
        _number_column(sheet, table, layout, len(table.parents) + 1, last)
    offset = table.lead
    for number, column in enumerate(table.columns, start=offset + 1):
        letter = get_column_letter(number)
        header(sheet.cell(1, number), column.header, column.required)
        _message(sheet, f"{letter}1", column.header, _prompt(column))
        if not _dropdown(sheet, f"{letter}2:{letter}{last}", column, layout, lists):
            _message(sheet, f"{letter}2:{letter}{last}", column.header, _prompt(column))
        sheet.column_dimensions[letter].width = _width(column)
        sheet.column_dimensions[letter].number_format = _number_format(column)
    counts: dict[tuple[int, ...], int] = {}  # records so far under each parent
    for row, (ancestors, record) in enumerate(rows, start=2):
        for number, parent in enumerate(table.parents, start=1):
            position, holder = ancestors[parent.level]
            key = holder.get(parent.id_key) if parent.id_key else position + 1
            _put(sheet.cell(row, number), str(key), parent_columns[number - 1], False)
        if table.number_header:
            under = tuple(position for position, _ in ancestors)
            counts[under] = counts.get(under, 0) + 1
            sheet.cell(row, len(table.parents) + 1, counts[under]).number_format = "0"
        for number, column in enumerate(table.columns, start=offset + 1):
            value = record if column.key == () else _get(record, column.key)
            if value is not None and value != []:
                _put(sheet.cell(row, number), value, column, _is_percent(column, record, ancestors))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(width)}1"


def _where_numbered(parent: ParentKey, table: Table, layout: Layout) -> str:
    if parent.id_key:
        return ""
    steps = table.steps[: parent.level + 1]
    sheet = next(t.sheet for t in layout.tables if t.steps == steps)
    return f" (its {parent.header} on the {sheet} sheet)"


def _number_column(sheet: Worksheet, table: Table, layout: Layout, number: int, last: int) -> None:
    """The column numbering a table's records within their parent (1, 2, …), by which nested
    sheets name them (steps: 'Step number' on the Step resources sheet)."""
    title = table.number_header
    assert title is not None
    users = [t.sheet for t in layout.tables if any(p.header == title for p in t.parents)]
    parent = f" its {table.parents[-1].noun}" if table.parents else " the plan"
    prompt = (
        f"The {table.noun}'s number within{parent}: 1, 2, … The {' and '.join(users)} sheets "
        f"name the {table.noun} by it. Left blank: its place among the {table.noun}s of{parent}."
    )
    letter = get_column_letter(number)
    header(sheet.cell(1, number), title, False)
    _message(sheet, f"{letter}1", title, prompt)
    _message(sheet, f"{letter}2:{letter}{last}", title, prompt)
    sheet.column_dimensions[letter].width = len(title) + 4


def _lists(layout: Layout) -> dict[str, str]:
    """Closed list name → the range of its labels on the Lists sheet."""
    ranges = {}
    for number, (name, choices) in enumerate(layout.choice_lists().items(), start=1):
        letter = get_column_letter(number)
        ranges[name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(choices) + 1}"
    return ranges


def _write_lists(sheet: Worksheet, layout: Layout) -> None:
    for number, (name, choices) in enumerate(layout.choice_lists().items(), start=1):
        header(sheet.cell(1, number), name, False)
        for row, choice in enumerate(choices, start=2):
            shown = choice.label if isinstance(choice.value, str | bool) else choice.value
            sheet.cell(row, number, shown)
        width = max([len(name), *(len(c.label) for c in choices)]) + 2
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.freeze_panes = "A2"
    sheet.protection.sheet = True  # the dropdowns read these cells: keep them as they are
