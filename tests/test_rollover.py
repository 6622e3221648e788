"""`pipeline rollover`: next year's input from this year's. The year that ends is kept (every
benchmark with its last status, every check-in), unfinished benchmarks are carried with their
dates left for the team, the revision moves on, and the source is never touched."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.errors import InvalidInputError
from pipeline.inputs.read import read_input
from pipeline.inputs.rollover import (
    YearError,
    default_target,
    next_revision_number,
    roll_over,
    rollover_file,
)
from pipeline.model.plan import Plan
from pipeline.model.progress import status_as_of
from pipeline.model.vocabulary import Status
from tests.conftest import MINIMAL, ROOT, plan_of, read_json

EXAMPLES = sorted((ROOT / "inputs").glob("*.json")) + sorted((ROOT / "inputs").glob("*.xlsx"))
MAPLE = ROOT / "inputs" / "maple-street-elementary.xlsx"
DAY = dt.date(2026, 6, 30)


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _with_check_ins() -> dict[str, Any]:
    """The minimal plan with four benchmarks and two check-ins: B1 complete at the last
    check-in, B2 complete in the first but at risk in the last, B3 complete by its recorded
    status (never reviewed), B4 reviewed nowhere and without a status."""
    data: dict[str, Any] = copy.deepcopy(read_json(MINIMAL))
    action = data["action_plan"]
    first = action["benchmarks"][0]
    action["benchmarks"] += [
        {**first, "id": "B3", "description": "Coaches meet monthly.", "status": "complete"},
        {
            **first,
            "id": "B4",
            "description": "Teachers visit two classrooms.",
            "start": "2025-09-02",
        },
    ]
    action["benchmarks"][0]["status"] = "on_track"
    action["check_ins"] = [
        {
            "id": "CI2",
            "date": "2026-03-10",
            "period": "Q3 2025-26",
            "reviews": [
                {"benchmark": "B1", "status": "complete", "evidence": "Coaching logs"},
                {"benchmark": "B2", "status": "at_risk", "note": "Walkthroughs fell behind."},
            ],
            "adjustments": [
                {
                    "change": "Add a second walkthrough day",
                    "reason": "Walkthroughs fell behind",
                    "benchmarks": ["B2"],
                    "initiatives": ["1.1"],
                }
            ],
        },
        {
            "id": "CI1",
            "date": "2025-11-04",
            "summary": "Off to a good start.",
            "reviews": [
                {"benchmark": "B1", "status": "on_track"},
                {"benchmark": "B2", "status": "complete"},
            ],
            "next_check_in": "2026-03-10",
        },
    ]
    data["outcomes"][0]["results"] = [{"date": "2026-05-30", "value": 41, "source": "MCAS"}]
    return data


@pytest.fixture
def plan() -> Plan:
    return plan_of(_with_check_ins())


# ---------------------------------------------------------------------------------------------
# the rollover itself


def test_the_year_that_ends_is_kept_and_unfinished_benchmarks_are_carried(plan: Plan) -> None:
    new = roll_over(plan, "2026-27", date=DAY)
    assert plan.action_plan is not None and new.action_plan is not None
    old, action = plan.action_plan, new.action_plan
    assert (action.school_year, action.start, action.end) == (
        "2026-27",
        dt.date(2026, 8, 27),
        dt.date(2027, 6, 19),
    )
    # the past year: every benchmark with its status at the latest check-in, every check-in
    [past] = action.history
    assert (past.school_year, past.start, past.end) == ("2025-26", old.start, old.end)
    assert {b.id: b.status for b in past.benchmarks} == {
        "B1": Status.COMPLETE,
        "B2": Status.AT_RISK,
        "B3": Status.COMPLETE,
        "B4": None,
    }
    for kept, was in zip(past.benchmarks, old.benchmarks, strict=True):
        assert kept.model_dump(exclude={"status"}) == was.model_dump(exclude={"status"})
        assert kept.status is status_as_of(plan, was, None)
    assert [c.id for c in past.check_ins] == ["CI1", "CI2"]  # in date order
    by_id = {c.id: c for c in old.check_ins}
    for kept_check_in in past.check_ins:
        assert kept_check_in.model_dump() == by_id[kept_check_in.id].model_dump()
    # carried: the unfinished ones, marked, dates and status left for the team, ids kept
    assert [b.id for b in action.benchmarks] == ["B2", "B4"]
    for benchmark in action.benchmarks:
        assert benchmark.carried_over_from == "2025-26"
        assert (benchmark.start, benchmark.due, benchmark.status) == (None, None, None)
    assert action.benchmarks[0].description == old.benchmarks[1].description
    assert action.check_ins == []
    assert action.resources == old.resources
    # the rest of the plan is kept
    assert new.outcomes == plan.outcomes and new.objectives == plan.objectives
    assert new.outcomes is not None and new.outcomes[0].results[0].value == 41
    assert new.model_dump(exclude={"plan", "action_plan"}) == plan.model_dump(
        exclude={"plan", "action_plan"}
    )


def test_the_revision_moves_on(plan: Plan) -> None:
    new = roll_over(plan, "2026-27", date=DAY)
    assert plan.plan.revision is not None and new.plan.revision is not None
    assert new.plan.revision_history == [*plan.plan.revision_history, plan.plan.revision]
    assert (new.plan.revision.number, new.plan.revision.date) == ("2", DAY)
    assert new.plan.revision.summary == (
        "Rolled over to 2026-27: 2 benchmarks carried over from 2025-26 (dates to set); "
        "2 complete and 2 check-ins kept in the past years."
    )
    assert new.plan.document_date == DAY


@pytest.mark.parametrize(
    ("number", "expected"), [("2", "3"), ("2.1", "2.2"), ("1.9", "1.10"), ("9", "10"), (None, "2")]
)
def test_revision_numbers(plan: Plan, number: str | None, expected: str) -> None:
    assert plan.plan.revision is not None
    revision = plan.plan.revision.model_copy(update={"number": number})
    info = plan.plan.model_copy(update={"revision": revision})
    assert next_revision_number(plan.model_copy(update={"plan": info})) == expected


def test_a_plan_without_revision_gets_its_first(plan: Plan) -> None:
    info = plan.plan.model_copy(update={"revision": None})
    new = roll_over(plan.model_copy(update={"plan": info}), "2026-27", date=DAY)
    assert new.plan.revision is not None and new.plan.revision.number == "1"
    assert new.plan.revision_history == []


def test_february_29_becomes_february_28() -> None:
    data = _with_check_ins()
    data["plan"]["years"]["end"] = "2030-06-30"
    data["action_plan"].update(school_year="2027-28", start="2027-08-30", end="2028-02-29")
    for benchmark in data["action_plan"]["benchmarks"]:
        benchmark.update(due="2028-01-15", start="2027-09-01")
    new = roll_over(plan_of(data), "2028-29", date=DAY)
    assert new.action_plan is not None
    assert (new.action_plan.start, new.action_plan.end) == (
        dt.date(2028, 8, 30),
        dt.date(2029, 2, 28),
    )


def test_nothing_complete_carries_nothing_unfinished_keeps_all(plan: Plan) -> None:
    assert plan.action_plan is not None
    done = [b.model_copy(update={"status": Status.COMPLETE}) for b in plan.action_plan.benchmarks]
    action = plan.action_plan.model_copy(update={"benchmarks": done, "check_ins": []})
    new = roll_over(plan.model_copy(update={"action_plan": action}), "2026-27", date=DAY)
    assert new.action_plan is not None and new.action_plan.benchmarks == []
    assert new.plan.revision is not None and new.plan.revision.summary == (
        "Rolled over to 2026-27: no benchmark carried over from 2025-26; 4 complete kept in the "
        "past years."
    )


@pytest.mark.parametrize(
    ("to", "message"),
    [
        ("2027-28", "the action plan is for 2025-26, so it rolls over to 2026-27, not 2027-28"),
        ("2025-26", "the action plan is for 2025-26, so it rolls over to 2026-27, not 2025-26"),
        ("2026-28", "'2026-28' is not a school year (write it like '2026-27')"),
    ],
)
def test_only_the_next_year(plan: Plan, to: str, message: str) -> None:
    with pytest.raises(YearError) as raised:
        roll_over(plan, to, date=DAY)
    assert str(raised.value) == message


def test_not_past_the_plans_years() -> None:
    data = _with_check_ins()
    data["action_plan"].update(school_year="2027-28", start="2027-08-26", end="2028-06-16")
    for benchmark in data["action_plan"]["benchmarks"]:
        benchmark.update(due="2028-01-15", start="2027-09-01")
    with pytest.raises(YearError) as raised:
        roll_over(plan_of(data), "2028-29", date=DAY)
    assert str(raised.value) == (
        "2028-29 is past the plan's years (2025-26 to 2027-28, 2025-07-01 to 2028-06-30): "
        "extend the plan's end (plan.years.end) or start the next plan"
    )


def test_default_target_beside_the_source() -> None:
    source = Path("inputs/harbor-view-elementary.json")
    assert default_target(source, "2025-26", "2026-27") == Path(
        "inputs/harbor-view-elementary-2026-27.json"
    )
    assert default_target(source, "2025-26", "2026-27", ".xlsx").name == (
        "harbor-view-elementary-2026-27.xlsx"
    )
    again = Path("inputs/harbor-view-elementary-2026-27.json")
    assert default_target(again, "2026-27", "2027-28").name == "harbor-view-elementary-2027-28.json"


# ---------------------------------------------------------------------------------------------
# the command, on every example


def _copy(source: Path, folder: Path) -> Path:
    target = folder / source.name
    shutil.copy(source, target)
    return target


def _next(school_year: str) -> str:
    first = int(school_year[:4]) + 1
    return f"{first}-{(first + 1) % 100:02d}"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_rolls_over(tmp_path: Path, example: Path) -> None:
    source = _copy(example, tmp_path)
    before = source.read_bytes()
    plan = read_input(source).plan
    assert plan is not None and plan.action_plan is not None
    to = _next(plan.action_plan.school_year)
    result = run("rollover", str(source), "--to", to, "--date", "2026-06-30")
    target = source.with_name(f"{source.stem}-{to}{source.suffix}")
    old = plan.action_plan
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote {target}: the action plan of {old.school_year} ")
    assert f"run: pipeline check {target}" in result.stdout
    assert source.read_bytes() == before
    reading = read_input(target)
    assert reading.ok, reading.problems
    new = reading.plan
    assert new is not None and new.action_plan is not None
    assert new == roll_over(plan, to, date=DAY).model_copy(update={"schema_ref": new.schema_ref})
    past = new.action_plan.history[-1]
    assert past.school_year == old.school_year
    assert sorted(c.model_dump_json() for c in past.check_ins) == sorted(
        c.model_dump_json() for c in old.check_ins
    )
    complete = {b.id for b in old.benchmarks if status_as_of(plan, b, None) is Status.COMPLETE}
    assert [b.model_dump(exclude={"status"}) for b in past.benchmarks] == [
        b.model_dump(exclude={"status"}) for b in old.benchmarks
    ]
    assert {b.id for b in past.benchmarks if b.status is Status.COMPLETE} == complete
    carried = [b for b in old.benchmarks if b.id not in complete]
    assert [b.id for b in new.action_plan.benchmarks] == [b.id for b in carried]
    assert all(b.carried_over_from == old.school_year for b in new.action_plan.benchmarks)
    assert all(b.due is None and b.start is None for b in new.action_plan.benchmarks)
    for benchmark in new.action_plan.benchmarks:
        assert f"  {benchmark.id} (initiative {benchmark.initiative}): " in result.stdout
    # `check` names each date the team must set, where it goes: a draft until they are set
    checked = run("check", str(target), "--format", "json")
    assert checked.exit_code == 1 or not carried
    findings = json.loads(checked.stdout)["plans"][0]["findings"]
    dates = [f for f in findings if f["rule"] == "AP-10"]
    assert [f["message"] for f in dates] == [
        f"benchmark {b.id} (carried over from {old.school_year}) has no due date" for b in carried
    ]
    for index, finding in enumerate(dates):
        assert finding["path"] == ["action_plan", "benchmarks", index, "due"]
        if target.suffix == ".json":
            assert finding["location"] == f"$.action_plan.benchmarks[{index}].due"
        else:
            assert finding["location"].startswith(f"Benchmarks › row {index + 2} › Due (")


def _without_schema(plan: Plan) -> Plan:
    """The plan without its `$schema`, which points at the schema from where the file is."""
    return plan.model_copy(update={"schema_ref": None})


def test_workbook_source_and_other_format(tmp_path: Path) -> None:
    source = _copy(MAPLE, tmp_path)
    plan = read_input(source).plan
    assert plan is not None
    expected = roll_over(plan, "2026-27", date=DAY)
    result = run(
        "rollover", str(source), "--to", "2026-27", "--date", "2026-06-30", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    back = read_input(tmp_path / "maple-street-elementary-2026-27.json")
    assert back.ok and back.plan is not None
    assert _without_schema(back.plan) == _without_schema(expected)
    # and a JSON source written as a workbook: the past years read back whole
    json_source = tmp_path / "maple-2026-27.json"
    (tmp_path / "maple-street-elementary-2026-27.json").rename(json_source)
    out = tmp_path / "next.xlsx"
    result = run(
        "rollover", str(json_source), "--to", "2027-28", "--out", str(out), "--date", "2027-06-30"
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # nothing lost on the way
    twice = read_input(out)
    assert twice.ok and twice.plan is not None
    assert twice.plan.action_plan is not None and len(twice.plan.action_plan.history) == 2
    again = roll_over(back.plan, "2027-28", date=dt.date(2027, 6, 30))
    assert _without_schema(twice.plan) == _without_schema(again)


def test_rolling_over_twice_keeps_both_years(tmp_path: Path) -> None:
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(_with_check_ins()), encoding="utf-8")
    assert run("rollover", str(source), "--to", "2026-27", "--date", "2026-06-30").exit_code == 0
    first = tmp_path / "plan-2026-27.json"
    result = run("rollover", str(first), "--to", "2027-28", "--date", "2027-06-30")
    assert result.exit_code == 0, result.output
    second = read_input(tmp_path / "plan-2027-28.json").plan
    assert second is not None and second.action_plan is not None
    assert [p.school_year for p in second.action_plan.history] == ["2025-26", "2026-27"]
    assert len(second.action_plan.history[0].check_ins) == 2
    assert [b.id for b in second.action_plan.history[1].benchmarks] == ["B2", "B4"]
    assert [b.carried_over_from for b in second.action_plan.benchmarks] == ["2026-27"] * 2
    assert [r.number for r in [*second.plan.revision_history, second.plan.revision] if r] == [
        "1",
        "2",
        "3",
    ]


# ---------------------------------------------------------------------------------------------
# refusals


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_with_check_ins()), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("to", "message"),
    [
        ("2027-28", "the action plan is for 2025-26, so it rolls over to 2026-27, not 2027-28"),
        ("26-27", "'26-27' is not a school year (write it like '2026-27')"),
    ],
)
def test_wrong_year_is_a_usage_error(source: Path, to: str, message: str) -> None:
    before = source.read_bytes()
    result = run("rollover", str(source), "--to", to)
    assert result.exit_code == 2
    assert f"Error: Invalid value for '--to': {message}\n" in result.stderr
    assert sorted(p.name for p in source.parent.iterdir()) == ["plan.json"]
    assert source.read_bytes() == before


def test_past_the_plans_years_is_refused(source: Path) -> None:
    data = _with_check_ins()
    data["plan"]["years"]["end"] = "2026-06-30"
    source.write_text(json.dumps(data), encoding="utf-8")
    result = run("rollover", str(source), "--to", "2026-27")
    assert result.exit_code == 2
    assert "2026-27 is past the plan's years (2025-26 to 2025-26, " in result.stderr
    assert not (source.parent / "plan-2026-27.json").exists()


def test_never_over_the_source(source: Path) -> None:
    before = source.read_bytes()
    link = source.parent / "link.json"
    link.symlink_to(source)
    hard = source.parent / "hard.json"
    hard.hardlink_to(source)
    for out in (source, link, hard, source.parent / "." / "plan.json"):
        result = run("rollover", str(source), "--to", "2026-27", "--out", str(out), "--force")
        assert result.exit_code == 1
        assert result.stderr == (
            f"Error: {out} is the input; a rollover never replaces its input: write next "
            "year's plan to another file (--out)\n"
        )
    assert source.read_bytes() == before


def test_an_existing_output_only_with_force(source: Path) -> None:
    target = source.parent / "plan-2026-27.json"
    target.write_bytes(b"precious")
    result = run("rollover", str(source), "--to", "2026-27")
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {target} already exists (use --force to replace it)\n",
    )
    assert target.read_bytes() == b"precious"
    assert run("rollover", str(source), "--to", "2026-27", "--force").exit_code == 0
    assert read_input(target).ok


def test_an_invalid_input_is_refused_with_every_problem(source: Path) -> None:
    data = _with_check_ins()
    data["action_plan"]["benchmarks"][0]["due"] = "next June"
    data["action_plan"]["benchmarks"][1]["type"] = "outcome"
    source.write_text(json.dumps(data), encoding="utf-8")
    result = run("rollover", str(source), "--to", "2026-27")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert any(f"Error: {source} › $.action_plan.benchmarks[0].due: " in line for line in lines)
    assert any(f"Error: {source} › $.action_plan.benchmarks[1].type: " in line for line in lines)
    assert sorted(p.name for p in source.parent.iterdir()) == ["plan.json"]


def test_a_plan_without_action_plan_is_refused(source: Path) -> None:
    data = _with_check_ins()
    del data["action_plan"]
    source.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InvalidInputError) as raised:
        rollover_file(source, "2026-27", date=DAY)
    result = run("rollover", str(source), "--to", "2026-27")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {source} › $.action_plan: the plan has no annual action plan to roll over "
        "(add the action plan of this school year (action_plan), then roll it over)\n"
    )
    assert "1 problem" in str(raised.value)


def test_format_and_out_must_agree(source: Path) -> None:
    result = run("rollover", str(source), "--to", "2026-27", "--out", "x.json", "--format", "xlsx")
    assert result.exit_code == 2
    assert "'x.json' is not a .xlsx file" in result.stderr
    result = run("rollover", str(source), "--to", "2026-27", "--out", "x.csv")
    assert result.exit_code == 2
    assert "must end in .xlsx or .json" in result.stderr
