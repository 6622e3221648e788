"""`pipeline diff`: what changed between two revisions of a plan, matched by ids and keys,
in every format, with diff(1)'s exit codes."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import Field

from pipeline.cli import cli
from pipeline.cli.revisions import compare
from pipeline.errors import InvalidInputError
from pipeline.inputs.interchange import convert
from pipeline.inputs.read import read_input
from pipeline.model.changes import KINDS, Change, by_section, canonical, diff_plans
from pipeline.model.changes_match import match, word_diff
from pipeline.model.fields import Id, IdText, Record, Text
from pipeline.model.plan import Plan
from pipeline.model.vocabulary import RoadmapPhase
from pipeline.reports.changes import Side, diff_json, render_changes
from tests.conftest import INPUTS, MINIMAL, ROOT, plan_of, read_json
from tests.workbooks import Edit, workbook_of

WORKBOOK = ROOT / "inputs" / "maple-street-elementary.xlsx"
EXAMPLES = [*INPUTS, WORKBOOK]


@pytest.fixture(scope="module")
def example_data() -> dict[str, Any]:
    """{example stem: its data as JSON}, the workbook's as its plan dumps it."""
    out = {path.stem: read_json(path) for path in INPUTS}
    plan = read_input(WORKBOOK).plan
    assert plan is not None
    out[WORKBOOK.stem] = plan.model_dump(mode="json", by_alias=True, exclude_none=True)
    return out


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def summary(changes: list[Change]) -> Counter[tuple[str, str, str, str]]:
    return Counter((c.section, c.place, c.label, c.kind) for c in changes)


# ---------------------------------------------------------------------------------------------
# known edits of every example


def known_edits(
    data: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], Counter[tuple[str, ...]]]:
    """Two revisions of `data` with one of each kind of edit a revision makes between them,
    and the changes expected. (The removed benchmark is one the old revision has: no check-in
    names it, which the plan would refuse.)"""
    old = copy.deepcopy(data)
    gone = {**copy.deepcopy(old["action_plan"]["benchmarks"][-1]), "id": "B9.9.8"}
    old["action_plan"]["benchmarks"].insert(1, gone)
    new = copy.deepcopy(data)
    expected: list[tuple[str, str, str, str]] = []
    new["foundation"]["mission"] += " Together we learn."
    expected.append(("Foundation", "", "Mission", "reworded"))

    objectives = new["objectives"]
    moved = next(o for o in objectives if len(o["initiatives"]) >= 2)
    moved["initiatives"].reverse()
    expected.append(("Objectives", f"Objective {moved['id']}", "Initiatives", "reordered"))
    grown = objectives[-1]
    grown["initiatives"].append(
        {**copy.deepcopy(grown["initiatives"][0]), "id": "9.9", "title": "Family literacy nights"}
    )
    expected.append(("Objectives", f"Objective {grown['id']}", "Initiative 9.9", "added"))

    outcome = next(o for o in new["outcomes"] if o.get("final_target"))
    value = outcome["final_target"]["value"]
    outcome["final_target"]["value"] = value + 1 if value < 99 else value - 1
    expected.append(("Outcomes", f"Outcome {outcome['id']} › Final target", "Value", "changed"))

    action = new["action_plan"]
    benchmarks = action["benchmarks"]
    expected.append(("Action plan", "", "Benchmark B9.9.8", "removed"))
    edited = benchmarks[0]
    edited["due"] = "2026-04-15" if edited.get("due") != "2026-04-15" else "2026-04-16"
    expected.append(("Action plan", f"Benchmark {edited['id']}", "Due", "changed"))
    status = edited.get("status")
    edited["status"] = "at_risk" if status == "complete" else "complete"
    kind = "added" if status is None else "changed"
    expected.append(("Action plan", f"Benchmark {edited['id']}", "Status", kind))
    benchmarks.append({**copy.deepcopy(benchmarks[0]), "id": "B9.9.9"})
    expected.append(("Action plan", "", "Benchmark B9.9.9", "added"))
    if len({json.dumps(r) for r in action["resources"]}) >= 2:
        action["resources"].reverse()
        expected.append(("Action plan", "", "Resources", "reordered"))

    if "roadmap" in new:
        phase = new["roadmap"]["phases"][3]
        label = RoadmapPhase(phase["phase"]).label
        kind = "changed" if phase.get("by_when") else "added"
        phase["by_when"] = "2027-03-01" if phase.get("by_when") != "2027-03-01" else "2027-03-02"
        expected.append(("Roadmap", f"Phases › {label}", "By when", kind))
    return old, new, Counter(expected)


