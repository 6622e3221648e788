"""The commands of the plan's year: `rollover`, next year's input made from this year's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from pipeline.cli.base import cli, report, reports_errors
from pipeline.cli.commands import _force, _output
from pipeline.inputs.rollover import Rollover, YearError, first_year, rollover_file

_SHOWN = 60
"""How many characters of a benchmark's description the summary shows."""


def _school_year(_: click.Context, __: click.Parameter, value: str) -> str:
    try:
        first_year(value)
    except YearError as error:
        raise click.BadParameter(str(error)) from None
    return value


def _optional_output(
    context: click.Context, parameter: click.Parameter, value: Path | None
) -> Path | None:
    return None if value is None else _output(context, parameter, value)


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _SHOWN else line[: _SHOWN - 1].rstrip() + "…"


def _tell(done: Rollover) -> None:
    """What was written, and what the team does next."""
    past, revision = done.past, done.plan.plan.revision
    number = f" (revision {revision.number})" if revision and revision.number else ""
    click.echo(
        f"wrote {done.target}: the action plan of {past.school_year} rolled over to "
        f"{done.to}{number}"
    )
    click.echo(
        f"kept in the past years ({past.school_year}): {len(past.benchmarks)} benchmarks "
        f"({len(done.complete)} complete), {len(past.check_ins)} check-ins"
    )
    if done.carried:
        click.echo(f"carried over from {past.school_year}, dates to set:")
        for benchmark in done.carried:
            where = f"{benchmark.id} (initiative {benchmark.initiative})"
            click.echo(f"  {where}: {_short(benchmark.description)}")
    else:
        click.echo(f"carried over: none (every benchmark of {past.school_year} is complete)")
    click.echo("next:")
    if done.carried:
        click.echo(
            "  - set the start and due date of each carried benchmark (the plan is a draft "
            "until every due date is set)"
        )
    click.echo(
        f"  - add the new benchmarks of {done.to}, and review the resources (their amounts are "
        f"those of {past.school_year})"
    )
    council = done.plan.school_council
    if council is not None and council.school_year == past.school_year:
        click.echo(
            f"  - the school council's plan is for {past.school_year}: give it the council's "
            f"plan for {done.to}"
        )
    click.echo(f"  - then run: pipeline check {done.target}")


@cli.command("rollover")
@click.argument("plan", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--to",
    "to",
    required=True,
    callback=_school_year,
    metavar="YYYY-YY",
    help="The school year to roll over to: the one after the action plan's, e.g. 2026-27.",
)
@click.option(
    "--out",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    callback=_optional_output,
    help="Where to write next year's plan (.json or .xlsx) [default: beside PLAN, as "
    "<name>-<year> in PLAN's format].",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["json", "xlsx"]),
    default=None,
    help="Write JSON or a workbook [default: --out's, else PLAN's].",
)
@click.option(
    "--date",
    "date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date of the new revision, YYYY-MM-DD [default: today].",
)
@_force
@reports_errors
def rollover_command(
    plan: Path,
    to: str,
    target: Path | None,
    format_: str | None,
    date: dt.datetime | None,
    force: bool,
) -> None:
    """Write next year's plan from this year's.

    The action plan moves to the school year TO (the one after its own). The year that ends is
    kept in the action plan's past years: every benchmark with its last status, and every
    check-in. Complete benchmarks leave the action plan; the others are carried over, marked
    'carried over from' the year that ends, with their start and due dates left for the team to
    set (the plan is a draft until they are). The revision moves on; outcome results, resources
    and steps are kept.

    PLAN is never replaced; another existing file only with --force. The new revision is dated
    --date, by default today (the only use of the clock).

    Example: pipeline rollover inputs/harbor-view-elementary.json --to 2026-27
    """
    suffix = f".{format_}" if format_ else None
    if target is not None and suffix is not None and target.suffix.lower() != suffix:
        raise click.BadParameter(
            f"'{target}' is not a .{format_} file (leave --format out, or name a .{format_} file)",
            param_hint="'--out'",
        )
    when = date.date() if date is not None else dt.date.today()
    try:
        done = rollover_file(plan, to, date=when, target=target, suffix=suffix, force=force)
    except YearError as error:
        raise click.BadParameter(str(error), param_hint="'--to'") from None
    report(done.warnings)
    _tell(done)
