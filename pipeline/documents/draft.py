"""What a plan's check puts into the templates' context: the draft flag, the placeholders that
show each missing element in place, and the crosswalk of requirements.

A plan with errors renders as a draft: `document.draft` is true (templates mark every page),
and each error becomes a placeholder text in the slot nearest to where the element belongs:

- `missing.<section>` for a section of the document (`missing.foundation`, `missing.approvals`),
  and `missing.needs_<part>` and `missing.<support>` for the sub-sections of the needs
  assessment and the supports (see places.py);
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
from pipeline.documents.places import (
    NEEDS_SLOTS,
    SUPPORTS,
    add_slots,
    item_place,
    missing_phase,
    needs_slot,
    place,
    readable,
    support_slot,
)
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
    "school_council",
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


def _section(anchor: DataPath) -> str:
    match anchor:
        case ("plan", str(key), *_):
            return _PLAN_SLOTS.get(key, "plan")
        case (str(section), *_) if section in SECTIONS:
            return section
    return "general"


def _shown_in(finding: Finding, document: str, rendered: list[str]) -> bool:
    """Whether `document` shows this finding: its own document does; the improvement plan
    also shows those of documents the plan lacks."""
    if finding.document == document:
        return True
    return document == "improvement-plan" and finding.document not in rendered


def plan_draft(context: dict[str, Any], check: PlanCheck) -> None:
    """Add what every document of the plan shares: empty placeholder lists on its items, and
    the `crosswalk`."""
    add_slots(context)
    context["crosswalk"] = crosswalk(check)


def document_draft(context: dict[str, Any], document: str, check: PlanCheck) -> dict[str, Any]:
    """A document's context with its draft marks: `document.draft`, `document.draft_note`,
    `document.profiles_labels` and the `missing` placeholders.

    The plan's part of `context` is shared by its documents, and each document shows its own
    placeholders, so a document that places some on items gets its own copy of the context.
    """
    missing: dict[str, list[str]] = {name: [] for name in (*SECTIONS, *SUPPORTS, *NEEDS_SLOTS)}
    on_items: list[tuple[tuple[str | int, ...], str | None, str]] = []
    phases: list[tuple[str | None, str]] = []
    rendered = check.documents()
    here = 0
    for finding in check.findings:
        if finding.severity is not Severity.ERROR or not _shown_in(finding, document, rendered):
            continue
        here += 1
        text = placeholder(finding)
        anchor, path = finding.anchor or (), finding.path or finding.anchor or ()
        own = finding.document == document
        at = item_place(context, anchor, path) if own else None
        if at is not None:
            on_items.append((*at, text))
        elif own and anchor == ("roadmap",) and path == ("roadmap", "phases"):
            phases.append((finding.missing, text))
        elif own and support_slot(finding.rule.id, path):
            missing[str(support_slot(finding.rule.id, path))].append(text)
            missing["supports"].append(text)
        elif own and needs_slot(context, path):
            missing[str(needs_slot(context, path))].append(text)
            missing["needs_assessment"].append(text)
        else:
            missing[_section(anchor) if own else "general"].append(text)
    if on_items or phases:
        context = copy.deepcopy(context)
        for keys, field, text in on_items:
            place(context, keys, field, text)
        for name, text in phases:
            missing_phase(context, name, text)
            missing["roadmap"].append(text)
    context = {
        **context,
        "missing": missing,
        "document": {
            **context["document"],
            "draft": not check.complete,
            "draft_note": draft_note(here, check.errors) if check.errors else "",
            "profiles_labels": ", ".join(profile.label for profile in check.profiles),
        },
    }
    return context


def placeholder(finding: Finding) -> str:
    """What a draft shows for `finding`, in words (no data key names)."""
    return readable(finding.placeholder)


def draft_note(here: int, errors: int) -> str:
    """The count a draft's pages carry: what this document lacks, and where the list is."""
    if here == 0:
        counted = (
            f"complete itself; {errors} required element{'s' if errors != 1 else ''} "
            "missing or wrong in the plan's other documents"
        )
    else:
        counted = f"{here} required element{'s' if here != 1 else ''} missing or wrong here"
        if errors > here:
            counted += f" ({errors} in the plan)"
    return f"{counted}; listed in check.html, in this document's folder"


def crosswalk(check: PlanCheck) -> list[dict[str, Any]]:
    """For each requirement of the plan's profiles: its source, the section of the plan where
    it is met, and whether it is met."""
    rows = []
    for rule in ordered_rules():
        if not rule.crosswalk or rule.id not in check.applied or check.plan is None:
            continue
        # A submission cites only what binds the plan (statute, regulation, DESE or USED
        # guidance) for its level; the references that informed a rule are in docs/rules.md.
        citation = rule.crosswalk_citation(check.plan.organization.level)
        if citation is None:
            continue
        found = check.findings_of(rule.id)
        status = check.requirement_status(rule.id)
        profiles = [p for p in profiles_of_rule(rule.id) if p in check.profiles]
        rows.append(
            {
                "id": rule.id,
                "title": rule.title,
                "citation": citation,
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
