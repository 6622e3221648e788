"""The workbook's look (header fills, fonts, alignment) and its Instructions sheet, which says
how to fill it in and what each sheet holds, from the layout."""

from __future__ import annotations

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.inputs.workbook.layout import LISTS_SHEET, Layout

REQUIRED_FILL = PatternFill("solid", fgColor="BDD7EE")
OPTIONAL_FILL = PatternFill("solid", fgColor="E7E6E6")
BOLD = Font(bold=True)
TOP = Alignment(vertical="top")
WRAP = Alignment(vertical="top", wrap_text=True)


def header(cell: Cell, text: str, required: bool) -> None:
    """A header cell: bold, blue when required, grey when optional."""
    cell.value = text
    cell.font = BOLD
    cell.fill = REQUIRED_FILL if required else OPTIONAL_FILL
    cell.alignment = WRAP


def instructions(sheet: Worksheet, layout: Layout) -> None:
    """Write the Instructions sheet: how to fill in the workbook, and what each sheet holds."""
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
        sheet.cell(row, 1, line).alignment = WRAP
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        sheet.row_dimensions[row].height = 15 * (len(line) // 110 + 1) + 3  # wrapped lines
    row = len(lines) + 4
    header(sheet.cell(row, 1), "Sheet", True)
    header(sheet.cell(row, 2), "What it holds", True)
    for table in layout.sheets:
        row += 1
        text = table.description
        for parent in table.parents:
            text += f" Each row names its {parent.noun} in '{parent.header}'."
        if table.columns and table.columns[0].key == ():
            text += " One per row."
        sheet.cell(row, 1, table.sheet).font = BOLD
        sheet.cell(row, 2, text).alignment = WRAP
    row += 1
    sheet.cell(row, 1, LISTS_SHEET).font = BOLD
    sheet.cell(row, 2, "The closed lists behind the dropdowns (kept as they are).")
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 100
