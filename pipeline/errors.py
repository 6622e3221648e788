"""The pipeline's one error vocabulary: what a problem is, how severe, and every exception the
pipeline raises, with the exit code the command line gives it.

Stages collect `Problem`s rather than stopping at the first one; an exception is raised only
once a stage knows everything that is wrong. The CLI catches `PipelineError` once and exits
with its `exit_code`; anything else is a bug and keeps its traceback.

Exit codes:

    0  success
    1  invalid input, an incomplete plan (its documents are drafts), a template that cannot
       render, a document LibreOffice cannot convert, no inputs found
    2  usage error (click's own `UsageError`: an unknown option, a bad value)
    3  PDFs asked for, but LibreOffice, its Python bridge or the documents' fonts are missing
    4  another build holds the output folder
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

DataPath = tuple[str | int, ...]
"""A location inside a plan's data, e.g. ('objectives', 1, 'initiatives', 0, 'id')."""


def json_path(path: DataPath) -> str:
    """Format a data path as a JSON path: `$.objectives[1].initiatives[0].id`."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


class Severity(StrEnum):
    """How much a problem or a finding matters: an error fails the input (or makes its
    documents drafts); a warning is shown and fails only under --strict."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input or a template, with where to find it and how to fix it."""

    source: str
    """The file, as the user named it: an input, or a template's file name."""
    location: str
    """Where in the file: a JSON path, sheet › row › column for a workbook, or a place in a
    template (body, table 2, row 1, cell 3)."""
    message: str
    hint: str | None = None
    severity: Severity = Severity.ERROR
    nearby: str = ""
    """For a template: the text around the mistake, so it can be found in Word."""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.source} › {self.location}"
        if self.nearby:
            where += f" › “{self.nearby}”"
        text = f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


def errors_in(problems: Sequence[Problem]) -> list[Problem]:
    """The problems that are errors (warnings left out)."""
    return [problem for problem in problems if problem.is_error]


class PipelineError(Exception):
    """Base of every error the CLI reports without a traceback."""

    exit_code = 1

    def problems_shown(self) -> list[Problem]:
        """The located problems to list, one per line, instead of the message."""
        return []


class InvalidInputError(PipelineError):
    """Raised when one or more inputs are unreadable or do not match the plan model."""

    exit_code = 1

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the input")

    def problems_shown(self) -> list[Problem]:
        return self.problems


class NoInputsError(PipelineError):
    """Raised when the paths given (or the default `inputs/`) hold no input to read: a folder
    that does not exist, or one with no .json or .xlsx file."""

    exit_code = 1

    def __init__(self, paths: Sequence[Path]) -> None:
        missing = [path for path in paths if not path.exists()]
        if missing:
            names = ", ".join(f"{path}/" if not path.suffix else str(path) for path in missing)
            message = f"{names}: no such file or folder (give the inputs to read, e.g. inputs/)"
        else:
            names = ", ".join(str(path) for path in paths)
            message = f"no inputs found in {names} (looked for .json and .xlsx files)"
        super().__init__(message)


class TemplateProblemError(PipelineError):
    """Raised when a template cannot be rendered: bad syntax, a variable the plan lacks, or a
    draft that would not look like one."""

    exit_code = 1


class OutputExistsError(PipelineError):
    """Raised when the file `init` or `convert` would write exists (and --force was not
    given), is the input itself, or is a folder."""

    exit_code = 1


class ManifestError(PipelineError):
    """Raised when manifests cannot be merged: the same input was built differently."""

    exit_code = 1


class ConversionError(PipelineError):
    """Raised when one document cannot be converted to PDF, even on a second, fresh
    LibreOffice instance. Its message says what LibreOffice said; it names no document (the
    caller does, and a build reports it as that plan's problem)."""

    exit_code = 1


class UnreadablePdfError(PipelineError):
    """Raised when bytes that should be a PDF cannot be read as one, or have no pages."""

    exit_code = 1


class LibreOfficeMissingError(PipelineError):
    """Raised when PDFs are asked for but LibreOffice, its Python bridge (python3-uno) or the
    documents' fonts are not installed."""

    exit_code = 3


class OutputLockedError(PipelineError):
    """Raised when another build (or merge) holds the lock on the output folder."""

    exit_code = 4

    def __init__(self, folder: Path, holder: str) -> None:
        self.holder = holder
        super().__init__(
            f"another build ({holder}) is writing into {folder}/; wait for it to finish "
            "or build into another folder with --out"
        )


class UnsafeOutputError(PipelineError):
    """Raised when an output folder (or a shard being merged) holds something the pipeline
    will not write through or read from: a symbolic link or a special file where its own file
    or folder should be, or a damaged manifest of a shard."""

    exit_code = 1


class DiffTroubleError(PipelineError):
    """What stops `pipeline diff`: an input that is not a valid plan, an output that cannot be
    written. Exit 2, as diff(1) (whose 1 means "the inputs differ")."""

    exit_code = 2

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        self.problems = list(problems)
        super().__init__(message)

    def problems_shown(self) -> list[Problem]:
        return self.problems


def problem_json(problem: Problem) -> dict[str, Any]:
    """A problem as JSON reports hold it."""
    return {
        "source": problem.source,
        "location": problem.location,
        "nearby": problem.nearby,
        "message": problem.message,
        "hint": problem.hint,
        "severity": problem.severity.value,
    }
