"""The orchestrator: load → validate → check → render → write → convert, for every input.

A build reads the manifest of the output folder and renders only the plans whose recorded
inputs (input file, templates, options, pipeline version) changed or whose documents are
missing; `force` renders all. Plans are loaded, validated and rendered in parallel worker
processes, each keeping its prepared templates; the main process alone writes, atomically,
and keeps the manifest. One bad plan never stops the others.

With `pdf`, each plan's documents are also converted to PDF by a pool of LibreOffice instances
(`convert.py`) while the next plans render, and joined into its `packet.pdf` (`packet.py`); the
plan's record in the manifest, PDFs included, is written only once all its files are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from slugify import slugify

from pipeline import __version__
from pipeline.checks import PlanCheck, check_plan
from pipeline.checks.draft import unmarked_draft
from pipeline.checks.outputs import plan_reports, write_index
from pipeline.context import plan_context, with_document
from pipeline.convert import ConversionError, Converter, ExportOptions, find_office
from pipeline.documents import BY_NAME, DOCUMENTS, PACKET, TEMPLATES_DIR, Document
from pipeline.errors import InvalidInputError, PipelineError, Problem, TemplateProblemError
from pipeline.load import Source, find_inputs, load
from pipeline.manifest import Entry, Manifest, Output, input_key, sha256
from pipeline.model import Plan
from pipeline.packet import PacketInfo, Part, join
from pipeline.pdf import UnreadablePdfError, stamp
from pipeline.render import prepared
from pipeline.validate import validate
from pipeline.vocabulary import Profile
from pipeline.write import OutputLock, OutputLockedError, write_atomic


class BuildLockedError(PipelineError):
    """Raised when another build is writing into the same output folder."""

    exit_code = 4


class Status(StrEnum):
    BUILT = "built"
    UNCHANGED = "unchanged"
    DRAFT = "draft"
    FAILED = "failed"


_WRITTEN = (Status.BUILT, Status.DRAFT)


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


@dataclass(frozen=True)
class BuildOptions:
    """How to build. `jobs=None` means one worker per core."""

    out: Path = Path("build")
    templates: Path | None = None
    """A folder of templates replacing built-in ones by file name (see Document.template_in)."""
    jobs: int | None = None
    force: bool = False
    prune: bool = False
    shard: tuple[int, int] | None = None
    """(k, n): build only the k-th of n stable parts of the inputs (1 ≤ k ≤ n)."""
    profiles: tuple[Profile, ...] = ()
    """Check every plan under these profiles instead of its own (empty: its own)."""
    pdf: bool = False
    """Also convert every document to PDF and join each plan's into packet.pdf."""
    pdf_a: bool = False
    """Make the PDFs PDF/A-2b (implies `pdf`)."""
    conversion_timeout: float = 120.0
    """Seconds LibreOffice may take over one document before it is restarted."""

    @property
    def pdfs(self) -> bool:
        return self.pdf or self.pdf_a

    def export(self) -> ExportOptions:
        return ExportOptions(pdf_a=self.pdf_a)

    def affecting_output(self) -> dict[str, object]:
        """The options recorded in the manifest: a change to one rebuilds every plan. (An
        option left at its default is not recorded, so builds from before it stand.)"""
        recorded: dict[str, object] = {}
        if self.profiles:
            recorded["profiles"] = [p.value for p in self.profiles]
        if self.pdfs:
            recorded.update({"pdf": True, **self.export().as_record()})
        return recorded


@dataclass
class BuildReport:
    results: list[PlanResult]
    pruned: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    """Inputs recorded in the manifest that no longer exist (kept unless pruned)."""
    seconds: float = 0.0

    def count(self, status: Status) -> int:
        return sum(1 for result in self.results if result.status is status)


def slug(plan: Plan) -> str:
    """The output folder name: filesystem-safe, stable, unique per organization (its code)."""
    name = slugify(plan.organization.name, max_length=60, word_boundary=True)
    return f"{name}-{plan.organization.code}"


