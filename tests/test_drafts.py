"""Drafts can never pass for final documents: an incomplete plan renders with DRAFT on every
page and each missing element shown in place; a build of it exits 1 unless --draft; its folder
gets check.json and check.html, and the build an index.html dashboard."""

from __future__ import annotations

import io
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import pytest

from pipeline.checks import check_plan
from pipeline.checks.profiles import applicable
from pipeline.documents.draft import placeholder
from pipeline.documents.plan_documents import render_plan
from pipeline.errors import Severity
from pipeline.inputs.source import Source
from pipeline.inputs.validate import validated
from tests.conftest import INPUTS, MINIMAL, document_lines, read_json
from tests.test_check_cli import BROKEN
from tests.test_checks import CASES, EVERY_PROFILE, SCHOOL_PROFILES, Change, changed
from tests.test_cli import run, write

SLUG = "every-profile-elementary-school-00990100"
DRAFT = "DRAFT: NOT FOR SUBMISSION"


def _text(data: bytes) -> str:
    return "\n".join(document_lines(data))


def _headers(data: bytes) -> list[list[str]]:
    """The text of each section's header."""
    document = docx.Document(io.BytesIO(data))
    return [[p.text for p in section.header.paragraphs] for section in document.sections]


def _draft_cases() -> list[tuple[str, str, list[Change], str]]:
    """The rule cases whose finding is an error on a valid plan (drafts render those)."""
    every_profile = read_json(EVERY_PROFILE)
    errors = applicable(SCHOOL_PROFILES)
    cases = []
    for case in CASES:
        plan, _ = validated(Source("plan.json", changed(every_profile, case[2])))
        if plan is not None and errors[case[0]] is Severity.ERROR:
            cases.append(case)
    return cases


@pytest.mark.parametrize(("rule", "case", "changes", "location"), _draft_cases(),
                         ids=[f"{c[0]} {c[1]}" for c in _draft_cases()])  # fmt: skip
def test_every_error_is_shown_in_its_document(
    rule: str, case: str, changes: list[Change], location: str
) -> None:
    source = Source("plan.json", changed(read_json(EVERY_PROFILE), changes))
    plan, _ = validated(source)
    assert plan is not None
    check = check_plan(plan, source, SCHOOL_PROFILES)
    documents = {
        name.removesuffix(".docx"): _text(data)
        for name, data in render_plan(plan, check=check).items()
    }
    errors = [f for f in check.findings if f.severity is Severity.ERROR]
    assert errors
    for finding in errors:
        shown_in = finding.document if finding.document in documents else "improvement-plan"
        assert placeholder(finding) in documents[shown_in], (finding.rule.id, shown_in)
    for name, text in documents.items():
        assert DRAFT in text, name


def _between(text: str, placeholder: str, before: str, after: str) -> bool:
    """`placeholder` stands once, after the first `before` and before the first `after` that
    follows it."""
    start = text.find(before)
    if start < 0 or text.count(placeholder) != 1:
        return False
    end = text.find(after, start + len(before))
    at = text.find(placeholder)
    return start + len(before) <= at and at + len(placeholder) <= end  # end -1: not found


def test_placeholders_stand_where_the_element_belongs() -> None:
    data = changed(
        read_json(EVERY_PROFILE),
        [
            ("supports.induction_mentoring", []),
            ("foundation.core_values", []),
            ("action_plan.benchmarks", lambda d: d["action_plan"]["benchmarks"][1:]),
            ("roadmap.phases.3.by_when", None),
            ("plan.approvals", lambda d: d["plan"]["approvals"][:2]),
        ],
    )
    documents = {k: _text(v) for k, v in render_plan(plan_of_data(data)).items()}
    plan_text = documents["improvement-plan.docx"]
    induction = "[MISSING: teacher induction and mentoring activities — required by MA-8]"
    assert _between(plan_text, induction, "III. Strategic Objectives", "IV. Outcomes")
    values = "[MISSING: core values — required by MA-1]"
    assert _between(plan_text, values, "I. School Mission, Vision and Core Values", "Mission")
    state = "[MISSING: approval by the state (DESE) — required by ESSA-7]"
    assert _between(plan_text, state, "VI. Approvals and Signatures", "Signer | Name")
    benchmark = "[MISSING: a process benchmark for initiative 1.1 — required by AP-2]"
    action = documents["action-plan.docx"]
    assert _between(action, benchmark, "Initiative 1.1: Literacy coaching", "Initiative 2.1")
    roadmap = documents["roadmap.docx"]
    by_when = "[MISSING: by when (phase 'Implement Plan') — required by R-2]"
    row = next(line for line in roadmap.splitlines() if line.startswith("Implement Plan"))
    assert row.split(" | ")[4] == by_when  # the "By when?" cell


