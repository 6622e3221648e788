"""What changed between two revisions of a plan, in the plan's own terms.

`diff_plans(old, new)` compares two validated plans field by field, walking `model_fields`
(so a field added to the model is compared without a change here), and lists each change in
document order: a record added or removed, a field's value changed (or reworded, with the
words changed), an item of a list of values added or removed, a list reordered.

- Values are compared as the model holds them, so a change of form only (45 read from 0.45 in
  a workbook, a date typed another way) is no change; nothing (None), an empty list and a
  record with nothing in it are the same (the documents show none of them); `$schema` is
  ignored. `canonical(plan)` is the plan in that normal form: two plans have no change between
  them exactly when their canonical forms are equal.
- Records are matched by id (`Id(...)` fields) wherever they stand in their list; records
  without an id by their natural key (`changes_fields.key_field`: a roadmap row's phase, a
  target's date) where it is unique, then by equality, then by similarity. Matched records
  in another order make the list reordered: documents print lists in order.

Splits: `changes_fields.py` reads the model (labels, keys, formatting), `changes_match.py`
matches lists and diffs words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from pydantic import BaseModel

from pipeline.errors import DataPath, json_path
from pipeline.model.changes_fields import (
    Shape,
    field_label,
    field_shape,
    format_value,
    id_field,
    is_empty,
    key_field,
    key_text,
    kind_noun,
    leaves,
    summary_text,
    unit_of,
)
from pipeline.model.changes_match import (
    SIMILAR_TEXT,
    Pair,
    Words,
    in_new_order,
    in_old_order,
    match,
    moved,
    reordered,
    word_diff,
)
from pipeline.model.plan import Plan

Kind = Literal["added", "removed", "changed", "reworded", "reordered"]
Element = Literal["record", "field", "item", "order"]
KINDS: tuple[Kind, ...] = ("added", "removed", "changed", "reworded", "reordered")


@dataclass(frozen=True)
class Change:
    """One change between two revisions of a plan."""

    section: str
    """The top-level section it is in, by its title: 'Foundation', 'Action plan'."""
    where: tuple[str, ...]
    """Where in the section, as a person finds it: ('Objective SO2', 'Initiative 2.3')."""
    label: str
    """What changed: the field ('Due'), the record ('Initiative 2.3'), or the list."""
    kind: Kind
    element: Element
    """'record': a whole record added or removed (`label` names it); 'field': one field's value
    (added: it was empty; removed: it is now); 'item': a value of a list of values (`label`
    is the list); 'order': the list's order (`label` is the list)."""
    path: str
    """A JSON path through ids and keys: `$.objectives[?id=='SO2'].initiatives[?id=='2.3']`."""
    at: str
    """The plain JSON path in the new input (in the old one for what was removed)."""
    old: str | None = None
    """The old value as documents print it; a removed record's content, one field a line; a
    reordered list's items in their old order."""
    new: str | None = None
    words: Words = ()
    """For text reworded: the words kept ('='), removed ('-') and added ('+')."""
    moved: tuple[str, ...] = ()
    """For a list reordered: the items that moved, each with where it now is ('B1.1.3 (now
    after B1.1.4)', 'B1.1.2 (now first)'); the rest kept their order."""

    @property
    def place(self) -> str:
        """`where` as one line: 'Objective SO2 › Initiative 2.3'."""
        return " › ".join(self.where)


@dataclass(frozen=True)
class _Place:
    section: str
    where: tuple[str, ...]
    path: str
    old_at: DataPath
    new_at: DataPath
    old_unit: Any = None
    new_unit: Any = None

    def field(self, key: str) -> _Place:
        return replace(
            self, path=f"{self.path}.{key}", old_at=(*self.old_at, key), new_at=(*self.new_at, key)
        )


def diff_plans(old: Plan, new: Plan) -> list[Change]:
    """Every change from `old` to `new`, in document order (the new plan's)."""
    out: list[Change] = []
    model = type(new)
    for name, info in model.model_fields.items():
        if (info.alias or name).startswith("$"):
            continue
        place = _Place(field_label(model, name), (), "$", (), ())
        _field(getattr(old, name, None), getattr(new, name), model, name, place, out)
    return out


@dataclass(frozen=True)
class Since:
    """A previous revision of a plan, and what changed from it: diffed once, read by the
    documents' summary of changes and by the reports."""

    previous: Plan
    changes: list[Change]

    @classmethod
    def of(cls, previous: Plan, plan: Plan) -> Since:
        return cls(previous, diff_plans(previous, plan))


