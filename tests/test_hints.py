"""Hints in the input's own terms: for a workbook, the sheet, the column header and what to
type there (dropdown labels, dates as a cell takes them); for JSON, the key paths."""

from __future__ import annotations

import os
import re
from pathlib import Path

import openpyxl
import pytest

from pipeline.checks import PlanCheck, check_paths, check_plan, invalid
from pipeline.checks.hints import workbook_hint
from pipeline.inputs.validate import validated
from pipeline.inputs.workbook import plan_layout, read_workbook_bytes, workbook_bytes
from pipeline.inputs.workbook.layout import FORM_SHEET
from tests.conftest import ROOT, read_json
from tests.test_checks import CASES, EVERY_PROFILE, SCHOOL_PROFILES, changed, check_data

JSON_KEY = re.compile(r'"[a-z_][a-z0-9_.]*"\s*:')
SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")
ISO_ONLY = re.compile(r"YYYY")


def _sheets_and_headers() -> dict[str, set[str]]:
    layout = plan_layout()
    out = {
        t.sheet: {*(c.header for c in t.columns), *(p.header for p in t.parents)}
        for t in layout.tables
    }
    out[FORM_SHEET] = {"Value"}
    return out


def assert_in_workbook_terms(check: PlanCheck) -> None:
    sheets = _sheets_and_headers()
    assert check.findings
    for finding in check.findings:
        hint = finding.hint or ""
        where = f"{finding.rule.id} at {finding.location}: {hint}"
        assert hint, where
        assert not JSON_KEY.search(hint), where
        assert not SNAKE.search(hint), where
        assert not ISO_ONLY.search(hint), where
        named = [s for s in sheets if f"the {s} sheet" in hint or f"{s} sheet" in hint]
        assert named, f"no sheet named: {where}"
        assert any(f'"{h}"' in hint or f"column {h}" in hint for s in named for h in sheets[s]), (
            f"no column named: {where}"
        )


def _as_workbook(data: dict[str, object]) -> PlanCheck:
    source = read_workbook_bytes(workbook_bytes(data), "plan.xlsx")
    plan, problems = validated(source)
    if plan is None:
        return invalid("plan.xlsx", problems, source, SCHOOL_PROFILES)
    return check_plan(plan, source, SCHOOL_PROFILES, problems)


def _workbook_cases() -> list[tuple[str, str, list[tuple[str, object]]]]:
    """Every rule's broken cases, each a workbook written and read back: all of them under
    the deep profile (HYPOTHESIS_PROFILE=ci), one per rule under "moderate", and by default
    (`make test`, within its 90 s) one per rule for a third of the rules, every third in the
    list (every rule's hint goes through the same rewriting into workbook terms,
    `pipeline/checks/hints.py`; the broken example workbook below shows more of them)."""
    profile = os.environ.get("HYPOTHESIS_PROFILE", "default")
    seen: set[str] = set()
    chosen = []
    for rule_id, what, changes, _ in CASES:
        first = rule_id not in seen
        seen.add(rule_id)
        if profile == "ci" or (first and (profile == "moderate" or len(seen) % 3 == 1)):
            chosen.append((rule_id, what, changes))
    return chosen


