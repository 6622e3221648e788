"""One plan's work, as a build worker does it: read and validate the input, check it, render
its documents in memory. Nothing here writes a file: the main process does (`incremental.py`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from slugify import slugify

from pipeline.documents import DOCUMENTS, TEMPLATES_DIR, Document
from pipeline.errors import InvalidInputError, PipelineError, Problem, TemplateProblemError
from pipeline.load import Source, find_inputs, load
from pipeline.manifest import sha256
from pipeline.vocabulary import Profile

if TYPE_CHECKING:
    from pipeline.checks import PlanCheck
    from pipeline.model import Plan
    from pipeline.packet import PacketInfo

# The rest (validation, checks, rendering) is imported where it is used: a worker needs it,
# while the main process of an incremental build often renders nothing and should start fast.


class Status(StrEnum):
    BUILT = "built"
    UNCHANGED = "unchanged"
    DRAFT = "draft"
    FAILED = "failed"


WRITTEN = (Status.BUILT, Status.DRAFT)


@dataclass
class PlanResult:
    """What happened to one input."""

    source: str
    status: Status = Status.FAILED
    plan: Plan | None = None
    problems: list[Problem] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    """Why it was rebuilt: new, input changed, template changed, options changed…"""
    folder: Path | None = None
    written: list[Path] = field(default_factory=list)
    code_location: str = "$.organization.code"
    """Where the organization code is in the input (a JSON path, or a workbook cell)."""
    input: Source | None = None
    """The input as read (for locating findings), when it could be read."""
    draft: bool = False
    """Whether its documents are drafts: the plan's check found errors."""

    @property
    def ok(self) -> bool:
        return self.status is not Status.FAILED


def slug(plan: Plan) -> str:
    """The output folder name: filesystem-safe, stable, unique per organization (its code)."""
    name = slugify(plan.organization.name, max_length=60, word_boundary=True)
    return f"{name}-{plan.organization.code}"


def read_plan(path: Path) -> tuple[Source | None, PlanResult]:
    """Load and validate one input."""
    result = PlanResult(str(path))
    try:
        source = result.input = load(path)
        from pipeline.validate import validate

        result.plan = validate(source)
        result.status = Status.BUILT
        result.problems = list(source.problems)  # warnings only: they do not fail a plan
        result.code_location = source.locate(("organization", "code"))
        return source, result
    except InvalidInputError as error:
        result.problems = error.problems
        return None, result


def read_plans(paths: list[Path]) -> list[PlanResult]:
    """Load and validate every input under `paths`; two inputs for one organization conflict."""
    results = [read_plan(path)[1] for path in find_inputs(paths)]
    owners: dict[str, PlanResult] = {}
    for result in results:
        if result.plan is None:
            continue
        code = result.plan.organization.code
        first = owners.setdefault(code, result)
        if first is not result:
            conflict(result, first.source, code)
            conflict(first, result.source, code)
    return results


def conflict(result: PlanResult, other: str, code: str) -> None:
    """Two inputs describe one organization: neither is built, the user must choose."""
    result.status = Status.FAILED
    result.problems.append(
        Problem(
            result.source,
            result.code_location,
            f"organization {code} also has a plan in {other}",
            "keep one input per organization",
        )
    )


def documents_of(plan: Plan, check: PlanCheck | None = None) -> list[Document]:
    """The documents a plan has; a draft also has the improvement plan its profiles require."""
    from pipeline.checks import check_plan

    names = (check if check is not None else check_plan(plan)).documents()
    return [document for document in DOCUMENTS if document.name in names]


def fingerprint(path: Path) -> str:
    """A template's content hash. Every plan a worker renders asks for it: the file is read
    again only when its size or modification time changed."""
    stat = path.stat()
    return _content_hash(path, stat.st_mtime_ns, stat.st_size)


@cache
def _content_hash(path: Path, mtime_ns: int, size: int) -> str:
    return sha256(path.read_bytes())


def template_record(document: Document, custom: Path | None) -> dict[str, str]:
    """Which template produces `document`, for the manifest: a built-in one, or a file of the
    custom folder (as given), with its content hash."""
    path = document.template_in(custom)
    builtin = path.resolve() == (TEMPLATES_DIR / document.template).resolve()
    shown = f"built-in:{document.template}" if builtin else path.as_posix()
    return {"path": shown, "sha256": fingerprint(path)}


