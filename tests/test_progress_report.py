"""The progress report (issue: a fourth document): a plan as of one check-in, computed from the
data and the check-in's date only. The plan here is an example's, with a year of monitoring of
our own (three check-ins, slipping benchmarks, an adjustment, results for an outcome to
increase and one to decrease), so the expectations below are read off the data."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter

from pipeline.authoring.preview import preview
from pipeline.authoring.template_check import check_template, document_for
from pipeline.batch.build import BuildOptions, Status, build
from pipeline.batch.incremental import Builder
from pipeline.batch.manifest import Manifest
from pipeline.batch.worker import render_input
from pipeline.cli import cli
from pipeline.documents.context import build_context
from pipeline.documents.plan_documents import documents_of, render_plan
from pipeline.model.documents import (
    ACTION_PLAN,
    DOCUMENTS,
    PACKET,
    PROGRESS_REPORT,
    TEMPLATES_DIR,
)
from pipeline.model.plan import Plan
from tests.conftest import ROOT, document_lines, plan_of, read_json

EXAMPLE = ROOT / "inputs" / "harbor-view-elementary.json"
REPORT = PROGRESS_REPORT.filename

CHECK_INS: list[dict[str, Any]] = [
    {
        "id": "CI1",
        "date": "2025-10-20",
        "period": "Q1 2025-26",
        "participants": "Instructional Leadership Team",
        "summary": "The institute and the ESL hire are done; the interventionist post is open.",
        "reviews": [
            {"benchmark": "B1.1.2", "status": "on_track"},
            {"benchmark": "B3.2.1", "status": "at_risk", "note": "No candidate yet."},
            {"benchmark": "B2.2.1", "status": "not_started"},
        ],
        "next_check_in": "2026-01-22",
    },
    {
        "id": "CI2",
        "date": "2026-01-22",
        "period": "Q2 2025-26",
        "participants": "Instructional Leadership Team",
        "summary": "The interventionist is still not hired; co-teaching training is slipping.",
        "reviews": [
            {"benchmark": "B1.2.2", "status": "complete"},
            {"benchmark": "B3.2.1", "status": "off_track", "note": "Posting reopened."},
            {"benchmark": "B2.1.3", "status": "at_risk"},
        ],
        "adjustments": [
            {
                "change": "Move the interventionist's start to February 2",
                "reason": "No hire by November",
                "decided_by": "Principal with the ILT",
                "benchmarks": ["B3.2.1", "B3.2.2"],
            }
        ],
        "next_check_in": "2026-03-26",
    },
    {
        "id": "CI3",
        "date": "2026-03-26",
        "period": "Q3 2025-26",
        "participants": "ILT and two parent representatives",
        "summary": "Coaching cycles are behind; the co-teaching course is off track.",
        "reviews": [
            {"benchmark": "B3.2.1", "status": "complete"},
            {"benchmark": "B1.1.2", "status": "at_risk", "note": "Two cycles left."},
            {"benchmark": "B2.1.3", "status": "off_track"},
        ],
        "adjustments": [
            {
                "change": "Add a second coach for the grades 3-5 cycles",
                "reason": "Cycles behind schedule",
                "decided_by": "Principal",
                "initiatives": ["1.1"],
            }
        ],
        "next_check_in": "2026-05-28",
    },
]


def _monitored() -> dict[str, Any]:
    """The example with our monitoring instead of its own."""
    data = copy.deepcopy(read_json(EXAMPLE))
    data["action_plan"]["check_ins"] = copy.deepcopy(CHECK_INS)
    data["action_plan"].pop("history", None)
    outcomes = {o["id"]: o for o in data["outcomes"]}
    for outcome in outcomes.values():
        outcome["results"] = []
    # O4 is to increase: 41% on Jan 10 answers the January target of 40% (met); nothing yet
    # answers June's 44%.
    outcomes["O4"]["interim_targets"].insert(0, {"value": 40, "date": "2026-01-31"})
    outcomes["O4"]["results"] = [{"date": "2026-01-10", "value": 41}]
    # O5 is to decrease: 24.2% meets January's 25% (at most); 24% in February misses June's 23%.
    assert outcomes["O5"]["direction"] == "decrease"
    outcomes["O5"]["interim_targets"].insert(0, {"value": 25, "date": "2026-01-31"})
    outcomes["O5"]["results"] = [
        {"date": "2025-12-01", "value": 24.2, "source": "SIS attendance"},
        {"date": "2026-02-20", "value": 24, "source": "SIS attendance"},
    ]
    # O1: a December target no result answered.
    outcomes["O1"]["interim_targets"].insert(0, {"value": 15, "date": "2025-12-31"})
    return data


@pytest.fixture(scope="module")
def plan() -> Plan:
    return plan_of(_monitored())


@pytest.fixture(scope="module")
def latest(plan: Plan) -> dict[str, bytes]:
    return render_plan(plan)


def _lines(documents: dict[str, bytes], name: str = REPORT) -> list[str]:
    """The document's lines (a table row a line), read as a person reads them: the no-break
    spaces and hyphens of the cells as plain ones."""
    return [
        line.replace("\u00a0", " ").replace("\u2011", "-")
        for line in document_lines(documents[name])
    ]


def _overdue_rows(lines: list[str]) -> dict[str, list[str]]:
    """The rows of the overdue benchmarks' table, by benchmark id."""
    section = lines[lines.index("[Heading 1] II. Overdue Benchmarks") :]
    section = section[: section.index("[Heading 1] III. Outcomes: Results against Targets")]
    rows = [line.split(" | ") for line in section if " | " in line]
    assert rows[0] == ["Benchmark", "Description", "Person(s) responsible", "Due", "Status"]
    return {row[0]: row for row in rows[1:]}


