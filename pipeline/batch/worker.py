"""One plan's work, as a build worker does it: read and validate the input, check it, render
its documents in memory. Nothing here writes a file: the main process does (`incremental.py`).
"""

from __future__ import annotations

import datetime as dt
import os
import traceback
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from slugify import slugify

from pipeline.batch.writes import stable_stat
from pipeline.errors import PipelineError, Problem
from pipeline.files import sha256
from pipeline.model.documents import DOCUMENTS
from pipeline.model.vocabulary import Profile

if TYPE_CHECKING:
    from pipeline.model.plan import Plan
    from pipeline.pdf.info import PacketInfo

# The rest (reading, checks, rendering) is imported where it is used: a worker needs it,
# while the main process of an incremental build often renders nothing and should start fast.


class Status(StrEnum):
    BUILT = "built"
    UNCHANGED = "unchanged"
    DRAFT = "draft"
    FAILED = "failed"


WRITTEN = (Status.BUILT, Status.DRAFT)


@dataclass
class PlanResult:
    """What happened to one input in a build."""

    source: str
    status: Status = Status.FAILED
    problems: list[Problem] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    """Why it was rebuilt: new, input changed, template changed, options changed…"""
    folder: Path | None = None
    written: list[Path] = field(default_factory=list)
    code_location: str = "$.organization.code"
    """Where the organization code is in the input (a JSON path, or a workbook cell)."""
    draft: bool = False
    """Whether its documents are drafts: the plan's check found errors."""

    @property
    def ok(self) -> bool:
        return self.status is not Status.FAILED

    def conflict(self, other: str, code: str) -> None:
        """Another input of this build describes the same organization: this one fails."""
        self.status = Status.FAILED
        from pipeline.inputs.read import conflict_problem

        self.problems.append(conflict_problem(self.source, self.code_location, other, code))


def slug(plan: Plan) -> str:
    """The output folder name: filesystem-safe, stable, unique per organization (its code).
    A name with nothing to keep (only punctuation) gives the code alone, never a name that
    starts with '-'."""
    name = slugify(plan.organization.name, max_length=60, word_boundary=True)
    return f"{name}-{plan.organization.code}" if name else plan.organization.code


@dataclass
class Rendered:
    """A worker's answer for one input: the documents in memory, or the problems. (Small on
    purpose: it crosses a process boundary, and the plan itself stays in the worker.)"""

    source: str
    input_sha256: str
    problems: list[Problem]
    documents: dict[str, bytes] = field(default_factory=dict)
    input_stat: list[int] | None = None
    """The input's size and times as it was read (writes.stable_stat), for the manifest."""
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
    internal_error: str | None = None
    """The traceback of an unexpected error while building this input (a bug): the main
    process writes it to a log file and reports the input as failed."""
    packed: bytes = b""
    """The plan's canonical input as OUT/.revisions stores it (revisions.packed), for the main
    process to store; empty when it is stored already."""
    hashes: dict[str, str] = field(default_factory=dict)
    """Per file of `documents`, `reports` and `redlines`: its SHA-256 (for the manifest)."""
    revision: str | None = None
    previous_revision: str | None = None
    """The revision built before this one, when known (its changes are in the documents)."""
    redlines: dict[str, bytes] = field(default_factory=dict)
    """With --redline and a known previous revision: {redline file name: .docx}."""


@dataclass(frozen=True)
class Known:
    """What the output folder knows of an input's earlier builds: the revision last built and
    the one before it (`OUT/.revisions`), and whether the build writes redlines."""

    out: Path
    revision: str | None = None
    previous: str | None = None
    redline: bool = False

    def previous_of(self, revision: str) -> str | None:
        """The revision before `revision`: the last one built, unless that is this one."""
        return self.previous if revision == self.revision else self.revision


