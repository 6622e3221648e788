"""The fast paths of reading, validating, writing the context and storing a revision give what
the plain definitions give: the same data, the same problems, the same bytes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from pipeline.batch import revisions
from pipeline.errors import InvalidInputError
from pipeline.inputs import integrity
from pipeline.inputs import validate as validate_module
from pipeline.inputs.load import MAX_DEPTH, _nests_deeper, _too_deep, load_json
from pipeline.inputs.source import Source
from pipeline.model.fields import _CONTROL_RE
from pipeline.model.plan import Plan
from tests.conftest import INPUTS, plan_of, read_json


def _problems(path: Path) -> list[str]:
    with pytest.raises(InvalidInputError) as error:
        load_json(path)
    return [f"{p.location}: {p.message}" for p in error.value.problems]


def test_every_character_the_text_check_refuses_is_unprintable() -> None:
    # `_clean_text` looks for them only in a text that is not printable.
    refused = [chr(c) for c in range(0x110000) if _CONTROL_RE.search(chr(c))]
    assert refused and not any(char.isprintable() for char in refused)


@pytest.mark.parametrize("depth", [1, 6, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 60])
def test_the_depth_of_parsed_data_is_the_depth_of_its_text(depth: int) -> None:
    text = '{"a": [' + '{"b": [' * depth + "1" + "]}" * depth + "]}"
    assert _nests_deeper(json.loads(text), MAX_DEPTH) == (_too_deep(text) is not None)


def test_nested_too_deep_is_said_first_whatever_else_is_wrong(tmp_path: Path) -> None:
    deep = "[" * (MAX_DEPTH + 8) + "]" * (MAX_DEPTH + 8)
    cases = {
        "valid": '{"a": ' + deep + "}",
        "duplicate": '{"a": 1, "a": ' + deep + "}",
        "broken": '{"a": ' + deep + ", }",
        "very-deep": "[" * 100_000 + "]" * 100_000,
    }
    for name, text in cases.items():
        path = tmp_path / f"{name}.json"
        path.write_text(text, encoding="utf-8")
        found = _problems(path)
        assert len(found) == 1 and "nested more than 32 deep" in found[0], name
        where = _too_deep(text)
        assert where is not None and found[0].startswith(f"line {where[0]}, column {where[1]}")


def test_what_is_not_too_deep_keeps_its_own_problem(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"a": [[1]], "a": 2}', encoding="utf-8")
    assert _problems(path) == ["file: the key 'a' appears twice in one object"]
    path.write_text('{"a": [[1]],, }', encoding="utf-8")
    assert _problems(path)[0].startswith("line 1, column 13: not valid JSON")


@pytest.mark.parametrize(
    "where",
    [
        ("action_plan", "school_year"),
        ("organization", "extra", "year"),  # an unknown field is looked at too
        ("outcomes", 0, "baseline", "year"),
    ],
)
def test_a_school_year_out_of_order_is_found_anywhere(
    minimal_data: dict[str, Any], where: tuple[Any, ...]
) -> None:
    data = copy.deepcopy(minimal_data)
    node: Any = data
    for key in where[:-1]:
        node = node.setdefault(key, {}) if isinstance(key, str) else node[key]
    node[where[-1]] = "2024-26"
    assert integrity._any_bad_school_year(data)
    found = integrity.check_values(Source("plan.json", data))
    assert [p.message for p in found] == ["'2024-26' is not a school year"]


def test_references_fast_path_agrees(minimal_data: dict[str, Any]) -> None:
    assert integrity.check_references(Source("plan.json", minimal_data)) == []
    data = copy.deepcopy(minimal_data)
    benchmarks = data["action_plan"]["benchmarks"]
    benchmarks.append({**benchmarks[0]})
    benchmarks[0]["initiative"] = "no-such"
    found = integrity.check_references(Source("plan.json", data))
    assert [p.message for p in found] == [
        f"benchmark id '{benchmarks[0]['id']}' is used twice",
        "no strategic initiative has the id 'no-such'",
    ]


@pytest.mark.parametrize("path", INPUTS, ids=lambda path: path.stem)
def test_canonical_bytes_are_those_of_json_dumps(path: Path) -> None:
    plan = plan_of(read_json(path))
    data = plan.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"schema_ref"})
    assert revisions._fast_json_agrees()
    assert revisions.canonical_bytes(plan) == revisions._canonical_json(data)


@pytest.mark.parametrize("value", [0.0, 45.0, 1e-4, 0.00001, 2.5e-7, 123456.789])
def test_canonical_bytes_of_any_measure(minimal_data: dict[str, Any], value: float) -> None:
    data = copy.deepcopy(minimal_data)
    data["outcomes"][0]["unit"] = "count"
    data["outcomes"][0]["baseline"]["value"] = value
    plan = plan_of(data)
    dumped = plan.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"schema_ref"})
    assert revisions.canonical_bytes(plan) == revisions._canonical_json(dumped)


@pytest.mark.parametrize("year", ["2024-25", "1999-00", "2024-26", "2024-2", "٢٠٢٤-٢٥"])
def test_the_strict_gate_passes_only_what_the_gate_and_the_year_check_pass(
    minimal_data: dict[str, Any], year: str
) -> None:
    data = copy.deepcopy(minimal_data)
    data["outcomes"][0]["baseline"]["year"] = year
    strict = validate_module._strict_gate()
    assert strict is not None
    source = Source("plan.json", data)
    plain = [  # what validation finds without the strict gate
        *validate_module.schema_problems(source),
        *integrity.check_references(source),
        *integrity.check_values(source),
    ]
    assert not (strict.is_valid(data) and plain)  # it may refuse more (other digits), not less
    if plain:
        with pytest.raises(InvalidInputError) as error:
            validate_module.validate(source)
        assert error.value.problems == plain
    else:
        validate_module.validate(source)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x" * 40_000, "Value should have at most 32767 items after validation, not 40000"),
        ("  " + "x" * 32_767 + "  ", None),  # the limit is on the trimmed text
        ("   ", "Value error, must not be blank"),
        ("a\x01b", "Value error, must not contain control characters"),
    ],
)
def test_a_text_is_trimmed_then_measured(
    minimal_data: dict[str, Any], value: str, message: str | None
) -> None:
    data = copy.deepcopy(minimal_data)
    data["foundation"]["mission"] = value
    if message is None:
        plan = Plan.model_validate(data)  # (the schema limits the text before trimming)
        assert plan.foundation is not None and plan.foundation.mission == "x" * 32_767
        return
    with pytest.raises(ValidationError) as error:
        Plan.model_validate(data)
    assert [(e["loc"], e["msg"]) for e in error.value.errors()] == [
        (("foundation", "mission"), message)
    ]
