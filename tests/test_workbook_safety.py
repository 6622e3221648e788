"""Workbooks that are not what they claim, or too big to open, are refused before openpyxl
loads them: quickly, in bounded memory, with a clear message and no traceback."""

from __future__ import annotations

import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.errors import InvalidInputError
from pipeline.inputs.load import load
from pipeline.inputs.workbook import workbook_bytes
from pipeline.inputs.workbook.safety import MAX_ROWS

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    '{kind}"/></Types>'
)
_XLSX = "vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_XLSM = "vnd.ms-excel.sheet.macroEnabled.main+xml"


def _refused(path: Path) -> tuple[str, str | None, float, int]:
    """Load `path`, expecting a refusal: (message, hint, seconds, peak bytes allocated)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(InvalidInputError) as caught:
            load(path)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    (problem,) = caught.value.problems
    assert problem.location == "file"
    return problem.message, problem.hint, seconds, peak


def _zip(path: Path, parts: dict[str, bytes], kind: str = _XLSX) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES.format(kind=kind))
        for name, data in parts.items():
            package.writestr(name, data)
    return path


def _bomb(path: Path, megabytes: int) -> Path:
    """A zip whose one part unpacks to `megabytes` of spaces, written in pieces."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES.format(kind=_XLSX))
        with package.open("xl/worksheets/sheet1.xml", "w") as part:
            piece = b" " * (1024 * 1024)
            for _ in range(megabytes):
                part.write(piece)
    return path


def test_a_zip_bomb_renamed_xlsx(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "plan.xlsx", 300)
    assert path.stat().st_size < 2 * 1024 * 1024
    message, _, seconds, peak = _refused(path)
    assert (
        message == "the workbook unpacks to 300 MB (limit 100 MB); refused as a possible zip bomb"
    )
    assert seconds < 1 and peak < 20 * 1024 * 1024


def test_a_part_compressed_beyond_reason(tmp_path: Path) -> None:
    message, _, seconds, peak = _refused(_bomb(tmp_path / "plan.xlsx", 50))
    assert message.startswith("the part xl/worksheets/sheet1.xml is compressed ")
    assert message.endswith(":1 (limit 100:1); refused as a possible zip bomb")
    assert seconds < 1 and peak < 20 * 1024 * 1024


def _benchmarks_sheet(path: Path, rows: int) -> Path:
    """The workbook openpyxl's write-only mode saves with a Benchmarks sheet of a header and
    `rows` rows ("B0", "a benchmark"), its rows written here as the same XML openpyxl writes:
    the same file, in a fifth of the time."""
    book = openpyxl.Workbook(write_only=True)
    book.create_sheet("Benchmarks").append(["ID", "Description"])
    book.save(path)
    cell = '<c r="{0}{1}" t="inlineStr"><is><t>{2}</t></is></c>'
    xml = "".join(
        f'<row r="{number + 2}">{cell.format("A", number + 2, f"B{number}")}'
        f"{cell.format('B', number + 2, 'a benchmark')}</row>"
        for number in range(rows)
    )
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", xml.encode() + b"</sheetData>", 1)
            target.writestr(info, data)
    return path


def test_a_sheet_of_200000_rows(tmp_path: Path) -> None:
    path = _benchmarks_sheet(tmp_path / "plan.xlsx", 200_000)
    message, hint, seconds, peak = _refused(path)
    assert message == f"the sheet 'Benchmarks' has more than {MAX_ROWS:,} rows"
    assert hint and "delete the unused rows" in hint
    assert seconds < 2 and peak < 20 * 1024 * 1024


def _valid(path: Path) -> Path:
    path.write_bytes(workbook_bytes(None))
    return path


def _xlsm_content(path: Path) -> Path:
    return _zip(path, {"xl/workbook.xml": b"<workbook/>", "xl/vbaProject.bin": b"\0" * 64}, _XLSM)


def _docx(path: Path) -> Path:
    return _zip(path, {"word/document.xml": b"<document/>"}, "vnd.openxmlformats-"
                "officedocument.wordprocessingml.document.main+xml")  # fmt: skip


def _dtd(path: Path) -> Path:
    _valid(path)
    with zipfile.ZipFile(path.with_suffix(".tmp"), "w") as target, zipfile.ZipFile(path) as source:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"<workbook", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><workbook', 1)
            target.writestr(info, data)
    path.with_suffix(".tmp").replace(path)
    return path


def _big(path: Path) -> Path:
    with path.open("wb") as file:
        file.truncate(21 * 1024 * 1024)
    return path


def _writing(content: bytes) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        path.write_bytes(content)
        return path

    return make


def _named(name: str, make: Callable[[Path], Path]) -> Callable[[Path], Path]:
    return lambda folder: make(folder / name)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            _named("plan.xlsm", _valid),
            "macro-enabled or binary workbooks (.xlsm) are refused",
        ),
        (
            _named("plan.xlsx", _xlsm_content),
            "the workbook contains macros (VBA); macro-enabled workbooks are refused",
        ),
        (
            _named("plan.xlsx", _writing(b"name,code\nHarbor,02450015\n")),
            "this is not an Excel .xlsx workbook (an .xlsx is a zip package; this file is not)",
        ),
        (
            _named("plan.xlsx", _writing(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" * 64)),
            "this is a password-protected workbook or an old-format .xls, not an .xlsx",
        ),
        (
            _named("plan.xls", _valid),
            "old-format Excel 97-2003 workbooks (.xls) cannot be read",
        ),
        (
            _named("plan.xlsx", _docx),
            "this zip package is a Word document, not an Excel .xlsx workbook",
        ),
        (
            _named("plan.xlsx", _dtd),
            "the part xl/workbook.xml declares a DTD, which workbooks never need",
        ),
        (
            _named("plan.xlsx", _writing(b"PK\x03\x04 truncated")),
            "the workbook is damaged and cannot be read (File is not a zip file)",
        ),
        (
            _named("plan.xlsx", _big),
            "the file is 21.0 MB; a plan workbook is at most 20 MB",
        ),
    ],
    ids=["xlsm", "macros renamed xlsx", "csv renamed", "encrypted or xls", "xls", "docx renamed",
         "DTD", "truncated", "too big"],
)  # fmt: skip
def test_refused_before_loading(tmp_path: Path, make: Callable[[Path], Path], message: str) -> None:
    path = make(tmp_path)
    refused, _, seconds, _ = _refused(path)
    assert refused == message
    assert seconds < 1


def test_the_cli_reports_a_refusal_without_a_traceback(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "plan.xlsx", 300)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path} › file: the workbook unpacks to 300 MB (limit 100 MB); refused as a "
        "possible zip bomb\n"
    )


def test_a_folder_picks_up_workbooks_but_not_lock_files(tmp_path: Path) -> None:
    _valid(tmp_path / "plan.xlsx")
    (tmp_path / "~$plan.xlsx").write_bytes(b"lock")
    _valid(tmp_path / "old.xlsm")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    sources = {line.split(" › ")[0] for line in result.stderr.splitlines()}
    assert sources == {f"Error: {tmp_path / 'old.xlsm'}", f"Error: {tmp_path / 'plan.xlsx'}"}
