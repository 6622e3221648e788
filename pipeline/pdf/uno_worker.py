"""A long-lived LibreOffice converter: the helper `pipeline.pdf.convert` runs, one per instance.

It runs under a Python that can `import uno` (Debian's python3-uno gives that to the system
/usr/bin/python3, not to a virtual environment's Python), so it uses the standard library and
uno only and never imports the pipeline. It starts one headless LibreOffice with its own
profile, connects to it over a named pipe, says it is ready, then converts documents one at a
time as they are asked for:

    stdin:  {"source": "/tmp/…/x.docx", "target": "/tmp/…/x.pdf", "filter": {...}}   one a line
    stdout: {"ok": true, "seconds": {...}} or {"ok": false, "error": "what LibreOffice said"}

It stops LibreOffice and exits at the end of its input. Timeouts are the caller's business: a
conversion that hangs is ended by killing this process's whole process group.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

# Load .docx with Word's filter only: a damaged file must fail, not be opened as plain text.
_IMPORT_FILTER = "MS Word 2007 XML"
_NEVER_EXECUTE = 0  # com.sun.star.document.MacroExecMode.NEVER_EXECUTE


def _properties(**values: Any) -> tuple[Any, ...]:
    return tuple(PropertyValue(Name=name, Value=value) for name, value in values.items())


def _filter_data(options: dict[str, Any]) -> Any:
    # A sequence of PropertyValue inside an Any must be typed explicitly for the PDF filter.
    return uno.Any("[]com.sun.star.beans.PropertyValue", _properties(**options))


def _message(error: BaseException) -> str:
    """What went wrong, in LibreOffice's words when it was LibreOffice (a UNO exception)."""
    if hasattr(error, "Message"):
        return f"{type(error).__name__}: {error.Message or 'no message'}"
    return str(error) or type(error).__name__


class Office:
    """One headless LibreOffice, reached over a named pipe."""

    def __init__(self, soffice: str, profile: Path, pipe: str, log: Path) -> None:
        self.pipe = pipe
        self.log = log
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [
                    soffice,
                    f"-env:UserInstallation={profile.as_uri()}",
                    "--headless",
                    "--invisible",
                    "--nologo",
                    "--nodefault",
                    "--norestore",
                    "--nolockcheck",
                    "--nofirststartwizard",
                    f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
                ],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
            )
        self.desktop: Any = None

    def connect(self, timeout: float) -> None:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"LibreOffice exited with code {self.process.returncode} while starting"
                    f"{self.said()}"
                )
            try:
                context = resolver.resolve(
                    f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
                )
                break
            except NoConnectException:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"LibreOffice did not accept connections within {timeout:.0f} s"
                    ) from None
                time.sleep(0.05)
        self.desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )

    def said(self, since: int = 0) -> str:
        """What LibreOffice printed after byte `since` of its log, if anything (less the
        launcher's notice that it found no Java, which it always prints)."""
        try:
            with self.log.open("rb") as log:
                log.seek(since)
                text = log.read().decode("utf-8", errors="replace")
        except OSError:
            return ""
        lines = [line for line in text.splitlines() if line.strip() and "javaldx" not in line]
        said = " / ".join(lines)[-500:]
        return f" (LibreOffice said: {said})" if said else ""

    def log_size(self) -> int:
        try:
            return self.log.stat().st_size
        except OSError:
            return 0

    def convert(self, source: Path, target: Path, options: dict[str, Any]) -> dict[str, float]:
        """Convert `source`; return the seconds LibreOffice took to load it (importing and
        laying it out: a hidden document's view lays it out as it loads), to update its
        indexes, to export the PDF and to close it."""
        start = time.perf_counter()
        document = self.desktop.loadComponentFromURL(
            source.as_uri(),
            "_blank",
            0,
            _properties(
                Hidden=True,
                ReadOnly=True,
                FilterName=_IMPORT_FILTER,
                MacroExecutionMode=_NEVER_EXECUTE,
            ),
        )
        if document is None:
            raise RuntimeError(f"LibreOffice could not open {source.name} as a Word document")
        moments = [start, time.perf_counter()]
        try:
            if hasattr(document, "getDocumentIndexes"):
                indexes = document.getDocumentIndexes()
                for number in range(indexes.getCount()):
                    indexes.getByIndex(number).update()  # tables of contents, as Word would
            moments.append(time.perf_counter())
            document.storeToURL(
                target.as_uri(),
                _properties(FilterName="writer_pdf_Export", FilterData=_filter_data(options)),
            )
            moments.append(time.perf_counter())
        finally:
            document.close(True)
        moments.append(time.perf_counter())
        steps = ("load", "indexes", "export", "close")
        return {step: moments[n + 1] - moments[n] for n, step in enumerate(steps)}

    def stop(self) -> None:
        try:
            if self.desktop is not None:
                self.desktop.terminate()
        except Exception:  # it may be gone already; it is killed below anyway
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _reply(**answer: Any) -> None:
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--soffice", required=True)
    parser.add_argument("--profile", required=True, type=Path)
    parser.add_argument("--pipe", required=True)
    parser.add_argument("--start-timeout", type=float, default=60.0)
    args = parser.parse_args()
    args.profile.mkdir(parents=True, exist_ok=True)
    office = Office(args.soffice, args.profile, args.pipe, args.profile / "soffice.log")
    try:
        office.connect(args.start_timeout)
    except Exception as error:
        _reply(ready=False, error=_message(error))
        office.stop()
        return 1
    _reply(ready=True, pid=os.getpid())
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            request = json.loads(line)
            since = office.log_size()
            try:
                seconds = office.convert(
                    Path(request["source"]), Path(request["target"]), request["filter"]
                )
            except Exception as error:
                _reply(ok=False, error=_message(error) + office.said(since))
            else:
                _reply(ok=True, seconds=seconds)
    finally:
        office.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
