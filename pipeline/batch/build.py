"""The orchestrator: load → validate → check → render → write → convert, for every input.

A build reads the manifest of the output folder and renders only the plans whose recorded
inputs (input file, templates, options, pipeline version) changed or whose documents are
missing; `force` renders all. Plans are loaded, validated and rendered in parallel worker
processes, each keeping its prepared templates; the main process alone writes, atomically,
and keeps the manifest. One bad plan never stops the others.

With `pdf`, each plan's documents are also converted to PDF by a pool of LibreOffice instances
(`conversions.py`, over `pipeline.pdf`) while the next plans render, and joined into its
`packet.pdf`; the plan's record in the manifest, PDFs included, is written only once all its
files are.
"""

from __future__ import annotations

import gc
import hashlib
import os
import resource
import time
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future
from itertools import chain
from pathlib import Path
from queue import SimpleQueue

from pipeline.batch.conversions import Conversions
from pipeline.batch.incremental import Builder, BuildReport
from pipeline.batch.manifest import OUTPUT_NAMES, RESERVED, input_keys
from pipeline.batch.options import BuildOptions
from pipeline.batch.worker import Known, PlanResult, Rendered, Status, render_input
from pipeline.errors import NoInputsError, Problem, TemplateProblemError, errors_in
from pipeline.files import OutputLock, remove_temporaries
from pipeline.inputs.load import select_inputs
from pipeline.model.documents import DOCUMENTS, TEMPLATES_DIR

__all__ = ["BuildOptions", "BuildReport", "PlanResult", "Status", "build"]


Task = tuple[Path, Known]
"""An input to render, and what the output folder knows of its earlier revisions."""


def in_shard(name: str, shard: tuple[int, int] | None) -> bool:
    """Whether the input file `name` is in shard (k, n): a stable hash of its file name (its
    path within the folder given), the same on every machine and from every folder."""
    if shard is None:
        return True
    k, n = shard
    bucket = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") % n
    return bucket == k - 1


def _remove_leftover_temporaries(out: Path) -> None:
    """A killed build can leave the temporary files of unfinished writes; holding the lock,
    nothing else can be writing them. (Never inside a linked folder: not ours.)"""
    remove_temporaries(out)


def _is_output(path: Path, out: Path, resolved: dict[Path, Path]) -> bool:
    """Whether the file `path` is one a build wrote into `out` (its manifest, a plan's check
    report): never an input, even when `out` is (or is inside) the inputs' folder. (`out` and
    `resolved`, each folder resolved once: many inputs share one.)"""
    folder = resolved.get(path.parent)
    if folder is None:
        folder = resolved[path.parent] = path.parent.resolve()
    if folder == out:
        return path.name in RESERVED
    return folder.parent == out and path.name in OUTPUT_NAMES


def _select(paths: list[Path], options: BuildOptions) -> list[Path]:
    """The inputs under `paths` in this build's shard, leaving out the output folder's files.
    Raises NoInputsError when there are none (outside the output folder)."""
    out, resolved = options.out.resolve(), dict[Path, Path]()
    found = [path for path in select_inputs(paths) if not _is_output(path, out, resolved)]
    if not found:
        raise NoInputsError(paths)
    return [path for path in found if in_shard(path.name, options.shard)]


RENDER_MEMORY = 1 << 30
"""Address space a render worker may add to what it maps when it starts (1 GiB): a template
that would need more fails with "the template needs too much memory" instead of taking the
machine down."""


