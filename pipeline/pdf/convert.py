"""Stage 6, with --pdf: .docx → PDF with a pool of long-lived headless LibreOffice instances.

Starting LibreOffice costs about a second; converting a document in a running one about 0.2 s
(research/docgen.md §3.1; `make bench`). So each instance is started once and converts many
documents: it is `uno_worker.py`, run by a Python that can `import uno`, which starts `soffice
--headless --accept=pipe,…` with a profile directory of its own and converts the documents this
side sends it, one JSON line each, answering one JSON line each. This side supervises:

- a timeout per document: an instance that does not answer in time is killed (its whole process
  group, LibreOffice included) and replaced;
- a restart every `restart_after` documents, since long-running LibreOffice processes are known
  to slow down or hang (unoconv #189/#225; Gotenberg restarts every 10);
- one retry, on a fresh instance with a fresh profile, of every failed document;
- every PDF checked (not empty, readable, pages > 0) and made reproducible (`pipeline.pdf.finish`).

A LibreOffice instance converts one document at a time ("a single global lock for remote
method invocations"), so parallelism means several instances, never two on one profile.
A failure names the document and what LibreOffice said; the other documents go on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import queue
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import ConversionError, UnreadablePdfError
from pipeline.pdf.finish import normalize, page_count, stamp
from pipeline.pdf.office import ExportOptions, Office

WORKER = Path(__file__).resolve().parent / "uno_worker.py"


class _InstanceFailure(Exception):
    """The instance is unusable (did not start, timed out, died): kill it, use a fresh one."""


class _Instance:
    """One uno_worker.py and the LibreOffice it runs."""

    def __init__(self, office: Office, profile: Path, start_timeout: float) -> None:
        self.profile = profile
        self.converted = 0
        self.seconds: dict[str, float] = {}
        """What LibreOffice took over the last document, step by step (uno_worker.py)."""
        self._buffer = b""
        environment = {**os.environ, "TZ": "UTC"}  # PDF dates in UTC, whatever the machine's
        environment.pop("PYTHONPATH", None)
        environment.pop("PYTHONHOME", None)
        profile.parent.mkdir(parents=True, exist_ok=True)
        self.log = profile.parent / f"{profile.name}.worker.log"
        with self.log.open("ab") as log:
            self.process = self._spawn(office, profile, start_timeout, environment, log)
        try:
            answer = self._answer(start_timeout + 5, "starting")
        except _InstanceFailure:
            self.kill()
            raise
        if not answer.get("ready"):
            self.kill()
            raise _InstanceFailure(f"LibreOffice did not start: {answer.get('error')}")

    @staticmethod
    def _spawn(
        office: Office,
        profile: Path,
        start_timeout: float,
        environment: dict[str, str],
        log: Any,
    ) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                office.python,
                str(WORKER),
                "--soffice",
                office.soffice,
                "--profile",
                str(profile),
                "--pipe",
                f"pipeline-{os.getpid()}-{uuid.uuid4().hex[:12]}",
                "--start-timeout",
                str(start_timeout),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=environment,
            start_new_session=True,  # its own process group: a kill takes LibreOffice along
        )

    def convert(self, source: Path, target: Path, options: ExportOptions, timeout: float) -> None:
        """Convert `source` to `target`; ConversionError if LibreOffice says it cannot,
        _InstanceFailure if it does not answer in time or dies."""
        assert self.process.stdin is not None
        request = {"source": str(source), "target": str(target), "filter": options.filter_data()}
        self.seconds = {}
        try:
            self.process.stdin.write(json.dumps(request).encode() + b"\n")
            self.process.stdin.flush()
        except OSError as error:
            raise _InstanceFailure(f"LibreOffice is gone ({error})") from None
        answer = self._answer(timeout, "converting")
        self.converted += 1
        if not answer.get("ok"):
            raise ConversionError(str(answer.get("error") or "no reason given"))
        seconds = answer.get("seconds")
        if isinstance(seconds, dict):
            self.seconds = {k: v for k, v in seconds.items() if isinstance(v, int | float)}

    def _answer(self, timeout: float, doing: str) -> dict[str, Any]:
        assert self.process.stdout is not None
        try:
            handle = self.process.stdout.fileno()
        except ValueError:  # the pipe was closed: the instance was killed meanwhile
            raise _InstanceFailure("LibreOffice was stopped") from None
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _InstanceFailure(f"no answer from LibreOffice within {timeout:g} s")
            try:
                ready, _, _ = select.select([handle], [], [], left)
                chunk = os.read(handle, 65536) if ready else None
            except (OSError, ValueError):
                # Another thread killed the instance (a build interrupted) and closed its pipe.
                raise _InstanceFailure("LibreOffice was stopped") from None
            if chunk is not None:
                if not chunk:
                    code = self.process.wait()
                    raise _InstanceFailure(
                        f"LibreOffice stopped while {doing} (exit code {code}){self._said()}"
                    )
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            answer: dict[str, Any] = json.loads(line)
        except ValueError:
            raise _InstanceFailure(f"unexpected answer from LibreOffice: {line[:200]!r}") from None
        return answer

    def _said(self) -> str:
        """The end of what the worker printed on its standard error, if anything."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return ""
        return f": {' / '.join(text.splitlines()[-3:])[-500:]}" if text else ""

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._close_pipes()

    def stop(self, timeout: float = 20) -> None:
        """Let the worker close LibreOffice; kill both if that takes longer than `timeout`."""
        try:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=timeout)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()  # also ends anything the worker left behind in its group

    def _close_pipes(self) -> None:
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


