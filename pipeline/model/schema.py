"""The published JSON Schema (draft 2020-12), generated from the plan model.

`schema/plan.schema.json` is a checked-in copy for editors and other systems; a test fails
when it drifts from `plan_schema()`.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from pipeline.model.plan import Plan

SCHEMA_ID = "https://example.org/pipeline/plan.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


@cache
def plan_schema() -> dict[str, Any]:
    """Return the JSON Schema of a plan input, as published."""
    generated = Plan.model_json_schema(by_alias=True)
    return {
        "$schema": DIALECT,
        "$id": SCHEMA_ID,
        "title": "Improvement plan",
        **{key: value for key, value in generated.items() if key != "title"},
    }


def schema_text() -> str:
    """The schema as the text of `schema/plan.schema.json`."""
    return json.dumps(plan_schema(), indent=2, ensure_ascii=False) + "\n"
