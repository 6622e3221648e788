"""Cell values ⇄ plan values, for one column: how what a person typed is read, and how a value
is written so that reading it back gives the same value.

Reading is tolerant of what people do in spreadsheets: stray spaces, numbers stored as text,
`45%` or `0.45` for a percentage, dates typed as text in ISO or US form, a dropdown label or the
stored value. What cannot be understood is passed on as it was typed, so validation reports it
with the same message as in JSON (`'next June' is not a date`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl.utils.datetime import from_excel

from pipeline.errors import Severity
from pipeline.inputs.workbook.layout import Column, Kind, Percent


class _Blank:
    def __repr__(self) -> str:
        return "BLANK"


BLANK: Any = _Blank()
"""An empty cell: the field is left out of the data."""

TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0"}
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
_ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")


@dataclass(frozen=True)
class Note:
    """Something to tell the user about one cell."""

    severity: Severity
    message: str
    hint: str | None = None


@dataclass
class Read:
    """A cell's value as data (or BLANK), with what the user should know about it."""

    value: Any = BLANK
    notes: list[Note] = field(default_factory=list)
    fraction: bool = False
    """A plain number between 0 and 1 where a percentage may be meant; decided by the unit."""


def show_number(value: float | int) -> str:
    """A number as a person writes it: 45 rather than 45.0."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def times_100(value: float | int) -> float:
    """value × 100 in decimal, so that 0.45 becomes 45.0 and not 45.00000000000001."""
    return float(Decimal(repr(value)) * 100)


def is_percent_format(number_format: str) -> bool:
    """Whether a cell's number format shows its value as a percentage (0.45 as 45%)."""
    unquoted = re.sub(r'"[^"]*"|\\.', "", number_format or "")
    return "%" in unquoted


def normalize(text: str) -> str:
    """Text compared loosely: case, underscores and runs of spaces do not matter."""
    return " ".join(text.replace("_", " ").split()).casefold()


def _number_in(text: str) -> tuple[float | int, bool] | None:
    """The number in text such as '45', '1,200', '$85,000.50' or '45%', and whether it had %."""
    cleaned = text.replace(",", "").replace("$", "").replace(" ", "")
    has_percent = cleaned.endswith("%")
    cleaned = cleaned.removesuffix("%")
    if not _NUMBER.fullmatch(cleaned):
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        return None
    value: float | int = int(number) if number == number.to_integral_value() else float(number)
    if "." in cleaned or "e" in cleaned.lower():
        value = float(number)
    return value, has_percent


def _date_in(text: str) -> dt.date | None:
    try:
        if match := _ISO_DATE.fullmatch(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _US_DATE.fullmatch(text):
            year = int(match[3])
            year = 2000 + year if len(match[3]) == 2 else year
            return dt.date(year, int(match[1]), int(match[2]))
    except ValueError:
        return None
    return None


# ---------------------------------------------------------------------------------------------
# Reading


def _read_text(value: Any, number_format: str, column: Column) -> Read:
    if isinstance(value, str):
        text = value.strip()
        return Read(text if text else BLANK)
    if isinstance(value, bool):
        return Read("TRUE" if value else "FALSE")
    if isinstance(value, int | float):
        text = show_number(value)
        zeros = number_format if re.fullmatch(r"0+", number_format or "") else ""
        if column.digits and zeros:
            # The cell shows the code with its zeros (format 00000000): read what it shows.
            return Read(text.zfill(len(zeros)))
        if column.digits:
            return Read(
                text,
                [
                    Note(
                        Severity.WARNING,
                        f"the code was typed as a number, read as '{text}'; a number loses its "
                        "leading zeros",
                        "format the cell as Text and type the code with its zeros, e.g. 01230005",
                    )
                ],
            )
        return Read(text)
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        if column.kind is Kind.CODE:
            return Read(
                BLANK,
                [
                    Note(
                        Severity.ERROR,
                        f"the spreadsheet turned this into a date ({day.isoformat()})",
                        "format the cell as Text and type the value again",
                    )
                ],
            )
        return Read(day.isoformat())
    return Read(str(value))


def _read_number(value: Any, number_format: str, column: Column) -> Read:
    percent_sign = False
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return Read()
        found = _number_in(text)
        if found is None:
            return Read(text)
        value, percent_sign = found
    elif isinstance(value, bool) or not isinstance(value, int | float):
        return Read(value.isoformat() if isinstance(value, dt.date | dt.datetime) else value)
    elif is_percent_format(number_format):
        # The cell shows 45% and holds 0.45: store what the person sees.
        value, percent_sign = times_100(value), True
    if column.kind is Kind.INTEGER:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return Read(value)
    if not percent_sign and 0 < value < 1 and column.percent is not Percent.NO:
        if column.percent is Percent.BY_UNIT:
            return Read(value, fraction=True)
        return fraction_as_percent(value)
    return Read(value)


def fraction_as_percent(value: float | int) -> Read:
    """0.45 where a percentage is expected: store 45, and say so."""
    stored = times_100(value)
    return Read(
        stored,
        [
            Note(
                Severity.WARNING,
                f"{show_number(value)} read as {show_number(stored)}% (stored "
                f"{show_number(stored)})",
                f"percentages are stored from 0 to 100; type {show_number(value)}% if you meant "
                "less than one percent",
            )
        ],
    )


def _read_date(value: Any, number_format: str, column: Column) -> Read:
    if isinstance(value, dt.datetime):
        return Read(value.date().isoformat())
    if isinstance(value, dt.date):
        return Read(value.isoformat())
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 2958466:
        day = from_excel(value).date()
        return Read(
            day.isoformat(),
            [
                Note(
                    Severity.WARNING,
                    f"the number {show_number(value)} read as the date {day.isoformat()} "
                    "(the spreadsheet's day count)",
                    "format the cell as a date",
                )
            ],
        )
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return Read()
        day = _date_in(text)
        return Read(day.isoformat() if day else text)
    return Read(str(value) if isinstance(value, dt.time) else value)


def _read_choice(value: Any, number_format: str, column: Column) -> Read:
    if isinstance(value, str):
        value = value.strip()
        numbered = all(isinstance(c.value, int) for c in column.choices)
        if numbered and column.kind is Kind.CHOICE and re.fullmatch(r"[0-9]+", value):
            value = int(value)  # '7' typed as text in a numbered list: reported as 7
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) and column.kind is Kind.BOOLEAN:
        return Read(value)
    if not isinstance(value, bool):
        word = normalize(str(value))
        if column.kind is Kind.BOOLEAN and word in _YES | _NO:
            return Read(word in _YES)
        for choice in column.choices:
            if word in (normalize(str(choice.value)), normalize(choice.label)):
                return Read(choice.value)
    # Said here rather than by the schema check, to name the choices as the dropdown shows them.
    shown = repr(value) if isinstance(value, str) else str(value)
    shown_choices = [str(cell_value(c.value, column, False)) for c in column.choices]
    separator = "; " if any("," in label for label in shown_choices) else ", "
    labels = separator.join(shown_choices)
    return Read(
        value,
        [
            Note(
                Severity.ERROR, f"{shown} is not one of the allowed values", f"use one of: {labels}"
            )
        ],
    )