def render_input(
    path: Path,
    templates: Path | None,
    profiles: tuple[Profile, ...] = (),
    pdfs: bool = False,
    as_of: dt.date | None = None,
    known: Known | None = None,
) -> Rendered:
    """Runs in a worker: load, validate, check and render one input (nothing is written);
    `pdfs`: the build makes PDFs (its check.html links them); `as_of`: the documents are as of
    the latest check-in on or before it (by default the latest); `known`: the revisions built
    before (the documents then say what changed). Never raises: an unexpected error comes
    back as the input's `internal_error`."""
    try:
        return _render_input(path, templates, profiles, pdfs, as_of, known)
    except Exception:
        return Rendered(str(path), "", [], internal_error=traceback.format_exc())


def _render_input(
    path: Path,
    templates: Path | None,
    profiles: tuple[Profile, ...],
    pdfs: bool,
    as_of: dt.date | None,
    known: Known | None,
) -> Rendered:
    from pipeline.batch.revisions import (
        canonical_bytes,
        load_revision,
        packed,
        revision_id,
        revision_path,
    )
    from pipeline.checks import check_plan
    from pipeline.documents.plan_documents import render_plan
    from pipeline.inputs.read import read_input
    from pipeline.model.changes import Since
    from pipeline.pdf.info import packet_info
    from pipeline.reports.outputs import plan_reports

    reading = read_input(path)
    digest, stat = "", None
    try:
        if path.is_file():
            with path.open("rb") as handle:
                digest, stat = sha256(handle.read()), stable_stat(os.fstat(handle.fileno()))
    except OSError:
        pass  # read_input has said why the file cannot be read
    plan = reading.plan
    if plan is None:
        return Rendered(str(path), digest, reading.problems)
    rendered = Rendered(
        str(path),
        digest,
        reading.problems,  # warnings travel with the documents, to be shown
        slug=slug(plan),
        code=plan.organization.code,
        code_location=reading.code_location,
        input_stat=stat,
    )
    canonical = canonical_bytes(plan)
    rendered.revision = revision_id(canonical)
    there = revision_path(known.out, rendered.revision) if known is not None else None
    if there is None or not there.is_file() or there.is_symlink():
        rendered.packed = packed(canonical)  # compressed here, not in the main process
    since = None
    if known is not None and (before := known.previous_of(rendered.revision)) is not None:
        previous = load_revision(known.out, before)
        if previous is not None:
            since, rendered.previous_revision = Since.of(previous, plan), before
    check = check_plan(plan, reading.input, profiles, reading.problems)
    rendered.draft = not check.complete
    try:
        rendered.documents = render_plan(plan, templates, check, as_of, since)
        if since is not None and known is not None and known.redline:
            rendered.redlines = _redlines(
                plan, since.previous, rendered.documents, templates, as_of
            )
    except PipelineError as error:
        rendered.problems.append(Problem(str(path), "template", str(error)))
    rendered.reports = plan_reports(
        check,
        pdfs,
        as_of=as_of,
        since=since,
        redlines=sorted(rendered.redlines),
    )
    documents = [d for d in DOCUMENTS if d.filename in rendered.documents]
    rendered.revision_date = plan.plan.document_date
    rendered.packet = packet_info(plan, documents, draft=rendered.draft)
    rendered.titles = {document.filename: document.title(plan, as_of) for document in documents}
    made = {**rendered.documents, **rendered.reports, **rendered.redlines}
    rendered.hashes = {name: sha256(data) for name, data in made.items()}
    return rendered


def _redlines(
    plan: Plan,
    previous: Plan,
    documents: dict[str, bytes],
    templates: Path | None,
    as_of: dt.date | None,
) -> dict[str, bytes]:
    """The plan's documents redlined against the previous revision's, rendered now (with this
    build's templates, as of the same date)."""
    from pipeline.documents.plan_documents import render_plan
    from pipeline.documents.plan_redlines import redlines

    return redlines(render_plan(previous, templates, as_of=as_of), documents, plan)
