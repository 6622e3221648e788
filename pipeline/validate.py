"""Stage 2: check an input against the JSON Schema and the integrity rules, then load it
into the plan model.

Every problem of every kind is collected before anything is raised, so one run names them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError as SchemaError
from pydantic import ValidationError

from pipeline.errors import InvalidInputError, Path, Problem
from pipeline.integrity import check_references, check_values
from pipeline.load import Source
from pipeline.model import ID_PATTERN, SCHOOL_YEAR_PATTERN, TEXT_PATTERN, Plan
from pipeline.schema import plan_schema

_PATTERN_MEANINGS = {
    TEXT_PATTERN: ("must be text that is not blank and has no control characters", None),
    ID_PATTERN: (
        "is not a valid id",
        "use letters, digits, '.', '_' or '-', starting with a letter or digit (up to 32)",
    ),
    SCHOOL_YEAR_PATTERN: ("is not a school year", "write it like '2024-25'"),
    r"^[0-9]{4,12}$": ("is not an organization code", "4 to 12 digits, leading zeros kept"),
}


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(plan_schema(), format_checker=FormatChecker())


@cache
def _gate() -> Any:
    """A compiled validator of the same schema (Rust): about a hundred times faster at saying
    whether an input is valid, which is all a batch of mostly valid inputs needs. The messages
    of an invalid input come from `jsonschema`."""
    return jsonschema_rs.validator_for(plan_schema(), validate_formats=True)


def _most_relevant(error: SchemaError) -> SchemaError:
    """For `anyOf` (optional fields accept null), report why the non-null branch failed."""
    while error.validator in ("anyOf", "oneOf") and error.context:
        candidates = [
            sub
            for sub in error.context
            if not (sub.validator == "type" and sub.validator_value == "null")
        ]
        if not candidates:
            break
        error = min(candidates, key=lambda sub: len(sub.relative_path))
        if error.validator == "type":
            # The value has another type altogether: say what was expected.
            break
    return error


def _describe(error: SchemaError) -> tuple[str, str | None]:
    value = error.instance
    shown = repr(value) if isinstance(value, str) else str(value).replace("None", "null")
    match error.validator:
        case "required":
            missing = error.message.split("'")[1]
            return f"the required field '{missing}' is missing", None
        case "additionalProperties":
            allowed = sorted(error.schema.get("properties", {}))
            extras = sorted(set(value) - set(allowed)) if isinstance(value, dict) else []
            names = ", ".join(f"'{name}'" for name in extras)
            return f"unknown field {names}", f"allowed fields: {', '.join(allowed)}"
        case "enum" | "const":
            options = ", ".join(str(v) for v in error.validator_value)
            if error.validator == "const":
                options = str(error.validator_value)
            return f"{shown} is not one of the allowed values", f"use one of: {options}"
        case "format" if error.validator_value == "date":
            return f"{shown} is not a date", "write dates as YYYY-MM-DD, e.g. 2026-06-15"
        case "type":
            expected = error.validator_value
            if isinstance(expected, list):
                expected = " or ".join(expected)
            return f"{shown} is not of type {expected}", None
        case "pattern":
            meaning, hint = _PATTERN_MEANINGS.get(
                error.validator_value, (f"does not match {error.validator_value}", None)
            )
            return f"{shown} {meaning}", hint
        case "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum":
            bound = error.validator_value
            if error.schema.get("minimum") == 0 and error.schema.get("maximum") == 100:
                return f"{shown} is not a percentage between 0 and 100", "write 45 for 45%"
            word = "at least" if "inimum" in str(error.validator) else "at most"
            return f"{shown} must be {word} {bound}", None
        case "minItems":
            return "must list at least one item", None
    return error.message, None


def schema_problems(source: Source) -> list[Problem]:
    """Every place where the input does not match the published JSON Schema."""
    if _gate().is_valid(source.data):
        return []
    problems = []
    for error in _validator().iter_errors(source.data):
        error = _most_relevant(error)
        message, hint = _describe(error)
        problems.append(source.problem(tuple(error.absolute_path), message, hint))
    return sorted(problems, key=lambda p: p.location)


def _model_problems(source: Source, error: ValidationError) -> Iterator[Problem]:
    for detail in error.errors():
        path: Path = tuple(part for part in detail["loc"] if isinstance(part, str | int))
        message = detail["msg"].removeprefix("Value error, ")
        yield source.problem(path, message)


def validate(source: Source) -> Plan:
    """Return the plan in `source`, or raise InvalidInputError naming every problem."""
    problems = schema_problems(source)
    if isinstance(source.data, dict):
        problems += check_references(source) + check_values(source)
    if problems:
        raise InvalidInputError(problems)
    try:
        return Plan.model_validate(source.data)
    except ValidationError as error:
        raise InvalidInputError(list(_model_problems(source, error))) from None


def validated(source: Source) -> tuple[Plan | None, list[Problem]]:
    """Like `validate`, but return the problems instead of raising."""
    try:
        return validate(source), []
    except InvalidInputError as error:
        return None, error.problems
