"""Problems found in inputs, and the few exceptions the pipeline raises, with their exit codes.

Stages collect `Problem`s rather than stopping at the first one; an exception is raised only
once a stage knows everything that is wrong. The CLI catches `PipelineError` once and exits
with its `exit_code`; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Path = tuple[str | int, ...]
"""A location inside a plan's data, e.g. ('objectives', 1, 'initiatives', 0, 'id')."""


def json_path(path: Path) -> str:
    """Format a data path as a JSON path: `$.objectives[1].initiatives[0].id`."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, with where to find it and how to fix it."""

    source: str
    """The input file, as the user named it."""
    location: str
    """Where in the file: a JSON path, or sheet › row › column for a workbook."""
    message: str
    hint: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        text = f"{self.source} › {self.location}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class PipelineError(Exception):
    """Base of every error the CLI reports without a traceback."""

    exit_code = 1


class InvalidInputError(PipelineError):
    """Raised when one or more inputs are unreadable or do not match the plan model."""

    exit_code = 1

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the input")


class TemplateProblemError(PipelineError):
    """Raised when a template cannot be rendered: bad syntax or a variable the plan lacks."""

    exit_code = 1


class OutputConflictError(PipelineError):
    """Raised when two inputs would write the same output folder (same organization)."""

    exit_code = 1