def _read_period(value: Any, number_format: str, column: Column) -> Read:
    """A timeline as written; a cell the spreadsheet made a date (typing 'January 2024' or
    '3/1/2024') is read as what it shows: a month ('January 2024') or a date ('2024-03-01')."""
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        shown = re.sub(r'"[^"]*"|\\.|\[[^]]*\]', "", number_format or "").lower()
        if "m" in shown and "y" in shown and "d" not in shown:  # mmm-yy, mmmm yyyy
            return Read(f"{day:%B} {day.year}")
        return Read(day.isoformat())
    return _read_text(value, number_format, column)


_READERS: dict[Kind, Callable[[Any, str, Column], Read]] = {
    Kind.TEXT: _read_text,
    Kind.CODE: _read_text,
    Kind.INTEGER: _read_number,
    Kind.NUMBER: _read_number,
    Kind.DATE: _read_date,
    Kind.BOOLEAN: _read_choice,
    Kind.CHOICE: _read_choice,
    Kind.PERIOD: _read_period,
}


def _parts(text: str, column: Column) -> list[str]:
    if column.kind is Kind.CODE:
        # Ids and codes hold no spaces, commas or semicolons: any of them separates two.
        return [part for part in re.split(r"[;,\s]+", text) if part]
    parts = [part.strip() for part in re.split(r"[;\n]", text) if part.strip()]
    if column.kind is Kind.CHOICE:
        known = {normalize(str(c.value)) for c in column.choices} | {
            normalize(c.label) for c in column.choices
        }
        split: list[str] = []
        for part in parts:
            pieces = _labels(part, known) if normalize(part) not in known else None
            split += pieces or [part]  # 'Parents, Teachers' where '; ' was meant
        parts = split
    return parts


def _labels(text: str, known: set[str]) -> list[str] | None:
    """`text` as labels separated by commas, when it is one (a label may hold a comma itself:
    'Staff, Professional development (time, stipends)'); None otherwise."""
    pieces = [piece.strip() for piece in text.split(",") if piece.strip()]
    found: list[str] = []
    while pieces:
        for end in range(len(pieces), 0, -1):  # the longest run of pieces that is a label
            label = ", ".join(pieces[:end])
            if normalize(label) in known:
                found.append(label)
                del pieces[:end]
                break
        else:
            return None
    return found


def read_cell(value: Any, number_format: str, column: Column) -> Read:
    """Read one cell's value (as openpyxl gives it) for `column`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Read()
    reader = _READERS[column.kind]
    if not column.many:
        return reader(value, number_format, column)
    parts: list[Any] = _parts(value, column) if isinstance(value, str) else [value]
    result = Read([])
    for part in parts:
        one = reader(part, number_format, column)
        if one.value is not BLANK:
            result.value.append(one.value)
        result.notes += one.notes
    return result if result.value else Read(BLANK, result.notes)


# ---------------------------------------------------------------------------------------------
# Writing


def cell_value(value: Any, column: Column, percent: bool) -> Any:
    """The value to put in a cell for data `value` of `column` (JSON form: dates as text).

    `percent` says whether the value is a percentage here; a percentage between 0 and 1 is
    written as text ('0.5%'), because a bare 0.5 would be read back as 50%.
    """
    if column.many:
        one = replace(column, many=False)
        return "; ".join(str(cell_value(item, one, percent)) for item in value)
    match column.kind:
        case Kind.DATE:
            return dt.date.fromisoformat(value)
        case Kind.CHOICE | Kind.BOOLEAN:
            choice = next((c for c in column.choices if c.value == value), None)
            if choice is None:
                return value
            # Closed lists of words show their labels; numbered ones (evidence tier) the number.
            return choice.label if isinstance(choice.value, str | bool) else choice.value
        case Kind.NUMBER if percent and 0 < value < 1:
            return f"{value!r}%"
    return value