@pytest.mark.parametrize("stem", [path.stem for path in EXAMPLES])
def test_known_edits_are_listed_exactly(stem: str, example_data: dict[str, Any]) -> None:
    old, new, expected = known_edits(example_data[stem])
    changes = diff_plans(plan_of(old), plan_of(new))
    assert summary(changes) == expected
    # Located by ids, in document order (sections in the model's order).
    sections = [c.section for c in changes]
    order = ["Foundation", "Objectives", "Outcomes", "Action plan", "Roadmap"]
    assert sections == sorted(sections, key=order.index)
    due = next(c for c in changes if c.label == "Due")
    edited = new["action_plan"]["benchmarks"][0]["id"]
    assert due.path == f"$.action_plan.benchmarks[?id=='{edited}'].due"
    assert due.at == "$.action_plan.benchmarks[0].due"
    assert due.new in ("2026-04-15", "2026-04-16")
    added = next(c for c in changes if c.label == "Initiative 9.9")
    assert added.element == "record" and "Title: Family literacy nights" in (added.new or "")
    assert added.path.endswith(".initiatives[?id=='9.9']")
    removed = next(c for c in changes if c.kind == "removed")
    assert removed.at == "$.action_plan.benchmarks[1]"  # in the old revision
    assert removed.path == "$.action_plan.benchmarks[?id=='B9.9.8']"
    target = next(c for c in changes if c.section == "Outcomes")
    assert re.fullmatch(r"-?[\d,.]+(%| .+)?", target.new or "")


def test_a_percent_target_reads_as_documents_print_it(example_data: dict[str, Any]) -> None:
    old = example_data["harbor-view-elementary"]
    new = copy.deepcopy(old)
    outcome = next(o for o in new["outcomes"] if o["unit"] == "percent" and o.get("final_target"))
    outcome["final_target"]["value"] = 45.5
    [change] = diff_plans(plan_of(old), plan_of(new))
    assert change.new == "45.5%" and change.old and change.old.endswith("%")


def test_records_are_matched_by_id_wherever_they_stand(example_data: dict[str, Any]) -> None:
    old = example_data["harbor-view-elementary"]
    new = copy.deepcopy(old)
    benchmarks = new["action_plan"]["benchmarks"]
    benchmarks.append(benchmarks.pop(0))
    [change] = diff_plans(plan_of(old), plan_of(new))
    assert (change.kind, change.element, change.label) == ("reordered", "order", "Benchmarks")
    assert change.new and change.new.endswith(old["action_plan"]["benchmarks"][0]["id"])


def test_a_record_without_a_key_is_matched_by_similarity(example_data: dict[str, Any]) -> None:
    old = example_data["harbor-view-elementary"]
    new = copy.deepcopy(old)
    gaps = new["needs_assessment"]["student_group_gaps"]
    gaps[0]["metric"] += " (revised)"
    gaps.reverse()
    changes = diff_plans(plan_of(old), plan_of(new))
    assert {(c.label, c.kind) for c in changes} == {
        ("Student group gaps", "reordered"),
        ("Metric", "reworded"),
    }


def test_a_form_only_change_is_no_change(minimal_data: dict[str, Any]) -> None:
    new = copy.deepcopy(minimal_data)
    new.pop("$schema", None)
    new["$schema"] = "somewhere/else.json"
    if "supports" not in new:
        new["supports"] = {}  # an empty section: as absent
    new.setdefault("needs_assessment", {}).setdefault("strengths", [])
    for outcome in new.get("outcomes") or []:
        if outcome.get("baseline"):
            outcome["baseline"]["value"] = float(outcome["baseline"]["value"])  # 45 → 45.0
    old, after = plan_of(minimal_data), plan_of(new)
    assert diff_plans(old, after) == [] and canonical(old) == canonical(after)


def test_a_section_added_to_the_model_is_compared_without_a_change(
    minimal_data: dict[str, Any],
) -> None:
    class Note(Record):
        id: Annotated[IdText, Id("note")] = Field(description="Unique id.")
        text: Text = Field(description="What was noted.")

    class NotedPlan(Plan):
        notes: list[Note] = Field(default_factory=list, title="Meeting notes", description="x")

    old = NotedPlan.model_validate({**minimal_data, "notes": [{"id": "N1", "text": "Met once."}]})
    new = NotedPlan.model_validate(
        {**minimal_data, "notes": [{"id": "N1", "text": "Met twice."}, {"id": "N2", "text": "X"}]}
    )
    assert summary(diff_plans(old, new)) == Counter(
        [
            ("Meeting notes", "Note N1", "Text", "reworded"),
            ("Meeting notes", "", "Note N2", "added"),
        ]
    )


