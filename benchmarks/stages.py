"""Where a build's time goes, stage by stage: each stage of a worker's work on one input (read,
validate, check, reports, context, render, the rest), timed in this process over the same inputs
a benchmark build gets, and the main process's writing and manifest. CPU seconds summed over
the plans (`time.process_time`), so that other work on the machine does not count."""

from __future__ import annotations

import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

WORKER_STAGES = ("read", "validate", "check", "reports", "context", "render", "other")
MAIN_STAGES = ("write", "manifest")


class Stages:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.plans = 0
        self.documents = 0

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        start = time.process_time()
        try:
            yield
        finally:
            self.seconds[stage] += time.process_time() - start


def measure(paths: list[Path]) -> Stages:
    """Every stage of building `paths`, as the build's worker and main process do it."""
    from pipeline.batch.manifest import Entry, Manifest, Output
    from pipeline.batch.writes import write_files
    from pipeline.checks import check_plan
    from pipeline.documents.context import plan_context, with_document
    from pipeline.documents.plan_documents import documents_of, fingerprint
    from pipeline.documents.render import prepared
    from pipeline.files import sha256
    from pipeline.inputs.load import load
    from pipeline.inputs.validate import validate
    from pipeline.model.documents import DOCUMENTS
    from pipeline.pdf.packet import packet_info
    from pipeline.reports.outputs import plan_reports

    try:  # what a build stores of each revision (batch/revisions.py), when it does
        from pipeline.batch.revisions import canonical_bytes
    except ImportError:
        canonical_bytes = None

    for document in DOCUMENTS:  # prepared once per worker: counted in the workers' start
        template = document.template_in(None)
        if template.exists():
            prepared(template, fingerprint(template))
    stages = Stages()
    manifest = Manifest()
    with tempfile.TemporaryDirectory(prefix="pipeline-stages-") as temp:
        out = Path(temp)
        for path in paths:
            stages.plans += 1
            with stages.timed("read"):
                source = load(path)
                digest = sha256(path.read_bytes())
            with stages.timed("validate"):
                plan = validate(source)
            with stages.timed("check"):
                check = check_plan(plan, source, (), source.problems)
            with stages.timed("reports"):
                reports = plan_reports(check)
            with stages.timed("context"):
                shared = plan_context(plan, check)
                documents = documents_of(plan, check)
                contexts = [(d, with_document(shared, plan, d, check)) for d in documents]
            rendered: dict[str, bytes] = {}
            with stages.timed("render"):
                for document, context in contexts:
                    template = document.template_in(None)
                    compiled = prepared(template, fingerprint(template))
                    rendered[document.filename] = compiled.render(context, plan.plan.document_date)
            stages.documents += len(rendered)
            with stages.timed("other"):  # the revision stored, the packet's information, titles
                if canonical_bytes is not None:
                    sha256(canonical_bytes(plan))
                packet_info(plan, documents)
                for document in documents:
                    document.title(plan)
            with stages.timed("write"):
                folder = out / f"plan-{stages.plans}"
                files = {folder / name: data for name, data in {**rendered, **reports}.items()}
                entry = Entry(folder.name, digest, {}, {}, "bench")
                for written_path, written in write_files(files).items():
                    entry.outputs[written_path.name] = Output(*written)
                manifest.entries[str(path)] = entry
        with stages.timed("manifest"):  # once at the end (a build also saves every 2 s)
            manifest.save(out)
            Manifest.load(out)
    return stages
