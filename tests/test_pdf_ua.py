"""`--pdf-ua`: PDFs and packets that declare PDF/UA-1 and carry its structure, from a real
LibreOffice (skipped, with the reason, where it is missing). What pypdf can see is checked:
the identification, the title shown, the language, the headings and table header cells of
the structure tree against the Word document, the bookmarks. No PDF/UA validator (veraPDF,
PAC) is run."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from pipeline.batch.build import BuildOptions, BuildReport, Status, build
from pipeline.batch.manifest import Entry, Manifest
from pipeline.errors import LibreOfficeMissingError
from pipeline.model.documents import DOCUMENTS, PACKET
from pipeline.pdf.office import ExportOptions, find_office
from tests.conftest import INPUTS, document_lines

try:
    find_office()
    MISSING = ""
except LibreOfficeMissingError as error:
    MISSING = str(error)

pytestmark = [pytest.mark.libreoffice, pytest.mark.skipif(bool(MISSING), reason=MISSING)]

HEADING = re.compile(r"^/H([1-6])$")


def test_the_option_reaches_libreoffice_and_the_manifest() -> None:
    assert ExportOptions(pdf_ua=True).filter_data()["PDFUACompliance"] is True
    assert ExportOptions().filter_data()["PDFUACompliance"] is False
    assert BuildOptions(pdf_ua=True).pdfs
    assert BuildOptions(pdf_ua=True).affecting_output() == {
        "pdf": True,
        "pdf_a": False,
        "pdf_ua": True,
    }
    assert "pdf_ua" not in BuildOptions(pdf=True).affecting_output()  # older records stand
    pdf, ua = (
        BuildOptions(pdf=True).affecting_output(),
        BuildOptions(pdf_ua=True).affecting_output(),
    )
    before, now = Entry("s", "x", {}, pdf, "1"), Entry("s", "x", {}, ua, "1")
    assert before.changes(now) == ["PDF/UA asked for (--pdf-ua)"]
    assert now.changes(before) == ["PDF/UA no longer asked for"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport, BuildReport]:
    """One example built with --pdf-ua, twice (into two folders, for the bytes)."""
    out = tmp_path_factory.mktemp("pdf-ua") / "out"
    report = build([INPUTS[0]], BuildOptions(out=out, pdf_ua=True, jobs=1))
    again = build([INPUTS[0]], BuildOptions(out=out.parent / "again", pdf_ua=True, jobs=1))
    return out, report, again


def _elements(element: Any) -> Iterator[Any]:
    """The structure elements under `element`, in document order."""
    kids = element.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object()
        if (
            isinstance(kid, dict)
            and "/S" in kid
            and kid.get("/Type", "/StructElem") == ("/StructElem")
        ):
            yield kid
            yield from _elements(kid)


def _role(element: Any, role_map: Any) -> str:
    """The element's standard type, through the role map."""
    kind = str(element["/S"])
    seen = set()
    while kind in role_map and kind not in seen:
        seen.add(kind)
        kind = str(role_map[kind])
    return kind


def _headings_and_header_cells(path: Path) -> tuple[list[tuple[int, str]], int]:
    reader = PdfReader(path)
    tree = reader.root_object["/StructTreeRoot"]
    role_map = tree.get("/RoleMap", {})
    headings = []
    header_cells = 0
    for element in _elements(tree):
        kind = _role(element, role_map)
        level = HEADING.match(kind)
        if level:
            headings.append((int(level.group(1)), ""))
        header_cells += kind == "/TH"
    return headings, header_cells


def _word_headings(docx: Path) -> list[tuple[int, str]]:
    found = []
    for line in document_lines(docx.read_bytes()):
        match = re.match(r"^\[Heading (\d)\] (.*)$", line)
        if match:
            found.append((int(match.group(1)), " ".join(match.group(2).split())))
    return found


def _word_header_cells(docx: Path) -> int:
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode("utf-8")
    rows = re.findall(r"<w:tr[ >].*?</w:tr>", xml, re.S)
    return sum(len(re.findall(r"<w:tc[ >]", row)) for row in rows if "<w:tblHeader" in row)


def test_pdf_ua_pdfs_and_packet_declare_it_and_carry_its_structure(
    built: tuple[Path, BuildReport, BuildReport],
) -> None:
    out, report, again = built
    assert report.count(Status.BUILT) == 1
    assert again.count(Status.BUILT) == 1
    (entry,) = Manifest.load(out).entries.values()
    assert entry.options["pdf_ua"] is True
    folder = out / entry.slug
    pdfs = sorted(folder.glob("*.pdf"))
    assert len(pdfs) == 5 and folder / PACKET in pdfs  # four documents (a progress report)
    for pdf in pdfs:
        assert pdf.read_bytes() == (out.parent / "again" / entry.slug / pdf.name).read_bytes()
        reader = PdfReader(pdf)
        root = reader.root_object
        xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
        assert re.search(r"<pdfuaid:part>1</pdfuaid:part>|pdfuaid:part=\"1\"", xmp), pdf.name
        assert reader.metadata is not None and reader.metadata.title
        assert "<dc:title>" in xmp, pdf.name
        assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
        assert root["/Lang"] == "en-US"
        assert bool(root["/MarkInfo"]["/Marked"])
    total: list[tuple[int, str]] = []
    cells = 0
    for docx in [folder / d.filename for d in DOCUMENTS if (folder / d.filename).exists()]:
        headings, header_cells = _headings_and_header_cells(docx.with_suffix(".pdf"))
        # Levels in order (the text is in subset-encoded fonts: the bookmarks, whose titles
        # test_pdf.py checks against these headings, point at them).
        assert [level for level, _ in headings] == [level for level, _ in _word_headings(docx)], (
            docx.name
        )
        assert bool(PdfReader(docx.with_suffix(".pdf")).outline) == bool(headings)  # bookmarks
        assert header_cells == _word_header_cells(docx) > 0, docx.name
        total += headings
        cells += header_cells
    packet_headings, packet_cells = _headings_and_header_cells(folder / PACKET)
    assert PdfReader(folder / PACKET).outline
    # The packet: the cover's and contents page's headings and the contents table's header,
    # then the documents'.
    assert [level for level, _ in packet_headings] == [1, 1] + [level for level, _ in total]
    assert packet_cells == cells + 2