def _die_with_the_build() -> None:
    """A worker left behind by a killed build would wait for work for ever: on Linux, ask the
    kernel to stop it when the build's process dies."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the pool's own shutdown still stops workers in a normal end


WORKER_GC_THRESHOLD = 50_000
"""Allocations between the worker's young-object collections (Python's default is 700): a plan
makes and drops hundreds of thousands of short-lived objects, nearly all freed when their last
reference goes; collecting less often spends less time finding the few cycles (3-5 % of a
worker's time), for a few megabytes more at most."""


def _start_worker(lock: OutputLock) -> None:
    """In each worker: drop the inherited lock (it must die with the main process), bound the
    worker's memory, and collect garbage less often (`WORKER_GC_THRESHOLD`)."""
    lock.forget()
    _die_with_the_build()
    gc.freeze()  # what the fork inherited lives as long as the worker: never scanned again
    gc.set_threshold(WORKER_GC_THRESHOLD, 20, 20)
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        # On top of what the worker already maps (a fork maps what its parent did, and a
        # program embedding the build may be large): the bound is on what rendering adds.
        limit = _mapped() + RENDER_MEMORY
        limit = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass  # a platform without RLIMIT_AS: the sandbox's own limits still hold


def _mapped() -> int:
    """The bytes of address space this process maps now (0 where that cannot be read)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _jobs(options: BuildOptions, tasks: int) -> int:
    return max(1, min(options.jobs or os.cpu_count() or 1, tasks))


def _rendered(
    tasks: list[Task], options: BuildOptions, lock: OutputLock
) -> Iterator[tuple[int, Rendered]]:
    """Render inputs, in parallel when worthwhile; yield (index, result) as each finishes."""
    jobs = _jobs(options, len(tasks))
    if jobs == 1:
        for index, task in enumerate(tasks):
            yield index, _render(task, options)
        return
    queue: Iterator[tuple[int, Task]] = iter(enumerate(tasks))
    while True:  # a new pool only when a worker died and took its pool down
        refused: list[tuple[int, Task]] = []
        broken = yield from _render_in_pool(queue, tasks, jobs, options, lock, refused)
        if not broken:
            return
        queue = chain(refused, queue)


def _render(task: Task, options: BuildOptions) -> Rendered:
    """One input's work, as a worker does it, with the options that shape the documents (and
    what the output folder knows of its earlier revisions)."""
    path, known = task
    return render_input(
        path, options.templates, options.profiles, options.pdfs, options.as_of, known
    )


def _render_in_pool(
    queue: Iterator[tuple[int, Task]],
    tasks: list[Task],
    jobs: int,
    options: BuildOptions,
    lock: OutputLock,
    refused: list[tuple[int, Task]],
) -> Generator[tuple[int, Rendered], None, bool]:
    """Render from `queue` in one pool; True when a worker died (killed, out of memory), after
    the plans it was rendering are reported failed, so that the rest (and the tasks the broken
    pool `refused`) go to a new pool."""
    # Imported here: multiprocessing is not needed by a build that renders nothing.
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # Workers must not hold the output lock: if this process is killed, the lock must go
    # with it even while orphaned workers finish their last task.
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(lock,)) as pool:
        pending: dict[Future[Rendered], int] = {}
        done: SimpleQueue[Future[Rendered]] = SimpleQueue()  # as they finish (cheaper than
        # `wait`, which watches every future in flight again for each one that finishes)

        def submit(index: int, task: Task) -> None:
            try:
                future = pool.submit(_render, task, options)
            except BrokenProcessPool:  # a worker died since the last result
                refused.append((index, task))
                return
            pending[future] = index
            future.add_done_callback(done.put)

        # Keep a bounded number in flight so memory stays flat however large the batch.
        for index, task in queue:
            submit(index, task)
            if len(pending) + len(refused) >= jobs * 4:
                break
        while pending:
            finished = done.get()
            index = pending.pop(finished)
            try:
                rendered = finished.result()
            except BrokenProcessPool:
                for lost in [index, *pending.values()]:
                    yield lost, _lost(tasks[lost][0])
                return True
            for next_index, task in queue:
                submit(next_index, task)
                break
            yield index, rendered
    return bool(refused)


def _lost(path: Path) -> Rendered:
    """What is known of an input whose worker process died while rendering it."""
    message = (
        "the process rendering this input (or one rendered beside it at the same time) "
        "stopped unexpectedly: killed, or out of memory; build it again"
    )
    return Rendered(str(path), "", [Problem(str(path), "build", message)])


def build(
    paths: list[Path],
    options: BuildOptions | None = None,
    on_result: Callable[[PlanResult], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> BuildReport:
    """Build the documents of every plan under `paths` into `options.out`.

    `on_start` is told how many inputs this build selected (its shard's share), before the
    first plan; `on_result` is told of each plan as it finishes.

    Raises NoInputsError when `paths` hold no input, TemplateProblemError when a custom
    template has a mistake, OutputLockedError when another build holds the output folder,
    and, with PDFs, LibreOfficeMissingError when LibreOffice cannot be used. Nothing is
    written before these are known.
    """
    options = options or BuildOptions()
    started = time.monotonic()
    inputs = _select(paths, options)
    _check_custom_templates(options.templates)
    if options.pdfs:
        from pipeline.pdf.office import find_office

        find_office()  # LibreOfficeMissingError, before anything is written
    if on_start is not None:
        on_start(len(inputs))
    with OutputLock(options.out) as lock:
        report = _build_locked(inputs, options, lock, on_result or (lambda _: None))
    report.seconds = time.monotonic() - started
    return report


def _check_custom_templates(folder: Path | None) -> None:
    """A custom template is checked before any plan is rendered from it: a mistake stops the
    build before a batch of documents comes out wrong."""
    if folder is None:
        return
    from pipeline.authoring.template_check import check_template

    problems = []
    for document in DOCUMENTS:
        template = document.template_in(folder)
        if template != TEMPLATES_DIR / document.template:
            problems += errors_in(check_template(template, document))
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        raise TemplateProblemError(
            f"{len(problems)} problem(s) in the templates of {folder}:\n{listed}\n"
            "(pipeline templates check shows them too)"
        )


def _build_locked(
    inputs: list[Path],
    options: BuildOptions,
    lock: OutputLock,
    on_result: Callable[[PlanResult], None],
) -> BuildReport:
    _remove_leftover_temporaries(options.out)
    builder = Builder(options, on_result)
    key_of = input_keys(inputs, options.out)
    keys = set(key_of.values())
    todo: list[tuple[Path, list[str]]] = []
    for path in inputs:
        key = key_of[path]
        reasons = builder.unchanged(path, key) if path.is_file() else ["new"]
        if reasons is None:
            builder.keep(key, path)
        else:
            todo.append((path, reasons))
    conversions = Conversions(options, builder, _jobs(options, len(todo)))
    try:
        tasks = [(path, builder.known(key_of[path])) for path, _ in todo]
        for index, rendered in _rendered(tasks, options, lock):
            path, reasons = todo[index]
            result, pending = builder.finish(rendered, reasons, key_of[path])
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
    return builder.close(keys)
