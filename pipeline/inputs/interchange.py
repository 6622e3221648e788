"""Making inputs: a blank plan to fill in (`pipeline init`), and a plan converted between its
two forms, JSON and workbook (`pipeline convert`).

A conversion reads and validates the input first (an invalid input is reported, nothing is
written), writes the other form in memory, reads that back and compares the plans, then
writes the file atomically. So a conversion is lossless, and says so when it cannot be: a
workbook has no way to hold a section that is present but empty.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal, get_origin

from pydantic import BaseModel

from pipeline.errors import (
    InvalidInputError,
    OutputExistsError,
    Problem,
    Severity,
    json_path,
)
from pipeline.files import write_atomic
from pipeline.inputs.load import load
from pipeline.inputs.source import Source
from pipeline.inputs.validate import validate
from pipeline.inputs.workbook import read_workbook_bytes, workbook_bytes
from pipeline.inputs.workbook.shapes import field_shape, is_model
from pipeline.model.plan import Plan
from pipeline.model.schema import SCHEMA_ID

OUTPUT_SUFFIXES = (".json", ".xlsx")
SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema" / "plan.schema.json"


def _check_target(target: Path, force: bool, source: Path | None = None) -> None:
    if source is not None and target.resolve() == source.resolve():
        raise OutputExistsError(f"{target} is the input; write the conversion to another file")
    if target.exists() and not force:
        raise OutputExistsError(f"{target} already exists (use --force to replace it)")
    if target.is_dir():
        raise OutputExistsError(f"{target} is a folder")
    if target.suffix.lower() not in OUTPUT_SUFFIXES:
        raise OutputExistsError(f"{target}: write a .json or an .xlsx file")


def schema_address(target: Path) -> str:
    """What `$schema` says in a JSON input written to `target`: the checked-in schema, relative
    to it, so editors find it; its published address when there is no checkout."""
    if SCHEMA_FILE.exists():
        relative = os.path.relpath(SCHEMA_FILE, target.resolve().parent)
        return Path(relative).as_posix()
    return SCHEMA_ID


def blank_data(model: type[BaseModel] = Plan) -> dict[str, Any]:
    """Every field of `model`, empty: lists of records hold one blank record to copy."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key.startswith("$"):
            continue
        shape = field_shape(info)
        value: Any
        if is_model(shape.base):
            value = [blank_data(shape.base)] if shape.is_list else blank_data(shape.base)
        elif shape.is_list:
            value = []
        elif shape.base is bool:
            value = False
        elif shape.base in (int, float) or get_origin(shape.base) is Literal:
            value = None
        else:
            value = ""
        out[key] = value
    return out


def init(target: Path, force: bool = False) -> None:
    """Write a blank plan to fill in: a workbook (.xlsx) or a JSON skeleton with `$schema`."""
    _check_target(target, force)
    if target.suffix.lower() == ".xlsx":
        write_atomic(target, workbook_bytes(None))
        return
    data = {"$schema": schema_address(target), **blank_data()}
    write_atomic(target, _json_text(data).encode("utf-8"))


def _json_text(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _encode(plan: Plan, kind: str) -> bytes:
    if kind == ".xlsx":
        return workbook_bytes(plan.model_dump(mode="json", by_alias=True, exclude_none=True))
    data = plan.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude_none=True)
    return _json_text(_whole_numbers(data)).encode("utf-8")


def _whole_numbers(data: Any) -> Any:
    """45.0 written as 45, as a person writes it (the model reads both as 45.0)."""
    if isinstance(data, dict):
        return {key: _whole_numbers(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_whole_numbers(item) for item in data]
    if isinstance(data, float) and data.is_integer() and abs(data) < 2**53:
        return int(data)
    return data


def _decode(content: bytes, kind: str, name: str) -> Source:
    if kind == ".xlsx":
        return read_workbook_bytes(content, name)
    return Source(name, json.loads(content))


def convert(source: Path, target: Path, force: bool = False) -> list[Problem]:
    """Convert the plan in `source` (JSON or workbook) to `target` (.json or .xlsx).

    Returns the warnings (reading the input's, and anything the conversion could not keep).
    Raises InvalidInputError when the input is not a valid plan, OutputExistsError when
    `target` exists (without `force`) or is the input."""
    _check_target(target, force, source)
    read = load(source)
    plan = validate(read)
    content, losses = encoded(plan, source, target, "the conversion")
    write_atomic(target, content)
    return list(read.problems) + losses


def encoded(plan: Plan, source: Path, target: Path, what: str) -> tuple[bytes, list[Problem]]:
    """The plan in `target`'s form (.json or .xlsx), read back to be sure: its bytes, and what
    that form could not keep, as warnings. `what` names the operation in messages ("the
    conversion")."""
    kind = target.suffix.lower()
    try:
        content = _encode(plan, kind)
    except InvalidInputError as error:  # a value the target form cannot hold whole
        raise InvalidInputError(
            [
                Problem(str(source), f"{p.location} of {target.name}", p.message, p.hint)
                for p in error.problems
            ]
        ) from None
    try:
        back = validate(_decode(content, kind, str(target)))
    except InvalidInputError as error:  # pragma: no cover - a bug in the writer, not the input
        raise InvalidInputError(
            [
                Problem(str(target), p.location, f"{what} is not readable: {p.message}")
                for p in error.problems
            ]
        ) from None
    return content, _losses(plan, back, str(target))


def _losses(before: Plan, after: Plan, name: str) -> list[Problem]:
    """What differs between the plan converted and the plan read back, as warnings."""
    if before == after:
        return []
    old = before.model_dump(mode="json", by_alias=True)
    new = after.model_dump(mode="json", by_alias=True)
    losses = []
    for path, was, now in _differences(old, new, ()):
        if now is None and not _has_content(was):
            message = "a workbook cannot hold an empty section; it is left out"
        else:
            message = f"the conversion changes {json.dumps(was)} to {json.dumps(now)}"
        losses.append(Problem(name, json_path(path), message, None, Severity.WARNING))
    return losses


def _differences(
    old: Any, new: Any, path: tuple[str | int, ...]
) -> list[tuple[tuple[str | int, ...], Any, Any]]:
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in dict.fromkeys([*old, *new]):
            found += _differences(old.get(key), new.get(key), (*path, key))
        return found
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        found = []
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            found += _differences(a, b, (*path, index))
        return found
    return [] if old == new else [(path, old, new)]


def _has_content(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_content(item) for item in value.values())
    if isinstance(value, list):
        return bool(value)
    return value is not None
