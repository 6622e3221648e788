"""The plan model read generically for `changes.py`: what each field holds, what it is called,
how a record is identified in its list, and how a value is written as the documents write it.

Everything here is derived from `model_fields` (types, `Id` markers, titles), so a field added
to the model is compared, labelled and formatted without a change here.
"""

from __future__ import annotations

import datetime as dt
import types
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from annotated_types import Ge, Le
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from pipeline.model.fields import KIND_NAMES, MAX_AMOUNT, MAX_MEASURE, Id, Ref
from pipeline.model.vocabulary import Labeled

_ACRONYMS = {"id": "ID", "essa": "ESSA", "el": "EL", "pd": "PD"}
LIST_CAP = 12
"""How many items of a nested list a record's summary names before it says how many more."""


@dataclass(frozen=True)
class Shape:
    """A field's type with its Optional, Annotated and list wrappers taken apart."""

    base: Any
    """The record class, closed list, or plain type of the value (of each item of a list)."""
    is_list: bool
    markers: tuple[Any, ...]
    """The field's metadata and its (items') type's: `Id`, `Ref`, bounds, patterns."""

    @property
    def is_record(self) -> bool:
        return isinstance(self.base, type) and issubclass(self.base, BaseModel)

    @property
    def id_kind(self) -> str | None:
        return next((m.kind for m in self.markers if isinstance(m, Id)), None)

    @property
    def is_free_text(self) -> bool:
        """Text a person writes (a mission, a description), as opposed to a code, an id, a
        reference or a patterned value (a school year): a change of it is a rewording."""
        if self.base is not str:
            return False
        coded = (Id, Ref)
        return not any(isinstance(m, coded) or getattr(m, "pattern", None) for m in self.markers)


def _unwrap(annotation: Any, markers: list[Any]) -> tuple[Any, list[Any]]:
    while True:
        origin = get_origin(annotation)
        if origin in (Union, types.UnionType):
            args = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(args) != 1:  # a union of several kinds of value: compared as a whole
                return object, markers
            annotation = args[0]
        elif origin is Annotated:
            markers = [*markers, *annotation.__metadata__]
            annotation = get_args(annotation)[0]
        else:
            break
    flat: list[Any] = []
    for marker in markers:  # a `Field(...)` inside Annotated carries its own constraints
        flat += [marker, *marker.metadata] if isinstance(marker, FieldInfo) else [marker]
    return annotation, flat


@cache
def field_shape(model: type[BaseModel], name: str) -> Shape:
    """The shape of the field `name` of `model`."""
    return shape_of(model.model_fields[name])


def shape_of(info: FieldInfo) -> Shape:
    base, markers = _unwrap(info.annotation, list(info.metadata))
    if get_origin(base) is list:
        item, item_markers = _unwrap(get_args(base)[0], [])
        return Shape(item, True, (*markers, *item_markers))
    return Shape(base, False, tuple(markers))


def humanize(name: str) -> str:
    """A field name as a person reads it: 'essa_designation' → 'ESSA designation'."""
    words = [_ACRONYMS.get(word, word) for word in name.rstrip("_").split("_") if word]
    if not words:
        return name
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


def _class_words(model: type[BaseModel]) -> set[str]:
    words = "".join(f" {c}" if c.isupper() else c for c in model.__name__).split()
    return {word.lower() for word in words}


@cache
def field_label(model: type[BaseModel], name: str) -> str:
    """What a field is called: its title, else its name in words. A title made unique for the
    workbook by naming its record ('Initiative schools' in an initiative) loses that word."""
    info = model.model_fields[name]
    if not info.title:
        return humanize(name)
    first, _, rest = info.title.partition(" ")
    if rest and first.lower() in _class_words(model):
        return rest[:1].upper() + rest[1:]
    return info.title


def kind_noun(kind: str) -> str:
    """An id's kind as a record's name in a location: 'objective' → 'Objective'."""
    name = KIND_NAMES.get(kind, kind.replace("_", " ")).removeprefix("strategic ")
    return name[:1].upper() + name[1:]


@cache
def id_field(model: type[BaseModel]) -> tuple[str, str] | None:
    """The field holding a record's id (marked `Id(kind)`), and the kind."""
    for name in model.model_fields:
        kind = field_shape(model, name).id_kind
        if kind is not None:
            return name, kind
    return None


@cache
def key_field(model: type[BaseModel]) -> str | None:
    """The record's natural key, for a record without an id: its first required field that
    holds one text, date or closed-list value (a roadmap row's phase, a target's date, a core
    value's name)."""
    for name, info in model.model_fields.items():
        shape = field_shape(model, name)
        if not info.is_required() or shape.is_list:
            continue
        base = shape.base
        if base is str or base is dt.date or (isinstance(base, type) and issubclass(base, Enum)):
            return name
    return None


