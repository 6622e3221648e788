"""The tables of a template, as docxtpl's `fix_tables` sees them, for `canonical.py`: the
proof that `fix_tables` changes nothing in what the template renders (so that its parse can
be left out), the same test as `rendered_xml._tables_need_fixing` made once on the template.

It holds when every table has one grid, made by the template's own text; every row's cells
(and their spans) are the template's own text, never a loop's; no row has more cells than the
grid has columns; and a full row is always there. A table whose rows are all conditional, all
full, with nothing but rows after its grid, may be left without rows, which `fix_tables` would
change: `rowless` says so, and the text is checked for one (`canonical.Proof.serialize`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


class Unproved(Exception):
    """The template does something the proof does not cover (why, for tests)."""


@dataclass
class _Table:
    branch: int
    columns: int = 0
    grid: bool = False
    spans: bool = False
    others: bool = False  # anything but rows after the grid
    rows: list[tuple[int, int, bool]] = field(default_factory=list)  # cells, width, always


@dataclass
class _Row:
    branch: int
    cells: int = 0
    width: int = 0
    cell: set[str] = field(default_factory=set)  # tcPr, gridSpan found in the current cell


_CELL_PROPERTIES = {"w:tcPr": ("w:tr", "w:tc"), "w:gridSpan": ("w:tr", "w:tc", "w:tcPr")}
"""Where a cell's own properties and span are (the ancestors' names)."""


class Tables:
    """The tables seen so far by the proof's walk through a template."""

    def __init__(self) -> None:
        self.tables: list[_Table] = []
        self.rows: list[_Row] = []
        self.rowless = False
        self.inside: list[str] = []
        self.branch = 0

    def start(self, name: str, attributes: dict[str, str], inside: list[str], branch: int) -> None:
        """An element opened (`inside`: the names of those open around it, outermost first;
        `branch`: how many `if`/`for` bodies deep)."""
        self.inside, self.branch = inside, branch
        if self.tables and self.inside[-1] == "w:tbl" and self.tables[-1].grid:
            self.tables[-1].others |= name != "w:tr"  # after the grid: rows only
        if name == "w:tbl":
            if self.tables:
                raise Unproved("a table in a table")
            self.tables.append(_Table(self.branch))
        elif not self.tables:
            if name in ("w:tr", "w:tc", "w:gridCol", "w:gridSpan"):
                raise Unproved(f"{name} outside a table")
        elif name == "w:tblGrid" and self.inside[-1] == "w:tbl":
            if self.tables[-1].grid:
                raise Unproved("a table with two grids")
            self._same_body(self.tables[-1].branch, "a table's grid")
            self.tables[-1].grid = True
        elif name == "w:gridCol" and self._under("w:tbl", "w:tblGrid"):
            self._same_body(self.tables[-1].branch, "a table's grid")
            self.tables[-1].columns += 1
        elif name == "w:tr":
            if not self.tables[-1].grid or self.rows:
                raise Unproved("a row before its table's grid, or in a row")
            self.rows.append(_Row(self.branch))
        elif name == "w:tc" and self.inside[-1] == "w:tr":
            self._same_body(self.rows[-1].branch, "a row's cells")
            self.rows[-1].cells += 1
            self.rows[-1].width += 1
            self.rows[-1].cell = set()
        elif self.rows and name in _CELL_PROPERTIES and self._under(*_CELL_PROPERTIES[name]):
            if name in self.rows[-1].cell:  # fix_tables reads the first one only
                raise Unproved(f"a cell with two {name}")
            self.rows[-1].cell.add(name)
        if name == "w:gridSpan":
            self.tables[-1].spans = True
            if self._under("w:tr", "w:tc", "w:tcPr"):
                self._same_body(self.rows[-1].branch, "a cell's span")
                value = attributes.get("w:val", "")
                if not (value.isascii() and value.isdigit() and 1 <= int(value) <= 1000):
                    raise Unproved("a span that is not a number from 1 to 1,000")
                self.rows[-1].width += int(value) - 1

    def end(self, name: str) -> None:
        """An element closed."""
        if name == "w:tr" and self.rows:
            row = self.rows.pop()
            table = self.tables[-1]
            table.rows.append((row.cells, row.width, row.branch == table.branch))
        elif name == "w:tbl" and self.tables:
            table = self.tables.pop()
            if not table.grid:
                raise Unproved("a table without a grid")
            if any(cells > table.columns for cells, _, _ in table.rows):
                raise Unproved("a row with more cells than its table's grid")
            full = [
                (width if table.spans else cells) >= table.columns for cells, width, _ in table.rows
            ]
            if not any(f and always for f, (_, _, always) in zip(full, table.rows, strict=True)):
                # No row surely there: fine if every row is full and nothing else follows the
                # grid, so that a table left without rows is seen (`serialize`).
                if not all(full) or table.others:
                    raise Unproved("a table without a full row that is always there")
                self.rowless = True

    def content(self, inside: list[str]) -> None:
        """Text or a value printed in the element `inside` ends with."""
        if self.tables and inside[-1:] == ["w:tbl"]:
            self.tables[-1].others = True

    def _under(self, *names: str) -> bool:
        """Whether the innermost open elements are `names`, outermost first."""
        return self.inside[-len(names) :] == list(names)

    def _same_body(self, branch: int, what: str) -> None:
        if self.branch != branch:
            raise Unproved(f"{what} made by the template's code")
