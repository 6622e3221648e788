"""The main process's side of a build: what must be rebuilt, writing each plan's files
atomically, and keeping the manifest (`manifest.py`) in step with what is on disk.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__
from pipeline.batch.manifest import (
    Entry,
    Manifest,
    Output,
    input_exists,
    input_key,
    input_path,
    remove_plan_folder,
    shown_inputs,
)
from pipeline.batch.options import BuildOptions
from pipeline.batch.revisions import prune_revisions, revision_path
from pipeline.batch.worker import WRITTEN, Known, PlanResult, Rendered, Status
from pipeline.batch.writes import input_hash, write_dashboard, write_files
from pipeline.errors import PipelineError, Problem, errors_in
from pipeline.files import sha256, unsafe_folder, write_atomic
from pipeline.model.documents import (
    BY_FILENAME,
    CHANGES_HTML,
    CHANGES_JSON,
    DOCUMENTS,
    PACKET,
    TEMPLATES_DIR,
    Document,
)


@dataclass
class BuildReport:
    results: list[PlanResult]
    pruned: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    """Inputs recorded in the manifest that no longer exist (kept unless pruned)."""
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    """What the build ignored or left alone, and why: a damaged manifest record, a folder
    holding files the pipeline did not write."""

    def count(self, status: Status) -> int:
        return sum(1 for result in self.results if result.status is status)

    @property
    def drafts(self) -> list[PlanResult]:
        """The plans built as drafts: incomplete, their documents marked DRAFT."""
        return [result for result in self.results if result.draft and result.ok]

    def exit_code(self, accept_drafts: bool = False) -> int:
        """1 when a plan failed, or when one is a draft and drafts are not accepted; else 0."""
        failed = any(not result.ok for result in self.results)
        return 1 if failed or (self.drafts and not accept_drafts) else 0


@dataclass(frozen=True)
class Unconverted:
    """Why a document has no PDF: what LibreOffice said, or what is wrong with its PDF."""

    reason: str


def template_record(document: Document, custom: Path | None) -> dict[str, str]:
    """Which template produces `document`, for the manifest: a built-in one, or a file of the
    custom folder (as given), with its content hash (plan_documents.fingerprint's, without
    importing the renderer into the main process)."""
    path = document.template_in(custom)
    builtin = path.resolve() == (TEMPLATES_DIR / document.template).resolve()
    shown = f"built-in:{document.template}" if builtin else path.as_posix()
    return {"path": shown, "sha256": sha256(path.read_bytes())}


@dataclass
class Pending:
    """A plan whose documents are written and are being converted to PDF."""

    result: PlanResult
    key: str
    entry: Entry
    rendered: Rendered
    conversions: dict[str, Future[bytes]] = field(default_factory=dict)


class Builder:
    """One build into one output folder (the main process's side)."""

    def __init__(self, options: BuildOptions, on_result: Callable[[PlanResult], None]) -> None:
        self.options = options
        self.on_result = on_result
        self.manifest = Manifest.load(options.out)
        self.templates = {
            document.name: template_record(document, options.templates) for document in DOCUMENTS
        }
        self.claimed: dict[str, str] = {}  # slug → input key, in this build
        self.codes: dict[str, str] = {}  # organization code → input key, in this build
        self.sources: dict[str, str] = {}  # input key → the input as the user named it
        self.discarded: set[str] = set()  # keys whose files go when their PDFs are done
        self.warnings: list[str] = [
            f"{warning}; ignored (what it recorded is rebuilt)"
            for warning in self.manifest.warnings
        ]
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

    def known(self, key: str) -> Known:
        """What this folder knows of the input's earlier revisions, for its worker."""
        entry = self.manifest.entries.get(key)
        return Known(
            self.options.out,
            entry.revision if entry else None,
            entry.previous_revision if entry else None,
            self.options.redline,
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
        names = [BY_FILENAME[name].name for name in entry.outputs if name in BY_FILENAME]
        digest = input_hash(path, key, entry.input_sha256, self.manifest.input_stats)
        now = self.expected(key, digest, entry.slug, names)
        reasons = entry.changes(now)
        folder = self.options.out / entry.slug
        if not reasons and (
            unsafe_folder(self.options.out, entry.slug) is not None
            or not all(o.matches(folder / n) for n, o in entry.outputs.items())
        ):
            reasons.append("documents missing or changed")
        return reasons or None

    def finish(
        self, rendered: Rendered, reasons: list[str], key: str | None = None
    ) -> tuple[PlanResult, Pending | None]:
        """Write one plan's documents (main process only; `key`: its input's, if known). With
        PDFs, its record waits for the conversions: the returned Pending completes it."""
        key = key or input_key(Path(rendered.source), self.options.out)
        self.sources[key] = rendered.source
        result = PlanResult(
            rendered.source,
            problems=rendered.problems,
            reasons=reasons,
            code_location=rendered.code_location,
        )
        pending = None
        if rendered.internal_error is not None:
            result.problems.append(self._internal_error(result.source, rendered.internal_error))
        try:
            if rendered.slug and not errors_in(result.problems):
                slug_ = rendered.slug
                owner = self.claimed.get(slug_) or self.manifest.slug_owner(slug_, besides=key)
                owner = owner or self.codes.get(rendered.code)  # same code, another name
                unsafe = unsafe_folder(self.options.out, slug_)
                if owner is not None and owner != key:
                    result.conflict(self._shown(owner), rendered.code)
                    self._unclaim(owner, result.source, rendered.code)
                    self._discard(key)
                elif unsafe is not None:
                    hint = "remove or rename it: a plan's folder must be a real folder in OUT"
                    result.problems.append(Problem(result.source, f"{slug_}/", unsafe, hint))
                else:
                    self.claimed[slug_] = key
                    self.codes[rendered.code] = key
                    entry = self._write_documents(result, key, rendered, slug_)
                    if self.options.pdfs:
                        pending = Pending(result, key, entry, rendered)
                        self.converting[key] = result
                    else:
                        self._commit(result, key, entry)
        except Exception as error:  # one plan's failure never stops the build
            pending = None
            self.converting.pop(key, None)
            result.status = Status.FAILED
            if isinstance(error, OSError):
                result.problems.append(self._write_problem(result.source, error))
            elif isinstance(error, PipelineError):  # e.g. a link where its folder should be
                result.problems.append(Problem(result.source, rendered.slug, str(error)))
            else:
                trace = traceback.format_exc()
                result.problems.append(self._internal_error(result.source, trace))
        if result.status is Status.FAILED and pending is None:
            self.manifest.entries.pop(key, None)
        return result, pending

    def _write_problem(self, source: str, error: OSError) -> Problem:
        """A file of the plan could not be written: where, and what the system said."""
        where = Path(error.filename) if error.filename else self.options.out
        try:
            shown = where.relative_to(self.options.out).as_posix()
        except ValueError:
            shown = str(where)
        return Problem(
            source,
            shown,
            f"cannot write {where}: {error.strerror or error}",
            "check that the output folder is writable and that no file stands where a "
            "folder should be",
        )

    def _internal_error(self, source: str, trace: str) -> Problem:
        """A bug met while building one input: its traceback goes to a log file under the
        output folder (not the screen); the input is named, and fails alone."""
        digest = hashlib.sha256(source.encode("utf-8", "replace")).hexdigest()[:8]
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(source).stem).strip("-.")[:60]
        log = self.options.out / "logs" / f"{stem or 'input'}-{digest}.log"
        details = f"details in {log}"
        try:
            write_atomic(log, f"internal error while building {source}\n\n{trace}".encode())
        except OSError as error:
            details = f"its details could not be written to {log}: {error.strerror or error}"
        return Problem(
            source,
            "build",
            f"internal error while building {source}; {details}",
            "this is a bug in the pipeline: please report it with the log",
        )

    def _unclaim(self, owner: str, other: str, code: str) -> None:
        """An input built earlier in this run conflicts with a later one: fail it too."""
        if owner in self.converting:  # complete() will see the problem and fail it
            self.converting[owner].conflict(other, code)
            self.discarded.add(owner)
        for earlier in self.results:
            key = input_key(Path(earlier.source), self.options.out)
            if key == owner and earlier.status in (*WRITTEN, Status.UNCHANGED):
                earlier.conflict(other, code)
                self._discard(owner)

    def _shown(self, key: str) -> str:
        """The input of `key` as the user named it (or where it is)."""
        return self.sources.get(key) or input_path(key, self.options.out).as_posix()

    def _discard(self, key: str) -> None:
        """A plan that conflicts with another is not built: nor are its files left on disk,
        unrecorded (validate refuses both inputs; so does the build)."""
        entry = self.manifest.entries.pop(key, None)
        if entry is not None:
            self._remove_folder(entry.slug, key)

    def _write_documents(
        self, result: PlanResult, key: str, rendered: Rendered, slug_: str
    ) -> Entry:
        folder = self.options.out / slug_
        entry = self.expected(
            key,
            rendered.input_sha256,
            slug_,
            [BY_FILENAME[name].name for name in rendered.documents],
        )
        if rendered.input_stat is None:
            self.manifest.input_stats.pop(key, None)
        else:
            self.manifest.input_stats[key] = rendered.input_stat
        # The check reports beside the documents; recorded like them, so a missing report
        # rebuilds the plan and a manifest merge copies them. All written at once (writes.py).
        files = {folder / name: data for name, data in rendered.documents.items()}
        files |= {folder / name: data for name, data in rendered.reports.items()}
        files |= {folder / name: data for name, data in rendered.redlines.items()}
        stored: dict[Path, bytes] = {}
        if rendered.revision:  # the revision built, kept to compare the next one with
            # revisions.store, written with the files (compressed by the worker, when new)
            entry.revision = rendered.revision
            there = revision_path(self.options.out, entry.revision)
            if rendered.packed and (not there.is_file() or there.is_symlink()):
                stored[there] = rendered.packed
            entry.previous_revision = rendered.previous_revision
        hashes = {folder / name: digest for name, digest in rendered.hashes.items()}
        for path, written in write_files({**files, **stored}, hashes).items():
            if path not in stored:
                entry.outputs[path.name] = Output(*written)
        result.written += [folder / name for name in rendered.documents]
        result.draft = rendered.draft
        entry.status = Status.DRAFT if result.draft else Status.BUILT
        result.folder = folder
        return entry

    def complete(
        self,
        pending: Pending,
        pdfs: dict[str, bytes | Unconverted],
        front: bytes | Unconverted | None = None,
    ) -> PlanResult:
        """Write a plan's PDFs (or why a document could not be converted) and its packet,
        opening with `front` (its cover and contents), then record the plan; a document (or
        the front) that failed fails the plan."""
        from pipeline.pdf.packet import Part, join

        result, rendered, entry = pending.result, pending.rendered, pending.entry
        self.converting.pop(pending.key, None)
        folder = self.options.out / entry.slug
        parts, converted = [], dict[Path, bytes]()
        for name in rendered.documents:
            pdf = pdfs[name]
            if isinstance(pdf, Unconverted):
                result.problems.append(Problem(result.source, f"{entry.slug}/{name}", pdf.reason))
                continue
            document = BY_FILENAME[name]
            converted[folder / document.pdf_filename] = pdf
            parts.append(Part(rendered.titles.get(name, document.name), document.label, pdf))
        for path, written in write_files(converted).items():  # all at once (writes.py)
            entry.outputs[path.name] = Output(*written)
            result.written.append(path)
        if isinstance(front, Unconverted):
            result.problems.append(Problem(result.source, f"{entry.slug}/{PACKET}", front.reason))
        if errors_in(result.problems):
            self._remove_stale(folder, entry)
            result.status = Status.FAILED
            self.manifest.entries.pop(pending.key, None)
            if pending.key in self.discarded:  # it conflicts with another input
                self._remove_folder(entry.slug, pending.key)
            return result
        assert rendered.packet is not None
        front = front if isinstance(front, bytes) else None
        packet = join(parts, rendered.packet, self.options.pdf_a, front, self.options.pdf_ua)
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
        (a part the plan no longer has, PDFs from an earlier build with --pdf, redlines and
        the change summary of an earlier revision)."""
        names = [PACKET, CHANGES_HTML, CHANGES_JSON]
        for document in DOCUMENTS:
            names += [document.filename, document.pdf_filename, document.redline_filename]
        if unsafe_folder(folder.parent, folder.name) is not None:
            return  # not a real folder of OUT: nothing of ours to remove there
        there: set[str] | None = None  # one listing, not an attempt at each name
        try:
            with os.scandir(folder) as found:
                there = {item.name for item in found}
        except FileNotFoundError:
            return
        except OSError:
            pass  # cannot be listed: each name is tried
        for name in names:
            if name not in entry.outputs and (there is None or name in there):
                (folder / name).unlink(missing_ok=True)

    def _remove_folder(self, slug_: str, key: str) -> None:
        """Remove a plan's folder that no other plan uses: the files a build writes there,
        and the folder when nothing else is left in it (never through a link)."""
        if self.manifest.slug_owner(slug_, besides=key) is not None:
            return
        if self.claimed.get(slug_, key) != key:
            return  # another input of this build writes there now
        self._remove_unused(slug_)

    def _remove_unused(self, slug_: str) -> None:
        """Remove the folder of a plan that no plan uses any more (see `_remove_folder`)."""
        if not remove_plan_folder(self.options.out, slug_):
            self.warnings.append(
                f"kept {self.options.out / slug_}: it holds files the pipeline did not write "
                "(or is not a real folder)"
            )

    def keep(self, key: str, path: Path) -> None:
        """Record an input whose documents from an earlier build still stand."""
        entry = self.manifest.entries[key]
        owner = self.claimed.get(entry.slug) or self.codes.get(entry.code)
        draft = entry.status == Status.DRAFT
        folder = self.options.out / entry.slug
        result = PlanResult(str(path), Status.UNCHANGED, folder=folder, draft=draft)
        self.sources[key] = str(path)
        if owner is not None and owner != key:  # two records for one organization
            result.conflict(self._shown(owner), entry.code)
            self._unclaim(owner, result.source, entry.code)
            self._discard(key)
        else:
            self.claimed[entry.slug] = key
            self.codes[entry.code] = key
        self.record(result)

    def record(self, result: PlanResult) -> None:
        self.results.append(result)
        self.on_result(result)
        if time.monotonic() - self._last_save > 2:
            self.manifest.save(self.options.out, progress=True)  # survives a kill
            self._last_save = time.monotonic()

    def prune(self, keys: set[str], report: BuildReport) -> None:
        gone = [
            key
            for key in sorted(set(self.manifest.entries) - keys)
            if not input_exists(key, self.options.out)  # else: not in this build, still there
        ]
        shown = [input_path(key, self.options.out).as_posix() for key in gone]
        if not self.options.prune:
            report.orphans += shown
            return
        entries = [self.manifest.entries.pop(key) for key in gone]
        # Once, not per record: a manifest of many records must not take quadratic time.
        used = {entry.slug for entry in self.manifest.entries.values()} | set(self.claimed)
        for slug_ in sorted({entry.slug for entry in entries} - used):
            self._remove_unused(slug_)
        report.pruned += shown

    def close(self, keys: set[str]) -> BuildReport:
        """End the build of the inputs `keys`: prune, write the dashboard of every plan in
        the folder (this build's or not; unless it is unchanged), save the manifest."""
        report = BuildReport(self.results)
        self.prune(keys, report)
        report.warnings = self.warnings
        failed = [(r.source, r.problems) for r in self.results if r.status is Status.FAILED]
        shown = shown_inputs(self.manifest, self.options.out)
        recorded = self.manifest.dashboard
        self.manifest.dashboard = write_dashboard(self.options.out, shown, failed, recorded)
        self.manifest.save(self.options.out)
        kept = {r for entry in self.manifest.entries.values() for r in entry.revisions()}
        prune_revisions(self.options.out, kept)  # after the save: a kill keeps what it names
        return report
