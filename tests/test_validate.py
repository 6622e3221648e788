"""Bad input → the message a person sees, with its location. All problems come at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import InvalidInputError
from pipeline.inputs.load import load
from pipeline.inputs.source import Source
from pipeline.inputs.validate import validate
from tests.conftest import INPUTS, read_json

DELETE = object()


def _set(data: Any, path: str, value: Any) -> None:
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    for part in parents:
        data = data[part]
    if value is DELETE:
        del data[last]
    else:
        data[last] = value


# (what is wrong, path to change, new value, location reported, message, hint fragment)
CASES = [
    (
        "text date",
        "action_plan.benchmarks.0.due",
        "next June",
        "$.action_plan.benchmarks[0].due",
        "'next June' is not a date",
        "YYYY-MM-DD",
    ),
    (
        "evidence tier 7",
        "objectives.0.initiatives.0.evidence.tier",
        7,
        "$.objectives[0].initiatives[0].evidence.tier",
        "7 is not one of the allowed values",
        "1, 2, 3, 4",
    ),
    (
        "unknown objective",
        "objectives.0.initiatives.0.also_serves",
        ["SO9"],
        "$.objectives[0].initiatives[0].also_serves[0]",
        "no strategic objective has the id 'SO9'",
        "known ids: SO1",
    ),
    (
        "unknown initiative",
        "action_plan.benchmarks.0.initiative",
        "9.9",
        "$.action_plan.benchmarks[0].initiative",
        "no strategic initiative has the id '9.9'",
        "known ids: 1.1",
    ),
    (
        "unknown root cause",
        "objectives.0.root_causes",
        ["RC7"],
        "$.objectives[0].root_causes[0]",
        "no root cause has the id 'RC7'",
        "RC1",
    ),
    (
        "typo in a field name",
        "foundation.misson",
        "We teach.",
        "$.foundation",
        "unknown field 'misson'",
        "allowed fields: core_values, mission, portrait_of_graduate, vision",
    ),
    (
        "missing required field",
        "foundation.mission",
        DELETE,
        "$.foundation",
        "the required field 'mission' is missing",
        None,
    ),
    (
        "blank text",
        "foundation.vision",
        "   ",
        "$.foundation.vision",
        "must be text that is not blank",
        None,
    ),
    (
        "control character",
        "foundation.vision",
        "Read\x0cby grade 3",
        "$.foundation.vision",
        "has no control characters",
        None,
    ),
    (
        "percent above 100",
        "needs_assessment.student_group_gaps.0.group_value",
        140,
        "$.needs_assessment.student_group_gaps[0].group_value",
        "140 is not a percentage between 0 and 100",
        None,
    ),
    (
        "percent outcome target above 100",
        "outcomes.0.final_target.value",
        140,
        "$.outcomes[0].final_target.value",
        "140 is not a percentage between 0 and 100",
        None,
    ),
    (
        "closed list",
        "plan.essa_designation",
        "TSI",
        "$.plan.essa_designation",
        "'TSI' is not one of the allowed values",
        "none, csi, tsi",
    ),
    (
        "student group",
        "outcomes.0.student_group",
        "ELs",
        "$.outcomes[0].student_group",
        "'ELs' is not one of the allowed values",
        "english_learners",
    ),
    (
        "code as a number loses leading zeros",
        "organization.code",
        990001,
        "$.organization.code",
        "990001 is not of type string",
        None,
    ),
    (
        "code with letters",
        "organization.code",
        "AB12",
        "$.organization.code",
        "'AB12' is not an organization code",
        "leading zeros kept",
    ),
    (
        "school year",
        "outcomes.0.baseline.year",
        "2024-26",
        "$.outcomes[0].baseline.year",
        "'2024-26' is not a school year",
        "2024-25",
    ),
    (
        "school year shape",
        "action_plan.school_year",
        "2025",
        "$.action_plan.school_year",
        "'2025' is not a school year",
        None,
    ),
    (
        "plan ends before it starts",
        "plan.years.end",
        "2024-06-30",
        "$.plan.years.end",
        "ends (2024-06-30) before it starts (2025-07-01)",
        None,
    ),
    ("bad id", "objectives.0.id", "SO 1", "$.objectives[0].id", "'SO 1' is not a valid id", None),
    (
        "negative amount",
        "action_plan.resources.0.amount",
        -5,
        "$.action_plan.resources[0].amount",
        "-5 must be at least 0",
        None,
    ),
    (
        "wrong type for a list",
        "foundation.core_values",
        "Equity",
        "$.foundation.core_values",
        "'Equity' is not of type array",
        None,
    ),
    ("null for a required section", "plan", None, "$.plan", "null is not of type object", None),
]


@pytest.mark.parametrize(
    ("path", "value", "location", "message", "hint"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_is_reported_at_its_location(
    minimal_data: dict[str, Any],
    path: str,
    value: Any,
    location: str,
    message: str,
    hint: str | None,
) -> None:
    _set(minimal_data, path, value)
    with pytest.raises(InvalidInputError) as caught:
        validate(Source("plan.json", minimal_data))
    found = [p for p in caught.value.problems if p.location == location and message in p.message]
    assert found, [str(p) for p in caught.value.problems]
    if hint:
        assert hint in (found[0].hint or "")
    assert str(found[0]).startswith(f"plan.json › {location}: ")


def test_duplicate_ids_name_both_places(minimal_data: dict[str, Any]) -> None:
    benchmark = dict(minimal_data["action_plan"]["benchmarks"][0])
    minimal_data["action_plan"]["benchmarks"].insert(1, benchmark)
    with pytest.raises(InvalidInputError) as caught:
        validate(Source("plan.json", minimal_data))
    (problem,) = caught.value.problems
    assert problem.location == "$.action_plan.benchmarks[1].id"
    assert problem.message == "benchmark id 'B1' is used twice"
    assert "$.action_plan.benchmarks[0].id" in (problem.hint or "")


def test_all_problems_are_reported_in_one_run(minimal_data: dict[str, Any]) -> None:
    for _, path, value, *_ in CASES[:5]:
        _set(minimal_data, path, value)
    with pytest.raises(InvalidInputError) as caught:
        validate(Source("plan.json", minimal_data))
    locations = {p.location for p in caught.value.problems}
    assert {case[3] for case in CASES[:5]} <= locations


def test_every_mistake_in_one_optional_section_is_reported(minimal_data: dict[str, Any]) -> None:
    """An optional section is `anyOf` (the section, or null) in the schema: each reason its
    branch failed is reported, not only the first."""
    _set(minimal_data, "action_plan.benchmarks.0.due", "next June")
    _set(minimal_data, "action_plan.benchmarks.0.responsible", DELETE)
    _set(minimal_data, "action_plan.resources.0.amount", "lots")
    with pytest.raises(InvalidInputError) as caught:
        validate(Source("plan.json", minimal_data))
    assert [(p.location, p.message) for p in caught.value.problems] == [
        ("$.action_plan.benchmarks[0]", "the required field 'responsible' is missing"),
        ("$.action_plan.benchmarks[0].due", "'next June' is not a date"),
        ("$.action_plan.resources[0].amount", "'lots' is not of type number"),
    ]


@pytest.mark.parametrize("example", INPUTS, ids=lambda p: p.name)
def test_examples_are_valid(example: Path) -> None:
    plan = validate(load(example))
    assert plan.organization.name


@pytest.mark.parametrize("example", INPUTS, ids=lambda p: p.name)
def test_three_planted_mistakes_in_an_example(example: Path) -> None:
    data = read_json(example)
    data["action_plan"]["benchmarks"][0]["due"] = "next June"
    data["objectives"][1]["initiatives"][0]["evidence"]["tier"] = 7
    data["objectives"][0]["initiatives"][0]["also_serves"] = ["SO99"]
    with pytest.raises(InvalidInputError) as caught:
        validate(Source(str(example), data))
    locations = [p.location for p in caught.value.problems]
    assert locations == [
        "$.action_plan.benchmarks[0].due",
        "$.objectives[1].initiatives[0].evidence.tier",
        "$.objectives[0].initiatives[0].also_serves[0]",
    ]


@pytest.mark.parametrize(
    ("content", "location", "message"),
    [
        (b'{"organization": {', "line 1, column 19", "not valid JSON"),
        (b'{"plan": 1, "plan": 2}', "file", "the key 'plan' appears twice in one object"),
        (b"\xff\xfe{}", "byte 0", "not UTF-8 text"),
        (b"[]", "$", "[] is not of type object"),
    ],
    ids=["syntax", "duplicate key", "encoding", "not an object"],
)
def test_unreadable_files(tmp_path: Path, content: bytes, location: str, message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    with pytest.raises(InvalidInputError) as caught:
        validate(load(path))
    problem = caught.value.problems[0]
    assert (problem.location, message in problem.message) == (location, True), str(problem)


def test_unsupported_file_type(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text("{}")
    with pytest.raises(InvalidInputError) as caught:
        load(path)
    assert "unsupported input type '.txt'" in caught.value.problems[0].message