def plan_of_data(data: dict[str, Any]) -> Any:
    plan, problems = validated(Source("plan.json", data))
    assert plan is not None, problems
    return plan


def test_a_draft_is_marked_on_every_page_and_in_its_properties() -> None:
    documents = render_plan(plan_of_data(changed(read_json(EVERY_PROFILE), BROKEN)))
    for name, data in documents.items():
        for header in _headers(data):
            assert header[1].startswith(f"{DRAFT} · "), name
            assert "listed in check.html, in this document's folder" in header[1], name
            assert "(see check.html)" not in header[1], name
        title = docx.Document(io.BytesIO(data)).core_properties.title
        assert title.startswith("DRAFT: "), name
        assert "DRAFT. This plan is not complete: " in _text(data)
        assert "Every Profile Elementary School" in _text(data)


@pytest.mark.parametrize("example", [*INPUTS, MINIMAL, EVERY_PROFILE], ids=lambda p: p.stem)
def test_a_complete_plan_has_no_draft_marks(example: Path) -> None:
    for name, data in render_plan(plan_of_data(read_json(example))).items():
        text = _text(data)
        assert "DRAFT" not in text and "[MISSING" not in text and "[TO FIX" not in text, name
        assert "DRAFT" not in (docx.Document(io.BytesIO(data)).core_properties.title or "")


def test_a_draft_is_valid_ooxml(tmp_path: Path, ooxml_errors: Any) -> None:
    data = changed(read_json(EVERY_PROFILE), [*BROKEN, ("supports.induction_mentoring", [])])
    documents = render_plan(plan_of_data(data))
    assert documents
    for name, content in documents.items():
        path = tmp_path / name
        path.write_bytes(content)
        assert ooxml_errors(path) == [], name


# ---------------------------------------------------------------------------------------------
# The build


def test_building_an_incomplete_plan_fails_but_writes_drafts(tmp_path: Path) -> None:
    path = write(tmp_path / "plan.json", changed(read_json(EVERY_PROFILE), BROKEN))
    out = tmp_path / "out"
    result = run("build", str(path), "--out", str(out))
    assert result.exit_code == 1
    assert ": 0 built, 0 unchanged, 1 draft, 0 failed (" in result.stdout
    assert result.stderr.endswith(
        f"Error: {path} is incomplete: its documents are drafts (see {out / SLUG}/check.html)\n"
        "Error: fix the errors of the plans above, or build with --draft to accept drafts\n"
    )
    folder = out / SLUG
    assert sorted(p.name for p in folder.iterdir()) == [
        "action-plan.docx",
        "check.html",
        "check.json",
        "improvement-plan.docx",
        "roadmap.docx",
    ]
    report = json.loads((folder / "check.json").read_text(encoding="utf-8"))
    assert report["plans"][0]["status"] == "incomplete"
    assert report["plans"][0]["counts"]["errors"] == 7
    for name in ("improvement-plan.docx", "action-plan.docx", "roadmap.docx"):
        assert DRAFT in _text((folder / name).read_bytes())
    # Nothing changed: the plan is not rebuilt, but it is still a draft and still fails.
    again = run("build", str(path), "--out", str(out))
    assert again.exit_code == 1
    assert ": 0 built, 1 unchanged, 0 draft, 0 failed (" in again.stdout
    assert "is incomplete: its documents are drafts" in again.stderr


