"""Comparing revisions of a plan: `pipeline diff OLD NEW`.

Exit codes are diff(1)'s, not the other commands': 0 no change, 1 changes, 2 trouble (an input
missing, unreadable or invalid, every problem reported with its place; an output that cannot
be written)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import click

from pipeline.cli.base import cli, report
from pipeline.errors import PipelineError, Problem
from pipeline.files import write_atomic
from pipeline.inputs.read import read_input
from pipeline.model.changes import Change, diff_plans
from pipeline.reports.changes import FORMATS, Side, render_changes

SAME, CHANGED, TROUBLE = 0, 1, 2
"""diff(1)'s exit codes."""


class DiffTrouble(PipelineError):
    """What stops a diff: an input that is not a valid plan, an output that cannot be
    written. Always exit 2, as diff(1)."""

    exit_code = TROUBLE

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        self.problems = problems or []
        super().__init__(message)

    def problems_shown(self) -> list[Problem]:
        return self.problems


@dataclass(frozen=True)
class Comparison:
    """Two revisions of a plan, read and validated, and the changes between them."""

    old: Side
    new: Side
    changes: list[Change]
    warnings: list[Problem]
    """What reading the inputs noticed (e.g. 0.45 read as 45%): shown, not trouble."""


def compare(old_path: Path, new_path: Path) -> Comparison:
    """Read both inputs (JSON or workbook, in any mix) and diff their plans. Raises DiffTrouble
    with every problem of both inputs when either is not a valid plan."""
    readings = [read_input(old_path), read_input(new_path)]
    if not all(reading.ok for reading in readings):
        problems = [problem for reading in readings for problem in reading.problems]
        raise DiffTrouble("the inputs cannot be compared", problems)
    old, new = readings
    assert old.plan is not None and new.plan is not None  # ok: both are plans
    return Comparison(
        Side(old.source, old.plan),
        Side(new.source, new.plan),
        diff_plans(old.plan, new.plan),
        old.problems + new.problems,
    )


def write_redline(comparison: Comparison, out_dir: Path) -> list[Path]:  # pragma: no cover
    """Hook for a later `--redline OUT_DIR` option: the new plan's documents with each change
    of `comparison.changes` marked (Word revisions or <del>/<ins>), written to `out_dir`.
    Not implemented: the option is not offered yet."""
    raise NotImplementedError("--redline is not implemented yet")


def _check_output(output: Path, inputs: tuple[Path, ...]) -> None:
    if output.is_dir():
        raise DiffTrouble(f"{output} is a folder; name a file to write the diff to")
    for path in inputs:
        same = output.resolve() == path.resolve()
        if not same and output.exists() and path.exists():
            same = output.samefile(path)
        if same:
            raise DiffTrouble(f"{output} is an input; write the diff to another file")


@cli.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "format_",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format; json is for tools (docs/diff.md).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the report to this file (atomically) instead of printing it.",
)
def diff_command(old: Path, new: Path, format_: str, output: Path | None) -> None:
    """Show what changed between two revisions of a plan.

    OLD and NEW are JSON files or workbooks, in any mix. Records are matched by their ids and
    keys, wherever they stand; a value that only changes its form (0.45 read as 45%) is no
    change. Exits 0 when nothing changed, 1 when something did, 2 on trouble (an input
    missing or invalid: every problem is listed with its place).

    Example: pipeline diff plan-v1.json plan-v2.xlsx --format html --output changes.html
    """
    try:
        if output is not None:
            _check_output(output, (old, new))
        comparison = compare(old, new)
        report(comparison.warnings)
        text = render_changes(comparison.changes, comparison.old, comparison.new, format_)
        if output is None:
            click.echo(text, nl=False)
        else:
            try:
                write_atomic(output, text.encode("utf-8"))
            except OSError as error:
                raise DiffTrouble(f"cannot write {output}: {error.strerror or error}") from None
            count = len(comparison.changes)
            click.echo(f"wrote {output}: {count} change{'' if count == 1 else 's'}", err=True)
    except PipelineError as error:
        if error.problems_shown():
            report(error.problems_shown())
        else:
            click.echo(f"Error: {error}", err=True)
        sys.exit(TROUBLE)
    sys.exit(CHANGED if comparison.changes else SAME)
