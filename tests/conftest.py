"""Shared fixtures: the example plans, the minimal scenario, text extraction from .docx, the
OOXML validator; the hypothesis profiles; and the check that no test leaves a process behind."""

from __future__ import annotations

import contextlib
import copy
import ctypes
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import psutil
import pytest
from docx.enum.style import WD_STYLE_TYPE
from hypothesis import settings

from pipeline.documents.plan_documents import render_plan
from pipeline.inputs.source import Source
from pipeline.inputs.validate import validate
from pipeline.model.plan import Plan

MEMORY_TEMP = Path("/dev/shm")
"""Where the tests write their files when it has room: a memory file system. The files the
tests write (builds, workbooks, LibreOffice profiles) are real files either way, but on this
machine's disk every atomic write's flush and every unlink costs milliseconds, which made the
suite twice as slow."""


def pytest_configure(config: pytest.Config) -> None:
    """Put the tests' temporary files (tmp_path, tempfile) in memory when there is room."""
    if os.environ.get("PIPELINE_TEST_TMP") == "disk" or not MEMORY_TEMP.is_dir():
        return
    try:
        usage = os.statvfs(MEMORY_TEMP)
    except OSError:
        return
    if usage.f_bavail * usage.f_frsize >= 4 << 30 and os.access(MEMORY_TEMP, os.W_OK):
        os.environ["TMPDIR"] = str(MEMORY_TEMP)
        import tempfile

        tempfile.tempdir = None  # read TMPDIR again


ROOT = Path(__file__).resolve().parent.parent
INPUTS = sorted((ROOT / "inputs").glob("*.json"))
SCENARIOS = Path(__file__).resolve().parent / "scenarios"
MINIMAL = SCENARIOS / "minimal.json"

# Hypothesis, chosen by HYPOTHESIS_PROFILE: few examples by default (the edit-test loop, the
# generated-plans round trip in about 2 s); "moderate" in CI (`.ci/run`: about 8 s, keeping
# `make test` under 90 s on two cores); "ci", the former depth (about 25 s), to run by hand or
# on a bigger machine: `HYPOTHESIS_PROFILE=ci make test`.
settings.register_profile("default", max_examples=5)
settings.register_profile("moderate", max_examples=20, database=None, print_blob=True)
settings.register_profile("ci", max_examples=60, database=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def minimal_data() -> dict[str, Any]:
    """A fresh copy of the smallest complete plan, to break in one place."""
    return copy.deepcopy(read_json(MINIMAL))


def plan_of(data: Any, name: str = "plan.json") -> Plan:
    return validate(Source(name, data))


@pytest.fixture(scope="session")
def example_plans() -> dict[str, Plan]:
    return {path.stem: plan_of(read_json(path), str(path)) for path in INPUTS}


@pytest.fixture(scope="session")
def rendered_examples(example_plans: dict[str, Plan]) -> dict[str, dict[str, bytes]]:
    """{example stem: {document file name: .docx bytes}}, rendered once per session."""
    return {stem: render_plan(plan) for stem, plan in example_plans.items()}


def _cell_text(cell: Any) -> Iterator[str]:
    for paragraph in cell.paragraphs:
        yield paragraph.text
    for table in cell.tables:
        yield from _table_text(table)


def _table_text(table: Any) -> Iterator[str]:
    for row in table.rows:
        yield " | ".join(" / ".join(_cell_text(cell)) for cell in row.cells)


def _paragraph_style_names(document: Any) -> Any:
    """A paragraph's style name from its style id, as `paragraph.style.name` gives it (the
    default paragraph style for none or an unknown id), without python-docx's search of every
    style for the default on each call (two thirds of the time spent reading the documents)."""
    names = {s.style_id: s.name for s in document.styles if s.type == WD_STYLE_TYPE.PARAGRAPH}
    default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    default_name = default.name if default is not None else ""
    return lambda style_id: names.get(style_id, default_name)


def document_lines(data: bytes) -> list[str]:
    """The text of a .docx, as a person reads it: headers, body paragraphs and table rows in
    order (a row as 'cell | cell'), footers."""
    document = docx.Document(io.BytesIO(data))
    style_name = _paragraph_style_names(document)
    lines: list[str] = []
    for section in document.sections:
        lines += [f"[header] {p.text}" for p in section.header.paragraphs if p.text]
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            lines += _table_text(block)
        elif block.text:
            style = style_name(block._p.style)
            prefix = f"[{style}] " if style.startswith(("Heading", "Title")) else ""
            lines.append(prefix + block.text)
    for section in document.sections:
        lines += [f"[footer] {p.text}" for p in section.footer.paragraphs if p.text]
    return lines


# --- Which test runs when, and on which xdist worker -------------------------------------------

WHOLE_MODULES = {"tests/test_pdf.py", "tests/test_libreoffice.py"}
"""Modules one worker runs whole: their expensive fixtures (builds and conversions with
LibreOffice) are made once instead of once per worker. (xdist's own `--dist loadgroup` does
not see `xdist_group` marks under pytest 9.2.)"""


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """xdist's `load` scheduling (any test to any free worker), except for WHOLE_MODULES."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in WHOLE_MODULES else nodeid

    return Scheduling(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests (LibreOffice, hypothesis) first, spread over the workers while the quick
    ones fill the gaps, rather than one of them running alone at the end."""
    items.sort(key=lambda item: not _slow(item))


def _slow(item: pytest.Item) -> bool:
    test = getattr(item, "obj", None)
    return bool(item.get_closest_marker("libreoffice") or getattr(test, "is_hypothesis_test", 0))


# --- The OOXML validator ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def ooxml_errors() -> Any:
    """A function giving the errors openxml-audit (Office 2019 rules, strict, as its command line
    `openxml-audit -f office2019` checks) finds in a .docx; one validator per session, in
    process (a subprocess per document cost a second of start-up each)."""
    try:
        from openxml_audit import FileFormat, OpenXmlValidator, ValidationSeverity
    except ImportError:
        pytest.skip("openxml-audit is not installed (pip install -e '.[dev]')")
    validator = OpenXmlValidator(file_format=FileFormat.OFFICE_2019, strict=True)

    def errors(path: Path) -> list[str]:
        result = validator.validate(str(path))
        found = [str(e) for e in result.errors if e.severity is ValidationSeverity.ERROR]
        return found if found or result.is_valid else [f"{path.name}: not valid"]

    return errors


# --- Processes: every test cleans up what it starts -----------------------------------------


def stop_process_group(process: subprocess.Popen[Any]) -> None:
    """SIGKILL the process group of `process` (started with start_new_session=True: its own
    group, which its workers share) and reap it, then reap what the group leaves to us."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    _wait_for_group(process.pid)
    reap_orphans()


def run_process(
    command: list[str], timeout: float, check: bool = True, **options: Any
) -> subprocess.CompletedProcess[Any]:
    """`subprocess.run(command, capture_output=True)` in a process group of its own, which is
    killed and reaped, with whatever it started, when it ends, fails or times out."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        **options,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        stop_process_group(process)
    if check and process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command, stdout, stderr)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