def render_plan(
    plan: Plan, templates: Path | None = None, check: PlanCheck | None = None
) -> dict[str, bytes]:
    """Every document the plan has, rendered: {file name: .docx bytes}. `check` (by default
    the plan checked under its own profiles) marks an incomplete plan's documents as drafts."""
    from pipeline.checks import check_plan
    from pipeline.context import plan_context, with_document
    from pipeline.render import prepared

    check = check if check is not None else check_plan(plan)
    rendered = {}
    shared = plan_context(plan, check)
    for document in documents_of(plan, check):
        template = document.template_in(templates)
        compiled = prepared(template, fingerprint(template))
        context = with_document(shared, plan, document, check)
        rendered[document.filename] = compiled.render(context, plan.plan.revision.date)
        if context["document"]["draft"]:
            _require_draft_marks(template, rendered[document.filename])
    return rendered


def _require_draft_marks(template: Path, data: bytes) -> None:
    """A draft must never pass for a final document, whatever template rendered it."""
    from pipeline.checks.draft import unmarked_draft

    why = unmarked_draft(data)
    if why is not None:
        raise TemplateProblemError(
            f"{template}: this plan is incomplete, but its document would not look like a "
            f"draft: {why}. Print {{{{ document.draft_note }}}} under {{%p if document.draft %}} "
            "in the template's page header (see docs/templates.md, Drafts)"
        )


@dataclass
class Rendered:
    """A worker's answer for one input: the documents in memory, or the problems. (Small on
    purpose: it crosses a process boundary, and the plan itself stays in the worker.)"""

    source: str
    input_sha256: str
    problems: list[Problem]
    documents: dict[str, bytes] = field(default_factory=dict)
    slug: str = ""
    code: str = ""
    code_location: str = "$.organization.code"
    reports: dict[str, bytes] = field(default_factory=dict)
    """The plan's check reports (check.json, check.html)."""
    draft: bool = False
    revision_date: dt.date | None = None
    packet: PacketInfo | None = None
    titles: dict[str, str] = field(default_factory=dict)
    """Per document file name: its title (the packet's bookmark)."""


def render_input(
    path: Path, templates: Path | None, profiles: tuple[Profile, ...] = ()
) -> Rendered:
    """Runs in a worker: load, validate, check and render one input (nothing is written)."""
    digest = sha256(path.read_bytes()) if path.is_file() else ""
    source, result = read_plan(path)
    plan = result.plan
    if plan is None:
        return Rendered(str(path), digest, result.problems)
    rendered = Rendered(
        str(path),
        digest,
        result.problems,  # warnings travel with the documents, to be shown
        slug=slug(plan),
        code=plan.organization.code,
        code_location=result.code_location,
    )
    from pipeline.checks import check_plan
    from pipeline.checks.outputs import plan_reports

    check = check_plan(plan, source, profiles)
    rendered.reports, rendered.draft = plan_reports(check), not check.complete
    try:
        rendered.documents = render_plan(plan, templates, check)
    except PipelineError as error:
        rendered.problems.append(Problem(str(path), "template", str(error)))
    documents = [d for d in DOCUMENTS if d.filename in rendered.documents]
    rendered.revision_date = plan.plan.revision.date
    rendered.packet = packet_info(plan, documents)
    rendered.titles = {document.filename: document.title(plan) for document in documents}
    return rendered


def packet_info(plan: Plan, documents: list[Document]) -> PacketInfo:
    """The document information of the packet joining `documents` of `plan`."""
    from pipeline.packet import PacketInfo
    from pipeline.pdf import stamp

    revision = plan.plan.revision
    subjects = "; ".join(document.subject for document in documents)
    return PacketInfo(
        title=f"{plan.plan.title} Submission Packet: {plan.organization.name}",
        author=plan.organization.name,
        subject=f"Revision {revision.number} of {revision.date.isoformat()}: {subjects}",
        keywords="improvement plan, DESE, ESSA, submission packet",
        moment=stamp(revision.date),
    )
