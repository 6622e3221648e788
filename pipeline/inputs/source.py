"""An input's data as read, before validation, with a way to name locations inside it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import DataPath, Problem, json_path


@dataclass
class Source:
    """An input's data as read, before validation."""

    name: str
    """The file as the user named it; every problem starts with it."""
    data: Any
    locate: Callable[[DataPath], str] = field(default=json_path)
    """Turns a data path into a location a person can find in the file."""
    problems: list[Problem] = field(default_factory=list)
    """What reading noticed: warnings, and errors in values it could not read."""
    locates_missing: bool = False
    """Whether `locate` can place a field that is absent (a workbook's empty cell)."""

    def problem(
        self, path: DataPath, message: str, hint: str | None = None, *, missing: str | None = None
    ) -> Problem:
        """A problem at `path`; `missing` names a required field absent there."""
        if missing is not None and self.locates_missing:
            path = (*path, missing)
        return Problem(self.name, self.locate(path), message, hint)
