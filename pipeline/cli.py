"""The command line: parses options, calls the library, reports, and maps errors to exit codes.

Exit codes: 0 success; 1 invalid input (or a template that cannot render); 2 usage error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from pipeline import __version__
from pipeline.build import PlanResult, build, read_plan, read_plans
from pipeline.context import build_context
from pipeline.documents import BY_NAME
from pipeline.errors import InvalidInputError, PipelineError, Problem
from pipeline.schema import schema_text

F = TypeVar("F", bound=Callable[..., Any])


def _report(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(f"Error: {problem}", err=True)


def _reports_errors(command: F) -> F:
    """Turn the pipeline's own errors into a message and their exit code, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InvalidInputError as error:
            _report(error.problems)
            sys.exit(error.exit_code)
        except PipelineError as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(error.exit_code)

    return wrapper  # type: ignore[return-value]


def _summary(results: list[PlanResult]) -> int:
    failed = [r for r in results if not r.ok]
    for result in failed:
        _report(result.problems)
    if not results:
        click.echo("Error: no inputs found (looked for .json files)", err=True)
        return 1
    return 1 if failed else 0


_paths = click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pipeline")
def cli() -> None:
    """Validate improvement plans and build their official Word documents.

    Inputs are JSON files (see `pipeline schema`); folders are searched for them.
    """


@cli.command()
@_paths
@_reports_errors
def validate(paths: tuple[Path, ...]) -> None:
    """Check inputs against the plan model and report every problem at once.

    Example: pipeline validate inputs/
    """
    results = read_plans(list(paths) or [Path("inputs")])
    for result in results:
        if result.ok and result.plan is not None:
            click.echo(f"valid: {result.source} ({result.plan.organization.name})")
    sys.exit(_summary(results))


@cli.command("build")
@_paths
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build"),
    show_default=True,
    help="Folder the documents go into.",
)
@_reports_errors
def build_command(paths: tuple[Path, ...], out: Path) -> None:
    """Build the Word documents of every plan: OUT/<organization>/<document>.docx.

    Example: pipeline build inputs/ --out build/
    """
    results = build(list(paths) or [Path("inputs")], out)
    for result in results:
        for written in result.written:
            click.echo(f"wrote {written}")
    built = sum(1 for r in results if r.ok)
    click.echo(f"Built {built} of {len(results)} plan(s) into {out}/")
    sys.exit(_summary(results))


@cli.command()
@_reports_errors
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) that plan inputs follow.

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
@_reports_errors
def context(plan: Path, document: str) -> None:
    """Print, as JSON, every variable a document's template sees for PLAN.

    Example: pipeline context inputs/harbor-view-elementary.json --document action-plan
    """
    _, result = read_plan(plan)
    if result.plan is None:
        raise InvalidInputError(result.problems)
    data = build_context(result.plan, BY_NAME[document])
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def main() -> None:
    cli(prog_name="pipeline")