def _row(lines: list[str], start: str) -> list[str]:
    found = [line for line in lines if line.startswith(start)]
    assert len(found) == 1, (start, found)
    return found[0].split(" | ")


def _statuses(plan: Plan, day: dt.date) -> dict[str, str]:
    """Each benchmark's status as the data say it on `day`: the latest review on or before it,
    else the recorded status."""
    assert plan.action_plan is not None
    found = {
        b.id: b.status.value if b.status else "not_recorded" for b in plan.action_plan.benchmarks
    }
    for check_in in sorted(CHECK_INS, key=lambda c: c["date"]):
        if dt.date.fromisoformat(check_in["date"]) <= day:
            found.update({r["benchmark"]: r["status"] for r in check_in["reviews"]})
    return found


COLUMNS = ("on_track", "at_risk", "off_track", "complete", "not_started", "not_recorded")


def _expected_counts(statuses: dict[str, str]) -> list[str]:
    counts = [sum(1 for s in statuses.values() if s == key) for key in COLUMNS]
    active = counts[0] + counts[3]
    total = len(statuses)
    return [*map(str, counts), str(total), f"{active} ({100 * active / total:.0f}%)"]


def _overdue(plan: Plan, day: dt.date) -> list[str]:
    assert plan.action_plan is not None
    statuses = _statuses(plan, day)
    return sorted(
        b.id
        for b in plan.action_plan.benchmarks
        if b.due is not None and b.due < day and statuses[b.id] != "complete"
    )


def _check_report(plan: Plan, lines: list[str], day: dt.date) -> None:
    """The counts (plan total, per objective, per initiative) and the overdue benchmarks
    match the data as of `day`."""
    assert plan.action_plan is not None and plan.objectives
    statuses = _statuses(plan, day)
    totals = [line.split(" | ")[1:] for line in lines if line.startswith("All benchmarks |")]
    assert totals == [_expected_counts(statuses)] * 2  # under each table
    initiative_of = {b.id: b.initiative for b in plan.action_plan.benchmarks}
    for objective in plan.objectives:
        ids = {i.id for i in objective.initiatives}
        mine = {b: s for b, s in statuses.items() if initiative_of[b] in ids}
        assert _row(lines, f"{objective.id}: ")[1:] == _expected_counts(mine)
        for initiative in objective.initiatives:
            theirs = {b: s for b, s in statuses.items() if initiative_of[b] == initiative.id}
            assert _row(lines, f"{initiative.id}: ")[1:] == _expected_counts(theirs)
    benchmarks = {b.id: b for b in plan.action_plan.benchmarks}
    overdue = _overdue(plan, day)
    assert overdue  # the data have slipped benchmarks on every check-in's date
    shown = _overdue_rows(lines)
    assert sorted(shown) == overdue
    for row in shown.values():
        benchmark = benchmarks[row[0]]
        assert row[2] == benchmark.responsible
        assert (
            benchmark.due is not None
            and row[3] == f"{benchmark.due:%b} {benchmark.due.day}, {benchmark.due.year}"
        )