def test_word_diff_gives_both_texts_back() -> None:
    old, new = (
        "Every student learns to read  by grade 3.",
        "Each student learns to write by grade 3.",
    )
    words = word_diff(old, new)
    assert "".join(t for op, t in words if op != "+") == old
    assert "".join(t for op, t in words if op != "-") == new
    assert ("-", "Every ") in words and ("+", "Each ") in words
    assert word_diff("a b c", "a x c") == (("=", "a "), ("-", "b "), ("+", "x "), ("=", "c"))
    assert word_diff("a b.", "a b. c") == (("=", "a b."), ("+", " c"))


def test_match_pairs_by_key_then_equality_then_similarity() -> None:
    old = ["alpha beta gamma", "one two", "x"]
    new = ["x", "alpha beta delta", "zzz"]
    pairs = match(old, new, text=lambda v: [v], threshold=0.5)
    assert sorted(p for p in pairs if None not in p) == [(0, 1), (2, 0)]
    assert (1, None) in pairs and (None, 2) in pairs


# ---------------------------------------------------------------------------------------------
# JSON and workbook forms of one plan


@pytest.mark.parametrize("source", EXAMPLES, ids=lambda p: p.name)
def test_json_and_workbook_forms_do_not_differ(source: Path, tmp_path: Path) -> None:
    """Each example converted to its other form (JSON to workbook, workbook to JSON) is the
    same plan, both ways round; the command says so and exits 0 (run once: reading a
    workbook is the slow part)."""
    other = tmp_path / (source.stem + (".json" if source.suffix == ".xlsx" else ".xlsx"))
    convert(source, other)
    if source == WORKBOOK:
        result = run("diff", str(source), str(other))
        assert result.exit_code == 0, result.output
        assert result.stdout.endswith("No changes.\n")
        return
    comparison = compare(source, other)
    assert comparison.changes == []
    assert diff_plans(comparison.new.plan, comparison.old.plan) == []


def test_a_value_typed_another_way_in_a_workbook_is_no_change(
    tmp_path: Path, minimal_data: dict[str, Any]
) -> None:
    """18 against 0.18 (a fraction, read as 18% with a warning), a date typed as a date: the
    same values, so no change, and the reading's warning is shown."""
    source = write(tmp_path / "plan.json", minimal_data)
    book = workbook_of(minimal_data, tmp_path / "plan.xlsx")
    assert minimal_data["needs_assessment"]["student_group_gaps"][0]["group_value"] == 18
    due = dt.datetime.fromisoformat(minimal_data["action_plan"]["benchmarks"][0]["due"])
    with Edit(book) as edit:
        edit.set("Student group gaps", 2, "Group value", 0.18)
        edit.set("Benchmarks", 2, "Due", due, "mm/dd/yyyy")
    result = run("diff", str(source), str(book))
    assert result.exit_code == 0, result.output
    assert "0.18 read as 18%" in result.stderr and result.stdout.endswith("No changes.\n")


# ---------------------------------------------------------------------------------------------
# formats


def _schema() -> dict[str, Any]:
    page = (ROOT / "docs" / "diff.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```json\n(.*?)```", page, re.S) if '"$schema"' in b)
    schema: dict[str, Any] = json.loads(block)
    return schema


@pytest.fixture(scope="module")
def sample(example_data: dict[str, Any]) -> tuple[list[Change], Side, Side]:
    data, new, _ = known_edits(example_data["harbor-view-elementary"])
    new["foundation"]["vision"] = "<script>alert('x')</script> " + new["foundation"]["vision"]
    old_side, new_side = Side("old.json", plan_of(data)), Side("new.xlsx", plan_of(new))
    return diff_plans(old_side.plan, new_side.plan), old_side, new_side


def test_json_follows_the_documented_format(sample: tuple[list[Change], Side, Side]) -> None:
    changes, old, new = sample
    data = json.loads(render_changes(changes, old, new, "json"))
    jsonschema.validate(data, _schema())
    assert data == diff_json(changes, old, new)
    assert (data["format"], data["version"]) == ("pipeline-diff", 1)
    assert data["summary"]["changes"] == len(changes) == len(data["changes"])
    assert sum(data["summary"][kind] for kind in KINDS) == len(changes)
    reworded = next(c for c in data["changes"] if c["label"] == "Mission")
    assert [w for w in reworded["words"] if w[0] != "="] == [["+", " Together we learn."]]


