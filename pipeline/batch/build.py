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

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

from pipeline.batch.conversions import Conversions
from pipeline.batch.incremental import Builder, BuildOptions, BuildReport
from pipeline.batch.manifest import input_key
from pipeline.batch.worker import PlanResult, Rendered, Status, render_input
from pipeline.errors import TemplateProblemError, errors_in
from pipeline.files import OutputLock
from pipeline.inputs.load import select_inputs
from pipeline.model.documents import DOCUMENTS, TEMPLATES_DIR

__all__ = ["BuildOptions", "BuildReport", "PlanResult", "Status", "build"]


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
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            finished = next(iter(done))
            index = pending.pop(finished)
            for next_index, path in queue:
                pending[pool.submit(render_input, path, options.templates, options.profiles)] = (
                    next_index
                )
                break
            yield index, finished.result()


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
    inputs = [path for path in select_inputs(paths) if in_shard(input_key(path), options.shard)]
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
    from pipeline.authoring.template_check import check_template

    if folder is None:
        return
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
    todo: list[tuple[Path, list[str]]] = []
    for path in inputs:
        key = input_key(path)
        reasons = builder.unchanged(path, key) if path.is_file() else ["new"]
        if reasons is None:
            builder.keep(key, path)
        else:
            todo.append((path, reasons))
    conversions = Conversions(options, builder, _jobs(options, len(todo)))
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
    return builder.close({input_key(path) for path in inputs})
