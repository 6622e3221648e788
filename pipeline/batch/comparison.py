"""Two revisions of a plan side by side (`pipeline diff OLD NEW`): read and validated, the
changes between them, and their redlined documents written to a folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import DiffTroubleError, PipelineError, Problem
from pipeline.files import write_atomic
from pipeline.inputs.read import read_input
from pipeline.model.changes import Change, Since, diff_plans
from pipeline.reports.changes import Side


@dataclass(frozen=True)
class Comparison:
    """Two revisions of a plan, read and validated, and the changes between them."""

    old: Side
    new: Side
    changes: list[Change]
    warnings: list[Problem]
    """What reading the inputs noticed (e.g. 0.45 read as 45%): shown, not trouble."""


def compare(old_path: Path, new_path: Path) -> Comparison:
    """Read both inputs (JSON or workbook, in any mix) and diff their plans. Raises
    DiffTroubleError with every problem of both inputs when either is not a valid plan."""
    readings = [read_input(old_path), read_input(new_path)]
    if not all(reading.ok for reading in readings):
        problems = [problem for reading in readings for problem in reading.problems]
        raise DiffTroubleError("the inputs cannot be compared", problems)
    old, new = readings
    assert old.plan is not None and new.plan is not None  # ok: both are plans
    return Comparison(
        Side(old.source, old.plan),
        Side(new.source, new.plan),
        diff_plans(old.plan, new.plan),
        old.problems + new.problems,
    )


def check_not_an_input(output: Path, inputs: tuple[Path, ...]) -> None:
    """Refuse to write `output` where an input is (by any name)."""
    for path in inputs:
        same = output.resolve() == path.resolve()
        if not same and output.exists() and path.exists():
            same = output.samefile(path)
        if same:
            raise DiffTroubleError(f"{output} is an input; write to another file")


def write_redlines(
    comparison: Comparison,
    folder: Path,
    inputs: tuple[Path, ...],
    templates: Path | None = None,
) -> list[Path]:
    """Write, into `folder`, each document both revisions have as the new document with the
    changes from the old as Word tracked changes (`<document>-redline.docx`). The documents
    are rendered as a build renders them (each revision checked under its own profiles, the
    new one with its summary of changes since the old). Returns the files written."""
    from pipeline.documents.plan_documents import render_plan
    from pipeline.documents.plan_redlines import redlines

    if folder.exists() and not folder.is_dir():
        raise DiffTroubleError(f"{folder} is not a folder; name a folder for the redlines")
    old, new = comparison.old.plan, comparison.new.plan
    try:
        documents = redlines(
            render_plan(old, templates),
            render_plan(new, templates, since=Since(old, comparison.changes)),
            new,
        )
    except PipelineError as error:  # a custom template that cannot render
        raise DiffTroubleError(f"cannot render the documents: {error}") from None
    written = []
    for name, data in documents.items():
        path = folder / name
        check_not_an_input(path, inputs)
        try:
            write_atomic(path, data)
        except OSError as error:
            raise DiffTroubleError(f"cannot write {path}: {error.strerror or error}") from None
        written.append(path)
    return written
