"""Hints in the input's own terms.

Rules write their hints once, in the plan's data terms, with a small grammar a person can read
as it stands in a JSON input:

- `"key"`: a field or list, relative to the finding's place (its data path, then its anchor,
  then the sections above them): `describe it in "evaluation"`;
- `"key": "value"` (or `"key": 3`, `"key": "a" or "b"`): a field and what to enter in it, a
  closed list's value as stored: `"type": "early_evidence"`;
- a dotted key path from the top of the plan: `plan.monitoring.reviewed_by`,
  `objectives[].root_causes`;
- `{"key": "value"}`: an example record; `(YYYY-MM-DD)`: a date.

For a JSON input the hint is shown as written. For a workbook, `workbook_hint` resolves every
reference against the workbook layout (`plan_layout()`, derived from the model) and names the
sheet, the column header and what to type there, closed-list values as their dropdown labels
(`"Early evidence of change" in column "Type" on the Benchmarks sheet`); a hint that names no
field gets the place of its finding (`column "Responsible" on the Benchmarks sheet`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.errors import DataPath
from pipeline.inputs.workbook.derive import plan_layout
from pipeline.inputs.workbook.layout import FORM_SHEET, Column, Kind, Layout, Table

Shape = tuple[str, ...]
"""A data path without list indexes: ('objectives', 'initiatives', 'lead')."""

_VALUE = r'"[^"]*"|-?\d+(?:\.\d+)?\b|\btrue\b|\bfalse\b'
_KEY = r'"(?P<key>[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)"'
_PATH = r"(?<![\w.\[\]])(?P<path>[a-z_]+(?:\[\])?(?:\.[a-z_]+(?:\[\])?)+)(?![\w\[])"
_TOKEN = re.compile(
    rf"(?P<verb>\badd\s+)?(?:{_KEY}|{_PATH})"
    rf"(?:(?:\s*:\s*|\s+to\s+)(?P<values>(?:{_VALUE})(?:\s+or\s+(?:{_VALUE}))*))?"
    r"|(?P<date>\(?YYYY-MM-DD\)?)"
)
_EXAMPLE = re.compile(r"\{([^{}]*)\}")
_DATE_WORDS = "(a date: type 2026-06-15 or 6/15/2026, or pick it in a date cell)"
_SHOWN_COLUMNS = 4


def _flat(table: Table) -> Shape:
    return tuple(key for step in table.steps for key in step)


def shape_of(path: DataPath) -> Shape:
    """A data path's keys, without its list indexes."""
    return tuple(key for key in path if isinstance(key, str))


@dataclass(frozen=True)
class Ref:
    """What a reference names in a workbook: a column of a sheet (a row of the Plan sheet),
    a group of columns, or sheets (a list; a section with rows on the Plan sheet)."""

    shape: Shape
    columns: tuple[tuple[Table, Column], ...] = ()
    tables: tuple[Table, ...] = ()

    @property
    def scope(self) -> Shape:
        """Where keys that follow it are looked up first: a list's, a group's or a section's
        own ('add "leader" with its "name"'), a column's record ('"initiative": … and
        "type": …')."""
        if len(self.columns) == 1 and not self.tables:
            table, column = self.columns[0]
            return self.shape[: len(self.shape) - len(column.key)] if not table.form else ()
        return self.shape


def find(shape: Shape, layout: Layout | None = None) -> Ref | None:
    """What the data path `shape` names in the workbook, if anything."""
    layout = layout or plan_layout()
    for table in layout.tables:
        if _flat(table) == shape:
            return Ref(shape, tables=(table,))
    columns = []
    for table in layout.sheets:
        base = _flat(table)
        for column in table.columns:
            full = (*base, *column.key)
            if full == shape:
                return Ref(shape, columns=((table, column),))
            if len(full) > len(shape) and full[: len(shape)] == shape:
                columns.append((table, column))
    below = tuple(
        t for t in layout.tables if len(_flat(t)) > len(shape) and _flat(t)[: len(shape)] == shape
    )
    # A group's columns, or a section: its rows on the Plan sheet and its lists' sheets.
    columns = [(t, c) for t, c in columns if not any(t is b for b in below)]
    if columns or below:
        return Ref(shape, tuple(columns), below)
    return None


