"""`pipeline check`: exit codes, report formats, golden text output, and the issue's checks
(a removed section, an emptied person responsible, targets the wrong way or out of order, the
ESSA CSI profile) on the complete examples."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from pipeline.checks import REGISTRY
from pipeline.reports.formats import VERSION, rules_markdown
from tests.conftest import INPUTS, MINIMAL, ROOT, read_json
from tests.test_checks import DELETE, EVERY_PROFILE, Change, changed
from tests.test_cli import run, write

GOLDEN = Path(__file__).resolve().parent / "golden" / "check"
SCHOOL_EXAMPLES = [p for p in INPUTS if read_json(p)["organization"]["level"] == "school"]

# An incomplete plan: the golden text report shows one finding of several kinds.
BROKEN: list[Change] = [
    ("foundation", DELETE),
    ("outcomes.0.final_target.value", 15),
    ("outcomes.2.interim_targets.1.value", 23),
    ("action_plan.benchmarks.0.responsible", "TBD"),
    ("roadmap.phases.3.by_when", DELETE),
    ("plan.approvals", lambda d: d["plan"]["approvals"][:2]),
    ("plan.monitoring.reviewed_by", []),
]


def _golden(name: str, text: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}: run UPDATE_GOLDEN=1 make test"
    assert text == golden.read_text(encoding="utf-8"), f"{golden} differs"


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # reports name inputs as given: relative paths, stable output


# ---------------------------------------------------------------------------------------------
# Golden text output


@pytest.mark.usefixtures("at_root")
def test_text_report_of_the_examples_matches_golden() -> None:
    result = run("check", "inputs")
    assert result.exit_code == 0, result.output
    _golden("examples.txt", result.stdout)


@pytest.mark.usefixtures("at_root")
def test_text_report_of_warnings_only_matches_golden() -> None:
    result = run("check", str(MINIMAL.relative_to(ROOT)))
    assert result.exit_code == 0
    _golden("minimal.txt", result.stdout)


def test_text_report_of_an_incomplete_plan_matches_golden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "incomplete.json", changed(read_json(EVERY_PROFILE), BROKEN))
    monkeypatch.chdir(tmp_path)
    result = run("check", "incomplete.json")
    assert result.exit_code == 1
    assert result.stderr == ""
    _golden("incomplete.txt", result.stdout)


# ---------------------------------------------------------------------------------------------
# Exit codes and formats


def test_strict_fails_on_warnings() -> None:
    assert run("check", str(MINIMAL)).exit_code == 0  # warnings only
    assert run("check", str(MINIMAL), "--strict").exit_code == 1
    assert run("check", str(EVERY_PROFILE), "--strict").exit_code == 0


def test_an_invalid_input_is_reported_with_its_locations(
    tmp_path: Path, minimal_data: dict[str, Any]
) -> None:
    minimal_data["action_plan"]["benchmarks"][0]["due"] = "next June"
    minimal_data["action_plan"]["benchmarks"][0]["initiative"] = "9.9"
    path = write(tmp_path / "bad.json", minimal_data)
    result = run("check", str(path))
    assert result.exit_code == 1
    assert "invalid input, 2 errors" in result.stdout
    assert "INPUT-1" in result.stdout and "at $.action_plan.benchmarks[0].due:" in result.stdout
    assert "INT-1" in result.stdout and "no strategic initiative has the id '9.9'" in result.stdout


def test_no_inputs(tmp_path: Path) -> None:
    result = run("check", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: no inputs found in {tmp_path} (looked for .json and .xlsx files)\n"
    )


def test_json_report_is_versioned_and_complete(tmp_path: Path) -> None:
    path = write(tmp_path / "plan.json", changed(read_json(EVERY_PROFILE), BROKEN))
    result = run("check", str(path), str(MINIMAL), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["format"], report["version"]) == ("pipeline-check", VERSION)
    assert report["summary"] == {
        "plans": 2,
        "complete": 1,
        "incomplete": 1,
        "invalid": 0,
        "errors": report["plans"][0]["counts"]["errors"],
        "warnings": report["plans"][0]["counts"]["warnings"] + 9,
    }
    plan = report["plans"][0]
    assert plan["status"] == "incomplete"
    assert plan["organization"] == {"name": "Every Profile Elementary School", "code": "00990100"}
    assert plan["profiles"] == [
        "dese-sip",
        "ma-school-council",
        "action-plan",
        "roadmap",
        "essa-csi",
        "idea",
    ]
    finding = next(f for f in plan["findings"] if f["rule"] == "MA-1")
    assert finding == {
        "rule": "MA-1",
        "title": "Mission, vision and core values",
        "severity": "error",
        "citation": REGISTRY["MA-1"].citation,
        "document": "improvement-plan",
        "location": "$.foundation",
        "path": ["foundation"],
        "message": "the plan has no foundation: mission, vision and core values are missing",
        "hint": 'add "foundation" with "mission", "vision" and "core_values"',
        "missing": "mission, vision and core values (foundation)",
    }
    documents = {d["name"]: d for d in plan["documents"]}
    assert set(documents) == {"improvement-plan", "action-plan", "roadmap"}
    assert documents["action-plan"]["completeness"] < 1
    assert 0 < documents["improvement-plan"]["met"] < documents["improvement-plan"]["required"]


@pytest.mark.parametrize("format_", ["markdown", "html"])
def test_other_formats(format_: str) -> None:
    result = run("check", str(MINIMAL), "--format", format_)
    assert result.exit_code == 0
    assert "MA-5" in result.stdout
    if format_ == "html":
        assert result.stdout.startswith("<!DOCTYPE html>")
        assert "<script" not in result.stdout and "http" not in result.stdout.lower()
    else:
        assert "| warning | MA-5 Three to five strategic objectives |" in result.stdout


@pytest.mark.parametrize("format_", ["text", "json", "markdown", "html"])
def test_list_rules_names_every_rule_with_its_citation(format_: str) -> None:
    result = run("check", "--list-rules", "--format", format_)
    assert result.exit_code == 0
    for rule in REGISTRY.values():
        assert rule.id in result.stdout
        if format_ == "json":
            assert rule.citation in result.stdout
        elif format_ != "html":  # escaped there; text and markdown show sources by kind
            assert rule.binding_citation in result.stdout
            assert rule.design_references in result.stdout


def test_the_rules_page_shows_binding_authority_and_design_references() -> None:
    page = rules_markdown()
    assert "- Binding authority: ESEA §1111(d)(1)(B) and (d)(2)(B)" in page
    assert "- Design references: Colorado CDE" in page
    assert "- Design references: Oregon Department of Education" in page


def test_the_rules_page_of_the_docs_is_current() -> None:
    """docs/rules.md is `pipeline check --list-rules --format markdown`; regenerate it with
    that command (or UPDATE_GOLDEN=1) after changing a rule."""
    page = ROOT / "docs" / "rules.md"
    if os.environ.get("UPDATE_GOLDEN"):
        page.write_text(rules_markdown(), encoding="utf-8")
    assert page.read_text(encoding="utf-8") == rules_markdown()


# ---------------------------------------------------------------------------------------------
# How the issue will be checked, on the complete examples


ALL_EXAMPLES = sorted(p for p in (ROOT / "inputs").iterdir() if p.suffix in (".json", ".xlsx"))


@pytest.mark.parametrize("example", ALL_EXAMPLES, ids=lambda p: p.name)
def test_the_examples_pass(example: Path) -> None:
    """Every complete example, JSON or workbook, has no errors."""
    result = run("check", str(example))
    assert result.exit_code == 0, result.stdout
    assert ": complete, 0 errors" in result.stdout


@pytest.mark.parametrize(
    ("section", "rule"),
    [
        ("foundation", "MA-1"),
        ("needs_assessment", "MA-2"),
        ("theory_of_action", "MA-3"),
        ("objectives", "MA-4"),
        ("outcomes", "MA-9"),
    ],
)
@pytest.mark.parametrize("example", INPUTS, ids=lambda p: p.stem)
def test_removing_a_section_fails_naming_it(
    tmp_path: Path, example: Path, section: str, rule: str
) -> None:
    data = read_json(example)
    data.pop(section, None)  # a plan may give theories of action only per objective
    if section == "theory_of_action":  # the objectives' and initiatives' own go too
        for objective in data["objectives"]:
            objective.pop("theory_of_action", None)
            for initiative in objective["initiatives"]:
                initiative.pop("theory_of_action", None)
    result = run("check", str(write(tmp_path / "plan.json", data)))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    at = lines.index(next(line for line in lines if line.startswith(f"  error {rule}: ")))
    assert lines[at + 1].startswith(f"    at $.{section}: ")


def _first_series(data: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    """The first outcome's values (its first measure row when it has a table), their
    location and how messages name them."""
    outcome = data["outcomes"][0]
    if not outcome.get("measures"):
        return outcome, "$.outcomes[0]", "outcome O1"
    row = outcome["measures"][0]
    label = f" ({row['label']})" if row.get("label") else ""
    return row, "$.outcomes[0].measures[0]", f"outcome O1, row 1{label}"


@pytest.mark.parametrize(
    ("value", "rule", "location", "message"),
    [
        ("", "INPUT-1", "$.action_plan.benchmarks[0].responsible", "'' must be text that is not"),
        ("   ", "INPUT-1", "$.action_plan.benchmarks[0].responsible", "must be text that is not"),
        (DELETE, "INPUT-1", "$.action_plan.benchmarks[0]", "the required field 'responsible'"),
        ("TBD", "AP-3", "$.action_plan.benchmarks[0].responsible", "names no person responsible"),
    ],
    ids=["blank", "spaces", "removed", "TBD"],
)
@pytest.mark.parametrize("example", INPUTS, ids=lambda p: p.stem)
def test_emptying_a_person_responsible_fails_naming_it(
    tmp_path: Path, example: Path, value: Any, rule: str, location: str, message: str
) -> None:
    data = changed(read_json(example), [("action_plan.benchmarks.0.responsible", value)])
    result = run("check", str(write(tmp_path / "plan.json", data)))
    assert result.exit_code == 1
    assert f"  error {rule}: " in result.stdout
    assert f"    at {location}: " in result.stdout and message in result.stdout


@pytest.mark.parametrize("example", INPUTS, ids=lambda p: p.stem)
def test_a_final_target_the_wrong_way_fails(tmp_path: Path, example: Path) -> None:
    data = read_json(example)
    values, at, name = _first_series(data)
    values["final_target"]["value"] = values["baseline"]["value"] - 1
    result = run("check", str(write(tmp_path / "plan.json", data)))
    assert result.exit_code == 1
    assert "  error SMART-M3: Final target moves the right way from the baseline" in result.stdout
    assert f"    at {at}.final_target.value: {name} is to increase" in result.stdout


@pytest.mark.parametrize("example", INPUTS, ids=lambda p: p.stem)
def test_interim_targets_out_of_order_fail(tmp_path: Path, example: Path) -> None:
    data = read_json(example)
    values, at, name = _first_series(data)
    targets = values["interim_targets"]
    targets[0]["value"], targets[1]["value"] = targets[1]["value"], targets[0]["value"]
    result = run("check", str(write(tmp_path / "plan.json", data)))
    assert result.exit_code == 1
    assert "  error SMART-T2: " in result.stdout
    assert (
        f"    at {at}.interim_targets[1].value: interim targets of {name} are out of order"
        in result.stdout
    )


@pytest.mark.parametrize("example", SCHOOL_EXAMPLES, ids=lambda p: p.stem)
def test_a_school_under_essa_csi_needs_inequities_and_state_approval(
    tmp_path: Path, example: Path
) -> None:
    data = read_json(example)
    data["needs_assessment"]["resource_inequities"] = []
    data["plan"]["approvals"] = [a for a in data["plan"]["approvals"] if a["role"] != "state"]
    path = write(tmp_path / "plan.json", data)
    assert "ESSA-6" not in run("check", str(path)).stdout  # TSI: inequities not required
    result = run("check", str(path), "--profile", "essa-csi")
    assert result.exit_code == 1
    out = result.stdout
    assert (
        "  error ESSA-6: Resource inequities identified and addressed\n"
        "    at $.needs_assessment.resource_inequities: the plan identifies no resource "
        "inequities\n" in out
    )
    assert "    source: ESEA §1111(d)(1)(B)(iv) (CSI) and §1111(d)(2)(C) (ATSI)" in out
    assert (
        "  error ESSA-7: Approved as ESSA requires\n"
        "    at $.plan.approvals: the approval of the state (DESE) is not recorded\n" in out
    )
    assert (
        "    source: ESEA §1111(d)(1)(B)(v) (CSI: approved by the school, the district and "
        "the State)" in out
    )


def test_the_dashboard_counts_an_invalid_inputs_warnings_as_warnings() -> None:
    from pipeline.reports.html import IndexRow, index_html

    page = index_html(
        [IndexRow("plan.xlsx", problems=["B2: required", "E3: 0.45 read"], warnings=1)]
    )
    assert "<td>1</td><td>1</td>" in page
