"""Reading inputs as every command reads them: load each file, validate it into a plan, and
refuse two inputs for one organization. `validate`, `check` and `build` all start here, so they
give the same messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InvalidInputError, Problem, errors_in
from pipeline.inputs.load import load, select_inputs
from pipeline.inputs.source import Source
from pipeline.model.plan import Plan


@dataclass
class Reading:
    """One input, read and validated."""

    source: str
    """The input file, as the user named it."""
    plan: Plan | None = None
    """The plan, when the input is a valid one."""
    problems: list[Problem] = field(default_factory=list)
    """Why it is not valid; for a valid plan, the warnings reading it noticed."""
    input: Source | None = None
    """The input as read (for locating findings), when it could be read."""
    code_location: str = "$.organization.code"
    """Where the organization code is in the input (a JSON path, or a workbook cell)."""

    @property
    def ok(self) -> bool:
        return self.plan is not None and not errors_in(self.problems)

    def conflict(self, other: str, code: str) -> None:
        """Another input describes the same organization: neither is built, the user chooses."""
        self.problems.append(conflict_problem(self.source, self.code_location, other, code))


def conflict_problem(source: str, location: str, other: str, code: str) -> Problem:
    """The problem of two inputs for one organization, as the input `source` reports it."""
    return Problem(
        source,
        location,
        f"organization {code} also has a plan in {other}",
        "keep one input per organization",
    )


def read_input(path: Path) -> Reading:
    """Load and validate one input."""
    # Imported here: validation compiles the schema, which a build's main process never needs.
    from pipeline.inputs.validate import validate

    reading = Reading(str(path))
    try:
        source = reading.input = load(path)
        reading.plan = validate(source)
        reading.problems = list(source.problems)  # warnings only: they do not fail a plan
        reading.code_location = source.locate(("organization", "code"))
    except InvalidInputError as error:
        reading.plan = None
        reading.problems = error.problems
    return reading


def read_inputs(paths: list[Path]) -> list[Reading]:
    """Load and validate every input under `paths`; two inputs for one organization conflict.
    Raises NoInputsError when there is no input to read."""
    readings = [read_input(path) for path in select_inputs(paths)]
    owners: dict[str, Reading] = {}
    for reading in readings:
        if reading.plan is None:
            continue
        code = reading.plan.organization.code
        first = owners.setdefault(code, reading)
        if first is not reading:
            reading.conflict(first.source, code)
            first.conflict(reading.source, code)
    return readings
