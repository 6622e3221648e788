"""Hypothesis strategies for whole plans, derived from the plan model.

`plan_data()` walks `model_fields` the way the workbook layout does, draws a value for every
field from its type (text without control characters, numbers Excel keeps exactly, dates,
closed lists, patterned codes, timelines in every form `pipeline.model.periods` reads), then
makes the draw a valid plan: ids unique, references to existing ids, periods that end after
they start, and no section that is present but empty (a workbook cannot hold one;
`pipeline convert` warns about it, see test_workbook_roundtrip).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from enum import Enum
from typing import Any, Literal, get_args, get_origin

from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from pipeline.inputs.workbook.shapes import FieldShape, field_shape, is_model
from pipeline.model.fields import SCHOOL_YEAR_PATTERN, Id, Ref
from pipeline.model.periods import PeriodError, check_period
from pipeline.model.plan import Plan

_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn")),
        st.sampled_from("\n\t\r;,%"),
    ),
    min_size=1,
    max_size=24,
)
# A leading '=', '+', '-' or '@' must stay text: draw such values often.
TEXT = (
    st.tuples(st.sampled_from(["", "", "=", "+", "-", "@"]), _TEXT)
    .map(lambda parts: (parts[0] + parts[1]).strip())
    .filter(bool)
)
# Numbers with at most 15 significant digits: what a spreadsheet keeps exactly (Excel shows
# 15); between 0 and 100 so that a percent outcome is valid, and often below 1.
NUMBER = st.one_of(
    st.integers(0, 100_000).map(lambda n: n / 1000),
    st.integers(0, 100),
    st.integers(1, 999).map(lambda n: n / 100_000),
)
DATE = st.dates(dt.date(1950, 1, 1), dt.date(2100, 12, 31)).map(dt.date.isoformat)
SCHOOL_YEAR = st.integers(1990, 2090).map(lambda y: f"{y}-{(y + 1) % 100:02d}")


def _is_period(text: str) -> bool:
    try:
        check_period(text)
    except PeriodError:
        return False
    return True


_YEAR = st.integers(1990, 2090).map(str)
_MONTH = st.sampled_from([*calendar.month_name[1:], *calendar.month_abbr[1:]])
_SEASON = st.sampled_from(["Fall", "Winter", "Spring", "Summer", "fall", "Autumn"])
_WHOLE_YEAR = st.sampled_from(["Ongoing", "Throughout the year", "Monthly", "Weekly"])
_SCHOOL_YEARS = st.one_of(
    SCHOOL_YEAR,
    SCHOOL_YEAR.map(lambda y: f"SY {y}"),
    st.integers(1990, 2090).map(lambda y: f"{y}-{y + 1}"),
    st.tuples(st.integers(0, 5), st.integers(1990, 2090)).map(
        lambda t: f"Year {t[0]} ({t[1]}-{t[1] + 1})"
    ),
)
_ONE = st.one_of(
    DATE,
    st.tuples(_MONTH, _YEAR).map(" ".join),
    st.tuples(st.one_of(_SEASON, _MONTH), st.one_of(_YEAR, SCHOOL_YEAR)).map(" ".join),
    st.tuples(st.sampled_from(["Q1", "Q2", "Q3", "Q4"]), SCHOOL_YEAR).map(" ".join),
    _SCHOOL_YEARS,
    _WHOLE_YEAR,
)
_RANGE = st.tuples(
    st.one_of(_SEASON, _MONTH),
    st.sampled_from(["–", "—", " - ", " to ", " through "]),
    st.one_of(_ONE, _SEASON, _MONTH),
).map("".join)
PERIOD = st.one_of(_ONE, _RANGE).filter(_is_period)
"""Timelines as plans write them: dates, months, seasons, quarters, school years, ranges."""


def _constraint(shape: FieldShape, name: str, item: bool = False) -> Any:
    for meta in shape.item_metadata if item else shape.metadata:
        value = getattr(meta, name, None)
        if value is not None:
            return value
    return None


def _scalar(base: Any, shape: FieldShape, item: bool) -> st.SearchStrategy[Any]:
    if isinstance(base, type) and issubclass(base, Enum):
        return st.sampled_from([member.value for member in base])
    if get_origin(base) is Literal:
        return st.sampled_from(get_args(base))
    if base is bool:
        return st.booleans()
    if base is int:
        return st.integers(0, 10**6)
    if base is float:
        return NUMBER
    if base is dt.date:
        return DATE
    metadata = shape.item_metadata if item else shape.metadata
    if any(getattr(meta, "func", None) is check_period for meta in metadata):
        return PERIOD
    pattern = _constraint(shape, "pattern", item)
    if pattern == SCHOOL_YEAR_PATTERN:
        return SCHOOL_YEAR
    if pattern:
        return st.from_regex(pattern, fullmatch=True)
    return TEXT


def _field(info: FieldInfo) -> st.SearchStrategy[Any]:
    shape = field_shape(info)
    if shape.is_list:
        item = records(shape.base) if is_model(shape.base) else _scalar(shape.base, shape, True)
        return st.lists(item, min_size=_constraint(shape, "min_length") or 0, max_size=3)
    if is_model(shape.base):
        return records(shape.base)
    return _scalar(shape.base, shape, False)


def records(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """JSON-like data for one record of `model`: required fields always, others sometimes."""
    required, optional = {}, {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key.startswith("$"):
            continue
        (required if info.is_required() else optional)[key] = st.deferred(
            lambda info=info: _field(info)
        )
    return st.fixed_dictionaries(required, optional=optional)


# ---------------------------------------------------------------------------------------------
# Making a draw valid


def _markers(info: FieldInfo, shape: FieldShape) -> tuple[Id | Ref | None, bool]:
    for meta in [*shape.metadata, *shape.item_metadata, *info.metadata]:
        if isinstance(meta, Id | Ref):
            return meta, shape.is_list
    return None, False


def _collect_ids(model: type[BaseModel], data: Any, ids: dict[str, list[str]]) -> None:
    """Make ids unique within their kind (renaming repeats) and list them."""
    if not isinstance(data, dict):
        return
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in data:
            continue
        shape = field_shape(info)
        marker, _ = _markers(info, shape)
        if isinstance(marker, Id):
            known = ids.setdefault(marker.kind, [])
            if data[key] in known:
                data[key] = f"{marker.kind[:2]}{len(known)}"
            while data[key] in known:
                data[key] += "x"
            known.append(data[key])
        if is_model(shape.base):
            for item in data[key] if shape.is_list else [data[key]]:
                _collect_ids(shape.base, item, ids)


def _resolve(model: type[BaseModel], data: dict[str, Any], ids: dict[str, list[str]]) -> bool:
    """Point references at existing ids; False when the record cannot be kept."""
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in data:
            continue
        shape = field_shape(info)
        marker, many = _markers(info, shape)
        if isinstance(marker, Ref):
            known = ids.get(marker.kind, [])
            if many:
                data[key] = [value for value in data[key] if value in known]
                if len(data[key]) < (_constraint(shape, "min_length") or 0):
                    return False
            elif data[key] not in known:
                if not known:
                    return False
                data[key] = known[0]
        if is_model(shape.base) and shape.is_list:
            data[key] = [item for item in data[key] if _resolve(shape.base, item, ids)]
            if len(data[key]) < (_constraint(shape, "min_length") or 0):
                return False
        elif is_model(shape.base) and not _resolve(shape.base, data[key], ids):
            if info.is_required():
                return False
            del data[key]
    return True


def _has_content(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_content(item) for item in value.values())
    if isinstance(value, list):
        return bool(value)
    return value is not None


def _tidy(model: type[BaseModel], data: dict[str, Any]) -> None:
    """Periods end after they start; optional records that hold nothing are left out."""
    if isinstance(data.get("start"), str) and isinstance(data.get("end"), str):
        if re.fullmatch(r"\d{4}-\d\d-\d\d", data["start"]) and data["end"] <= data["start"]:
            start = dt.date.fromisoformat(data["start"])
            data["end"] = (start + dt.timedelta(days=300)).isoformat()
    for name, info in model.model_fields.items():
        key = info.alias or name
        shape = field_shape(info)
        if key not in data or not is_model(shape.base):
            continue
        for item in data[key] if shape.is_list else [data[key]]:
            _tidy(shape.base, item)
        if not info.is_required() and not _has_content(data[key]) and shape.nullable:
            del data[key]


@st.composite
def plan_data(draw: st.DrawFn) -> dict[str, Any]:
    """A valid plan, as the JSON data of an input."""
    data = draw(records(Plan))
    # Records dropped for want of a reference may hold ids others use: settle until stable.
    while True:
        ids: dict[str, list[str]] = {}
        _collect_ids(Plan, data, ids)
        before = repr(data)
        _resolve(Plan, data, ids)
        if repr(data) == before:
            break
    _tidy(Plan, data)
    return data
