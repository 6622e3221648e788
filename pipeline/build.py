"""The orchestrator: load → validate → render → write, for every input given.

A build reads the manifest of the output folder and renders only the plans whose recorded
inputs (input file, templates, options, pipeline version) changed or whose documents are
missing; `force` renders all. Plans are loaded, validated and rendered in parallel worker
processes, each keeping its prepared templates; the main process alone writes, atomically,
and keeps the manifest. One bad plan never stops the others.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from slugify import slugify

from pipeline import __version__
from pipeline.checks import PlanCheck, check_plan
from pipeline.checks.draft import unmarked_draft
from pipeline.checks.outputs import plan_reports, write_index
from pipeline.context import plan_context, with_document
from pipeline.documents import DOCUMENTS, TEMPLATES_DIR, Document
from pipeline.errors import InvalidInputError, PipelineError, Problem, TemplateProblemError
from pipeline.load import Source, find_inputs, load
from pipeline.manifest import Entry, Manifest, Output, input_key, sha256
from pipeline.model import Plan
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

    def affecting_output(self) -> dict[str, object]:
        """The options recorded in the manifest: a change to one rebuilds every plan."""
        return {"profiles": [p.value for p in self.profiles]} if self.profiles else {}


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
    return rendered


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

    def finish(self, rendered: _Rendered, reasons: list[str]) -> PlanResult:
        """Write one plan's documents and record them (main process only)."""
        key = input_key(Path(rendered.source))
        result = PlanResult(
            rendered.source,
            problems=rendered.problems,
            reasons=reasons,
            code_location=rendered.code_location,
        )
        if rendered.slug and not any(p.severity == "error" for p in result.problems):
            slug_ = rendered.slug
            owner = self.claimed.get(slug_) or self.manifest.slug_owner(slug_, besides=key)
            if owner is not None and owner != key:
                _conflict(result, owner, rendered.code)
                self._unclaim(owner, result.source, rendered.code)
            else:
                self.claimed[slug_] = key
                self._write(result, key, rendered, slug_)
        if result.status is Status.FAILED:
            self.manifest.entries.pop(key, None)
        return result

    def _unclaim(self, owner: str, other: str, code: str) -> None:
        """An input built earlier in this run conflicts with a later one: fail it too."""
        for earlier in self.results:
            if input_key(Path(earlier.source)) == owner and earlier.status in _WRITTEN:
                _conflict(earlier, other, code)
                self.manifest.entries.pop(owner, None)

    def _write(self, result: PlanResult, key: str, rendered: _Rendered, slug_: str) -> None:
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
        for document in DOCUMENTS:
            stale = folder / document.filename
            if document.filename not in rendered.documents and stale.exists():
                stale.unlink()  # the plan no longer has this part
        # The check reports beside the documents; recorded like them, so a missing report
        # rebuilds the plan and a manifest merge copies them.
        for name, data in rendered.reports.items():
            write_atomic(folder / name, data)
            entry.outputs[name] = Output.of(folder / name, data)
        result.draft = rendered.draft
        entry.status = Status.DRAFT if result.draft else Status.BUILT
        previous = self.manifest.entries.get(key)
        if previous is not None and previous.slug != slug_:
            self._remove_folder(previous.slug, key)  # the organization was renamed
        self.manifest.entries[key] = entry
        result.folder = folder
        result.status = Status.DRAFT if result.draft else Status.BUILT

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

    Raises BuildLockedError when another build holds the output folder.
    """
    options = options or BuildOptions()
    started = time.monotonic()
    _check_custom_templates(options.templates)
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
    for index, rendered in _rendered([path for path, _ in todo], options, lock):
        builder.record(builder.finish(rendered, todo[index][1]))
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
