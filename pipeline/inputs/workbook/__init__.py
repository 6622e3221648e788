"""Excel workbooks: the form planning teams fill in, holding the same plan as a JSON input.

`derive` builds the `layout` (sheets, columns, kinds of value) from the plan model, its fields'
types taken apart by `shapes`; `read` turns a workbook into the data `validate()` checks, after
`safety` has vetted the file and `book` has opened it, converting cells with `cells` and naming
their `places`; `write` makes a workbook from a plan, or a blank one for `pipeline init`, with
the look and Instructions sheet of `instructions`.
"""

from pipeline.inputs.workbook.derive import derive_layout, plan_layout
from pipeline.inputs.workbook.layout import Layout
from pipeline.inputs.workbook.read import read_workbook, read_workbook_bytes
from pipeline.inputs.workbook.safety import WORKBOOK_SUFFIXES
from pipeline.inputs.workbook.write import workbook_bytes

__all__ = [
    "WORKBOOK_SUFFIXES",
    "Layout",
    "derive_layout",
    "plan_layout",
    "read_workbook",
    "read_workbook_bytes",
    "workbook_bytes",
]
