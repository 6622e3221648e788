"""Timelines as plans write them: a date, or a period ("Spring 2024", "SY 2023-24",
"Fall–Winter 2023-24", "December–April", "Q2 2024-25", "January 2024", "Ongoing").

Documents show a timeline as written; checks and monitoring use the date range it resolves to.
The ranges (documented in README.md, "Timelines"):

- a date: that day; a month: its first to its last day;
- a season of a calendar year: fall September 1 – November 30, winter December 1 – the end of
  February (winter 2024 is December 2023 – February 2024), spring March 1 – June 30, summer
  July 1 – August 31; of a school year (Spring 2023-24): the season that falls in it;
- a school year (SY 2023-24, 2023-24, 2023-2024, Year 1 (2023-2024)): July 1 – June 30;
- a quarter of a school year (Q1 2023-24): Q1 July – September … Q4 April – June; of a calendar
  year (Q1 2024): January – March …;
- "ongoing", "throughout the year", "monthly", "weekly", "quarterly": the whole school year;
- a range "A–B" (also "A - B", "A to B", "A through B"): from A's start to B's end; a side
  without a year takes the other side's, or the school year the timeline belongs to.

A month or season without any year ("December–April") needs the school year it belongs to (a
step's `school_year`): without one it is valid but does not resolve.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
SEASONS = {
    "fall": (9, 11),
    "autumn": (9, 11),
    "winter": (12, 2),
    "spring": (3, 6),
    "summer": (7, 8),
}
WHOLE_YEAR = re.compile(
    r"^(ongoing|throughout( the)?( school)? year|all year|monthly|weekly|quarterly)$"
)
_RANGE = re.compile(r"\s*(?:–|—|-|\bto\b|\bthrough\b|\bthru\b)\s*")
_SCHOOL_YEAR = re.compile(r"^(?:sy\s*|school year\s*)?(\d{4})\s*[-–/]\s*(\d{2}|\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_PLAN_YEAR = re.compile(r"^year \d+ \((\d{4})\s*[-–/]\s*(\d{2}|\d{4})\)$")  # Year 1 (2024-2025)
_QUARTER = re.compile(r"q[1-4]")
_DIGITS_DASH = re.compile(r"(\d)-(\d)")

FORMS_HINT = (
    "write a date (2024-03-01), a month (January 2024), a season (Spring 2024), a quarter "
    "(Q2 2024-25), a school year (SY 2024-25) or a range of these (Fall–Winter 2023-24)"
)


@dataclass(frozen=True)
class DateRange:
    """The days a timeline covers, first and last included."""

    start: dt.date
    end: dt.date


class PeriodError(ValueError):
    """A timeline that is neither a date nor a period this module reads."""


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _school_year(first: str, second: str) -> int:
    """The calendar year a school year starts in; its second year must follow the first."""
    start = int(first)
    end = int(second) if len(second) == 4 else (start // 100) * 100 + int(second)
    if end != start + 1:
        raise PeriodError(f"{first}-{second} is not a school year (its years must follow)")
    return start


@dataclass(frozen=True)
class _Part:
    """One side of a timeline: what it names, and the year it gives (if any)."""

    kind: str  # date, month, season, quarter, school_year, whole_year
    value: int | str | dt.date
    year: int | None = None
    """A calendar year given with it ("January 2024": 2024)."""
    school_year: int | None = None
    """The first calendar year of a school year given with it ("Spring 2023-24": 2023)."""


def _part(text: str) -> _Part:
    text = " ".join(text.lower().replace(",", " ").split())
    try:
        return _Part("date", dt.date.fromisoformat(text))
    except ValueError:
        pass
    if WHOLE_YEAR.match(text):
        return _Part("whole_year", text)
    if match := _SCHOOL_YEAR.match(text) or _PLAN_YEAR.match(text):
        return _Part("school_year", "", school_year=_school_year(*match.groups()))
    words = text.split(" ", 1)
    name, rest = words[0], words[1] if len(words) > 1 else ""
    year = school = None
    if rest:
        if match := _SCHOOL_YEAR.match(rest):
            school = _school_year(*match.groups())
        elif match := _YEAR.match(rest):
            year = int(match.group(1))
        else:
            raise PeriodError(f"cannot read '{text}'")
    if name in MONTHS:
        return _Part("month", MONTHS[name], year, school)
    if name in SEASONS:
        return _Part("season", name, year, school)
    if _QUARTER.fullmatch(name) and (year or school):
        return _Part("quarter", int(name[1]), year, school)
    raise PeriodError(f"cannot read '{text}'")


def _resolve(part: _Part, school: int | None) -> DateRange | None:
    """The range of one side; `school` is the school year it falls in, when known."""
    if part.kind == "date":
        assert isinstance(part.value, dt.date)
        return DateRange(part.value, part.value)
    school = part.school_year if part.school_year is not None else school
    if part.kind in ("school_year", "whole_year"):
        if school is None:
            return None
        return DateRange(dt.date(school, 7, 1), dt.date(school + 1, 6, 30))
    if part.kind == "month":
        assert isinstance(part.value, int)
        year = part.year
        if year is None and school is not None:
            year = school if part.value >= 7 else school + 1
        if year is None:
            return None
        return DateRange(dt.date(year, part.value, 1), _month_end(year, part.value))
    if part.kind == "quarter":
        assert isinstance(part.value, int)
        if part.year is not None:
            first = 3 * part.value - 2
            return DateRange(dt.date(part.year, first, 1), _month_end(part.year, first + 2))
        assert school is not None
        first = 7 + 3 * (part.value - 1)
        year = school if first <= 12 else school + 1
        first = first if first <= 12 else first - 12
        return DateRange(dt.date(year, first, 1), _month_end(year, first + 2))
    first, last = SEASONS[str(part.value)]
    if part.year is not None:  # winter 2024: December 2023 – February 2024
        start_year = part.year - 1 if first == 12 else part.year
    elif school is not None:  # fall and winter begin in the school year's first calendar year
        start_year = school if first >= 9 else school + 1
    else:
        return None
    end_year = start_year + 1 if last < first else start_year
    return DateRange(dt.date(start_year, first, 1), _month_end(end_year, last))


def _sides(text: str) -> list[str]:
    # A school year's own dash ("2023-24") or a date's ("2024-03-01") is not a range.
    protected = _DIGITS_DASH.sub("\\1\x00\\2", text.strip())
    return [side.replace("\x00", "-") for side in _RANGE.split(protected) if side.strip()]


def check_period(text: str) -> str:
    """`text` if it reads as a date or a period; raises PeriodError saying what to write."""
    return _checked(text)


@lru_cache(maxsize=4096)  # plans repeat their timelines; a failure is not kept (it raises)
def _checked(text: str) -> str:
    sides = _sides(text)
    if not 1 <= len(sides) <= 2:
        raise PeriodError(f"cannot read '{text}' as a date or a period; {FORMS_HINT}")
    try:
        parts = [_part(side) for side in sides]
    except PeriodError:
        raise PeriodError(f"cannot read '{text}' as a date or a period; {FORMS_HINT}") from None
    if any(p.kind == "quarter" and p.year is None and p.school_year is None for p in parts):
        raise PeriodError(f"'{text}': a quarter needs its year; {FORMS_HINT}")
    return text


@lru_cache(maxsize=4096)  # the answer depends on the text and school year only
def resolve(text: str, school_year: str | None = None) -> DateRange | None:
    """The days `text` covers; `school_year` ("2024-25") places a month or season without a
    year. None when it cannot be placed (no year anywhere) or does not read."""
    try:
        parts = [_part(side) for side in _sides(text)]
    except PeriodError:
        return None
    school = int(school_year[:4]) if school_year else None
    for part in parts:  # a side's school year places the other side too
        if part.school_year is not None:
            school = part.school_year
    if len(parts) == 2 and school is None:
        years = [p.year for p in parts if p.year is not None]
        if len(years) == 1 and parts[1].year is not None and parts[0].year is None:
            # "September – June 2025": the left side is the latest such month before the right.
            right = _resolve(parts[1], None)
            left = _resolve(_Part(parts[0].kind, parts[0].value, years[0]), None)
            if right and left and left.start > right.start:
                left = _resolve(_Part(parts[0].kind, parts[0].value, years[0] - 1), None)
            return DateRange(left.start, right.end) if left and right else None
    ranges = [_resolve(part, school) for part in parts]
    if any(r is None for r in ranges):
        return None
    first, last = ranges[0], ranges[-1]
    assert first is not None and last is not None
    if last.end < first.start:
        return None
    return DateRange(first.start, last.end)