@pytest.mark.parametrize(
    ("rule_id", "what", "changes"),
    _workbook_cases(),
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_every_rule_s_hint_speaks_the_workbook_s_terms(
    rule_id: str, what: str, changes: list[tuple[str, object]]
) -> None:
    check = _as_workbook(changed(read_json(EVERY_PROFILE), changes))
    assert_in_workbook_terms(check)


def _mutilate(target: Path) -> None:
    """The Maple Street example with many things removed or wrong."""
    book = openpyxl.load_workbook(ROOT / "inputs" / "maple-street-elementary.xlsx")
    for sheet in ("Induction mentoring", "English learners", "Approvals", "Roadmap"):
        book[sheet].delete_rows(2, book[sheet].max_row)
    form = book[FORM_SHEET]
    for row in form.iter_rows(min_row=2):
        if row[1].value == "ESSA designation":
            row[2].value = "Comprehensive Support and Improvement (CSI)"
        if row[1].value == "Mission":
            row[2].value = "TBD"
        if row[1].value == "Identification reason":
            row[2].value = None

    def put(sheet: str, row: int, header: str, value: object) -> None:
        headers = [cell.value for cell in book[sheet][1]]
        book[sheet].cell(row, headers.index(header) + 1).value = value

    benchmarks = book["Benchmarks"]
    headers = [cell.value for cell in benchmarks[1]]
    for row in range(benchmarks.max_row, 1, -1):
        initiative = benchmarks.cell(row, headers.index("Initiative") + 1).value
        kind = str(benchmarks.cell(row, headers.index("Type") + 1).value)
        if initiative == "2.2" and "vidence" in kind:
            benchmarks.delete_rows(row)
    put("Benchmarks", 2, "Responsible", "TBD")
    put("Benchmarks", 3, "Evidence", None)
    put("Initiatives", 2, "Lead", None)
    for header in ("Evidence tier", "Evidence citation", "Evidence funded by 1003"):
        put("Initiatives", 3, header, None)
    put("Outcomes", 2, "Evaluation", None)
    put("Resource inequities", 2, "Addressed by", None)
    put("Student group gaps", 2, "Group value", 0.14)
    book.save(target)


def test_a_broken_example_workbook_gets_hints_in_its_own_terms(tmp_path: Path) -> None:
    target = tmp_path / "maple.xlsx"
    _mutilate(target)
    (check,) = check_paths([target])
    assert_in_workbook_terms(check)
    rules = {finding.rule.id for finding in check.findings}
    assert {"AP-2", "AP-3", "MA-8", "MA-12", "ESSA-7", "INPUT-1"} <= rules
    hints = {finding.rule.id: finding.hint for finding in check.findings}
    assert hints["AP-2"] == (
        'add a benchmark with "2.2" in column "Initiative" on the Benchmarks sheet and '
        '"Early evidence of change" in column "Type"'
    )
    places = {finding.rule.id: finding.location for finding in check.findings}
    assert places["MA-8"] == "Induction mentoring"
    assert places["MA-12"] == "English learners"


def test_json_hints_keep_key_paths() -> None:
    for rule_id, _, changes, _ in CASES:
        data = changed(read_json(EVERY_PROFILE), changes)
        check = check_data(data, SCHOOL_PROFILES)
        assert all(finding.hint for finding in check.findings), rule_id
        for finding in check.findings:
            assert "sheet" not in (finding.hint or ""), finding
    data = changed(read_json(EVERY_PROFILE), [("roadmap.phases.3.by_when", None)])
    hints = [f.hint for f in check_data(data, SCHOOL_PROFILES).findings]
    assert any(h is not None and '"by_when" (YYYY-MM-DD)' in h for h in hints), hints


@pytest.mark.parametrize(
    ("hint", "path", "expected"),
    [
        ('add "by_when" (YYYY-MM-DD)', ("roadmap", "phases", 2, "by_when"),
         'fill in column "By when" on the Roadmap sheet '
         "(a date: type 2026-06-15 or 6/15/2026, or pick it in a date cell)"),
        ('add a row with "phase": "monitor_adjust"', ("roadmap", "phases"),
         'add a row with "Monitor and Adjust / Routines" in column "Phase" on the Roadmap sheet'),
        ("record it in plan.team", ("plan",),
         'record it in the Team sheet (a row each, with columns "Name", "Role", "Group")'),
        ('state it in "identification_reason"', ("plan", "identification_reason"),
         'state it in "Plan: Identification reason" on the Plan sheet (column Value)'),
        ('list at least one under "core_values", e.g. {"name": "Equity"}',
         ("foundation", "core_values"),
         'list at least one under the Core values sheet (a row each, with columns "Name"), '
         'e.g. "Equity" in column "Name"'),
        ('add "student_group" (e.g. "all_students")', ("outcomes", 0, "student_group"),
         'fill in column "Student group" on the Outcomes sheet (e.g. "All students")'),
        ("name who will do it", ("action_plan", "benchmarks", 0, "responsible"),
         'name who will do it, in column "Responsible" on the Benchmarks sheet'),
    ],
)  # fmt: skip
def test_workbook_hint(hint: str, path: tuple[str | int, ...], expected: str) -> None:
    assert workbook_hint(hint, path) == expected
