"""Comparing revisions of a plan: `pipeline diff OLD NEW`.

Exit codes are diff(1)'s, not the other commands': 0 no change, 1 changes, 2 trouble (an input
missing, unreadable or invalid, every problem reported with its place; an output that cannot
be written)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipeline.batch.comparison import check_not_an_input, compare, write_redlines
from pipeline.cli.base import cli, report
from pipeline.errors import DiffTroubleError, PipelineError
from pipeline.files import write_atomic
from pipeline.reports.changes import FORMATS, render_changes

SAME, CHANGED, TROUBLE = 0, 1, 2
"""diff(1)'s exit codes."""


def _check_output(output: Path, inputs: tuple[Path, ...]) -> None:
    if output.is_dir():
        raise DiffTroubleError(f"{output} is a folder; name a file to write the diff to")
    check_not_an_input(output, inputs)


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
@click.option(
    "--redline",
    "redline_folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Also write into this folder each document both revisions have, as the new "
    "document with the changes as Word tracked changes (<document>-redline.docx).",
)
@click.option(
    "--templates",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder of custom templates to render the redlined documents with.",
)
def diff_command(
    old: Path,
    new: Path,
    format_: str,
    output: Path | None,
    redline_folder: Path | None,
    templates: Path | None,
) -> None:
    """Show what changed between two revisions of a plan.

    OLD and NEW are JSON files or workbooks, in any mix. Records are matched by their ids and
    keys, wherever they stand; a value that only changes its form (0.45 read as 45%) is no
    change. Exits 0 when nothing changed, 1 when something did, 2 on trouble (an input
    missing or invalid: every problem is listed with its place).

    With --redline FOLDER, each document both revisions have is also written there as the
    new document with the changes as Word tracked changes, attributed to the new revision.

    Example: pipeline diff plan-v1.json plan-v2.xlsx --format html --output changes.html
    """
    try:
        if output is not None:
            _check_output(output, (old, new))
        comparison = compare(old, new)
        report(comparison.warnings)
        before, after = comparison.old.plan.organization, comparison.new.plan.organization
        if before.code != after.code:
            click.echo(
                f"Note: {old} and {new} are the plans of two organizations ({before.name}, "
                f"{before.code}; {after.name}, {after.code}), not two revisions of one",
                err=True,
            )
        text = render_changes(comparison.changes, comparison.old, comparison.new, format_)
        if output is None:
            click.echo(text, nl=False)
        else:
            try:
                write_atomic(output, text.encode("utf-8"))
            except OSError as error:
                raise DiffTroubleError(
                    f"cannot write {output}: {error.strerror or error}"
                ) from None
            count = len(comparison.changes)
            click.echo(f"wrote {output}: {count} change{'' if count == 1 else 's'}", err=True)
        if redline_folder is not None:
            for path in write_redlines(comparison, redline_folder, (old, new), templates):
                click.echo(f"wrote {path}", err=True)
    except PipelineError as error:
        if error.problems_shown():
            report(error.problems_shown())
        else:
            click.echo(f"Error: {error}", err=True)
        sys.exit(TROUBLE)
    sys.exit(CHANGED if comparison.changes else SAME)
