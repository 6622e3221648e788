"""The workbook's layout, derived from the plan model: which sheets, which columns, what kind of
value each column holds.

Nothing here is written by hand per field. The walk over `model_fields` gives:

- the top-level sections' own fields (with nested single objects flattened: `leader.name`
  becomes the field "Leader name") as one form sheet, "Plan": one row per field;
- a sheet per list of records (`plan.team`, `objectives`), one row per record; a list nested in
  a record (`objectives[].initiatives`) gets a column naming its parent's id ("Objective ID");
- a sheet of one column for each list of free text (`needs_assessment.strengths`);
- for lists of ids or of closed-list values inside a record, one cell with several values.

So a field added to the model appears in the workbook, with its description as the input
message, its type as the cell format and its closed list as a dropdown.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from pipeline.inputs.workbook.layout import (
    FORM_SHEET,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    Choice,
    Column,
    Kind,
    Layout,
    ParentKey,
    Percent,
    Table,
    humanize,
)
from pipeline.inputs.workbook.shapes import FieldShape, constraint, field_shape, is_model
from pipeline.model.fields import Id, Ref
from pipeline.model.periods import check_period
from pipeline.model.plan import Plan
from pipeline.model.vocabulary import Labeled, Unit

SHEET_NAME_LIMIT = 31  # Excel's limit


def _title(name: str, info: FieldInfo) -> str:
    return info.title or humanize(name)


def _is_free_text(base: Any, metadata: list[Any]) -> bool:
    return base is str and constraint(metadata, "pattern") is None


def _id_field(model: type[BaseModel]) -> tuple[str, str] | None:
    """The field holding a record's id, and the id's kind."""
    for name, info in model.model_fields.items():
        for marker in info.metadata:
            if isinstance(marker, Id):
                return info.alias or name, marker.kind
    return None


def _noun(model: type[BaseModel]) -> str:
    """A record in words: its id's kind ('initiative'), else its class name ('core value')."""
    if found := _id_field(model):
        return found[1].replace("_", " ")
    words = "".join(f"_{c.lower()}" if c.isupper() else c for c in model.__name__)
    return humanize(words.strip("_")).lower()


# ---------------------------------------------------------------------------------------------
# The walk


def _scalar_column(
    key: tuple[str, ...],
    header: str,
    info: FieldInfo,
    shape: FieldShape,
    *,
    required: bool,
    group: str | None,
    unit_key: str | None,
    section: str | None,
) -> Column:
    metadata = shape.item_metadata if shape.is_list else shape.metadata
    markers = [*metadata, *shape.metadata]
    id_kind = next((m.kind for m in markers if isinstance(m, Id)), None)
    ref_kind = next((m.kind for m in markers if isinstance(m, Ref)), None)
    base = shape.base
    choices: tuple[Choice, ...] = ()
    choices_name = None
    percent = Percent.NO
    digits = False
    if isinstance(base, type) and issubclass(base, Enum):
        kind = Kind.CHOICE
        choices = tuple(
            Choice(m.value, m.label if isinstance(m, Labeled) else str(m.value)) for m in base
        )
        choices_name = humanize(
            "".join(f"_{c.lower()}" if c.isupper() else c for c in base.__name__).strip("_")
        )
    elif get_origin(base) is Literal:
        kind = Kind.CHOICE
        choices = tuple(Choice(value, str(value)) for value in get_args(base))
        choices_name = header
    elif base is bool:
        kind = Kind.BOOLEAN
        choices, choices_name = (Choice(True, "Yes"), Choice(False, "No")), "Yes or no"
    elif base is int:
        kind = Kind.INTEGER
    elif base is float:
        kind = Kind.NUMBER
        if constraint(metadata, "ge") == 0 and constraint(metadata, "le") == 100:
            percent = Percent.ALWAYS
        elif unit_key:
            percent = Percent.BY_UNIT
    elif base is dt.date:
        kind = Kind.DATE
    elif base is str and any(getattr(m, "func", None) is check_period for m in markers):
        kind = Kind.PERIOD  # a timeline: a date or a period, kept as written
    elif base is str:
        pattern = constraint(metadata, "pattern")
        kind = Kind.TEXT if pattern is None else Kind.CODE
        digits = bool(pattern and re.fullmatch(r"\^\[0-9\](\{[0-9,]+\}|\+)\$", pattern))
    else:
        raise TypeError(f"the workbook has no cell format for {base!r} ({'.'.join(key)})")
    return Column(
        key=key,
        header=header,
        description=info.description or header,
        kind=kind,
        required=required,
        group=group,
        many=shape.is_list,
        choices=choices,
        choices_name=choices_name,
        id_kind=id_kind,
        ref_kind=ref_kind,
        percent=percent,
        unit_key=unit_key if percent is Percent.BY_UNIT else None,
        digits=digits,
        section=section,
    )