def read_plan(path: Path) -> tuple[Source | None, PlanResult]:
    """Load and validate one input."""
    result = PlanResult(str(path))
    try:
        source = result.input = load(path)
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
            _conflict(result, first.source, code)
            _conflict(first, result.source, code)
    return results


def _conflict(result: PlanResult, other: str, code: str) -> None:
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
    names = (check if check is not None else check_plan(plan)).documents()
    return [document for document in DOCUMENTS if document.name in names]


def _fingerprint(path: Path) -> str:
    return sha256(path.read_bytes())


def _template_record(document: Document, custom: Path | None) -> dict[str, str]:
    """Which template produces `document`, for the manifest: a built-in one, or a file of the
    custom folder (as given), with its content hash."""
    path = document.template_in(custom)
    builtin = path.resolve() == (TEMPLATES_DIR / document.template).resolve()
    shown = f"built-in:{document.template}" if builtin else path.as_posix()
    return {"path": shown, "sha256": _fingerprint(path)}


def render_plan(
    plan: Plan, templates: Path | None = None, check: PlanCheck | None = None
) -> dict[str, bytes]:
    """Every document the plan has, rendered: {file name: .docx bytes}. `check` (by default
    the plan checked under its own profiles) marks an incomplete plan's documents as drafts."""
    check = check if check is not None else check_plan(plan)
    rendered = {}
    shared = plan_context(plan, check)
    for document in documents_of(plan, check):
        template = document.template_in(templates)
        compiled = prepared(template, _fingerprint(template))
        context = with_document(shared, plan, document, check)
        rendered[document.filename] = compiled.render(context, plan.plan.revision.date)
        if context["document"]["draft"]:
            _require_draft_marks(template, rendered[document.filename])
    return rendered


def _require_draft_marks(template: Path, data: bytes) -> None:
    """A draft must never pass for a final document, whatever template rendered it."""
    why = unmarked_draft(data)
    if why is not None:
        raise TemplateProblemError(
            f"{template}: this plan is incomplete, but its document would not look like a "
            f"draft: {why}. Print {{{{ document.draft_note }}}} under {{%p if document.draft %}} "
            "in the template's page header (see docs/templates.md, Drafts)"
        )


@dataclass
class _Rendered:
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


def _render_input(
    path: Path, templates: Path | None, profiles: tuple[Profile, ...] = ()
) -> _Rendered:
    """Runs in a worker: load, validate, check and render one input (nothing is written)."""
    digest = sha256(path.read_bytes()) if path.is_file() else ""
    source, result = read_plan(path)
    plan = result.plan
    if plan is None:
        return _Rendered(str(path), digest, result.problems)
    rendered = _Rendered(
        str(path),
        digest,
        result.problems,  # warnings travel with the documents, to be shown
        slug=slug(plan),
        code=plan.organization.code,
        code_location=result.code_location,
    )
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
    revision = plan.plan.revision
    subjects = "; ".join(document.subject for document in documents)
    return PacketInfo(
        title=f"{plan.plan.title} Submission Packet: {plan.organization.name}",
        author=plan.organization.name,
        subject=f"Revision {revision.number} of {revision.date.isoformat()}: {subjects}",
        keywords="improvement plan, DESE, ESSA, submission packet",
        moment=stamp(revision.date),
    )


@dataclass
class _Pending:
    """A plan whose documents are written and are being converted to PDF."""

    result: PlanResult
    key: str
    entry: Entry
    rendered: _Rendered
    conversions: dict[str, Future[bytes]] = field(default_factory=dict)


def in_shard(key: str, shard: tuple[int, int] | None) -> bool:
    """Whether input `key` is in shard (k, n): a stable hash of its name, the same anywhere."""
    if shard is None:
        return True
    k, n = shard
    bucket = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % n
    return bucket == k - 1