def by_section(changes: list[Change]) -> list[tuple[str, list[Change]]]:
    """The changes grouped by section, sections in document order."""
    groups: dict[str, list[Change]] = {}
    for change in changes:
        groups.setdefault(change.section, []).append(change)
    return list(groups.items())


def canonical(plan: Plan) -> Any:
    """The plan as JSON data in the normal form the diff compares: without `$schema`, and
    without any field that is empty (None, [], a record with nothing in it)."""
    return _prune(plan.model_dump(mode="json", by_alias=True, exclude={"schema_ref"}))


def _prune(data: Any) -> Any:
    if isinstance(data, dict):
        kept = {key: _prune(value) for key, value in data.items()}
        return {key: value for key, value in kept.items() if value not in (None, [], {})}
    if isinstance(data, list):
        return [_prune(item) for item in data]
    return data


# ---------------------------------------------------------------------------------------------
# the walk


def _emit(
    out: list[Change], place: _Place, label: str, kind: Kind, element: Element, **kw: Any
) -> None:
    at = place.old_at if kind == "removed" else place.new_at
    out.append(
        Change(place.section, place.where, label, kind, element, place.path, json_path(at), **kw)
    )


def _record(old: BaseModel, new: BaseModel, place: _Place, out: list[Change]) -> None:
    place = replace(
        place, old_unit=unit_of(old, place.old_unit), new_unit=unit_of(new, place.new_unit)
    )
    model = type(new)
    for name in model.model_fields:
        _field(getattr(old, name, None), getattr(new, name), model, name, place, out)


def _field(
    old: Any, new: Any, model: type[BaseModel], name: str, parent: _Place, out: list[Change]
) -> None:
    info = model.model_fields[name]
    if is_empty(old) and is_empty(new):
        return
    shape = field_shape(model, name)
    label = field_label(model, name)
    place = parent.field(info.alias or name)
    if shape.is_list:
        if shape.is_record:
            _records(old or [], new or [], shape, label, place, parent.where, out)
        else:
            _values(old or [], new or [], shape, label, place, out)
    elif shape.is_record and not (is_empty(old) or is_empty(new)):
        # A section is named by the change's `section`, a record inside one in `where`.
        where = (*parent.where, label) if parent.path != "$" else parent.where
        _record(old, new, replace(place, where=where), out)
    elif shape.is_record:
        here = replace(place, where=parent.where)
        if is_empty(old):
            _emit(out, here, label, "added", "field", new=summary_text(new, place.new_unit))
        else:
            _emit(out, here, label, "removed", "field", old=summary_text(old, place.old_unit))
    elif old != new:
        _scalar(old, new, shape, label, replace(place, where=parent.where), out)


def _scalar(old: Any, new: Any, shape: Shape, label: str, place: _Place, out: list[Change]) -> None:
    before = None if is_empty(old) else format_value(old, shape, place.old_unit)
    after = None if is_empty(new) else format_value(new, shape, place.new_unit)
    if before is None:
        _emit(out, place, label, "added", "field", new=after)
    elif after is None:
        _emit(out, place, label, "removed", "field", old=before)
    elif shape.is_free_text:
        _emit(
            out, place, label, "reworded", "field", old=before, new=after, words=word_diff(old, new)
        )
    else:
        _emit(out, place, label, "changed", "field", old=before, new=after)


def _item_names(items: list[Any], id_kind: str | None) -> list[str]:
    """Each record's name in its list: 'Initiative 2.3', 'Implement Plan', or 'item 3' (and
    its position when its name is not unique)."""
    names = [key_text(item) for item in items]
    if id_kind is not None:
        return [f"{kind_noun(id_kind)} {name}" for name in names]
    count = {name: names.count(name) for name in names}
    return [
        name if name and count[name] == 1 else f"{name} (item {n})" if name else f"item {n}"
        for n, name in enumerate(names, 1)
    ]