@dataclass
class _Renderer:
    """Renders one hint, naming each sheet once."""

    layout: Layout
    bases: list[Shape]
    scopes: list[Shape] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    named: bool = False
    last: Column | None = None

    def resolve(self, key: Shape, absolute: bool) -> Ref | None:
        if absolute:
            return find(key, self.layout)
        for base in [*reversed(self.scopes), *self.bases]:
            if (found := find((*base, *key), self.layout)) is not None:
                return found
        return None

    def token(self, match: re.Match[str]) -> str:
        if match.group("date"):
            return _DATE_WORDS
        verb = match.group("verb") or ""
        text = match.group(0)[len(verb) :]
        absolute = match.group("key") is None
        raw = match.group("path") if absolute else match.group("key")
        key = tuple(raw.replace("[]", "").split("."))
        ref = self.resolve(key, absolute) or (None if absolute else self.resolve(key, True))
        if ref is None:
            return verb + self.value_of_last(text)
        values = match.group("values")
        self.scopes.append(ref.scope)
        if ref.columns and not ref.tables and len(ref.columns) == 1:
            # In a workbook one fills in a cell; one adds rows.
            verb = "fill in " if verb else ""
            table, column = ref.columns[0]
            if values:
                shown = " or ".join(_label(column, v) for v in _split_values(values))
                return f"{verb}{shown} in {self.column(table, column)}"
            return verb + self.column(table, column)
        if verb and ref.tables and not ref.columns:
            verb = "add rows to "
        elif verb:
            verb = "fill in "
        rendered = self.ref(ref)
        return f"{verb}{rendered}: {values}" if values else verb + rendered

    def value_of_last(self, text: str) -> str:
        """A lone quoted value after a column of a closed list ('(e.g. "all_students")')."""
        column = self.last
        if column is not None and column.choices and text.startswith('"'):
            value = text.strip('"')
            if any(str(choice.value) == value for choice in column.choices):
                return _label(column, text)
        return text

    def sheet(self, name: str) -> str:
        """' on the Benchmarks sheet', the first time a hint names it."""
        if name in self.seen:
            return ""
        self.seen.add(name)
        return f" on the {name} sheet"

    def column(self, table: Table, column: Column) -> str:
        self.named = True
        self.last = column
        if table.form:
            first = FORM_SHEET not in self.seen
            where = f"{self.sheet(FORM_SHEET)} (column Value)" if first else ""
            return f'"{column.section}: {column.header}"{where}'
        return f'column "{column.header}"{self.sheet(table.sheet)}'

    def table(self, table: Table) -> str:
        """A list's sheet, with the columns a row needs (the first time it is named)."""
        self.named = True
        if table.sheet in self.seen:
            return f"the {table.sheet} sheet"
        self.seen.add(table.sheet)
        required = [c.header for c in table.columns if c.required] or [
            c.header for c in table.columns
        ]
        headers = [p.header for p in table.parents] + required
        shown = ", ".join(f'"{h}"' for h in headers[:_SHOWN_COLUMNS])
        more = ", …" if len(headers) > _SHOWN_COLUMNS else ""
        return f"the {table.sheet} sheet (a row each, with columns {shown}{more})"

    def ref(self, ref: Ref) -> str:
        """A group of columns, a list, or a section (its rows on the Plan sheet and its
        lists' sheets), briefly when it is more than one sheet."""
        self.named = True
        self.last = None
        form = [c for t, c in ref.columns if t.form]
        listed = [(t, c) for t, c in ref.columns if not t.form]
        if len(ref.columns) == 1 and not ref.tables:
            return self.column(*ref.columns[0])
        if not ref.tables or (len(ref.tables) == 1 and not ref.columns):
            parts = [self.table(t) for t in ref.tables]
            if len(form) > 1:
                section = [c for c in self.layout.form.columns if c.section == form[0].section]
                rows = form[0].section if form == section else f"{_common(form)} …"
                parts.append(f'the "{rows}" rows{self.sheet(FORM_SHEET)} (column Value)')
            elif form:
                parts.append(self.column(self.layout.form, form[0]))
            if listed:
                headers = [f'"{c.header}"' for _, c in listed]
                sheet = self.sheet(listed[0][0].sheet)
                parts.append(f"columns {', '.join(headers[:-1])} and {headers[-1]}{sheet}")
            return " and ".join(parts)
        parts = []
        if form:
            parts.append(f"the {form[0].section} rows{self.sheet(FORM_SHEET)} (column Value)")
        names = [t.sheet for t in ref.tables]
        self.seen.update(names)
        sheets = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        parts.append(f"the {sheets} sheet{'s' if len(names) > 1 else ''}")
        return " and ".join(parts)