class _Builder:
    """One build into one output folder (the main process's side)."""

    def __init__(self, options: BuildOptions, on_result: Callable[[PlanResult], None]) -> None:
        self.options = options
        self.on_result = on_result
        self.manifest = Manifest.load(options.out)
        self.templates = {
            document.name: _template_record(document, options.templates) for document in DOCUMENTS
        }
        self.claimed: dict[str, str] = {}  # slug → input key, in this build
        self.converting: dict[str, PlanResult] = {}  # input key → its plan, PDFs under way
        self.results: list[PlanResult] = []
        self._last_save = time.monotonic()

    def expected(self, key: str, digest: str, slug_: str, names: list[str]) -> Entry:
        return Entry(
            slug=slug_,
            input_sha256=digest,
            templates={name: self.templates[name] for name in names},
            options=self.options.affecting_output(),
            pipeline_version=__version__,
        )

    def unchanged(self, path: Path, key: str) -> list[str] | None:
        """None when the recorded build of `path` still stands; else why it must be rebuilt."""
        entry = self.manifest.entries.get(key)
        if entry is None:
            return ["new"]
        if self.options.force:
            return ["forced"]
        if entry.status == Status.FAILED:
            return ["failed last time"]
        names = [name.removesuffix(".docx") for name in entry.outputs if name.endswith(".docx")]
        now = self.expected(key, sha256(path.read_bytes()), entry.slug, names)
        reasons = entry.changes(now)
        folder = self.options.out / entry.slug
        if not reasons and not all(o.matches(folder / n) for n, o in entry.outputs.items()):
            reasons.append("documents missing or changed")
        return reasons or None

    def finish(self, rendered: _Rendered, reasons: list[str]) -> tuple[PlanResult, _Pending | None]:
        """Write one plan's documents (main process only). With PDFs, its record waits for
        the conversions: the returned _Pending completes it."""
        key = input_key(Path(rendered.source))
        result = PlanResult(
            rendered.source,
            problems=rendered.problems,
            reasons=reasons,
            code_location=rendered.code_location,
        )
        pending = None
        if rendered.slug and not any(p.severity == "error" for p in result.problems):
            slug_ = rendered.slug
            owner = self.claimed.get(slug_) or self.manifest.slug_owner(slug_, besides=key)
            if owner is not None and owner != key:
                _conflict(result, owner, rendered.code)
                self._unclaim(owner, result.source, rendered.code)
            else:
                self.claimed[slug_] = key
                entry = self._write_documents(result, key, rendered, slug_)
                if self.options.pdfs:
                    pending = _Pending(result, key, entry, rendered)
                    self.converting[key] = result
                else:
                    self._commit(result, key, entry)
        if result.status is Status.FAILED and pending is None:
            self.manifest.entries.pop(key, None)
        return result, pending

    def _unclaim(self, owner: str, other: str, code: str) -> None:
        """An input built earlier in this run conflicts with a later one: fail it too."""
        if owner in self.converting:  # complete() will see the problem and fail it
            _conflict(self.converting[owner], other, code)
        for earlier in self.results:
            if input_key(Path(earlier.source)) == owner and earlier.status in _WRITTEN:
                _conflict(earlier, other, code)
                self.manifest.entries.pop(owner, None)

    def _write_documents(
        self, result: PlanResult, key: str, rendered: _Rendered, slug_: str
    ) -> Entry:
        folder = self.options.out / slug_
        entry = self.expected(
            key,
            rendered.input_sha256,
            slug_,
            [name.removesuffix(".docx") for name in rendered.documents],
        )
        for name, data in rendered.documents.items():
            write_atomic(folder / name, data)
            entry.outputs[name] = Output.of(folder / name, data)
            result.written.append(folder / name)
        # The check reports beside the documents; recorded like them, so a missing report
        # rebuilds the plan and a manifest merge copies them.
        for name, data in rendered.reports.items():
            write_atomic(folder / name, data)
            entry.outputs[name] = Output.of(folder / name, data)
        result.draft = rendered.draft
        entry.status = Status.DRAFT if result.draft else Status.BUILT
        result.folder = folder
        return entry

    def complete(self, pending: _Pending, pdfs: dict[str, bytes | str]) -> PlanResult:
        """Write a plan's PDFs (bytes, or why a document could not be converted) and its
        packet, then record the plan; a document that failed fails the plan."""
        result, rendered, entry = pending.result, pending.rendered, pending.entry
        self.converting.pop(pending.key, None)
        folder = self.options.out / entry.slug
        parts = []
        for name in rendered.documents:
            pdf = pdfs[name]
            target = name.removesuffix(".docx") + ".pdf"
            if isinstance(pdf, str):
                result.problems.append(Problem(result.source, f"{entry.slug}/{name}", pdf))
                continue
            write_atomic(folder / target, pdf)
            entry.outputs[target] = Output.of(folder / target, pdf)
            result.written.append(folder / target)
            document = BY_NAME[name.removesuffix(".docx")]
            parts.append(Part(rendered.titles.get(name, document.name), document.label, pdf))
        if any(problem.severity == "error" for problem in result.problems):
            self._remove_stale(folder, entry)
            result.status = Status.FAILED
            self.manifest.entries.pop(pending.key, None)
            return result
        assert rendered.packet is not None
        packet = join(parts, rendered.packet, pdf_a=self.options.pdf_a)
        write_atomic(folder / PACKET, packet)
        entry.outputs[PACKET] = Output.of(folder / PACKET, packet)
        result.written.append(folder / PACKET)
        self._commit(result, pending.key, entry)
        return result

    def _commit(self, result: PlanResult, key: str, entry: Entry) -> None:
        """Record a plan whose files are all written, and remove what it no longer has."""
        self._remove_stale(self.options.out / entry.slug, entry)
        previous = self.manifest.entries.get(key)
        if previous is not None and previous.slug != entry.slug:
            self._remove_folder(previous.slug, key)  # the organization was renamed
        self.manifest.entries[key] = entry
        result.status = Status.DRAFT if result.draft else Status.BUILT

    def _remove_stale(self, folder: Path, entry: Entry) -> None:
        """Remove the documents a build of this plan may have written that this one did not
        (a part the plan no longer has, PDFs from an earlier build with --pdf)."""
        names = [PACKET]
        for document in DOCUMENTS:
            names += [document.filename, document.pdf_filename]
        for name in names:
            if name not in entry.outputs:
                (folder / name).unlink(missing_ok=True)

    def _remove_folder(self, slug_: str, key: str) -> None:
        if self.manifest.slug_owner(slug_, besides=key) is None:
            shutil.rmtree(self.options.out / slug_, ignore_errors=True)

    def record(self, result: PlanResult) -> None:
        self.results.append(result)
        self.on_result(result)
        if time.monotonic() - self._last_save > 2:
            self.manifest.save(self.options.out)  # progress survives a kill
            self._last_save = time.monotonic()

    def prune(self, keys: set[str], report: BuildReport) -> None:
        for key in sorted(set(self.manifest.entries) - keys):
            if Path(key).exists():
                continue  # not part of this build, but still there
            if not self.options.prune:
                report.orphans.append(key)
                continue
            entry = self.manifest.entries.pop(key)
            self._remove_folder(entry.slug, key)
            report.pruned.append(key)