def test_text_lists_each_section_and_marks_words(sample: tuple[list[Change], Side, Side]) -> None:
    changes, old, new = sample
    text = render_changes(changes, old, new, "text")
    for section, _ in by_section(changes):
        assert f"\n{section}\n" in text
    assert "Mission reworded: " in text and "community.{+ Together we learn.+}" in text
    assert re.search(r"Objective \S+: initiatives reordered: ", text)
    assert re.search(r"Benchmark \S+: due \S+ → 2026-04-1[56]; status ", text)
    assert "initiative 9.9 added\n      Title: Family literacy nights" in text
    assert re.search(r"\n  Resources reordered: [\d.]+, ", text)


def test_markdown_and_html(sample: tuple[list[Change], Side, Side]) -> None:
    changes, old, new = sample
    markdown = render_changes(changes, old, new, "markdown")
    assert markdown.startswith("# Changes: Harbor View Elementary School")
    assert "## Action plan" in markdown and "<ins>" in markdown and "<script" not in markdown
    html = render_changes(changes, old, new, "html")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<script" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<del>" in html or "<ins>" in html
    assert html.count("<h2>") == len(by_section(changes))


# ---------------------------------------------------------------------------------------------
# the command: exit codes 0 / 1 / 2


def test_exit_codes_and_output(tmp_path: Path, minimal_data: dict[str, Any]) -> None:
    old = write(tmp_path / "old.json", minimal_data)
    assert run("diff", str(old), str(old)).exit_code == 0
    changed = copy.deepcopy(minimal_data)
    changed["foundation"]["mission"] += " More."
    new = write(tmp_path / "new.json", changed)
    result = run("diff", str(old), str(new))
    assert result.exit_code == 1
    assert "Mission reworded: We teach every child. → We teach every child. More." in result.stdout
    target = tmp_path / "changes.html"
    result = run("diff", str(old), str(new), "--format", "html", "--output", str(target))
    assert result.exit_code == 1 and result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    result = run("diff", str(old), str(new), "--output", str(new))
    assert result.exit_code == 2 and "is an input" in result.stderr
    assert json.loads(new.read_text(encoding="utf-8")) == changed


def test_trouble_exits_2_with_every_problem_located(
    tmp_path: Path, minimal_data: dict[str, Any]
) -> None:
    bad = copy.deepcopy(minimal_data)
    bad["action_plan"]["benchmarks"][0]["due"] = "next June"
    invalid = write(tmp_path / "invalid.json", bad)
    missing = tmp_path / "missing.json"
    result = run("diff", str(missing), str(invalid))
    assert result.exit_code == 2
    assert f"Error: {missing} › file: file not found" in result.stderr
    assert f"Error: {invalid} › $.action_plan.benchmarks[0].due: 'next June'" in result.stderr
    assert result.stdout == ""
    assert run("diff", str(MINIMAL), str(tmp_path)).exit_code == 2  # a folder
    assert run("diff", str(MINIMAL)).exit_code == 2  # usage


# ---------------------------------------------------------------------------------------------
# the property: no change exactly when the canonical forms are equal


def _places(data: Any, top: bool = True) -> list[tuple[Any, Any]]:
    """(container, key) of every value in `data` (its `$schema` left out)."""
    found: list[tuple[Any, Any]] = []
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        if top and key == "$schema":
            continue
        found.append((data, key))
        if isinstance(value, dict | list):
            found += _places(value, top=False)
    return found


@st.composite
def edited(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """`data` after a few random edits, some of which change only a value's form."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(0, 3))):
        container, key = draw(st.sampled_from(_places(data)))
        value = container[key]
        operation = draw(st.sampled_from(["text", "number", "form", "reverse", "drop", "swap"]))
        if operation == "text" and isinstance(value, str) and " " in value:  # free text
            container[key] = value + draw(st.sampled_from(["", " again", " and more words"]))
        elif operation == "number" and type(value) in (int, float):
            container[key] = value + draw(st.sampled_from([0, 1, -1]))
        elif operation == "form" and type(value) is int:
            container[key] = float(value)
        elif operation == "reverse" and isinstance(value, list):
            value.reverse()
        elif operation == "drop" and isinstance(container, dict) and isinstance(value, list):
            del container[key]
        elif operation == "swap" and isinstance(value, list) and len(value) > 1:
            value[0], value[-1] = value[-1], value[0]
    return data


_BASE = read_json(INPUTS[0])


@settings(deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(edited(_BASE), edited(_BASE))
def test_no_change_exactly_when_canonical_forms_are_equal(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    try:
        a, b = plan_of(first), plan_of(second)
    except InvalidInputError:
        assume(False)
        raise
    assert diff_plans(a, a) == []
    changes = diff_plans(a, b)
    assert (changes == []) == (canonical(a) == canonical(b))
    assert (diff_plans(b, a) == []) == (changes == [])
    assert all(change.kind in KINDS for change in changes)
