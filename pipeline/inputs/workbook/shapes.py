"""A model field's type taken apart for the workbook (and the test strategies): what it holds,
whether it is optional, whether it is a list, and the constraints on it."""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo


@dataclass
class FieldShape:
    """A field's type with its Optional, Annotated and list wrappers taken apart."""

    base: Any
    metadata: list[Any] = field(default_factory=list)
    nullable: bool = False
    is_list: bool = False
    item_metadata: list[Any] = field(default_factory=list)


def _unwrap(annotation: Any, metadata: list[Any]) -> tuple[Any, list[Any], bool]:
    nullable = False
    while True:
        origin = get_origin(annotation)
        if origin in (Union, types.UnionType):
            args = [arg for arg in get_args(annotation) if arg is not type(None)]
            nullable = nullable or len(args) < len(get_args(annotation))
            if len(args) != 1:
                raise TypeError(f"the workbook cannot hold a union of {args}")
            annotation = args[0]
        elif origin is Annotated:
            metadata = [*metadata, *annotation.__metadata__]
            annotation = get_args(annotation)[0]
        else:
            break
    flat: list[Any] = []
    for item in metadata:
        # A `Field(pattern=...)` inside Annotated carries its constraints in its own metadata.
        flat += [item, *item.metadata] if isinstance(item, FieldInfo) else [item]
    return annotation, flat, nullable


def field_shape(info: FieldInfo) -> FieldShape:
    """The shape of a model field's type: what it holds, whether optional, whether a list."""
    base, metadata, nullable = _unwrap(info.annotation, list(info.metadata))
    if get_origin(base) is list:
        item, item_metadata, _ = _unwrap(get_args(base)[0], [])
        return FieldShape(item, metadata, nullable, True, item_metadata)
    return FieldShape(base, metadata, nullable or not info.is_required())


def constraint(metadata: list[Any], name: str) -> Any:
    for item in metadata:
        value = getattr(item, name, None)
        if value is not None:
            return value
    return None


def is_model(base: Any) -> bool:
    """Whether a type is a record (a pydantic model) rather than a single value."""
    return isinstance(base, type) and issubclass(base, BaseModel)
