"""The workbook's layout: its sheets, their columns, and what kind of value each column holds.

These classes describe a workbook; `derive.py` builds one from the plan model, so that nothing
here is written by hand per field. `read.py` and `write.py` follow the layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

FORM_SHEET = "Plan"
INSTRUCTIONS_SHEET = "Instructions"
LISTS_SHEET = "Lists"
_ACRONYMS = {"id": "ID", "essa": "ESSA", "el": "EL", "pd": "PD"}


class Kind(StrEnum):
    """What a cell holds, which decides its format and how it is read."""

    TEXT = "text"  # free text
    CODE = "code"  # a string with a pattern: ids, codes, school years, grades
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"
    CHOICE = "choice"  # a value from a closed list
    PERIOD = "period"  # a timeline: a date or a period ("Spring 2024"), kept as written


class Percent(StrEnum):
    """Whether a number column holds percentages (stored 0–100, e.g. 45.0 for 45%)."""

    NO = "no"
    ALWAYS = "always"  # the field is a percentage (0–100)
    BY_UNIT = "by_unit"  # a percentage when its record's unit is percent (outcome values)


@dataclass(frozen=True)
class Choice:
    """One value of a closed list, and the label a person picks in the dropdown."""

    value: str | int
    label: str


@dataclass(frozen=True)
class Column:
    """One field of a record: a column of a list sheet, or a row of the form sheet."""

    key: tuple[str, ...]
    """Data keys from the record to the value, e.g. ('evidence', 'tier'); () for a list item."""
    header: str
    description: str
    kind: Kind
    required: bool
    """The field must be filled in whenever its record (or its group, see `group`) is."""
    group: str | None = None
    """The optional group the field belongs to, e.g. 'Evidence', when it is not required."""
    many: bool = False
    """Several values in one cell, separated by ';'."""
    choices: tuple[Choice, ...] = ()
    choices_name: str | None = None
    id_kind: str | None = None
    ref_kind: str | None = None
    percent: Percent = Percent.NO
    unit_key: str | None = None
    """For `Percent.BY_UNIT`: the field of the record (or a parent record) holding the unit."""
    digits: bool = False
    """A code made of digits (organization codes): leading zeros matter."""
    section: str | None = None
    """On the form sheet: the section the field belongs to, e.g. 'Organization'."""

    @property
    def dotted(self) -> str:
        """The field's data key, e.g. 'evidence.tier': also accepted as a header."""
        return ".".join(self.key)


@dataclass(frozen=True)
class ParentKey:
    """A column of a nested list's sheet naming the record its row belongs to."""

    header: str
    level: int
    """Which list step of the table's path it identifies (0 is the outermost)."""
    id_key: str | None
    """The field holding the parent's id; None means the parent's position (1, 2, …)."""
    id_kind: str | None
    noun: str
    """The parent record in words, e.g. 'objective'."""


@dataclass(frozen=True)
class Table:
    """One sheet: the form (`form=True`) or a list of records, one per row."""

    sheet: str
    description: str
    steps: tuple[tuple[str, ...], ...]
    """Data keys to the list, one step per nesting level: (('objectives',), ('initiatives',))."""
    columns: tuple[Column, ...]
    parents: tuple[ParentKey, ...] = ()
    form: bool = False
    noun: str = "row"
    """One record in words, e.g. 'initiative'."""
    number_header: str | None = None
    """For records without an id that a nested sheet names by number (steps): the header of
    the column numbering them within their parent ('Step number'), read as their key."""

    @property
    def lead(self) -> int:
        """How many columns come before the fields: the parent keys, and the number column."""
        return len(self.parents) + (1 if self.number_header else 0)

    def column(self, key: tuple[str, ...]) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)


@dataclass(frozen=True)
class Layout:
    """Every sheet of the workbook, the form first, parents before their nested lists."""

    form: Table
    tables: tuple[Table, ...]
    metadata_keys: tuple[str, ...] = ()
    """Top-level keys that are editor metadata (`$schema`), kept in document properties."""

    @property
    def sheets(self) -> tuple[Table, ...]:
        return (self.form, *self.tables)

    def id_column(self, kind: str) -> tuple[Table, Column] | None:
        """The sheet and column where ids of `kind` are defined, for dropdowns of references."""
        for table in self.tables:
            for column in table.columns:
                if column.id_kind == kind:
                    return table, column
        return None

    def choice_lists(self) -> dict[str, tuple[Choice, ...]]:
        """Every closed list used by a column, by name (the Lists sheet's columns)."""
        lists: dict[str, tuple[Choice, ...]] = {}
        for table in self.sheets:
            for column in table.columns:
                if column.choices_name:
                    lists.setdefault(column.choices_name, column.choices)
        return lists


def humanize(name: str) -> str:
    """A field name as a person reads it: 'essa_designation' → 'ESSA designation'."""
    words = [_ACRONYMS.get(word, word) for word in name.rstrip("_").split("_") if word]
    if not words:
        return name
    first = words[0]
    return " ".join([first[:1].upper() + first[1:], *words[1:]])