def _remove_leftover_temporaries(out: Path) -> None:
    """A killed build can leave the temporary files of unfinished writes; holding the lock,
    nothing else can be writing them."""
    for pattern in (".*.tmp", "*/.*.tmp"):
        for leftover in out.glob(pattern):
            leftover.unlink(missing_ok=True)


def _jobs(options: BuildOptions, tasks: int) -> int:
    return max(1, min(options.jobs or os.cpu_count() or 1, tasks))


def _rendered(
    paths: list[Path], options: BuildOptions, lock: OutputLock
) -> Iterator[tuple[int, _Rendered]]:
    """Render inputs, in parallel when worthwhile; yield (index, result) as each finishes."""
    jobs = _jobs(options, len(paths))
    if jobs == 1:
        for index, path in enumerate(paths):
            yield index, _render_input(path, options.templates, options.profiles)
        return
    # Workers must not hold the output lock: if this process is killed, the lock must go
    # with it even while orphaned workers finish their last task.
    with ProcessPoolExecutor(max_workers=jobs, initializer=lock.forget) as pool:
        pending: dict[Future[_Rendered], int] = {}
        queue = iter(enumerate(paths))
        # Keep a bounded number in flight so memory stays flat however large the batch.
        for index, path in queue:
            pending[pool.submit(_render_input, path, options.templates, options.profiles)] = index
            if len(pending) >= jobs * 4:
                break
        while pending:
            done = next(iter(_first_done(pending)))
            index = pending.pop(done)
            for next_index, path in queue:
                pending[pool.submit(_render_input, path, options.templates, options.profiles)] = (
                    next_index
                )
                break
            yield index, done.result()