def is_empty(value: Any) -> bool:
    """Nothing there: None, an empty list, or a record all of whose fields are empty (the
    documents show none of these, and a workbook cannot tell them apart)."""
    if value is None:
        return True
    if isinstance(value, list):
        return not value
    if isinstance(value, BaseModel):
        return all(is_empty(getattr(value, name)) for name in type(value).model_fields)
    return False


# ---------------------------------------------------------------------------------------------
# values as the documents write them


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.10g}"


def _bound(markers: tuple[Any, ...], kind: type, value: float) -> bool:
    return any(isinstance(m, kind) and getattr(m, kind.__name__.lower()) == value for m in markers)


def format_value(value: Any, shape: Shape | None = None, unit: Any = None) -> str:
    """One value as documents print it: a closed list's label, an ISO date, '45%' for a
    percent (or a measure in percent: `unit`, the unit of the outcome it belongs to), '$12,000'
    for an amount, 'yes'/'no'; a list as its items, comma separated."""
    markers = shape.markers if shape else ()
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(format_value(item, shape, unit) for item in value)
    if isinstance(value, Labeled):
        return value.label
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        if _bound(markers, Le, MAX_AMOUNT):
            amount = round(float(value), 2)
            return f"${amount:,.0f}" if amount.is_integer() else f"${amount:,.2f}"
        if _bound(markers, Ge, 0) and _bound(markers, Le, 100):
            return f"{_number(value)}%"
        if _bound(markers, Ge, -MAX_MEASURE) and isinstance(unit, Labeled):
            sign = unit.label
            return (
                f"{_number(value)}{sign}" if not sign[:1].isalnum() else f"{_number(value)} {sign}"
            )
        return _number(value)
    if isinstance(value, BaseModel):
        return "; ".join(f"{label}: {text}" for label, text in summary(value, unit))
    return str(value)


def unit_of(record: BaseModel, inherited: Any) -> Any:
    """The unit a record's measures are in: its own `unit` when it states one, else the one of
    the record it belongs to (an outcome's targets are in the outcome's unit)."""
    own = getattr(record, "unit", None)
    return own if isinstance(own, Labeled) else inherited


def short(text: str, width: int = 40) -> str:
    """`text` on one line, cut to `width` characters."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def key_text(record: BaseModel) -> str:
    """How a record is named among its siblings: its id, its natural key, or its first value
    that names it (a measure row's label or grades); '' when it has none."""
    model = type(record)
    found = id_field(model)
    name = found[0] if found else key_field(model)
    if name is not None and not is_empty(getattr(record, name)):
        return short(format_value(getattr(record, name)))
    for field_name in model.model_fields:
        value = getattr(record, field_name)
        shape = field_shape(model, field_name)
        if shape.is_list or shape.is_record or is_empty(value) or isinstance(value, bool):
            continue
        if isinstance(value, str | dt.date | Enum):
            return short(format_value(value, shape))
    return ""


def summary(record: BaseModel, unit: Any = None) -> list[tuple[str, str]]:
    """A record's content as (label, value) lines, for a record added or removed: each value
    that is there; a nested list of records by the names of its items."""
    model = type(record)
    unit = unit_of(record, unit)
    id_name = (id_field(model) or (None,))[0]  # the record's name says it
    lines: list[tuple[str, str]] = []
    for name, info in model.model_fields.items():
        value = getattr(record, name)
        if is_empty(value) or (info.alias or name).startswith("$") or name == id_name:
            continue
        shape = field_shape(model, name)
        label = field_label(model, name)
        if shape.is_list and shape.is_record:
            names = [key_text(item) or f"item {n}" for n, item in enumerate(value, 1)]
            more = f" … ({len(names)} in all)" if len(names) > LIST_CAP else ""
            lines.append((label, ", ".join(names[:LIST_CAP]) + more))
        else:
            lines.append((label, format_value(value, shape, unit)))
    return lines


def summary_text(record: BaseModel, unit: Any = None) -> str:
    return "\n".join(f"{label}: {text}" for label, text in summary(record, unit))


def leaves(value: Any) -> list[str]:
    """Every value inside `value`, as text, in order: what records are compared by when they
    have no id or key to match them."""
    if isinstance(value, BaseModel):
        return [text for name in type(value).model_fields for text in leaves(getattr(value, name))]
    if isinstance(value, list):
        return [text for item in value for text in leaves(item)]
    if value is None:
        return []
    return [format_value(value)]
