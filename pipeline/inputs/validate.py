"""Stage 2: check an input against the JSON Schema and the integrity rules, then load it
into the plan model.

Every problem of every kind is collected before anything is raised, so one run names them all.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

import jsonschema_rs
from pydantic import ValidationError

from pipeline.errors import DataPath, InvalidInputError, Problem, errors_in
from pipeline.inputs.integrity import check_references, check_values
from pipeline.inputs.source import Source
from pipeline.model.fields import ID_PATTERN, SCHOOL_YEAR_PATTERN, TEXT_PATTERN
from pipeline.model.plan import Plan
from pipeline.model.schema import plan_schema

if TYPE_CHECKING:  # jsonschema itself is imported for the messages of an invalid input only
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError as SchemaError

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
    from jsonschema import Draft202012Validator, FormatChecker

    return Draft202012Validator(plan_schema(), format_checker=FormatChecker())


@cache
def _gate() -> Any:
    """A compiled validator of the same schema (Rust): about a hundred times faster at saying
    whether an input is valid, which is all a batch of mostly valid inputs needs. The messages
    of an invalid input come from `jsonschema`."""
    return jsonschema_rs.validator_for(plan_schema(), validate_formats=True)


_CONSECUTIVE_YEARS = (
    "^[0-9]{2}(?:" + "|".join(f"{n:02d}-{(n + 1) % 100:02d}" for n in range(100)) + ")$"
)
"""A school year whose two halves follow each other ('2024-25', '1999-00'), in ASCII digits."""


@cache
def _strict_gate() -> Any:
    """The gate, with every school year's pattern narrowed to `_CONSECUTIVE_YEARS`: an input
    it passes is valid, and has no school year `check_values` refuses (it looks at every
    "year" and "school_year", and in an input the schema passes these are all school years:
    every object of the schema forbids other fields). None when the schema is not so."""
    schema = copy.deepcopy(plan_schema())
    if not _narrow_years(schema):
        return None
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def _narrow_years(schema: Any) -> bool:
    """Narrow the school years' patterns in `schema`; False when it allows an object field it
    does not name, or has a "year" or "school_year" that is not a school year."""
    if isinstance(schema, list):
        return all([_narrow_years(item) for item in schema])
    if not isinstance(schema, dict):
        return True
    properties = schema.get("properties")
    if properties is not None or schema.get("type") == "object":
        if schema.get("additionalProperties") is not False or "patternProperties" in schema:
            return False
        fields = properties if isinstance(properties, dict) else {}
        for key in ("year", "school_year"):
            if key in fields and not _narrow_pattern(fields[key]):
                return False
    return all([_narrow_years(value) for value in schema.values()])


def _narrow_pattern(field: Any) -> bool:
    """Narrow a school year field's pattern; False when one of its strings has another."""
    branches = field.get("anyOf", [field]) if isinstance(field, dict) else []
    strings = [branch for branch in branches if branch.get("type") != "null"]
    if not strings or any(branch.get("pattern") != SCHOOL_YEAR_PATTERN for branch in strings):
        return False
    for branch in strings:
        branch["pattern"] = _CONSECUTIVE_YEARS
    return True


def _is_null_branch(errors: list[SchemaError]) -> bool:
    return all(sub.validator == "type" and sub.validator_value == "null" for sub in errors)


def _most_relevant(error: SchemaError) -> list[SchemaError]:
    """For `anyOf` (optional fields accept null), every reason the non-null branch failed.

    All of them, not one: an optional section with two mistakes must report both."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return [error]
    branches: dict[int, list[SchemaError]] = {}
    for sub in error.context:
        branches.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
    candidates = [subs for subs in branches.values() if not _is_null_branch(subs)]
    if not candidates:
        return [error]
    if len(candidates) > 1:  # several typed branches: the one that got furthest
        subs = [sub for branch in candidates for sub in branch]
        return _most_relevant(min(subs, key=lambda sub: len(sub.relative_path)))
    # A value of another type altogether comes back as one `type` error: what was expected.
    return [found for sub in candidates[0] for found in _most_relevant(sub)]


_SHOWN = 60
"""The longest value a message quotes; a longer one is cut there, with its length said."""


def _shown(value: Any) -> str:
    """A value as a message quotes it: short, whatever the input holds."""
    if isinstance(value, str):
        if len(value) > _SHOWN:
            return f"{value[:_SHOWN]!r}… ({len(value):,} characters)"
        return repr(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**_SHOWN:
        return f"a {len(str(abs(value))):,}-digit number"
    if isinstance(value, dict | list) and len(value) > 10:
        return "an object" if isinstance(value, dict) else f"a list of {len(value):,} items"
    text = str(value).replace("None", "null")
    return text if len(text) <= 4 * _SHOWN else text[: 4 * _SHOWN] + "…"


def _describe(error: SchemaError) -> tuple[str, str | None]:
    value = error.instance
    shown = _shown(value)
    match error.validator:
        case "required":
            return f"the required field '{_missing(error)}' is missing", None
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
            return f"{shown} must be {word} {bound:,}", None
        case "minItems":
            return "must list at least one item", None
        case "maxLength":
            length = len(value) if isinstance(value, str) else 0
            return (
                f"is {length:,} characters long; the limit is {error.validator_value:,}",
                "shorten it",
            )
    return error.message[:200], None


def _missing(error: SchemaError) -> str:
    return str(error.message).split("'")[1]


def schema_problems(source: Source) -> list[Problem]:
    """Every place where the input does not match the published JSON Schema."""
    if _gate().is_valid(source.data):
        return []
    problems = []
    for found in _validator().iter_errors(source.data):
        for error in _most_relevant(found):
            message, hint = _describe(error)
            missing = _missing(error) if error.validator == "required" else None
            path = tuple(error.absolute_path)
            problems.append(source.problem(path, message, hint, missing=missing))
    return sorted(problems, key=lambda p: p.location)


def _model_problems(source: Source, error: ValidationError) -> Iterator[Problem]:
    for detail in error.errors():
        path: DataPath = tuple(part for part in detail["loc"] if isinstance(part, str | int))
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "finite_number":
            message = "must be a finite number (NaN and Infinity are not numbers)"
        yield source.problem(path, message)


def validate(source: Source) -> Plan:
    """Return the plan in `source`, or raise InvalidInputError naming every problem.

    Warnings (in `source.problems`, from reading) are raised with the errors, and do not fail
    validation on their own: the caller shows them from `source.problems`."""
    strict = _strict_gate()
    years_in_order = strict is not None and strict.is_valid(source.data)
    found = [] if years_in_order else schema_problems(source)  # (the strict gate passes less)
    if isinstance(source.data, dict):
        found += check_references(source) + check_values(source, years_in_order=years_in_order)
    # A value the reader could not read was left out: it already has its own, clearer problem.
    unread = {p.location for p in errors_in(source.problems)}
    problems = source.problems + [p for p in found if p.location not in unread]
    if errors_in(problems):
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
