"""What every command shares: the `pipeline` group, reporting problems, turning the pipeline's
errors into their exit codes, and the common arguments."""

from __future__ import annotations

import datetime as dt
import importlib
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from pipeline import __version__
from pipeline.errors import PipelineError, Problem
from pipeline.model.vocabulary import Profile

F = TypeVar("F", bound=Callable[..., Any])


def report(problems: list[Problem]) -> None:
    for problem in problems:
        label = "Error" if problem.is_error else "Warning"
        click.echo(f"{label}: {problem}", err=True)


def reports_errors(command: F) -> F:
    """Turn the pipeline's own errors into a message and their exit code, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except PipelineError as error:
            if error.problems_shown():
                report(error.problems_shown())
            else:
                click.echo(f"Error: {error}", err=True)
            sys.exit(error.exit_code)

    return wrapper  # type: ignore[return-value]


paths_argument = click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
profiles_option = click.option(
    "--profile",
    "profiles",
    multiple=True,
    type=click.Choice([profile.value for profile in Profile]),
    help="Check under this profile instead of the plan's own (repeat for several).",
)


def _date(_: click.Context, __: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date (write it as YYYY-MM-DD, e.g. 2026-01-31)"
        ) from None


as_of_option = click.option(
    "--as-of",
    "as_of",
    callback=_date,
    metavar="DATE",
    help="Show the plan as of the latest check-in on or before DATE (YYYY-MM-DD) "
    "[default: the latest check-in].",
)


COMMAND_MODULES = ("build", "commands", "monitoring", "revisions")
"""The modules of pipeline.cli that define commands (each registers its own on `cli`)."""
_MODULE_OF = {"build": "build", "manifest": "build"}
"""Commands whose module is known: `pipeline build` imports only what a build needs."""


class _Commands(click.Group):
    """The `pipeline` group, importing the module that defines a command only when the command
    is run (an incremental build starts fast; `pipeline --help` imports them all)."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            known = _MODULE_OF.get(cmd_name)
            for module in [known] if known else COMMAND_MODULES:
                importlib.import_module(f"pipeline.cli.{module}")
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module in COMMAND_MODULES:
            importlib.import_module(f"pipeline.cli.{module}")
        return super().list_commands(ctx)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pipeline")
def cli() -> None:
    """Validate improvement plans and build their official Word documents.

    Inputs are JSON files (see `pipeline schema`) or Excel workbooks (see `pipeline init`);
    folders are searched for both.
    """