def _filter(value: Any) -> str:
    text = value.value if hasattr(value, "value") else str(value)
    return "'" + str(text).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _records(
    old: list[Any],
    new: list[Any],
    shape: Shape,
    label: str,
    place: _Place,
    parent_where: tuple[str, ...],
    out: list[Change],
) -> None:
    model = shape.base
    found = id_field(model)
    key_name = found[0] if found else key_field(model)
    id_kind = found[1] if found else None

    def key(record: Any) -> Any:
        return getattr(record, key_name) if key_name else None

    pairs = match(old, new, key if key_name else None, by_key_only=bool(found), text=leaves)
    old_names, new_names = _item_names(old, id_kind), _item_names(new, id_kind)
    where = parent_where if id_kind else (*parent_where, label)
    if reordered(pairs):
        _emit(
            out,
            replace(place, where=parent_where),
            label,
            "reordered",
            "order",
            old=", ".join(_bare(old[i], i) for i, _ in in_old_order(pairs)),
            new=", ".join(_bare(new[j], i) for i, j in in_new_order(pairs)),
            moved=_moved(pairs, lambda j: _bare(new[j], j)),
        )
    keys_unique = bool(key_name) and _unique_keys(old, new, key)
    for i, j in pairs:
        record, index, name = (
            (new[j], j, new_names[j]) if j is not None else _old(old, i, old_names)
        )
        step = f"[{index}]"
        if key_name and keys_unique and key(record) is not None:
            step = f"[?{model.model_fields[key_name].alias or key_name}=={_filter(key(record))}]"
        here = _at(place, i, j, place.path + step, where)
        if i is None:
            _emit(out, here, name, "added", "record", new=summary_text(record, place.new_unit))
        elif j is None:
            _emit(out, here, name, "removed", "record", old=summary_text(record, place.old_unit))
        else:
            _record(old[i], record, replace(here, where=(*where, name)), out)


def _old(old: list[Any], i: int | None, names: list[str]) -> tuple[Any, int, str]:
    assert i is not None  # a pair has at least one side
    return old[i], i, names[i]


def _at(place: _Place, i: int | None, j: int | None, path: str, where: tuple[str, ...]) -> _Place:
    """The place of the item at `i` in the old list and `j` in the new one."""
    return replace(
        place,
        where=where,
        path=path,
        old_at=(*place.old_at, i if i is not None else -1),
        new_at=(*place.new_at, j if j is not None else -1),
    )


def _moved(pairs: list[Pair], name: Callable[[int], str]) -> tuple[str, ...]:
    """The items of a reordered list that moved, each with where it now is (none when two
    items go by one name: the whole new order says it better)."""
    names = [name(j) for _, j in in_new_order(pairs)]
    if len(set(names)) != len(names):
        return ()
    return tuple(
        f"{name(j)} (now {'after ' + name(after) if after is not None else 'first'})"
        for j, after in moved(pairs)
    )


def _bare(record: Any, old_index: int) -> str:
    """A record's name in a reordered list: its id or key alone ('1.2', not 'Initiative 1.2'),
    else its old position."""
    return key_text(record) or f"item {old_index + 1}"


def _unique_keys(old: list[Any], new: list[Any], key: Any) -> bool:
    for items in (old, new):
        keys = [key(item) for item in items]
        if len(set(keys)) != len(keys):
            return False
    return True


def _values(
    old: list[Any], new: list[Any], shape: Shape, label: str, place: _Place, out: list[Change]
) -> None:
    """A list of plain values (strengths, ids, student groups): items added, removed,
    reworded (texts only), and the list reordered."""
    text = (lambda value: [value]) if shape.is_free_text else None
    pairs: list[Pair] = match(old, new, text=text, threshold=SIMILAR_TEXT)

    def show(value: Any, unit: Any) -> str:
        return format_value(value, shape, unit)

    if reordered(pairs):
        _emit(
            out,
            place,
            label,
            "reordered",
            "order",
            old=", ".join(show(old[i], place.old_unit) for i, _ in in_old_order(pairs)),
            new=", ".join(show(new[j], place.new_unit) for _, j in in_new_order(pairs)),
            moved=_moved(pairs, lambda j: show(new[j], place.new_unit)),
        )
    for i, j in pairs:
        here = _at(place, i, j, f"{place.path}[{j if j is not None else i}]", place.where)
        if j is None:
            assert i is not None
            _emit(out, here, label, "removed", "item", old=show(old[i], place.old_unit))
        elif i is None:
            _emit(out, here, label, "added", "item", new=show(new[j], place.new_unit))
        elif old[i] != new[j]:
            _emit(
                out,
                here,
                label,
                "reworded",
                "item",
                old=show(old[i], place.old_unit),
                new=show(new[j], place.new_unit),
                words=word_diff(old[i], new[j]),
            )
