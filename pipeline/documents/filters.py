"""Filters templates may use, beside Jinja's own: dates, percentages, numbers, money,
ordinals and lists written out as people write them.

    {{ b.due_iso|date('short') }}       Jun 15, 2026
    {{ g.group_value|percent }}         45%
    {{ organization.enrollment|number }} 6,200
    {{ r.amount|money }}                $85,000.00
    {{ r.amount|dollars }}              $85,000
    {{ 3|ordinal }}                     3rd
    {{ o.also_serves|join_and }}        SO2, SO3 and SO4
    {{ s.timeline|nobreak }}            Sep 15, 2025 – Jun 5, 2026, each date kept on one line
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from jinja2 import Environment, nodes

_DATE_FORMATS = {"long": "{:%B} {d}, {y}", "short": "{:%b} {d}, {y}"}


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise ValueError(f"date: {value!r} is not a date (use the *_iso form of a date field)")


def date(value: Any, style: str = "long") -> str:
    """A date written out: 'long' (June 15, 2026), 'short' (Jun 15, 2026), 'numeric'
    (06/15/2026), 'iso' (2026-06-15), or a strftime pattern such as '%B %Y'."""
    day = _as_date(value)
    if style in _DATE_FORMATS:
        return _DATE_FORMATS[style].format(day, d=day.day, y=day.year)
    if style == "numeric":
        return f"{day:%m/%d/%Y}"
    if style == "iso":
        return day.isoformat()
    return day.strftime(style)


def percent(value: Any, digits: int = 0) -> str:
    """A number of percent (0–100) with a % sign: 45 → '45%'."""
    return f"{float(value):.{digits}f}%"


def number(value: Any, digits: int = 0) -> str:
    """A number with thousands separators: 6200 → '6,200'."""
    return f"{float(value):,.{digits}f}"


def money(value: Any) -> str:
    """An amount in US dollars: 85000 → '$85,000.00'."""
    return f"${float(value):,.2f}"


def dollars(value: Any) -> str:
    """An amount in US dollars, cents only when there are any: 85000 → '$85,000',
    1250.5 → '$1,250.50'."""
    amount = round(float(value), 2)
    return f"${amount:,.0f}" if amount.is_integer() else f"${amount:,.2f}"


def ordinal(value: Any) -> str:
    """1 → '1st', 2 → '2nd', 11 → '11th', 23 → '23rd'."""
    n = int(value)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def join_and(values: Iterable[Any], separator: str = ", ", last: str = " and ") -> str:
    """A list as a phrase: ['a', 'b', 'c'] → 'a, b and c'."""
    items = [str(v) for v in values]
    if len(items) <= 1:
        return "".join(items)
    return separator.join(items[:-1]) + last + items[-1]


_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = re.compile(rf"\b({_MONTH}) (\d{{1,2}}), (\d{{4}})\b")
_SCHOOL_YEAR = re.compile(r"\b((?:19|20)\d\d)-(\d\d)\b")
# What each pattern's matches hold, found much faster than the patterns themselves: most
# texts have neither, and skip them.
_DAY_HINT = re.compile(r"\d, \d{4}")
_SCHOOL_YEAR_HINT = re.compile(r"\d\d-\d\d")
NBSP, NB_HYPHEN = "\u00a0", "\u2011"


def nobreak(value: Any) -> str:
    """Text whose dates (June 30, 2026; Jun 30, 2026) and school years (2024-25) a line
    cannot break: no-break spaces in the dates, a non-breaking hyphen in the school years.
    The table templates print each cell through it: narrow cells wrap between words, never
    inside a date."""
    text = str(value)
    if ", " in text and _DAY_HINT.search(text):  # else no date to keep whole
        text = _DAY.sub(lambda m: f"{m[1]}{NBSP}{m[2]},{NBSP}{m[3]}", text)
    if "-" in text and _SCHOOL_YEAR_HINT.search(text):
        text = _SCHOOL_YEAR.sub(lambda m: f"{m[1]}{NB_HYPHEN}{m[2]}", text)
    return text


def plain_nobreak(used: nodes.Filter) -> bool:
    """Whether a `{% filter %}` block's filter is `nobreak` alone, with no arguments."""
    arguments = (used.node, used.args, used.kwargs, used.dyn_args, used.dyn_kwargs)
    return used.name == "nobreak" and not any(arguments)


def nobreak_patterns() -> tuple[re.Pattern[str], ...]:
    """What `nobreak` rewrites: a text none of them finds, it leaves as it is."""
    return _DAY, _SCHOOL_YEAR


FILTERS: dict[str, Callable[..., str]] = {
    "date": date,
    "percent": percent,
    "number": number,
    "money": money,
    "dollars": dollars,
    "ordinal": ordinal,
    "join_and": join_and,
    "nobreak": nobreak,
}


# ---------------------------------------------------------------------------------------------
# Plan text and docxtpl's own escapes

_UNDERSCORE = "\x05"
"""Stands for '_' in every value a template prints until docxtpl's un-escaping of its own
`{_{ }_}`/`{_% %_}` has run, so that plan text such as `{_{ x }_}` appears as written. (No
value can hold it: text refuses control characters, and XML cannot carry it.)"""


E = TypeVar("E", bound=Environment)


def guard_printed(env: E) -> E:
    """`env`, its printed values kept out of docxtpl's un-escaping (`restore_underscores`
    undoes it once that has run)."""
    finalize = env.finalize

    def guarded(value: Any) -> Any:
        value = finalize(value) if finalize is not None else value
        if isinstance(value, str) and "_" in value:
            return value.replace("_", _UNDERSCORE)
        return value

    env.finalize = guarded
    return env


def restore_underscores(rendered: str) -> str:
    return rendered.replace(_UNDERSCORE, "_") if _UNDERSCORE in rendered else rendered
