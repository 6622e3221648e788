"""The published JSON Schema is derived from the model and kept in step with it."""

from __future__ import annotations

import json
import types
from typing import Any, Union, get_args, get_origin

import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from pipeline.model.plan import Plan
from pipeline.model.schema import plan_schema, schema_text
from tests.conftest import ROOT


def test_checked_in_schema_matches_the_model() -> None:
    checked_in = (ROOT / "schema" / "plan.schema.json").read_text(encoding="utf-8")
    assert checked_in == schema_text(), "schema drifted from the model: run `make schema`"


def test_schema_is_valid_draft_2020_12() -> None:
    schema = plan_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> None:
    if model in seen:
        return
    seen.add(model)
    for info in model.model_fields.values():
        for inner in _types(info.annotation):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                _models(inner, seen)


def _types(annotation: Any) -> list[Any]:
    if get_origin(annotation) in (Union, types.UnionType, list):
        return [t for arg in get_args(annotation) for t in _types(arg)]
    return [annotation]


ALL_MODELS: set[type[BaseModel]] = set()
_models(Plan, ALL_MODELS)


@pytest.mark.parametrize(
    "model", sorted(ALL_MODELS, key=lambda m: m.__name__), ids=lambda m: m.__name__
)
def test_every_field_has_a_description(model: type[BaseModel]) -> None:
    undocumented = [name for name, info in model.model_fields.items() if not info.description]
    assert not undocumented


@pytest.mark.parametrize(
    "model", sorted(ALL_MODELS, key=lambda m: m.__name__), ids=lambda m: m.__name__
)
def test_unknown_fields_are_forbidden(model: type[BaseModel]) -> None:
    assert model.model_config.get("extra") == "forbid"


def test_top_level_sections_are_the_domains() -> None:
    properties = set(plan_schema()["properties"]) - {"$schema"}
    assert properties == {
        "organization",
        "plan",
        "foundation",
        "needs_assessment",
        "theory_of_action",
        "objectives",
        "supports",
        "outcomes",
        "action_plan",
        "roadmap",
        "school_council",
    }
    assert plan_schema()["required"] == ["organization", "plan"]


def test_schema_file_is_json() -> None:
    json.loads((ROOT / "schema" / "plan.schema.json").read_text(encoding="utf-8"))
