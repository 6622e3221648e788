"""What a workbook file must pass before openpyxl opens it.

openpyxl has no budget of its own: a small file can declare gigabytes of XML (a zip bomb) or a
million rows, and loading it takes the memory with it. So the package is checked first, in
bounded memory (its parts are streamed in 64 KB pieces and counted, never held whole): it must be
a real .xlsx (a zip holding a spreadsheet, not an old .xls, an encrypted file or a renamed CSV),
within the size, part, sheet, row and cell limits below, free of macros and of DTDs.

Nothing in a workbook is ever executed: macros are refused, formulas are never evaluated (their
saved results are read), external links are not loaded, and XML is parsed with defusedxml.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from posixpath import join, normpath

from defusedxml import DefusedXmlException, ElementTree

from pipeline.errors import InvalidInputError, Problem

MB = 1024 * 1024
MAX_FILE_BYTES = 20 * MB
MAX_UNCOMPRESSED_BYTES = 100 * MB
MAX_PART_RATIO = 100  # Apache POI refuses beyond 100:1 too
MAX_PARTS = 1_000
MAX_SHEETS = 100
MAX_ROWS = 5_000  # a plan needs a few hundred rows on its longest sheet
MAX_CELLS = 250_000
"""Cells written in the sheets, plus the cells of every merged range and hyperlink range:
openpyxl creates each cell of those ranges when it opens the workbook."""

MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam", ".xlsb")
WORKBOOK_SUFFIXES = (".xlsx", ".xls", *MACRO_SUFFIXES)
"""File names read as workbooks; all but .xlsx are refused with a reason."""

_CHUNK = 64 * 1024
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_RANGE_TAG = re.compile(rb"<(?:\w+:)?(mergeCell|hyperlink)\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_RANGE_START = re.compile(rb"<(?:\w+:)?(?:mergeCell|hyperlink)[\s>/]")
_REF = re.compile(r"^\$?([A-Z]{1,3})?\$?([0-9]{1,7})?(?::\$?([A-Z]{1,3})?\$?([0-9]{1,7})?)?$")
_MAX_TAG = 8 * 1024
_SHEET_ROWS, _SHEET_COLUMNS = 1_048_576, 16_384
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass(frozen=True)
class Scan:
    """What the check learned about a workbook that passed."""

    has_formulas: bool
    sheets: dict[str, str]
    """Worksheet part → sheet name."""


def _refuse(shown: str, message: str, hint: str | None = None) -> InvalidInputError:
    return InvalidInputError([Problem(shown, "file", message, hint)])


def read_checked(path: Path, shown: str) -> bytes:
    """The bytes of a workbook file, refused by name or size before anything else is read."""
    suffix = path.suffix.lower()
    if suffix in MACRO_SUFFIXES:
        raise _refuse(
            shown,
            f"macro-enabled or binary workbooks ({suffix}) are refused",
            "save it in Excel as 'Excel Workbook (.xlsx)'; macros are never run",
        )
    if suffix == ".xls":
        raise _refuse(
            shown,
            "old-format Excel 97-2003 workbooks (.xls) cannot be read",
            "save it in Excel or LibreOffice as 'Excel Workbook (.xlsx)'",
        )
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _refuse(
                shown,
                f"the file is {size / MB:.1f} MB; a plan workbook is at most "
                f"{MAX_FILE_BYTES // MB} MB",
                "remove pictures and sheets that are not part of the plan",
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise _refuse(shown, "file not found") from None
    except IsADirectoryError:
        raise _refuse(shown, "is a folder, not a workbook") from None
    except OSError as exc:
        raise _refuse(shown, exc.strerror or str(exc)) from None


def check_package(content: bytes, shown: str) -> Scan:
    """Raise InvalidInputError unless `content` is an .xlsx that is safe to open."""
    if content.startswith(_OLE2):
        raise _refuse(
            shown,
            "this is a password-protected workbook or an old-format .xls, not an .xlsx",
            "save it in Excel as 'Excel Workbook (.xlsx)' without a password",
        )
    if not content.startswith(b"PK"):
        raise _refuse(
            shown,
            "this is not an Excel .xlsx workbook (an .xlsx is a zip package; this file is not)",
            "save it in Excel or LibreOffice as .xlsx; a CSV or text file renamed .xlsx "
            "cannot be read",
        )
    try:
        with zipfile.ZipFile(BytesIO(content)) as package:
            return _check_parts(package, shown)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        NotImplementedError,
        zlib.error,  # damaged compressed data inside the package
        ElementTree.ParseError,
        DefusedXmlException,
        UnicodeDecodeError,
        OSError,
    ) as exc:
        raise _refuse(
            shown,
            f"the workbook is damaged and cannot be read ({exc})",
            "save it again",
        ) from None


def _check_parts(package: zipfile.ZipFile, shown: str) -> Scan:
    parts = package.infolist()
    if len(parts) > MAX_PARTS:
        raise _refuse(shown, f"the package has {len(parts)} parts (limit {MAX_PARTS})")
    declared = sum(part.file_size for part in parts)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise _refuse(
            shown,
            f"the workbook unpacks to {declared / MB:,.0f} MB (limit "
            f"{MAX_UNCOMPRESSED_BYTES // MB} MB); refused as a possible zip bomb",
        )
    for part in parts:
        if part.file_size > MB and part.file_size > MAX_PART_RATIO * max(part.compress_size, 1):
            raise _refuse(
                shown,
                f"the part {part.filename} is compressed "
                f"{part.file_size // max(part.compress_size, 1):,}:1 (limit {MAX_PART_RATIO}:1); "
                "refused as a possible zip bomb",
            )
    names = {part.filename for part in parts}
    content_types = _small_part(package, "[Content_Types].xml", shown).decode("utf-8", "replace")
    if (
        "macroEnabled" in content_types
        or any(name.lower().endswith("vbaproject.bin") for name in names)
        or ".xlsb" in content_types.lower()
    ):
        raise _refuse(
            shown,
            "the workbook contains macros (VBA); macro-enabled workbooks are refused",
            "save it in Excel as 'Excel Workbook (.xlsx)', which leaves the macros out",
        )
    if "spreadsheetml.sheet.main" not in content_types and (
        "spreadsheetml.template.main" not in content_types
    ):
        kind = "a Word document" if "wordprocessingml" in content_types else "not a workbook"
        raise _refuse(shown, f"this zip package is {kind}, not an Excel .xlsx workbook")
    sheets = _sheet_names(package, shown)
    if len(sheets) > MAX_SHEETS:
        raise _refuse(shown, f"the workbook has {len(sheets)} sheets (limit {MAX_SHEETS})")
    return Scan(_stream_parts(package, parts, sheets, shown), sheets)


def _small_part(package: zipfile.ZipFile, name: str, shown: str) -> bytes:
    try:
        info = package.getinfo(name)
    except KeyError:
        raise _refuse(shown, f"this zip package has no {name}: it is not an .xlsx") from None
    if info.file_size > 4 * MB:
        raise _refuse(shown, f"the part {name} is too large ({info.file_size / MB:.1f} MB)")
    with package.open(info) as stream:
        data = stream.read(4 * MB + 1)
    if _DTD.search(data):
        raise _refuse(shown, f"the part {name} declares a DTD, which workbooks never need")
    return data


def _sheet_names(package: zipfile.ZipFile, shown: str) -> dict[str, str]:
    """Worksheet part name → sheet title, from the workbook part and its relationships."""
    root_rels = ElementTree.fromstring(_small_part(package, "_rels/.rels", shown))
    workbook = next(
        (
            rel.get("Target", "").lstrip("/")
            for rel in root_rels.iter(f"{{{_PKG_REL}}}Relationship")
            if rel.get("Type", "").endswith("/officeDocument")
        ),
        "xl/workbook.xml",
    )
    folder, _, file = workbook.rpartition("/")
    rels_name = f"{folder}/_rels/{file}.rels" if folder else f"_rels/{file}.rels"
    rels = ElementTree.fromstring(_small_part(package, rels_name, shown))
    targets = {
        rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{{{_PKG_REL}}}Relationship")
    }
    tree = ElementTree.fromstring(_small_part(package, workbook, shown))
    sheets: dict[str, str] = {}
    for sheet in tree.iter(f"{{{_MAIN}}}sheet"):
        target = targets.get(sheet.get(f"{{{_REL}}}id"), "")
        part = target.lstrip("/") if target.startswith("/") else normpath(join(folder, target))
        sheets[part] = sheet.get("name", part)
    return sheets


def _stream_parts(
    package: zipfile.ZipFile, parts: list[zipfile.ZipInfo], sheets: dict[str, str], shown: str
) -> bool:
    """Read every part in pieces, counting bytes, rows and cells; True if any formula."""
    total = cells = 0
    has_formulas = False
    for part in parts:
        rows = 0
        carry = tail = b""
        with package.open(part) as stream:
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > MAX_UNCOMPRESSED_BYTES:
                    raise _refuse(
                        shown,
                        f"the workbook unpacks to more than {MAX_UNCOMPRESSED_BYTES // MB} MB; "
                        "refused as a possible zip bomb",
                    )
                if not part.filename.endswith((".xml", ".rels")):
                    continue
                window = carry + chunk
                # Count only tags that end in this piece: those ending in the carried tail
                # were counted with the previous piece.
                fresh = len(carry)
                if any(m.end() > fresh for m in _DTD.finditer(window)):
                    raise _refuse(
                        shown,
                        f"the part {part.filename} declares a DTD, which workbooks never need",
                    )
                if part.filename in sheets:
                    rows += sum(1 for m in _ROW.finditer(window) if m.end() > fresh)
                    cells += sum(1 for m in _CELL.finditer(window) if m.end() > fresh)
                    has_formulas = has_formulas or bool(_FORMULA.search(window))
                    ranges = tail + chunk
                    cells += _range_cells(ranges, len(tail), sheets[part.filename], shown)
                    tail = _unfinished_tag(ranges, sheets[part.filename], shown)
                    if rows > MAX_ROWS:
                        raise _refuse(
                            shown,
                            f"the sheet '{sheets[part.filename]}' has more than {MAX_ROWS:,} rows",
                            "a plan workbook needs a few hundred rows at most; delete the "
                            "unused rows or split the data",
                        )
                    if cells > MAX_CELLS:
                        raise _refuse(
                            shown,
                            f"the workbook has more than {MAX_CELLS:,} cells (counting the "
                            "cells of merged ranges and hyperlinks)",
                            "unmerge whole rows or columns, and delete unused rows",
                        )
                carry = window[-16:]
    return has_formulas


def _range_cells(window: bytes, fresh: int, sheet: str, shown: str) -> int:
    """The cells of the merged ranges and hyperlink ranges whose tags end in `window` after
    its first `fresh` bytes (those before were counted with the previous piece)."""
    cells = 0
    for match in _RANGE_TAG.finditer(window):
        if match.end() <= fresh:
            continue
        ref = match.group(2).decode("ascii", "replace").strip().upper()
        size = _range_size(ref)
        if size is None:
            kind = "merged range" if match.group(1) == b"mergeCell" else "hyperlink"
            raise _refuse(
                shown,
                f"the sheet '{sheet}' has a {kind} with the unreadable reference {ref[:40]!r}",
                "open it in Excel or LibreOffice and save it again as .xlsx",
            )
        if size > MAX_CELLS:
            kind = "merged range" if match.group(1) == b"mergeCell" else "hyperlink range"
            problem = Problem(
                shown,
                f"{sheet} › {ref}",
                f"the {kind} {ref} covers {size:,} cells; a workbook may have at most "
                f"{MAX_CELLS:,} cells, counting those of merged ranges and hyperlinks",
                "merge only the cells that need it, never whole rows, columns or sheets",
            )
            raise InvalidInputError([problem])
        cells += size
    return cells


def _unfinished_tag(window: bytes, sheet: str, shown: str) -> bytes:
    """The end of `window` from a merged-range or hyperlink tag that is not finished in it, to
    be read with the next piece (refused when longer than any such tag is)."""
    last = window.rfind(b"<")
    if last < 0 or b">" in window[last:]:
        return window[-16:]
    tail = window[last:]
    if len(tail) > _MAX_TAG and _RANGE_START.match(tail):
        raise _refuse(shown, f"the sheet '{sheet}' has a tag longer than {_MAX_TAG:,} bytes")
    return tail[-_MAX_TAG:] if not _RANGE_START.match(tail) else tail


def _range_size(ref: str) -> int | None:
    """How many cells a reference such as A1:C4, A:A or 3:3 covers; None if unreadable."""
    match = _REF.match(ref)
    if match is None or not ref:
        return None
    first_col, first_row, last_col, last_row = match.groups()
    if ":" not in ref:
        return 1 if first_col and first_row else None
    columns = _span(first_col, last_col, _column_number, _SHEET_COLUMNS)
    rows = _span(first_row, last_row, int, _SHEET_ROWS)
    return None if columns is None or rows is None else columns * rows


def _span(
    first: str | None, last: str | None, number: Callable[[str], int], whole: int
) -> int | None:
    if first is None and last is None:
        return whole  # A:A spans every row, 3:3 every column
    if first is None or last is None:
        return None
    low, high = sorted((number(first), number(last)))
    return high - low + 1


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