class _Conversions:
    """The convert stage of a build: plans whose documents are written go in, and come out
    complete (PDFs and packet written, recorded) in the order they went in. LibreOffice is
    started only when a first document needs it; a bounded number of plans wait, so memory
    stays flat and rendering does not run far ahead of conversion."""

    def __init__(self, options: BuildOptions, builder: _Builder, instances: int) -> None:
        self.options = options
        self.builder = builder
        self.instances = instances
        self.waiting: deque[_Pending] = deque()
        self.converter: Converter | None = None
        self.threads: ThreadPoolExecutor | None = None

    def submit(self, pending: _Pending) -> None:
        if self.converter is None or self.threads is None:
            self.converter = Converter(
                find_office(),
                instances=self.instances,
                options=self.options.export(),
                timeout=self.options.conversion_timeout,
            )
            self.threads = ThreadPoolExecutor(self.instances, thread_name_prefix="convert")
        rendered = pending.rendered
        assert rendered.revision_date is not None
        for name, data in rendered.documents.items():
            pending.conversions[name] = self.threads.submit(
                self.converter.convert, name, data, rendered.revision_date
            )
        self.waiting.append(pending)

    def completed(self, wait: bool = False) -> Iterator[PlanResult]:
        """Plans whose conversions are done; with `wait`, all of them, as they finish.
        Blocks while more plans wait than the instances can soon take."""
        while self.waiting:
            first = self.waiting[0]
            done = all(future.done() for future in first.conversions.values())
            if not (done or wait or len(self.waiting) > self.instances * 2):
                return
            self.waiting.popleft()
            yield self.builder.complete(first, self._pdfs(first))

    @staticmethod
    def _pdfs(pending: _Pending) -> dict[str, bytes | str]:
        pdfs: dict[str, bytes | str] = {}
        for name, future in pending.conversions.items():
            try:
                pdfs[name] = future.result()
            except ConversionError as error:
                pdfs[name] = f"LibreOffice could not convert it to PDF: {error}"
            except UnreadablePdfError as error:
                pdfs[name] = f"the PDF cannot be used: {error}"
        return pdfs

    def close(self, abort: bool = False) -> None:
        """Stop LibreOffice; with `abort` (the build was interrupted), at once."""
        if self.converter is not None:
            self.converter.close(abort)
        if self.threads is not None:
            self.threads.shutdown(wait=True, cancel_futures=True)
        if self.converter is not None:
            self.converter.close(abort=True)  # anything started while the threads ended


def _first_done(pending: dict[Future[_Rendered], int]) -> Iterator[Future[_Rendered]]:
    from concurrent.futures import FIRST_COMPLETED, wait

    done, _ = wait(pending, return_when=FIRST_COMPLETED)
    return iter(done)


