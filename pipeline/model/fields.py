"""The field types every part of the plan model is built from: ids and references, text that
Word can show, codes and years, and the base class of every record."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

KIND_NAMES = {  # what each kind of id is called in messages
    "objective": "strategic objective",
    "initiative": "strategic initiative",
    "outcome": "outcome",
    "benchmark": "benchmark",
    "root_cause": "root cause",
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
    if _CONTROL_RE.search(value):
        raise ValueError("must not contain control characters")
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


Text = Annotated[
    str, AfterValidator(_clean_text), Field(json_schema_extra={"pattern": TEXT_PATTERN})
]
"""A non-blank string, trimmed, without control characters."""

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"
IdText = Annotated[str, Field(pattern=ID_PATTERN)]
SCHOOL_YEAR_PATTERN = r"^\d{4}-\d{2}$"
SchoolYear = Annotated[
    str,
    Field(pattern=SCHOOL_YEAR_PATTERN, examples=["2024-25"]),
]
Percent = Annotated[float, Field(ge=0, le=100)]
OrgCode = Annotated[str, Field(pattern=r"^[0-9]{4,12}$", examples=["01230005"])]
Grades = Annotated[
    str,
    Field(pattern=r"^(PK|K|[1-9]|1[0-2])(-(PK|K|[1-9]|1[0-2]))?$", examples=["K-5", "9-12"]),
]
EvidenceTier = Literal[1, 2, 3, 4]


class Record(BaseModel):
    """Base of every model: unknown fields are errors, values are validated on assignment."""

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        use_enum_values=False,
        str_strip_whitespace=False,
    )
