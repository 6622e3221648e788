"""The converter's supervision (timeouts, restarts, retry, failures reported) and the
environment errors, with a stand-in for LibreOffice: these run everywhere, in a second or two.
The real LibreOffice is exercised in test_pdf.py."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter

from pipeline.cli import cli
from pipeline.errors import ConversionError, LibreOfficeMissingError
from pipeline.pdf import office
from pipeline.pdf.convert import Converter
from pipeline.pdf.finish import content_id, normalize, stamp
from pipeline.pdf.office import Office
from tests.conftest import MINIMAL

# Speaks uno_worker.py's protocol. What it does depends on the document's name: "hang-once"
# hangs the first time it is seen, "hang" always, "crash" exits, "refused" is refused (as
# LibreOffice refuses a damaged file), "empty" gives an empty PDF; anything else converts.
FAKE_WORKER = """
import json, os, sys, time
from pathlib import Path
Path(os.environ["FAKE_STARTS"], str(os.getpid())).touch()
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    source, target = Path(request["source"]), Path(request["target"])
    seen = Path(os.environ["FAKE_STARTS"], "seen-" + source.name)
    if source.stem == "hang-once" and not seen.exists():
        seen.touch()
        time.sleep(60)
    if source.stem == "hang":
        time.sleep(60)
    if source.stem == "crash":
        sys.exit(9)
    if source.stem == "refused":
        print(json.dumps({"ok": False, "error": "IOException: could not load"}), flush=True)
        continue
    target.write_bytes(b"" if source.stem == "empty" else Path(os.environ["FAKE_PDF"]).read_bytes())
    print(json.dumps({"ok": True}), flush=True)
"""


@pytest.fixture
def fake_office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Office:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.add_metadata({"/Title": "Fake", "/CreationDate": "D:20300101000000Z"})
    out = io.BytesIO()
    writer.write(out)
    (tmp_path / "fake.pdf").write_bytes(out.getvalue())
    (tmp_path / "fake_worker.py").write_text(FAKE_WORKER, encoding="utf-8")
    python = tmp_path / "fake-python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{tmp_path / "fake_worker.py"}"\n')
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    (tmp_path / "starts").mkdir()
    monkeypatch.setenv("FAKE_STARTS", str(tmp_path / "starts"))
    monkeypatch.setenv("FAKE_PDF", str(tmp_path / "fake.pdf"))
    return Office(soffice="/nonexistent/soffice", python=str(python))


def started_pids(tmp_path: Path) -> set[int]:
    """The process ids of the stand-in instances started so far (each notes its own)."""
    return {int(path.name) for path in (tmp_path / "starts").iterdir() if path.name.isdigit()}


def starts(tmp_path: Path) -> int:
    return len(started_pids(tmp_path))


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def instance_pids(converter: Converter) -> list[int]:
    """The process ids of the converter's running instances."""
    return [slot.instance.process.pid for slot in converter._slots if slot.instance]


DAY = dt.date(2025, 10, 15)
DOCX = b"PK\x03\x04 (the stand-in does not read it)"


def test_a_hang_is_timed_out_and_retried_on_a_fresh_instance(
    fake_office: Office, tmp_path: Path
) -> None:
    with Converter(fake_office, timeout=1) as converter:
        pdf = converter.convert("hang-once.docx", DOCX, DAY)
        assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
        assert converter.stats.retried == 1
        assert converter.stats.restarted_after_failure == 1
        (fresh,) = instance_pids(converter)
    pids = started_pids(tmp_path)
    assert len(pids) == 2 and fresh in pids  # the hung one, then the fresh one that converted
    assert not any(running(pid) for pid in pids)


def test_a_failure_names_what_went_wrong_and_the_others_go_on(
    fake_office: Office, tmp_path: Path
) -> None:
    with Converter(fake_office, timeout=1) as converter:
        with pytest.raises(ConversionError, match=r"^IOException: could not load$"):
            converter.convert("refused.docx", DOCX, DAY)
        with pytest.raises(ConversionError, match="no answer from LibreOffice within 1 s"):
            converter.convert("hang.docx", DOCX, DAY)
        with pytest.raises(ConversionError, match=r"LibreOffice stopped while converting"):
            converter.convert("crash.docx", DOCX, DAY)
        with pytest.raises(ConversionError, match="LibreOffice wrote a bad PDF: the PDF is empty"):
            converter.convert("empty.docx", DOCX, DAY)
        converter.convert("fine.docx", DOCX, DAY)
        assert converter.stats.failed == 4
        assert converter.stats.converted == 1


def test_instances_are_restarted_every_n_documents(fake_office: Office, tmp_path: Path) -> None:
    converted_by: list[int] = []
    with Converter(fake_office, restart_after=2) as converter:
        for number in range(5):
            converter.convert(f"document-{number}.docx", DOCX, DAY)
            (pid,) = instance_pids(converter)
            converted_by.append(pid)
    first, second, third = dict.fromkeys(converted_by)  # three instances, in order
    assert converted_by == [first, first, second, second, third]
    assert started_pids(tmp_path) == {first, second, third}
    assert not any(running(pid) for pid in converted_by)