def build(
    paths: list[Path],
    options: BuildOptions | None = None,
    on_result: Callable[[PlanResult], None] | None = None,
) -> BuildReport:
    """Build the documents of every plan under `paths` into `options.out`.

    Raises BuildLockedError when another build holds the output folder, and, with PDFs,
    LibreOfficeMissingError when LibreOffice cannot be used.
    """
    options = options or BuildOptions()
    started = time.monotonic()
    _check_custom_templates(options.templates)
    if options.pdfs:
        find_office()  # LibreOfficeMissingError, before anything is written
    try:
        with OutputLock(options.out) as lock:
            report = _build_locked(paths, options, lock, on_result or (lambda _: None))
    except OutputLockedError as error:
        raise BuildLockedError(
            f"another build ({error}) is writing into {options.out}/; wait for it to finish "
            "or build into another folder with --out"
        ) from None
    report.seconds = time.monotonic() - started
    return report


def _check_custom_templates(folder: Path | None) -> None:
    """A custom template is checked before any plan is rendered from it: a mistake stops the
    build before a batch of documents comes out wrong."""
    from pipeline.template_check import check_template

    if folder is None:
        return
    problems = []
    for document in DOCUMENTS:
        template = document.template_in(folder)
        if template != TEMPLATES_DIR / document.template:
            problems += [p for p in check_template(template, document) if p.severity == "error"]
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        raise TemplateProblemError(
            f"{len(problems)} problem(s) in the templates of {folder}:\n{listed}\n"
            "(pipeline templates check shows them too)"
        )


def _build_locked(
    paths: list[Path],
    options: BuildOptions,
    lock: OutputLock,
    on_result: Callable[[PlanResult], None],
) -> BuildReport:
    _remove_leftover_temporaries(options.out)
    builder = _Builder(options, on_result)
    inputs = [path for path in find_inputs(paths) if in_shard(input_key(path), options.shard)]
    todo: list[tuple[Path, list[str]]] = []
    for path in inputs:
        key = input_key(path)
        reasons = builder.unchanged(path, key) if path.is_file() else ["new"]
        if reasons is None:
            entry = builder.manifest.entries[key]
            builder.claimed[entry.slug] = key
            draft = entry.status == Status.DRAFT
            folder = options.out / entry.slug
            builder.record(PlanResult(str(path), Status.UNCHANGED, folder=folder, draft=draft))
        else:
            todo.append((path, reasons))
    conversions = _Conversions(options, builder, _jobs(options, len(todo)))
    try:
        for index, rendered in _rendered([path for path, _ in todo], options, lock):
            result, pending = builder.finish(rendered, todo[index][1])
            if pending is None:
                builder.record(result)
            else:
                conversions.submit(pending)
            for completed in conversions.completed():
                builder.record(completed)
        for completed in conversions.completed(wait=True):
            builder.record(completed)
    except BaseException:
        conversions.close(abort=True)
        raise
    conversions.close()
    report = BuildReport(builder.results)
    builder.prune({input_key(path) for path in inputs}, report)
    builder.manifest.save(options.out)
    failed = [(r.source, r.problems) for r in builder.results if r.status is Status.FAILED]
    built = {key: entry.slug for key, entry in builder.manifest.entries.items()}
    write_index(options.out, built, failed)  # every plan in the folder, this build's or not
    return report


def preview(template: Path, plan_path: Path | None, target: Path) -> Path:
    """Render `template` with an example plan (the first in inputs/, or `plan_path`), every
    value a tag filled in highlighted; write it to `target`. Returns `target`."""
    from pipeline.render import PreparedTemplate
    from pipeline.template_check import document_for

    if target.resolve() == template.resolve() or (
        plan_path and target.resolve() == plan_path.resolve()
    ):
        raise PipelineError(f"will not write the preview over {target}")
    if plan_path is None:
        candidates = list(find_inputs([Path("inputs")])) if Path("inputs").is_dir() else []
        plan_path = candidates[0] if candidates else None
    if plan_path is None:
        from pipeline.contract import full_plan

        plan = full_plan()
    else:
        _, result = read_plan(plan_path)
        if result.plan is None:
            raise InvalidInputError(result.problems)
        plan = result.plan
    document = document_for(template) or DOCUMENTS[0]
    context = with_document(plan_context(plan), plan, document)
    data = PreparedTemplate(template, mark_filled=True).render(context, plan.plan.revision.date)
    write_atomic(target, data)
    return target
