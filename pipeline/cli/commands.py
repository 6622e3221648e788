"""The commands that read, check and make inputs, and the template tools."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

from pipeline.checks import check_paths, failed
from pipeline.cli.base import (
    as_of_option,
    cli,
    paths_argument,
    profiles_option,
    report,
    reports_errors,
)
from pipeline.errors import InvalidInputError, Problem, problem_json
from pipeline.inputs.read import read_input, read_inputs
from pipeline.model.documents import BY_NAME
from pipeline.model.schema import schema_text
from pipeline.model.vocabulary import Profile
from pipeline.reports.formats import FORMATS, render, render_rules


@cli.command()
@paths_argument
@reports_errors
def validate(paths: tuple[Path, ...]) -> None:
    """Check inputs against the plan model.

    Every problem is reported at once, with where it is in the input.

    Example: pipeline validate inputs/
    """
    readings = read_inputs(list(paths) or [Path("inputs")])
    for reading in readings:
        if reading.ok and reading.plan is not None:
            click.echo(f"valid: {reading.source} ({reading.plan.organization.name})")
    for reading in readings:
        report(reading.problems)  # a valid plan's are warnings
    sys.exit(0 if all(reading.ok for reading in readings) else 1)


@cli.command()
@paths_argument
@profiles_option
@click.option(
    "--format",
    "format_",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--list-rules", is_flag=True, help="Print every rule with its citation, and exit.")
@reports_errors
def check(
    paths: tuple[Path, ...], profiles: tuple[str, ...], format_: str, strict: bool, list_rules: bool
) -> None:
    """Check plans for completeness and compliance.

    Every finding is reported with its location, the rule, its citation and how to fix it.

    A plan is checked under its own profiles (its level, its parts, its ESSA designation and
    plan.profiles); --profile replaces them. Exits 0 when no plan has errors (warnings are
    allowed), 1 when one has, or with --strict when one has warnings.

    Example: pipeline check inputs/harbor-view-elementary.json --profile essa-csi
    """
    if list_rules:
        click.echo(render_rules(format_), nl=False)
        return
    checks = check_paths(list(paths) or [Path("inputs")], [Profile(p) for p in profiles])
    click.echo(render(checks, format_), nl=False)
    sys.exit(1 if failed(checks, strict) else 0)


def _output(_: click.Context, __: click.Parameter, value: Path) -> Path:
    if value.suffix.lower() not in (".xlsx", ".json"):
        raise click.BadParameter(f"'{value}' must end in .xlsx or .json")
    return value


_force = click.option("--force", is_flag=True, help="Replace the file if it exists.")


@cli.command("init")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), callback=_output)
@_force
@reports_errors
def init_command(path: Path, force: bool) -> None:
    """Write a blank plan to fill in (.xlsx or .json).

    A workbook (.xlsx), or JSON with its $schema (.json).

    The workbook has a sheet per section or list, an input message on every header and
    dropdowns on the closed lists.

    Example: pipeline init plan.xlsx
    """
    from pipeline.inputs.interchange import init

    init(path, force)
    click.echo(f"wrote {path}")


@cli.command("convert")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path), callback=_output)
@_force
@reports_errors
def convert_command(source: Path, target: Path, force: bool) -> None:
    """Convert a plan between JSON and a workbook, losslessly.

    SOURCE is checked first; TARGET is never the input, and is replaced only with --force.

    Example: pipeline convert inputs/harbor-view-elementary.json harbor-view.xlsx
    """
    from pipeline.inputs.interchange import convert

    report(convert(source, target, force))
    click.echo(f"wrote {target}")


@cli.command()
@reports_errors
def schema() -> None:
    """Print the JSON Schema that plan inputs follow.

    The schema is JSON Schema draft 2020-12, generated from the plan model.

    Example: pipeline schema > plan.schema.json
    """
    click.echo(schema_text(), nl=False)


@cli.command()
@click.argument("plan", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--document",
    "-d",
    type=click.Choice(sorted(BY_NAME)),
    required=True,
    help="Which document's context to print.",
)
@as_of_option
@reports_errors
def context(plan: Path, document: str, as_of: dt.date | None) -> None:
    """Print every variable a document's template sees, as JSON.

    The variables are those of PLAN, for the document chosen with --document.

    Example: pipeline context inputs/harbor-view-elementary.json --document action-plan
    """
    reading = read_input(plan)
    if reading.plan is None:
        raise InvalidInputError(reading.problems)
    from pipeline.documents.context import build_context

    data = build_context(reading.plan, BY_NAME[document], as_of=as_of)
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@cli.group()
def templates() -> None:
    """Check and preview Word templates.

    Yours, or the built-in ones.
    """


def _template_json(problem: Problem) -> dict[str, Any]:
    fields = problem_json(problem)
    return {"template": fields.pop("source"), **fields}


@templates.command("check")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format; json is for tools.",
)
@reports_errors
def templates_check(files: tuple[Path, ...], fmt: str) -> None:
    """Report every mistake in templates, with its place.

    Templates are checked before anything is rendered from them.

    Exit 0 when no template has an error (warnings are shown), 1 otherwise.

    Example: pipeline templates check templates/custom/action-plan.docx
    """
    from pipeline.authoring.template_check import check_template, document_for

    found = {str(path): check_template(path, document_for(path)) for path in files}
    if fmt == "json":
        report = {name: [_template_json(p) for p in problems] for name, problems in found.items()}
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for name, problems in found.items():
            for problem in problems:
                click.echo(f"{problem.severity.capitalize()}: {problem}")
            if not problems:
                click.echo(f"ok: {name}")
    errors = any(p.is_error for problems in found.values() for p in problems)
    sys.exit(1 if errors else 0)


@templates.command("preview")
@click.argument("template", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--plan",
    "plan_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Plan to fill it with [default: the first in inputs/].",
)
@click.option(
    "--out",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the preview [default: build/previews/NAME].",
)
@as_of_option
@reports_errors
def templates_preview(
    template: Path, plan_path: Path | None, target: Path | None, as_of: dt.date | None
) -> None:
    """Fill a template with an example plan.

    Every value a tag filled in is highlighted.

    Example: pipeline templates preview templates/custom/action-plan.docx --plan inputs/x.json
    """
    target = target or Path("build") / "previews" / template.name
    from pipeline.authoring.preview import preview

    written = preview(template, plan_path, target, as_of)
    click.echo(f"wrote {written}")