def test_the_pool_runs_several_instances(fake_office: Office, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with Converter(fake_office, instances=2) as converter, ThreadPoolExecutor(2) as threads:
        names = [f"document-{number}.docx" for number in range(6)]
        results = list(threads.map(lambda n: converter.convert(n, DOCX, DAY), names))
        running_instances = instance_pids(converter)
    assert len(results) == 6
    assert starts(tmp_path) == 2
    assert set(running_instances) <= started_pids(tmp_path)


def test_no_process_outlives_the_converter(fake_office: Office, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    converter = Converter(fake_office, instances=2, restart_after=2)
    with converter, ThreadPoolExecutor(2) as threads:
        names = [f"document-{number}.docx" for number in range(6)]
        list(threads.map(lambda n: converter.convert(n, DOCX, DAY), names))
        pids = instance_pids(converter)
        assert pids and all(running(pid) for pid in pids)
    started = started_pids(tmp_path)
    assert len(started) >= 3 and set(pids) <= started  # instances retired, and the last ones
    for pid in started:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_normalized_pdfs_are_dated_by_the_revision_and_identified_by_content() -> None:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.add_metadata({"/CreationDate": "D:20300101000000Z"})
    out = io.BytesIO()
    writer.write(out)
    pdf = normalize(out.getvalue(), stamp(DAY))
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None
    assert reader.metadata["/CreationDate"] == "D:20251015120000Z"
    assert "/ModDate" not in reader.metadata
    identifier = reader.trailer["/ID"][0]
    assert len(identifier) == 16 and identifier != content_id(b"")
    assert normalize(out.getvalue(), stamp(DAY)) == pdf


# --- The environment error ------------------------------------------------------------------


@pytest.fixture
def fresh_lookup() -> None:
    office.find_office.cache_clear()
    yield
    office.find_office.cache_clear()


def test_build_pdf_without_libreoffice_exits_3_and_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_lookup: None
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice there
    result = CliRunner().invoke(cli, ["build", str(MINIMAL), "--out", str(tmp_path), "--pdf"])
    assert result.exit_code == 3
    assert result.output == (
        "Error: PDFs need LibreOffice, and no soffice is on PATH; install it, on Debian or "
        "Ubuntu: sudo apt-get install libreoffice-writer-nogui python3-uno "
        "fonts-crosextra-carlito fonts-crosextra-caladea\n"
    )
    assert not (tmp_path / "manifest.json").exists()


def test_build_pdf_without_the_uno_bridge_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_lookup: None
) -> None:
    soffice = tmp_path / "soffice"
    soffice.write_text("#!/bin/sh\n")
    soffice.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    monkeypatch.setenv("PIPELINE_UNO_PYTHON", str(tmp_path / "no-such-python"))
    result = CliRunner().invoke(
        cli, ["build", str(MINIMAL), "--out", str(tmp_path / "out"), "--pdf-a"]
    )
    assert result.exit_code == 3
    assert "cannot `import uno`" in result.output
    assert "python3-uno" in result.output


def test_find_office_names_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, fresh_lookup: None
) -> None:
    monkeypatch.setattr(office.shutil, "which", lambda name: None)
    with pytest.raises(LibreOfficeMissingError) as caught:
        office.find_office()
    assert caught.value.exit_code == 3
    assert "libreoffice-writer-nogui" in str(caught.value)


def test_what_is_not_a_word_package_is_refused_before_libreoffice(fake_office: Office) -> None:
    with Converter(fake_office) as converter:
        with pytest.raises(ConversionError, match=r"not a Word document \(not a zip package\)"):
            converter.convert("empty.docx", b"", DAY)
        assert converter.stats.started == 0


def test_an_aborted_converter_stops_at_once(fake_office: Office) -> None:
    import threading
    import time

    converter = Converter(fake_office, timeout=30)
    failures: list[str] = []

    def convert_hanging() -> None:
        try:
            converter.convert("hang.docx", DOCX, DAY)
        except ConversionError as error:
            failures.append(str(error))

    thread = threading.Thread(target=convert_hanging)
    thread.start()
    time.sleep(1)
    started = time.monotonic()
    converter.close(abort=True)
    thread.join(timeout=10)
    assert not thread.is_alive() and time.monotonic() - started < 5
    assert failures and "the conversion was stopped" in failures[0]


def test_an_instance_that_does_not_start_is_reported(fake_office: Office, tmp_path: Path) -> None:
    silent = tmp_path / "silent-python"
    silent.write_text("#!/bin/sh\necho 'uno_worker: cannot start' >&2\nexit 4\n")
    silent.chmod(0o755)
    office = Office(soffice=fake_office.soffice, python=str(silent))
    with (
        Converter(office) as converter,
        pytest.raises(
            ConversionError,
            match=r"stopped while starting \(exit code 4\): uno_worker: cannot start",
        ),
    ):
        converter.convert("any.docx", DOCX, DAY)
