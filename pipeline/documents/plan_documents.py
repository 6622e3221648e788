"""A plan's documents: which it has, and each rendered in memory from its template.

Nothing here writes a file: a build's main process does (`pipeline.batch`)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from pipeline.checks import PlanCheck, check_plan
from pipeline.errors import TemplateProblemError
from pipeline.files import sha256
from pipeline.model.changes import Since
from pipeline.model.documents import DOCUMENTS, PROGRESS_REPORT, Document
from pipeline.model.plan import Plan
from pipeline.model.progress import check_in_as_of


def documents_of(
    plan: Plan, check: PlanCheck | None = None, as_of: dt.date | None = None
) -> list[Document]:
    """The documents a plan has; a draft also has the improvement plan its profiles require.
    A progress report is of the latest check-in on or before `as_of` (by default the latest):
    without one, the plan has none."""
    names = (check if check is not None else check_plan(plan)).documents()
    if check_in_as_of(plan, as_of) is None:
        names = [name for name in names if name != PROGRESS_REPORT.name]
    return [document for document in DOCUMENTS if document.name in names]


def fingerprint(path: Path) -> str:
    """A template's content hash. Every plan a worker renders asks for it: the file is read
    again only when its size or modification time changed."""
    stat = path.stat()
    return _content_hash(path, stat.st_mtime_ns, stat.st_size)


@cache
def _content_hash(path: Path, mtime_ns: int, size: int) -> str:
    return sha256(path.read_bytes())


def render_plan(
    plan: Plan,
    templates: Path | None = None,
    check: PlanCheck | None = None,
    as_of: dt.date | None = None,
    since: Since | None = None,
) -> dict[str, bytes]:
    """Every document the plan has, rendered: {file name: .docx bytes}. `check` (by default
    the plan checked under its own profiles) marks an incomplete plan's documents as drafts;
    `as_of` chooses the check-in the documents are as of (the latest on or before it; by
    default the latest); `since` (the revision before, when known, and the changes from it)
    gives the improvement plan its summary of changes."""
    # Imported here: the renderer pulls in docxtpl, which a build's main process never needs.
    from pipeline.documents.context import plan_context, with_document
    from pipeline.documents.render import prepared

    check = check if check is not None else check_plan(plan)
    rendered = {}
    shared = plan_context(plan, check, as_of, since)
    for document in documents_of(plan, check, as_of):
        template = document.template_in(templates)
        compiled = prepared(template, fingerprint(template))
        context = with_document(shared, plan, document, check, as_of)
        rendered[document.filename] = compiled.render(context, plan.plan.document_date)
        if context["document"]["draft"]:
            _require_draft_marks(template, rendered[document.filename])
    return rendered


def _require_draft_marks(template: Path, data: bytes) -> None:
    """A draft must never pass for a final document, whatever template rendered it."""
    from pipeline.documents.draft import unmarked_draft

    why = unmarked_draft(data)
    if why is not None:
        raise TemplateProblemError(
            f"{template}: this plan is incomplete, but its document would not look like a "
            f"draft: {why}. Print {{{{ document.draft_note }}}} under {{%p if document.draft %}} "
            "in the template's page header (see docs/templates.md, Drafts)"
        )
