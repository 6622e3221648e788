"""The field types every part of the plan model is built from: ids and references, text that
Word can show, codes and years, and the base class of every record."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticKnownError

from pipeline.model.periods import check_period

KIND_NAMES = {  # what each kind of id is called in messages
    "objective": "strategic objective",
    "initiative": "strategic initiative",
    "outcome": "outcome",
    "benchmark": "benchmark",
    "root_cause": "root cause",
    "check_in": "check-in",
}


@dataclass(frozen=True)
class Id:
    """Marks a field as the unique id of a record of `kind`."""

    kind: str


@dataclass(frozen=True)
class Ref:
    """Marks a field as a reference to the id of a record of `kind`."""

    kind: str


# Control characters would become page or paragraph breaks (or vanish) in Word; lone
# surrogates truncate the value. `\n` (line break) and `\t` (tab) are allowed.
_CONTROL = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\ufffe\\uffff"
TEXT_PATTERN = f"^[^{_CONTROL}]*[^\\s{_CONTROL}][^{_CONTROL}]*$"
_CONTROL_RE = re.compile(f"[{_CONTROL}\\ud800-\\udfff]")


def _clean_text(value: str) -> str:
    # Every character `_CONTROL_RE` finds is unprintable: a printable text is looked at once.
    if not value.isprintable() and _CONTROL_RE.search(value):
        raise ValueError("must not contain control characters")
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


MAX_TEXT = 32_767
"""The longest text of one field, in characters: what one Excel cell holds, so that every valid
plan converts to a workbook whole. (A page of a document holds about 3,000.)"""
MAX_NAME = 120
"""The longest name or title that goes into a document's properties (its title is
"DRAFT: <document title>: <organization name>", and Word allows 255 characters there)."""


def _clean_text_of(limit: int) -> Callable[[str], str]:
    """`_clean_text`, then `Field(max_length=limit)` as pydantic applies it after a validator
    (the same error), in one call: a plan has hundreds of texts."""

    def clean(value: str) -> str:
        if not value.isprintable() and _CONTROL_RE.search(value):  # `_clean_text`, inlined
            raise ValueError("must not contain control characters")
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        if len(value) > limit:
            context = {"field_type": "Value", "max_length": limit, "actual_length": len(value)}
            raise PydanticKnownError("too_long", context)
        return value

    return clean


Text = Annotated[
    str,
    AfterValidator(_clean_text_of(MAX_TEXT)),
    Field(json_schema_extra={"maxLength": MAX_TEXT, "pattern": TEXT_PATTERN}),
]
"""A non-blank string, trimmed, without control characters, at most MAX_TEXT characters."""
Name = Annotated[
    str,
    AfterValidator(_clean_text_of(MAX_NAME)),
    Field(json_schema_extra={"maxLength": MAX_NAME, "pattern": TEXT_PATTERN}),
]
"""Text that names the plan or its organization (at most MAX_NAME characters)."""

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"
IdText = Annotated[str, Field(pattern=ID_PATTERN)]
SCHOOL_YEAR_PATTERN = r"^\d{4}-\d{2}$"
SchoolYear = Annotated[
    str,
    Field(pattern=SCHOOL_YEAR_PATTERN, examples=["2024-25"]),
]
MAX_AMOUNT = 1_000_000_000_000
"""The largest amount in dollars: above any school budget, and far below where a float loses
its cents."""
MAX_MEASURE = 1_000_000_000
"""The largest magnitude of an outcome's value (a percent, a score, a count, days)."""
MAX_COUNT = 10_000_000
"""The largest count of people (an enrollment, the participants of an engagement)."""

Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Amount = Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
Measure = Annotated[float, Field(ge=-MAX_MEASURE, le=MAX_MEASURE, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
OrgCode = Annotated[str, Field(pattern=r"^[0-9]{4,12}$", examples=["01230005"])]
Grades = Annotated[
    str,
    Field(pattern=r"^(PK|K|[1-9]|1[0-2])(-(PK|K|[1-9]|1[0-2]))?$", examples=["K-5", "9-12"]),
]
EvidenceTier = Literal[1, 2, 3, 4]
Period = Annotated[
    str,
    AfterValidator(_clean_text),
    AfterValidator(check_period),
    Field(
        max_length=200,
        json_schema_extra={"pattern": TEXT_PATTERN},
        examples=["2024-03-01", "January 2024", "Spring 2024", "Fall–Winter 2023-24", "SY 2024-25"],
    ),
]
"""A timeline as the plan writes it: a date or a period (`pipeline.model.periods`), shown as
written and resolved to a date range for checks and monitoring."""


class Record(BaseModel):
    """Base of every model: unknown fields are errors, values are validated on assignment."""

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        use_enum_values=False,
        str_strip_whitespace=False,
    )