def test_draft_accepts_drafts(tmp_path: Path) -> None:
    path = write(tmp_path / "plan.json", changed(read_json(EVERY_PROFILE), BROKEN))
    result = run("build", str(path), "--out", str(tmp_path / "out"), "--draft")
    assert result.exit_code == 0
    assert f"Draft: {path} is incomplete: its documents are drafts" in result.stderr


def test_a_missing_report_rebuilds_the_plan(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("build", str(EVERY_PROFILE), "--out", str(out)).exit_code == 0
    (out / SLUG / "check.json").unlink()
    result = run("build", str(EVERY_PROFILE), "--out", str(out))
    assert ": 1 built, 0 unchanged" in result.stdout
    assert (out / SLUG / "check.json").exists()


def test_a_profile_option_is_recorded_and_rebuilds(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("build", str(EVERY_PROFILE), "--out", str(out)).exit_code == 0
    result = run("build", str(EVERY_PROFILE), "--out", str(out), "--profile", "essa-tsi")
    assert ": 1 built, 0 unchanged" in result.stdout
    report = json.loads((out / SLUG / "check.json").read_text(encoding="utf-8"))
    assert report["plans"][0]["profiles"] == ["essa-tsi"]


class _Page(HTMLParser):
    """Collects links and external references of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.external: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                (self.external if ":" in value else self.links).append(value)
        if tag in ("link", "img", "iframe") or (
            tag == "script" and any(n == "src" for n, _ in attrs)
        ):
            self.external.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_dashboard_shows_every_plan(tmp_path: Path, minimal_data: dict[str, Any]) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for example in INPUTS:
        shutil.copy(example, inputs / example.name)
    write(inputs / "incomplete.json", changed(read_json(EVERY_PROFILE), BROKEN))
    minimal_data["organization"]["level"] = "county"
    write(inputs / "invalid.json", minimal_data)
    out = tmp_path / "out"
    result = run("build", str(inputs), "--out", str(out))
    assert result.exit_code == 1
    page = _Page()
    page.feed((out / "index.html").read_text(encoding="utf-8"))
    text = " ".join(page.text)
    assert page.external == []  # opens from file:// with nothing else
    for example in INPUTS:
        assert read_json(example)["organization"]["name"] in text
    assert "Every Profile Elementary School" in text and "Draft: incomplete" in text
    assert "invalid.json" in text and "$.organization.level" in text
    for link in page.links:
        assert (out / link).is_file(), link
    assert f"{SLUG}/check.html" in page.links
    assert f"{SLUG}/improvement-plan.docx" in page.links
    check_page = _Page()
    check_page.feed((out / SLUG / "check.html").read_text(encoding="utf-8"))
    assert check_page.external == []
    for link in check_page.links:
        assert (out / SLUG / link).is_file(), link
    assert "ESSA-7" in " ".join(check_page.text)


def test_a_template_that_would_hide_a_draft_is_refused(tmp_path: Path) -> None:
    """Drafts never pass for final documents, even from a custom template that forgets the
    DRAFT mark: the plan fails with a message saying what the template lacks."""
    custom = tmp_path / "custom"
    custom.mkdir()
    template = docx.Document()
    template.sections[0].header.paragraphs[0].text = "{{ organization.name }}"
    template.add_paragraph("Action plan {{ action_plan.school_year }}")
    template.save(str(custom / "action-plan.docx"))
    complete = run("build", str(EVERY_PROFILE), "--out", str(tmp_path / "a"), "--templates",
                   str(custom))  # fmt: skip
    assert complete.exit_code == 0, complete.output
    path = write(tmp_path / "plan.json", changed(read_json(EVERY_PROFILE), BROKEN))
    result = run("build", str(path), "--out", str(tmp_path / "b"), "--templates", str(custom))
    assert result.exit_code == 1
    assert "this plan is incomplete, but its document would not look like a draft: a page " \
        "header does not say DRAFT" in result.stderr  # fmt: skip
    assert not (tmp_path / "b" / SLUG / "action-plan.docx").exists()


def test_merged_shards_keep_their_reports_and_get_a_dashboard(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for example in INPUTS:
        shutil.copy(example, inputs / example.name)
    shards = [tmp_path / f"shard-{k}" for k in (1, 2)]
    for k, shard in enumerate(shards, start=1):
        run("build", str(inputs), "--out", str(shard), "--shard", f"{k}/2")  # one may be empty
    merged = tmp_path / "merged"
    assert run("manifest", "merge", *map(str, shards), "--into", str(merged)).exit_code == 0
    page = (merged / "index.html").read_text(encoding="utf-8")
    for example in INPUTS:
        assert read_json(example)["organization"]["name"] in page
    assert len(list(merged.glob("*/check.json"))) == len(INPUTS)
    assert len(list(merged.glob("*/check.html"))) == len(INPUTS)


def test_a_roadmap_only_plan_checked_as_one_gets_only_its_roadmap(
    tmp_path: Path, minimal_data: dict[str, Any]
) -> None:
    data = {key: minimal_data[key] for key in ("organization", "plan", "roadmap")}
    path = write(tmp_path / "plan.json", data)
    assert run("build", str(path), "--out", str(tmp_path / "a")).exit_code == 1  # dese-sip
    result = run("build", str(path), "--out", str(tmp_path / "b"), "--profile", "roadmap")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "b" / "smith-jones-partners-q1-5-academy-00990001"
    assert sorted(p.name for p in folder.iterdir()) == ["check.html", "check.json", "roadmap.docx"]
    drafted = tmp_path / "a" / "smith-jones-partners-q1-5-academy-00990001"
    text = _text((drafted / "improvement-plan.docx").read_bytes())
    for rule in ("MA-1", "MA-2", "MA-3", "MA-4", "MA-9"):
        assert f"required by {rule}]" in text


@pytest.mark.parametrize("leader", [None, {"title": "Principal"}], ids=["no leader", "no name"])
def test_a_plan_without_its_optional_statements_renders_without_stand_ins(
    leader: dict[str, str] | None,
) -> None:
    """What a real plan may not state (its leader or leader's name, a revision, an initiative's
    lead, an objective's rationale, a benchmark's evidence and status) is left out of the
    documents, or shown by the placeholder its rule gives; never as 'None'."""
    data = read_json(MINIMAL)
    data["organization"]["leader"] = leader
    del data["plan"]["revision"]
    del data["objectives"][0]["rationale"]
    del data["objectives"][0]["initiatives"][0]["lead"]
    for benchmark in data["action_plan"]["benchmarks"]:
        benchmark.pop("evidence", None)
        benchmark.pop("status", None)
    data = {key: value for key, value in data.items() if value is not None}
    if leader is None:
        del data["organization"]["leader"]
    plan = plan_of_data(data)
    check = check_plan(plan)
    documents = {k: _text(v) for k, v in render_plan(plan, check=check).items()}
    for name, text in documents.items():
        assert "None" not in text, name
        assert "[footer] July 1, 2025\tPage" in text, name  # dated by the plan's first day
    plan_text = documents["improvement-plan.docx"]
    assert "Why:" not in plan_text and "Lead:" not in plan_text
    assert ("Led by | Principal" in plan_text) is (leader is not None)
    assert "Revision |" not in plan_text and "[Heading 2] Revision History" not in plan_text
    action = documents["action-plan.docx"]
    lead = "Initiative lead: [MISSING: the lead of initiative"
    assert "Initiative lead:" not in action.replace(lead, "")  # only with its placeholder
    assert action.count("required by AP-9] | Not recorded") == 2  # in the evidence cells
    for finding in check.findings:
        if finding.severity is Severity.ERROR:
            shown_in = f"{finding.document}.docx"
            shown_in = shown_in if shown_in in documents else "improvement-plan.docx"
            assert placeholder(finding) in documents[shown_in], finding.rule.id