@pytest.fixture(scope="session")
def soffice_profile(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A LibreOffice user profile (-env:UserInstallation) for the `soffice --convert-to` runs
    of one test process: the first run creates it (a second or so), the next ones reuse it."""
    return (tmp_path_factory.mktemp("soffice") / "profile").as_uri()


def _wait_for_group(pgid: int, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        members = [p for p in psutil.process_iter() if _in_group(p, pgid)]
        if not members:
            return
        reap_orphans()
        time.sleep(0.02)


def _in_group(process: psutil.Process, pgid: int) -> bool:
    try:
        return os.getpgid(process.pid) == pgid and process.status() != psutil.STATUS_ZOMBIE
    except (ProcessLookupError, psutil.Error):
        return False


def reap_orphans() -> None:
    """Collect the exit status of our zombie children (orphans handed to us as subreaper)."""
    for child in psutil.Process().children():
        with contextlib.suppress(psutil.Error, ChildProcessError):
            if child.status() == psutil.STATUS_ZOMBIE:
                os.waitpid(child.pid, os.WNOHANG)


def _become_subreaper() -> None:
    """Orphans of our descendants (the workers of a killed build) become our children instead
    of init's, so the session-end check sees them. Linux only; elsewhere the check sees only
    descendants whose parents are alive."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            pr_set_child_subreaper = 36
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_child_subreaper, 1, 0, 0, 0)


def _alive_descendants(ignore: set[int]) -> list[psutil.Process]:
    reap_orphans()
    alive = []
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            if child.pid not in ignore and child.status() != psutil.STATUS_ZOMBIE:
                alive.append(child)
    return alive


def _describe(process: psutil.Process) -> str:
    try:
        return f"pid {process.pid}: {' '.join(process.cmdline())[:200]}"
    except psutil.Error:
        return f"pid {process.pid}"


@pytest.fixture(scope="session", autouse=True)
def no_process_outlives_the_session() -> Iterator[None]:
    """Fails the session (per xdist worker) if a process started during it is still running
    after every test and every other session fixture has finished (this fixture is set up
    first, so it is torn down last), after a grace period of a few seconds."""
    _become_subreaper()
    before = {child.pid for child in psutil.Process().children(recursive=True)}
    yield
    deadline = time.monotonic() + 5
    while (left := _alive_descendants(before)) and time.monotonic() < deadline:
        time.sleep(0.1)
    if left:
        described = "\n".join(_describe(process) for process in left)
        for process in left:  # do not leave them running after the failure either
            with contextlib.suppress(psutil.Error):
                process.kill()
        reap_orphans()
        pytest.fail(f"processes started by the tests are still running:\n{described}")
