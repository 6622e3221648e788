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

import hashlib
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.checks.outputs import write_index
from pipeline.documents import DOCUMENTS, TEMPLATES_DIR
from pipeline.errors import PipelineError, TemplateProblemError
from pipeline.incremental import Builder, BuildOptions, BuildReport, Pending
from pipeline.load import find_inputs
from pipeline.manifest import input_key
from pipeline.plans import (
    PlanResult,
    Rendered,
    Status,
    read_plan,
    read_plans,
    render_input,
    render_plan,
    slug,
)
from pipeline.write import OutputLock, OutputLockedError

if TYPE_CHECKING:
    from pipeline.convert import Converter

__all__ = [
    "BuildLockedError",
    "BuildOptions",
    "BuildReport",
    "PlanResult",
    "Status",
    "build",
    "read_plan",
    "read_plans",
    "render_plan",
    "slug",
]


class BuildLockedError(PipelineError):
    """Raised when another build is writing into the same output folder."""

    exit_code = 4


def in_shard(key: str, shard: tuple[int, int] | None) -> bool:
    """Whether input `key` is in shard (k, n): a stable hash of its name, the same anywhere."""
    if shard is None:
        return True
    k, n = shard
    bucket = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % n
    return bucket == k - 1


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
) -> Iterator[tuple[int, Rendered]]:
    """Render inputs, in parallel when worthwhile; yield (index, result) as each finishes."""
    jobs = _jobs(options, len(paths))
    if jobs == 1:
        for index, path in enumerate(paths):
            yield index, render_input(path, options.templates, options.profiles)
        return
    # Workers must not hold the output lock: if this process is killed, the lock must go
    # with it even while orphaned workers finish their last task.
    with ProcessPoolExecutor(max_workers=jobs, initializer=lock.forget) as pool:
        pending: dict[Future[Rendered], int] = {}
        queue = iter(enumerate(paths))
        # Keep a bounded number in flight so memory stays flat however large the batch.
        for index, path in queue:
            pending[pool.submit(render_input, path, options.templates, options.profiles)] = index
            if len(pending) >= jobs * 4:
                break
        while pending:
            done = next(iter(_first_done(pending)))
            index = pending.pop(done)
            for next_index, path in queue:
                pending[pool.submit(render_input, path, options.templates, options.profiles)] = (
                    next_index
                )
                break
            yield index, done.result()


class _Conversions:
    """The convert stage of a build: plans whose documents are written go in, and come out
    complete (PDFs and packet written, recorded) in the order they went in. LibreOffice is
    started only when a first document needs it; a bounded number of plans wait, so memory
    stays flat and rendering does not run far ahead of conversion."""

    def __init__(self, options: BuildOptions, builder: Builder, instances: int) -> None:
        self.options = options
        self.builder = builder
        self.instances = instances
        self.waiting: deque[Pending] = deque()
        self.converter: Converter | None = None
        self.threads: ThreadPoolExecutor | None = None

    def submit(self, pending: Pending) -> None:
        if self.converter is None or self.threads is None:
            from pipeline.convert import Converter, find_office

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
    def _pdfs(pending: Pending) -> dict[str, bytes | str]:
        from pipeline.convert import ConversionError
        from pipeline.pdf import UnreadablePdfError

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


def _first_done(pending: dict[Future[Rendered], int]) -> Iterator[Future[Rendered]]:
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
        from pipeline.convert import find_office

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
    builder = Builder(options, on_result)
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
