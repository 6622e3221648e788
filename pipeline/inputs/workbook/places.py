"""Where a value of the plan's data sits in a workbook: `Benchmarks › row 14 › Due (F14)`.

The reader records a place for every record (row) and cell it reads; `locate` turns any data
path a check reports, even of a field that was left empty, into the nearest place a person can
find: the cell, else the row, else the sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.errors import DataPath


def cell_place(sheet: str, row: int, header: str, coordinate: str | None) -> str:
    """`Sheet › row N › Header (D14)`; a column the sheet lacks is named as such."""
    return f"{sheet} › row {row} › {header} ({coordinate or 'no such column'})"


@dataclass(frozen=True)
class Spot:
    """Where one field of a record is: its header, and its cell if the sheet has the column."""

    key: tuple[str, ...]
    header: str
    row: int | None
    coordinate: str | None

    def matches(self, rest: DataPath) -> bool:
        """Whether a path below the record (('evidence',), ('groups', 1)) is this field's."""
        return self.key[: len(rest)] == rest or rest[: len(self.key)] == self.key


@dataclass
class RecordPlace:
    """A record: one row of a list sheet, or (row None) the whole form sheet."""

    sheet: str
    row: int | None
    spots: list[Spot] = field(default_factory=list)

    def holds(self, rest: DataPath) -> bool:
        """Whether `rest` is the record itself or one of its fields."""
        return not rest or any(spot.matches(rest) for spot in self.spots)

    def where(self, rest: DataPath) -> str:
        spot = next((s for s in self.spots if s.matches(rest)), None) if rest else None
        if spot is None:
            return f"{self.sheet} › row {self.row}" if self.row else self.sheet
        if spot.row is None:
            return f"{self.sheet} › {spot.header} (no such row)"
        return cell_place(self.sheet, spot.row, spot.header, spot.coordinate)


@dataclass
class Places:
    """Every place the reader has seen, by data path."""

    cells: dict[DataPath, str] = field(default_factory=dict)
    records: dict[DataPath, RecordPlace] = field(default_factory=dict)
    lists: dict[DataPath, str] = field(default_factory=dict)

    def locate(self, path: DataPath) -> str:
        """The place of `path`: its cell, else its field's cell in its row, else row or sheet."""
        if path in self.cells:
            return self.cells[path]
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in self.records:
                record = self.records[prefix]
                if not record.holds(path[end:]) and (sheet := self._sheet_below(path)):
                    return sheet  # a section all on one list's sheet: the roadmap
                return record.where(path[end:])
            if prefix in self.lists:
                return self.lists[prefix]
        return self._sheet_below(path) or "workbook"

    def _sheet_below(self, path: DataPath) -> str | None:
        """The one sheet holding the lists under `path` (none, or several: None)."""
        sheets = {
            sheet
            for key, sheet in self.lists.items()
            if len(key) > len(path) and key[: len(path)] == path
        }
        return sheets.pop() if len(sheets) == 1 else None