def _common(form: list[Column]) -> str:
    """What a group of the Plan sheet's rows start with: 'Organization: Leader'."""
    names = [f"{c.section}: {c.header}" for c in form]
    shared = names[0]
    for name in names[1:]:
        while not name.startswith(shared):
            shared = shared[:-1]
    return shared.rsplit(" ", 1)[0] if not shared.endswith(" ") else shared.rstrip()


def _split_values(values: str) -> list[str]:
    return [v.strip() for v in re.split(r"\s+or\s+", values)]


def _label(column: Column, value: str) -> str:
    """A value as a person types it in `column`: a closed list's dropdown label."""
    raw: object = value.strip('"') if value.startswith('"') else value
    if column.kind in (Kind.BOOLEAN, Kind.CHOICE) and not value.startswith('"'):
        raw = {"true": True, "false": False}.get(value, raw)
        if isinstance(raw, str):
            raw = float(raw) if "." in raw else int(raw)
    for choice in column.choices:
        if choice.value == raw or str(choice.value) == str(raw):
            return f'"{choice.label}"'
    return f'"{raw}"'


def _bases(path: DataPath | None, anchor: DataPath | None) -> list[Shape]:
    """Where a hint's relative keys are looked up: the finding's place and the sections above
    it, then its anchor's, then the top of the plan."""
    bases: list[Shape] = []
    for where in (path, anchor):
        if where is None:
            continue
        shape = shape_of(where)
        bases += [shape[:end] for end in range(len(shape), 0, -1) if shape[:end] not in bases]
    return [*bases, ()]


def workbook_hint(
    hint: str | None,
    path: DataPath | None,
    anchor: DataPath | None = None,
    location: str | None = None,
    layout: Layout | None = None,
) -> str:
    """`hint` in a workbook's terms: sheets, column headers, dropdown labels, dates as a cell
    takes them; a hint that names no field ends with the finding's place."""
    layout = layout or plan_layout()
    bases = _bases(path, anchor)
    sheet, header = _cell(location)
    located = _table_named(layout, sheet) if sheet else None
    if path is None and located is not None and not located.form:
        bases.insert(0, _flat(located))
    renderer = _Renderer(layout, bases)
    text = _EXAMPLE.sub(lambda m: m.group(1), hint or "correct it as the message says")
    text = _TOKEN.sub(renderer.token, text)
    if renderer.named:
        return text
    place = None
    if path is not None:
        for base in bases[:-1]:
            if (ref := find(base, layout)) is not None:
                place = renderer.ref(ref)
                break
    if place is None and sheet and header:
        place = _cell_words(sheet, header)
    return f"{text}, in {place}" if place else text


def _cell(location: str | None) -> tuple[str | None, str | None]:
    """The sheet and header of a workbook location: `Benchmarks › row 4 › Due (G4)`."""
    if not location:
        return None, None
    parts = [part.strip() for part in location.split("›")]
    sheet = parts[1] if len(parts) > 1 and parts[0].lower().endswith(".xlsx") else parts[0]
    if parts[0].lower().endswith(".xlsx"):
        parts = parts[1:]
    header = re.sub(r"\s*\([^()]*\)$", "", parts[-1]) if len(parts) >= 3 else None
    return sheet, header


def _table_named(layout: Layout, sheet: str) -> Table | None:
    return next((t for t in layout.sheets if t.sheet.casefold() == sheet.casefold()), None)


def _cell_words(sheet: str, header: str) -> str:
    if sheet == FORM_SHEET:
        return f'"{header}" on the {FORM_SHEET} sheet (column Value)'
    return f'column "{header}" on the {sheet} sheet'