@dataclass
class _Walk:
    """The state of the walk: the tables found so far, in sheet order."""

    tables: list[Table] = field(default_factory=list)
    taken: set[str] = field(default_factory=lambda: {FORM_SHEET, INSTRUCTIONS_SHEET, LISTS_SHEET})
    numbered: dict[tuple[tuple[str, ...], ...], str] = field(default_factory=dict)
    """Steps of the lists whose records a nested sheet names by number → that column's header."""

    def sheet_name(self, title: str, parent_title: str) -> str:
        name = title[:SHEET_NAME_LIMIT]
        if name.casefold() in {t.casefold() for t in self.taken}:
            name = f"{parent_title} {title.lower()}"[:SHEET_NAME_LIMIT]
        self.taken.add(name)
        return name


@dataclass(frozen=True)
class _Record:
    """Where the walk is: the record model, and its place among the list steps."""

    model: type[BaseModel]
    steps: tuple[tuple[str, ...], ...]
    title: str
    ancestors: tuple[tuple[type[BaseModel], str], ...]
    """(model, sheet title) of each list record above, outermost first."""


def _fields(
    walk: _Walk,
    record: _Record,
    model: type[BaseModel],
    prefix: tuple[str, ...],
    header_prefix: str,
    *,
    owner: str,
    group: str | None,
    unit_key: str | None,
    section: str | None,
    sink: list[Column],
) -> None:
    """Add `model`'s fields to `sink` (flattened) and its lists of records as new tables.

    `owner` is the title of the object walked (a section, a group or a sheet)."""
    # Numbers below a record with a unit (outcomes) are percentages when the unit is percent.
    unit_key = unit_key or next(
        (
            info.alias or n
            for n, info in model.model_fields.items()
            if field_shape(info).base is Unit
        ),
        None,
    )
    only_field = len(model.model_fields) == 1
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key.startswith("$"):
            continue
        shape = field_shape(info)
        title = _title(name, info)
        header = f"{header_prefix}{title.lower()}" if header_prefix else title
        path = (*prefix, key)
        if is_model(shape.base) and not shape.is_list:
            inner_group = group if not shape.nullable else (group or header)
            # A group of parts, none required ("Theory of action: if"), reads with a colon;
            # the fields of a record ("Evidence tier", "Baseline value") without.
            parts = not any(inner.is_required() for inner in shape.base.model_fields.values())
            _fields(
                walk,
                record,
                shape.base,
                path,
                f"{header}: " if parts else f"{header} ",
                owner=header,
                group=inner_group,
                unit_key=unit_key,
                section=section,
                sink=sink,
            )
        elif shape.is_list and (
            is_model(shape.base) or _is_free_text(shape.base, shape.item_metadata)
        ):
            sheet_title = owner if only_field else header
            _list_table(walk, record, path, sheet_title, info, shape, unit_key)
        else:
            sink.append(
                _scalar_column(
                    path,
                    header,
                    info,
                    shape,
                    required=not shape.nullable and not (shape.is_list and not info.is_required()),
                    group=group,
                    unit_key=unit_key,
                    section=section,
                )
            )