@dataclass
class ConverterStats:
    """What a converter did, for reports and tests."""

    converted: int = 0
    failed: int = 0
    retried: int = 0
    started: int = 0
    restarted_after_failure: int = 0
    office_seconds: dict[str, float] = field(default_factory=dict)
    """LibreOffice's own time over the documents converted, by step (load and lay out,
    indexes, export, close)."""


@dataclass
class _Slot:
    """A place for one instance in the pool, with its own profile directory."""

    number: int
    instance: _Instance | None = None
    profile: Path | None = None


class Converter:
    """A pool of `instances` LibreOffice processes converting .docx to PDF.

    Use it as a context manager; `convert` may be called from several threads at once (each
    call takes an idle instance, starting one when needed, up to `instances`).

        with Converter(find_office(), instances=2) as converter:
            pdf = converter.convert("plan.docx", docx_bytes, revision_date)
    """

    def __init__(
        self,
        office: Office,
        instances: int = 1,
        options: ExportOptions | None = None,
        timeout: float = 120.0,
        start_timeout: float = 60.0,
        restart_after: int = 200,
    ) -> None:
        self.office = office
        self.options = options or ExportOptions()
        self.timeout = timeout
        self.start_timeout = start_timeout
        self.restart_after = restart_after
        self.stats = ConverterStats()
        self._scratch = Path(tempfile.mkdtemp(prefix="pipeline-convert-"))
        self._slots = [_Slot(number) for number in range(1, max(1, instances) + 1)]
        self._idle: queue.Queue[_Slot] = queue.Queue()
        for slot in self._slots:
            self._idle.put(slot)  # its instance is started when first needed
        self._lock = threading.Lock()
        self._profiles = 0
        self._closed = False

    def __enter__(self) -> Converter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self, abort: bool = False) -> None:
        """Stop every instance (kill it, with `abort`: a build interrupted does not wait for
        the documents being converted) and remove the profiles and scratch files. Later
        conversions fail; calling it again ends what was started meanwhile."""
        self._closed = True
        for slot in self._slots:
            instance, slot.instance = slot.instance, None
            if instance is not None:
                if abort:
                    instance.kill()
                else:
                    instance.stop()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def convert(self, name: str, docx: bytes, revision_date: dt.date) -> bytes:
        """The reproducible PDF of the .docx `docx` (called `name` in messages and files).

        Raises ConversionError, with what LibreOffice said, when the document cannot be
        converted even on a second, fresh instance.
        """
        if not docx.startswith(b"PK\x03\x04"):
            # LibreOffice opens an empty file as a new, empty document: refuse it here.
            raise ConversionError("it is not a Word document (not a zip package)")
        job = Path(tempfile.mkdtemp(prefix="job-", dir=self._scratch))
        try:
            source = job / Path(name).name
            source.write_bytes(docx)
            target = source.with_suffix(".pdf")
            try:
                pdf = self._attempt(source, target, fresh=False)
            except ConversionError as first:
                self._count("retried")
                try:
                    pdf = self._attempt(source, target, fresh=True)
                except ConversionError as second:
                    self._count("failed")
                    reason = str(second)
                    if str(first) != reason:
                        reason = f"{first}; on a fresh instance: {second}"
                    raise ConversionError(reason) from None
            self._count("converted")
            return normalize(pdf, stamp(revision_date))
        finally:
            shutil.rmtree(job, ignore_errors=True)

    def _count(self, name: str) -> None:
        with self._lock:
            setattr(self.stats, name, getattr(self.stats, name) + 1)

    def _attempt(self, source: Path, target: Path, fresh: bool) -> bytes:
        slot = self._idle.get()
        try:
            if self._closed:
                raise ConversionError("the conversion was stopped")
            instance = slot.instance
            if instance is not None and (fresh or instance.converted >= self.restart_after):
                self._retire(slot, failed=fresh)
            instance = slot.instance or self._start(slot)
            target.unlink(missing_ok=True)
            try:
                instance.convert(source, target, self.options, self.timeout)
            except _InstanceFailure as error:
                self._retire(slot, failed=True)
                self._count("restarted_after_failure")
                raise ConversionError(str(error)) from None
            with self._lock:
                for step, seconds in instance.seconds.items():
                    spent = self.stats.office_seconds
                    spent[step] = spent.get(step, 0.0) + seconds
            try:
                pdf = target.read_bytes()
            except OSError:
                raise ConversionError("LibreOffice reported success but wrote no PDF") from None
            try:
                page_count(pdf)
            except UnreadablePdfError as error:
                raise ConversionError(f"LibreOffice wrote a bad PDF: {error}") from None
            return pdf
        finally:
            self._idle.put(slot)

    def _start(self, slot: _Slot) -> _Instance:
        if slot.profile is None:
            with self._lock:
                self._profiles += 1
                slot.profile = self._scratch / f"profile-{self._profiles}"
        self._count("started")
        try:
            slot.instance = _Instance(self.office, slot.profile, self.start_timeout)
        except _InstanceFailure as error:
            self._retire(slot, failed=True)
            raise ConversionError(str(error)) from None
        if self._closed:  # closed while it started
            self._retire(slot, failed=True)
            raise ConversionError("the conversion was stopped")
        return slot.instance

    def _retire(self, slot: _Slot, failed: bool) -> None:
        """Stop the slot's instance. A healthy one's successor reuses its profile (creating
        one costs a second); after a failure the successor gets a new one, in case the old
        was left damaged."""
        if slot.instance is not None:
            if failed:
                slot.instance.kill()
            else:
                slot.instance.stop()
            slot.instance = None
        if failed and slot.profile is not None:
            shutil.rmtree(slot.profile, ignore_errors=True)
            slot.profile = None
