"""Checks the JSON Schema cannot express: unique ids, resolving references, and values that
depend on each other (a percent target within 0–100, a school year's two halves).

They run on the raw data, guided by the model's `Id`/`Ref` markers, so they report their
problems in the same run as schema errors, even when other parts of the input are malformed.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, partial
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from pipeline.errors import DataPath, Problem
from pipeline.inputs.source import Source
from pipeline.model.fields import KIND_NAMES, Id, Ref
from pipeline.model.plan import Plan


@dataclass(frozen=True)
class _Marked:
    marker: Id | Ref
    value: str
    path: DataPath


def _markers(annotation: Any) -> list[Id | Ref]:
    if get_origin(annotation) is Annotated:
        return [m for m in annotation.__metadata__ if isinstance(m, Id | Ref)]
    return []


_Walker = Callable[[Any, DataPath], Iterator[_Marked]]


def _walk(model: type[BaseModel], data: Any, path: DataPath) -> Iterator[_Marked]:
    """Yield every id and reference in `data`, read as an instance of `model`."""
    if not isinstance(data, dict):
        return
    for key, markers, walker in _fields(model):
        if key not in data:
            continue
        here = (*path, key)
        value = data[key]
        if isinstance(value, str):
            for marker in markers:
                yield _Marked(marker, value, here)
        if walker is not None:
            yield from walker(value, here)


@cache
def _fields(model: type[BaseModel]) -> tuple[tuple[str, tuple[Id | Ref, ...], _Walker | None], ...]:
    """Each field of `model` that can hold an id or reference: its key, its own markers, and
    how to walk its value (None when nothing inside it can hold one)."""
    fields = []
    for name, info in model.model_fields.items():
        markers = tuple(m for m in info.metadata if isinstance(m, Id | Ref))
        walker = _walker(info.annotation)
        if markers or walker is not None:
            fields.append((info.alias or name, markers, walker))
    return tuple(fields)


_WALKERS: dict[int, tuple[Any, _Walker | None]] = {}


def _walker(annotation: Any) -> _Walker | None:
    """How to walk a value of type `annotation` for its ids and references, worked out once
    per type (None when it holds none): what `_walk` did, without asking the type again for
    every value. (Kept by the annotation's identity: not every annotation can be hashed.)"""
    known = _WALKERS.get(id(annotation))
    if known is None or known[0] is not annotation:
        known = _WALKERS[id(annotation)] = (annotation, _make_walker(annotation))
    return known[1]


def _make_walker(annotation: Any) -> _Walker | None:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        walkers = [_walker(arg) for arg in get_args(annotation) if arg is not type(None)]
        inner = [walker for walker in walkers if walker is not None]
        if not inner:
            return None

        def union(value: Any, path: DataPath) -> Iterator[_Marked]:
            for walker in inner:
                yield from walker(value, path)

        return union
    if origin is list:
        (item_type,) = get_args(annotation)
        markers = _markers(item_type)
        item_walker = _walker(item_type)
        if not markers and item_walker is None:
            return None

        def items(value: Any, path: DataPath) -> Iterator[_Marked]:
            if not isinstance(value, list):
                return
            for index, item in enumerate(value):
                if isinstance(item, str):
                    for marker in markers:
                        yield _Marked(marker, item, (*path, index))
                if item_walker is not None:
                    yield from item_walker(item, (*path, index))

        return items
    if origin is Annotated:
        return _walker(get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        model = annotation
        return lambda value, path: _walk(model, value, path)
    return None


_Collector = Callable[[Any, list[tuple[str, str]], list[tuple[str, str]]], None]


def _collect(model: type[BaseModel], data: Any, ids: list[Any], refs: list[Any]) -> None:
    """What `_walk` finds, without places: each id's and each reference's (kind, value)."""
    if not isinstance(data, dict):
        return
    for key, markers, collector in _collectors(model):
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, str):
            for marker in markers:
                (ids if isinstance(marker, Id) else refs).append((marker.kind, value))
        if collector is not None:
            collector(value, ids, refs)


@cache
def _collectors(
    model: type[BaseModel],
) -> tuple[tuple[str, tuple[Id | Ref, ...], _Collector | None], ...]:
    """`_fields`, with a collector where `_fields` has a walker."""
    return tuple(
        (key, markers, None if walker is None else _collector(_annotation(model, key)))
        for key, markers, walker in _fields(model)
    )


def _annotation(model: type[BaseModel], key: str) -> Any:
    return next(i.annotation for n, i in model.model_fields.items() if (i.alias or n) == key)


def _collector(annotation: Any) -> _Collector | None:
    """`_make_walker`, collecting: the same values, in one pass of plain calls."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        found = [_collector(arg) for arg in get_args(annotation) if arg is not type(None)]
        inner = [collector for collector in found if collector is not None]

        if len(inner) <= 1:  # most unions: an optional value
            return inner[0] if inner else None

        def union(value: Any, ids: list[Any], refs: list[Any]) -> None:
            for collector in inner:
                collector(value, ids, refs)

        return union
    if origin is list:
        (item_type,) = get_args(annotation)
        markers = _markers(item_type)
        item_collector = _collector(item_type)
        if not markers and item_collector is None:
            return None

        def items(value: Any, ids: list[Any], refs: list[Any]) -> None:
            if not isinstance(value, list):
                return
            if not markers and item_collector is not None:  # a list of records
                for item in value:
                    item_collector(item, ids, refs)
                return
            for item in value:
                if isinstance(item, str):
                    for marker in markers:
                        (ids if isinstance(marker, Id) else refs).append((marker.kind, item))
                if item_collector is not None:
                    item_collector(item, ids, refs)

        return items
    if origin is Annotated:
        return _collector(get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return partial(_collect, annotation)
    return None


def check_references(source: Source) -> list[Problem]:
    """Every id is unique among its kind; every reference names an existing id."""
    ids: list[tuple[str, str]] = []
    refs: list[tuple[str, str]] = []
    _collect(Plan, source.data, ids, refs)
    unique = set(ids)
    if len(unique) == len(ids) and unique.issuperset(refs):  # most plans: nothing to say
        return []
    marked = list(_walk(Plan, source.data, ()))
    first: dict[tuple[str, str], DataPath] = {}
    problems: list[Problem] = []
    for item in marked:
        if isinstance(item.marker, Id):
            key = (item.marker.kind, item.value)
            if key in first:
                kind = KIND_NAMES[item.marker.kind]
                problems.append(
                    source.problem(
                        item.path,
                        f"{kind} id '{item.value}' is used twice",
                        f"it is first used at {source.locate(first[key])}; ids must be unique",
                    )
                )
            else:
                first[key] = item.path
    for item in marked:
        if isinstance(item.marker, Ref) and (item.marker.kind, item.value) not in first:
            kind = KIND_NAMES[item.marker.kind]
            known = sorted(value for (k, value) in first if k == item.marker.kind)
            hint = f"known ids: {', '.join(known)}" if known else f"the plan has no {kind}s"
            problems.append(source.problem(item.path, f"no {kind} has the id '{item.value}'", hint))
    return problems


def _number(value: Any) -> float | None:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if is_number else None


def _dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def check_values(source: Source, *, years_in_order: bool = False) -> list[Problem]:
    """Values that depend on each other: percent ranges, school years, date order.
    `years_in_order`: the caller knows every school year is (so they are not looked at)."""
    data = source.data if isinstance(source.data, dict) else {}
    problems: list[Problem] = []
    for index, outcome in _dicts(data.get("outcomes")):
        if outcome.get("unit") != "percent":
            continue
        base: DataPath = ("outcomes", index)
        values: list[tuple[DataPath, Any]] = [
            ((*base, "baseline", "value"), (outcome.get("baseline") or {}).get("value")),
            ((*base, "final_target", "value"), (outcome.get("final_target") or {}).get("value")),
        ]
        for t_index, target in _dicts(outcome.get("interim_targets")):
            values.append(((*base, "interim_targets", t_index, "value"), target.get("value")))
        for path, value in values:
            number = _number(value)
            if number is not None and not 0 <= number <= 100:
                problems.append(
                    source.problem(
                        path,
                        f"{value} is not a percentage between 0 and 100",
                        "the outcome's unit is percent; write 45 for 45%",
                    )
                )
    if not years_in_order and _any_bad_school_year(data):  # only then are they placed
        problems += _check_school_years(source, data)
    for path in (("plan", "years"), ("action_plan",)):
        section: Any = data
        for key in path:
            section = section.get(key) if isinstance(section, dict) else None
        if not isinstance(section, dict):
            continue
        start, end = section.get("start"), section.get("end")
        if isinstance(start, str) and isinstance(end, str) and len(start) == len(end) == 10:
            if end <= start:  # ISO dates order as text
                problems.append(
                    source.problem((*path, "end"), f"ends ({end}) before it starts ({start})")
                )
    return problems


def _check_school_years(source: Source, data: Any, path: DataPath = ()) -> Iterator[Problem]:
    """A school year such as '2024-25' names two consecutive years."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("year", "school_year") and isinstance(value, str) and len(value) == 7:
                first, _, second = value.partition("-")
                if first.isdigit() and second.isdigit() and (int(first) + 1) % 100 != int(second):
                    yield source.problem(
                        (*path, key),
                        f"'{value}' is not a school year",
                        f"write two consecutive years, e.g. '{first}-{(int(first) + 1) % 100:02d}'",
                    )
            else:
                yield from _check_school_years(source, value, (*path, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _check_school_years(source, item, (*path, index))


def _is_bad_school_year(value: Any) -> bool:
    if not (isinstance(value, str) and len(value) == 7):
        return False
    first, _, second = value.partition("-")
    return first.isdigit() and second.isdigit() and (int(first) + 1) % 100 != int(second)


def _any_bad_school_year(data: Any) -> bool:
    """Whether `_check_school_years` may find something in `data`: one pass, no places (it
    may say yes where that finds nothing, never the reverse)."""
    stack = [data]
    push = stack.append
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key in ("year", "school_year"):
                if key in value and _is_bad_school_year(value[key]):
                    return True
            for item in value.values():
                if type(item) is not str:  # a text holds nothing to look into
                    push(item)
        elif isinstance(value, list):
            for item in value:
                if type(item) is not str:
                    push(item)
    return False