def _list_table(
    walk: _Walk,
    record: _Record,
    path: tuple[str, ...],
    title: str,
    info: FieldInfo,
    shape: FieldShape,
    unit_key: str | None,
) -> None:
    steps = (*record.steps, path)
    sheet = walk.sheet_name(title, record.title)
    ancestors = record.ancestors
    parents: list[ParentKey] = []
    # Name the nearest parent by its id; ids are unique in the plan, so one id column is enough.
    # A parent without an id is named by its position, and then so is its own parent.
    for level in range(len(ancestors) - 1, -1, -1):
        parent_model, _ = ancestors[level]
        id_field = _id_field(parent_model)
        noun = _noun(parent_model)
        if id_field:
            parents.insert(0, ParentKey(f"{noun.capitalize()} ID", level, *id_field, noun))
            break
        number = f"{noun.capitalize()} number"
        parents.insert(0, ParentKey(number, level, None, None, noun))
        walk.numbered[steps[: level + 1]] = number  # the parent's sheet numbers its rows
    index = len(walk.tables)
    walk.tables.append(Table(sheet, "", (), ()))  # keep its place before nested tables
    columns: list[Column] = []
    description = info.description or title
    if is_model(shape.base):
        noun = _noun(shape.base)
        child = _Record(shape.base, steps, sheet, (*ancestors, (shape.base, sheet)))
        _fields(
            walk,
            child,
            shape.base,
            (),
            "",
            owner=sheet,
            group=None,
            unit_key=unit_key,
            section=None,
            sink=columns,
        )
    else:
        noun = "item"
        columns.append(
            _scalar_column(
                (),
                title,
                info,
                FieldShape(shape.base, shape.item_metadata),
                required=True,
                group=None,
                unit_key=None,
                section=None,
            )
        )
    walk.tables[index] = Table(
        sheet,
        description,
        steps,
        tuple(columns),
        tuple(parents),
        noun=noun,
        number_header=walk.numbered.get(steps),
    )


def derive_layout(model: type[BaseModel] = Plan) -> Layout:
    """The workbook layout of `model` (a plan model, or an extension of it)."""
    walk = _Walk()
    form_columns: list[Column] = []
    root = _Record(model, (), FORM_SHEET, ())
    metadata_keys = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        shape = field_shape(info)
        title = _title(name, info)
        if key.startswith("$"):
            metadata_keys.append(key)
        elif is_model(shape.base) and not shape.is_list:
            _fields(
                walk,
                root,
                shape.base,
                (key,),
                "",
                owner=title,
                group=title if shape.nullable else None,
                unit_key=None,
                section=title,
                sink=form_columns,
            )
        elif shape.is_list:
            _list_table(walk, root, (key,), title, info, shape, None)
        else:
            form_columns.append(
                _scalar_column(
                    (key,),
                    title,
                    info,
                    shape,
                    required=not shape.nullable,
                    group=None,
                    unit_key=None,
                    section=FORM_SHEET,
                )
            )
    form = Table(
        FORM_SHEET,
        "The plan's single values: organization, plan, foundation, needs assessment summary, "
        "theory of action and action plan year, one per row.",
        (),
        tuple(form_columns),
        form=True,
    )
    _check_unique_headers(form, *walk.tables)
    return Layout(form, tuple(walk.tables), tuple(metadata_keys))


def _check_unique_headers(*tables: Table) -> None:
    for table in tables:
        seen: set[tuple[str | None, str]] = set()
        numbers = [table.number_header] if table.number_header else []
        for header in (
            [p.header for p in table.parents] + numbers + [c.header for c in table.columns]
        ):
            section = None
            if table.form:
                section = next(c.section for c in table.columns if c.header == header)
            if (section, header.casefold()) in seen:
                raise TypeError(f"two columns of sheet {table.sheet!r} are titled {header!r}")
            seen.add((section, header.casefold()))


@cache
def plan_layout() -> Layout:
    """The layout of the plan model's workbook."""
    return derive_layout(Plan)
