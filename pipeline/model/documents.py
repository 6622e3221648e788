"""The documents the pipeline produces: which template each uses, when a plan has it, and its
title."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.model.plan import Plan

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"


@dataclass(frozen=True)
class Document:
    """One kind of output document."""

    name: str
    """Output file stem and `--document` name, e.g. 'action-plan'."""
    template: str
    """Template path relative to the templates folder."""
    subject: str
    included: Callable[[Plan], bool]
    """Whether a plan has this document (a section that is absent means it does not)."""
    _title: Callable[[Plan, dt.date | None], str]
    label: str
    """How its pages are numbered in a plan's packet: '<label> 1', '<label> 2'…"""

    def title(self, plan: Plan, as_of: dt.date | None = None) -> str:
        """Its title; `as_of` chooses the check-in a progress report is of (the latest on or
        before that date; by default the latest)."""
        return self._title(plan, as_of)

    @property
    def filename(self) -> str:
        return f"{self.name}.docx"

    @property
    def pdf_filename(self) -> str:
        return f"{self.name}.pdf"

    @property
    def redline_filename(self) -> str:
        """The document with the changes since the previous revision as tracked changes."""
        return f"{self.name}-redline.docx"

    def template_in(self, custom: Path | None) -> Path:
        """The template to use: from the `custom` folder when it has one for this document
        (named like the output, `action-plan.docx`, or at the built-in's relative path,
        `dese/action-plan.docx`), else the built-in one."""
        if custom is not None:
            for candidate in (custom / self.filename, custom / self.template):
                # A link to nothing, or a folder, is the author's template gone wrong: it is
                # returned so the check reports it, never silently replaced by the built-in.
                if candidate.is_symlink() or candidate.exists():
                    return candidate
        return TEMPLATES_DIR / self.template


def _has_improvement_plan(plan: Plan) -> bool:
    sections = (
        plan.foundation,
        plan.needs_assessment,
        plan.theory_of_action,
        plan.objectives,
        plan.supports,
        plan.outcomes,
    )
    return any(section is not None for section in sections)


def _has_check_ins(plan: Plan) -> bool:
    return plan.action_plan is not None and bool(plan.action_plan.check_ins)


def _progress_title(plan: Plan, as_of: dt.date | None) -> str:
    """'Progress Report, Q2 2025-26' (the check-in's period), else with its date."""
    from pipeline.model.progress import check_in_as_of

    check_in = check_in_as_of(plan, as_of)
    if check_in is None:
        return "Progress Report"
    day = check_in.date
    return f"Progress Report, {check_in.period or f'{day:%B} {day.day}, {day.year}'}"


DOCUMENTS: tuple[Document, ...] = (
    Document(
        "improvement-plan",
        "dese/improvement-plan.docx",
        "Multi-year improvement plan (Massachusetts Planning for Success)",
        _has_improvement_plan,
        lambda plan, _: plan.plan.title,
        "Plan",
    ),
    Document(
        "action-plan",
        "dese/action-plan.docx",
        "Annual action plan: implementation benchmarks and resources",
        lambda plan: plan.action_plan is not None,
        lambda plan, _: (
            f"Annual Action Plan {plan.action_plan.school_year}"
            if plan.action_plan
            else "Annual Action Plan"
        ),
        "Action Plan",
    ),
    Document(
        "progress-report",
        "dese/progress-report.docx",
        "Progress report: benchmark statuses, overdue benchmarks, outcome results and "
        "adjustments at a check-in",
        _has_check_ins,
        _progress_title,
        "Progress",
    ),
    Document(
        "roadmap",
        "roadmap/roadmap.docx",
        "Continuous improvement process roadmap",
        lambda plan: plan.roadmap is not None,
        lambda plan, _: "Continuous Improvement Process Roadmap",
        "Roadmap",
    ),
)

IMPROVEMENT_PLAN, ACTION_PLAN, PROGRESS_REPORT, ROADMAP = DOCUMENTS

BY_NAME = {document.name: document for document in DOCUMENTS}
BY_FILENAME = {document.filename: document for document in DOCUMENTS}

PACKET = "packet.pdf"
CHANGES_HTML, CHANGES_JSON = "changes.html", "changes.json"
"""What changed since the previous revision (built with --redline, beside the redlines)."""
"""The file joining a plan's PDFs (built with --pdf)."""