def test_the_report_of_the_latest_check_in_matches_the_data(
    plan: Plan, latest: dict[str, bytes]
) -> None:
    assert list(latest) == [d.filename for d in DOCUMENTS]  # after the action plan
    lines = _lines(latest)
    assert lines[0] == "[header] Harbor View Elementary School  ·  Progress Report, Q3 2025-26"
    assert "Check-in | March 26, 2026" in lines
    assert "School year | 2025-26 (August 27, 2025 – June 19, 2026), check-in 3 of 3" in lines
    assert (
        "Earlier check-ins | October 20, 2025 (Q1 2025-26); January 22, 2026 (Q2 2025-26)" in lines
    )
    _check_report(plan, lines, dt.date(2026, 3, 26))
    # B2.1.3 is overdue and off track at CI3; B3.2.1 was completed at CI3, so it is not
    assert _overdue_rows(lines)["B2.1.3"][4] == "Off track"
    assert "B3.2.1" not in _overdue_rows(lines)
    # outcomes: the target for March 26 is June's; O4 and O5 have no answer to it yet or miss it
    assert _row(lines, "O4 |")[2:] == [
        "At least 44% by Jun 30, 2026",
        "—",
        "Not yet measured",
    ]
    assert _row(lines, "O5 |")[2:] == [
        "At most 23% by Jun 30, 2026",
        "24% on Feb 20, 2026\nSIS attendance",
        "Not met",
    ]
    assert _row(lines, "O1 |")[2] == (
        "At least 18% by Jun 30, 2026\nPassed with no result: 15% by Dec 31, 2025"
    )
    assert _row(lines, "Add a second coach") == [
        "Add a second coach for the grades 3-5 cycles",
        "Cycles behind schedule",
        "Principal",
        "Initiative 1.1",
    ]
    assert "Coaching cycles are behind; the co-teaching course is off track." in lines
    assert "B1.1.2 | At risk | Two cycles left. | —" in lines
    assert "The next check-in is planned for May 28, 2026." in lines
    assert lines[-1].startswith("[footer] As of the check-in of March 26, 2026 · Revision ")
    # the action plan shows each benchmark's status at the same check-in
    action = _lines(latest, ACTION_PLAN.filename)
    assert any(
        line.startswith("Process | B3.2.1: ") and line.endswith("| Complete") for line in action
    )


def test_an_earlier_check_in_chosen_with_as_of(plan: Plan) -> None:
    day = dt.date(2026, 2, 15)  # CI2 is the latest check-in on or before it
    documents = render_plan(plan, as_of=day)
    lines = _lines(documents)
    assert lines[0].endswith("Progress Report, Q2 2025-26")
    assert "Check-in | January 22, 2026" in lines
    assert "School year | 2025-26 (August 27, 2025 – June 19, 2026), check-in 2 of 3" in lines
    _check_report(plan, lines, dt.date(2026, 1, 22))
    # B3.2.1 was off track and overdue then
    assert _overdue_rows(lines)["B3.2.1"][4] == "Off track"
    # January's targets: O4 (increase) met with 41% ≥ 40%; O5 (decrease) met with 24.2% ≤ 25%
    assert _row(lines, "O4 |")[2:] == [
        "At least 40% by Jan 31, 2026",
        "41% on Jan 10, 2026",
        "Met",
    ]
    assert _row(lines, "O5 |")[2:] == [
        "At most 25% by Jan 31, 2026",
        "24.2% on Dec 1, 2025\nSIS attendance",
        "Met",
    ]
    assert _row(lines, "Move the interventionist's start")[1:] == [
        "No hire by November",
        "Principal with the ILT",
        "Benchmarks B3.2.1 and B3.2.2",
    ]
    assert "The next check-in is planned for March 26, 2026." in lines
    assert not any("second coach" in line for line in lines)
    action = _lines(documents, ACTION_PLAN.filename)
    assert any(
        line.startswith("Process | B3.2.1: ") and line.endswith("| Off track") for line in action
    )
    # the same as of the check-in's own date
    assert render_plan(plan, as_of=dt.date(2026, 1, 22))[REPORT] == documents[REPORT]


