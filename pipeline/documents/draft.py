"""What a plan's check puts into the templates' context: the draft flag, the placeholders that
show each missing element in place, and the crosswalk of requirements.

A plan with errors renders as a draft: `document.draft` is true (templates mark every page),
and each error becomes a placeholder text in the slot nearest to where the element belongs:

- `missing.<section>` for a section of the document (`missing.foundation`, `missing.approvals`);
- `missing.general` for anything else (and for the errors of a document the plan lacks);
- `<item>.missing` on objectives, initiatives, outcomes, benchmarks and roadmap phases.

Every slot exists in every context (empty when nothing is missing), so templates need no
guards, and a test checks that each placeholder a check produces appears in its document.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from typing import Any
from xml.etree import ElementTree

from pipeline.checks.engine import Finding, PlanCheck
from pipeline.checks.profiles import profiles_of_rule
from pipeline.checks.rules import ordered_rules
from pipeline.errors import DataPath, Severity

SECTIONS = (
    "general",
    "plan",
    "foundation",
    "needs_assessment",
    "theory_of_action",
    "objectives",
    "supports",
    "outcomes",
    "engagement",
    "monitoring",
    "approvals",
    "corrective_actions",
    "action_plan",
    "roadmap",
)
"""The section slots, `missing.<name>` in the context."""

_PLAN_SLOTS = {
    "team": "engagement",
    "stakeholder_engagement": "engagement",
    "monitoring": "monitoring",
    "additional_action": "monitoring",
    "approvals": "approvals",
    "corrective_actions": "corrective_actions",
}


def _item(context: dict[str, Any], anchor: DataPath) -> dict[str, Any] | None:
    """The context item (objective, initiative, outcome, benchmark, phase) an anchor is in."""
    match anchor:
        case ("objectives", int(o), "initiatives", int(i), *_):
            keys: tuple[str | int, ...] = ("objectives", o, "initiatives", i)
        case ("objectives" | "outcomes" as section, int(index), *_):
            keys = (section, index)
        case ("action_plan", "benchmarks", int(b), *_):
            keys = ("action_plan", "benchmarks", b)
        case ("roadmap", "phases", int(p), *_):
            keys = ("roadmap", "phases", p)
        case _:
            return None
    node: Any = context
    for key in keys:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node if isinstance(node, dict) else None


def _section(anchor: DataPath) -> str:
    match anchor:
        case ("plan", str(key), *_):
            return _PLAN_SLOTS.get(key, "plan")
        case (str(section), *_) if section in SECTIONS:
            return section
    return "general"


def _add_slots(context: dict[str, Any]) -> None:
    """An empty `missing` list on every item a placeholder can be attached to."""
    for objective in context.get("objectives") or []:
        objective["missing"] = []
        for initiative in objective["initiatives"]:
            initiative["missing"] = []
    for outcome in context.get("outcomes") or []:
        outcome["missing"] = []
    for benchmark in (context.get("action_plan") or {}).get("benchmarks", []):
        benchmark["missing"] = []
    for phase in (context.get("roadmap") or {}).get("phases", []):
        phase["missing"] = []


def _shown_in(finding: Finding, document: str, rendered: list[str]) -> bool:
    """Whether `document` shows this finding: its own document does; the improvement plan
    also shows those of documents the plan lacks."""
    if finding.document == document:
        return True
    return document == "improvement-plan" and finding.document not in rendered


def plan_draft(context: dict[str, Any], check: PlanCheck) -> None:
    """Add what every document of the plan shares: empty placeholder lists on its items, and
    the `crosswalk`."""
    _add_slots(context)
    context["crosswalk"] = crosswalk(check)


def document_draft(context: dict[str, Any], document: str, check: PlanCheck) -> dict[str, Any]:
    """A document's context with its draft marks: `document.draft`, `document.draft_note`,
    `document.profiles_labels` and the `missing` placeholders.

    The plan's part of `context` is shared by its documents, and each document shows its own
    placeholders, so a document that places some on items gets its own copy of the context.
    """
    missing: dict[str, list[str]] = {name: [] for name in SECTIONS}
    on_items: list[tuple[DataPath, str]] = []
    rendered = check.documents()
    for finding in check.findings:
        if finding.severity is not Severity.ERROR or not _shown_in(finding, document, rendered):
            continue
        anchor = finding.anchor or ()
        if finding.document == document and _item(context, anchor) is not None:
            on_items.append((anchor, finding.placeholder))
        else:
            slot = _section(anchor) if finding.document == document else "general"
            missing[slot].append(finding.placeholder)
    if on_items:
        context = copy.deepcopy(context)
        for anchor, placeholder in on_items:
            item = _item(context, anchor)
            assert item is not None
            item["missing"].append(placeholder)
    plural = "s" if check.errors != 1 else ""
    context = {
        **context,
        "missing": missing,
        "document": {
            **context["document"],
            "draft": not check.complete,
            "draft_note": (
                f"{check.errors} required element{plural} missing or wrong (see check.html)"
                if check.errors
                else ""
            ),
            "profiles_labels": ", ".join(profile.label for profile in check.profiles),
        },
    }
    return context


def crosswalk(check: PlanCheck) -> list[dict[str, Any]]:
    """For each requirement of the plan's profiles: its source, the section of the plan where
    it is met, and whether it is met."""
    rows = []
    for rule in ordered_rules():
        if not rule.crosswalk or rule.id not in check.applied:
            continue
        found = check.findings_of(rule.id)
        if not found:
            status = "Met"
        elif check.applied[rule.id] is Severity.ERROR:
            status = "Not met"
        else:
            status = "Partly met"
        profiles = [p for p in profiles_of_rule(rule.id) if p in check.profiles]
        rows.append(
            {
                "id": rule.id,
                "title": rule.title,
                "citation": rule.citation,
                "section": rule.section,
                "profiles_labels": ", ".join(profile.label for profile in profiles),
                "met": not found,
                "status": status,
            }
        )
    return rows


_HEADER_REFERENCE = re.compile(rb'<w:headerReference\b[^>]*w:type="default"[^>]*r:id="([^"]+)"')
_SECTION = re.compile(rb"<w:sectPr\b.*?</w:sectPr>", re.S)
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def unmarked_draft(data: bytes) -> str | None:
    """Why a rendered draft (.docx bytes) would pass for a final document, or None when every
    page is marked: the first section has a header, and every page header says DRAFT (a
    section without a header of its own continues the one before).

    The house templates mark drafts; a custom template might not, and a draft must never
    look final, so a build refuses a draft whose pages are not marked.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        body = package.read("word/document.xml")
        rels = ElementTree.fromstring(package.read("word/_rels/document.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(_RELATIONSHIPS)}
        sections = _SECTION.findall(body)
        if not sections or not _HEADER_REFERENCE.search(sections[0]):
            return "its first pages have no header to mark DRAFT in"
        for reference in _HEADER_REFERENCE.findall(body):
            part = "word/" + targets.get(reference.decode(), "").removeprefix("/word/")
            if part not in package.namelist() or b"DRAFT" not in package.read(part):
                return "a page header does not say DRAFT"
    return None
