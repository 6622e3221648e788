"""Excel workbooks: the form planning teams fill in, holding the same plan as a JSON input.

`derive` builds the `layout` (sheets, columns, kinds of value) from the plan model, its fields'
types taken apart by `shapes`; `read` turns a workbook into the data `validate()` checks, after
`safety` has vetted the file and `book` has opened it, converting cells with `cells` and naming
their `places`; `write` makes a workbook from a plan, or a blank one for `pipeline init`, with
the look and Instructions sheet of `instructions`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pipeline.inputs.workbook.derive import derive_layout, plan_layout
from pipeline.inputs.workbook.layout import Layout
from pipeline.inputs.workbook.safety import WORKBOOK_SUFFIXES

if TYPE_CHECKING:
    from pipeline.inputs.workbook.read import read_workbook, read_workbook_bytes
    from pipeline.inputs.workbook.write import workbook_bytes

_WITH_OPENPYXL = {
    "read_workbook": "read",
    "read_workbook_bytes": "read",
    "workbook_bytes": "write",
}
"""Imported when first used: openpyxl is slow to import and large, and a build of JSON inputs
(whose checks name workbook places through `derive`) never opens a workbook."""


def __getattr__(name: str) -> Any:
    if name in _WITH_OPENPYXL:
        module = importlib.import_module(f"pipeline.inputs.workbook.{_WITH_OPENPYXL[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "WORKBOOK_SUFFIXES",
    "Layout",
    "derive_layout",
    "plan_layout",
    "read_workbook",
    "read_workbook_bytes",
    "workbook_bytes",
]