def test_direction_decides_what_meets_a_target(plan: Plan) -> None:
    """The same result and target, an outcome to decrease against one to increase."""
    context = build_context(plan, PROGRESS_REPORT, as_of=dt.date(2026, 1, 22))
    line = next(o for o in context["progress"]["outcomes"] if o["outcome"] == "O5")
    assert (line["direction_text"], line["target"]["goal_text"]) == (
        "Lower is better",
        "At most 25%",
    )
    assert line["verdict"] == "met"
    data = _monitored()
    o5 = next(o for o in data["outcomes"] if o["id"] == "O5")
    o5["direction"] = "increase"
    o5["baseline"]["value"] = 10  # a plan to increase, below its targets
    o5["interim_targets"] = [{"value": 25, "date": "2026-01-31"}]
    o5["final_target"]["value"] = 30
    increasing = build_context(plan_of(data), PROGRESS_REPORT, as_of=dt.date(2026, 1, 22))
    line = next(o for o in increasing["progress"]["outcomes"] if o["outcome"] == "O5")
    assert (line["target"]["goal_text"], line["verdict"]) == ("At least 25%", "not_met")
    assert increasing["progress"]["verdicts"]["not_met"] == 1


def test_a_plan_without_check_ins_has_no_progress_report(plan: Plan) -> None:
    data = _monitored()
    data["action_plan"]["check_ins"] = []
    none = plan_of(data)
    assert REPORT not in render_plan(none)
    assert build_context(none, ACTION_PLAN)["progress"] is None
    # nor as of a date before the first check-in
    before = dt.date(2025, 10, 19)
    assert PROGRESS_REPORT not in documents_of(plan, as_of=before)
    assert REPORT not in render_plan(plan, as_of=before)
    assert PROGRESS_REPORT in documents_of(plan, as_of=dt.date(2025, 10, 20))


def test_two_renders_are_byte_identical(plan: Plan, latest: dict[str, bytes]) -> None:
    again = plan_of(_monitored())
    assert render_plan(again)[REPORT] == latest[REPORT]
    # the latest check-in is the latest, however late the day asked for
    assert render_plan(again, as_of=dt.date(2031, 1, 1))[REPORT] == latest[REPORT]


def _input(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "harbor.json"
    path.write_text(json.dumps(_monitored()), encoding="utf-8")
    return path


def test_as_of_is_a_build_option_an_incremental_build_records(tmp_path: Path) -> None:
    path = _input(tmp_path / "in")
    out = tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(
        cli, ["build", str(path), "--out", str(out), "-q", "--as-of", "2026-02-15"]
    )
    assert first.exit_code == 0, first.output
    (folder,) = [p for p in out.iterdir() if p.is_dir() and p.name != "logs" and p.name[0] != "."]
    report = (folder / REPORT).read_bytes()
    assert _lines({REPORT: report})[0].endswith("Progress Report, Q2 2025-26")
    entry = next(iter(Manifest.load(out).entries.values()))
    assert entry.options == {"as_of": "2026-02-15"}
    # the same date: nothing to do; another: rebuilt, and the report is the other check-in's
    same = build([path], BuildOptions(out=out, jobs=1, as_of=dt.date(2026, 2, 15)))
    assert [r.status for r in same.results] == [Status.UNCHANGED]
    other = build([path], BuildOptions(out=out, jobs=1))
    assert [r.reasons for r in other.results] == [["as-of date changed (now the latest check-in)"]]
    assert _lines({REPORT: (folder / REPORT).read_bytes()})[0].endswith("Q3 2025-26")
    bad = runner.invoke(cli, ["build", str(path), "--out", str(out), "--as-of", "next June"])
    assert bad.exit_code == 2 and "is not a date" in bad.output


def test_the_context_command_takes_as_of(tmp_path: Path) -> None:
    path = _input(tmp_path)
    result = CliRunner().invoke(
        cli, ["context", str(path), "--document", "progress-report", "--as-of", "2025-12-01"]
    )
    assert result.exit_code == 0, result.output
    progress = json.loads(result.output)["progress"]
    assert (progress["check_in"]["id"], progress["as_of_iso"]) == ("CI1", "2025-10-20")
    assert progress["total"]["counts"]["at_risk"] >= 1


def _pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(792, 612)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_packet_holds_the_progress_report_after_the_action_plan(tmp_path: Path) -> None:
    """The packet as a build joins it, with stand-in PDFs (LibreOffice's conversion of the
    report is in test_pdf.py's shared build of the examples)."""
    path = _input(tmp_path / "in")
    rendered = render_input(path, None, pdfs=True)
    names = list(rendered.documents)
    assert names == [d.filename for d in DOCUMENTS]
    assert rendered.titles[REPORT] == "Progress Report, Q3 2025-26"
    builder = Builder(BuildOptions(out=tmp_path / "out", pdf=True), lambda _: None)
    _, pending = builder.finish(rendered, ["new"])
    assert pending is not None
    pages = {name: n + 1 for n, name in enumerate(names)}
    result = builder.complete(pending, {name: _pdf(pages[name]) for name in names})
    assert result.ok, result.problems
    assert result.folder is not None
    packet = PdfReader(result.folder / PACKET)
    titles = [item.title for item in packet.outline if not isinstance(item, list)]
    assert titles == [
        "Sustainable Improvement Plan",
        "Annual Action Plan 2025-26",
        "Progress Report, Q3 2025-26",
        "Continuous Improvement Process Roadmap",
    ]
    assert packet.page_labels[2:7] == [
        "Action Plan 2",
        "Progress 1",
        "Progress 2",
        "Progress 3",
        "Roadmap 1",
    ]


def test_templates_check_accepts_the_report_and_checks_a_custom_one(tmp_path: Path) -> None:
    assert check_template(TEMPLATES_DIR / PROGRESS_REPORT.template, PROGRESS_REPORT) == []
    custom = docx.Document()
    custom.sections[0].header.paragraphs[0].text = "{% if document.draft %}DRAFT{% endif %}"
    custom.add_paragraph(
        "{{ progress.check_in.date }}: {{ progress.total.on_track_or_complete_text }}"
    )
    custom.add_paragraph("{%p for l in progress.outcomes %}")
    custom.add_paragraph("{{ l.outcome }}: {{ l.verdict_lable }}, {{ l.target.goal_text }}")
    custom.add_paragraph("{%p endfor %}")
    path = tmp_path / REPORT
    custom.save(str(path))
    assert document_for(path) is PROGRESS_REPORT
    problems = [str(p) for p in check_template(path, PROGRESS_REPORT)]
    assert len(problems) == 1 and "(did you mean 'verdict_label'?)" in problems[0]
    # a preview with a plan that has no check-in says so instead of failing
    data = _monitored()
    data["action_plan"]["check_ins"] = []
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(data), encoding="utf-8")
    target = preview(TEMPLATES_DIR / PROGRESS_REPORT.template, plain, tmp_path / "preview.docx")
    lines = _lines({REPORT: target.read_bytes()})
    assert (
        "The plan records no check-in on or before this date: there is no progress to report."
        in lines
    )
