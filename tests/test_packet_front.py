"""The packet's cover and contents (`pipeline/pdf/front.py`): the Word document they are made
from, and, with a real LibreOffice, a draft packet's cover and title saying DRAFT. (The
contents' page numbers against the packet's page labels: test_pdf.py.)"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter

from pipeline.batch.build import BuildOptions, Status, build
from pipeline.errors import LibreOfficeMissingError
from pipeline.model.documents import PACKET
from pipeline.pdf.finish import stamp
from pipeline.pdf.front import front_docx, page_range
from pipeline.pdf.office import find_office
from pipeline.pdf.packet import PacketInfo, Part, front_labels, packet_info
from tests.conftest import plan_of


def _pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _info(draft: bool) -> PacketInfo:
    import datetime as dt

    return PacketInfo(
        title="DRAFT: Plan Submission Packet: A & B School" if draft else "Plan: A & B School",
        author="A & B School",
        subject="As of 2025-01-15",
        keywords="k",
        moment=stamp(dt.date(2025, 1, 15)),
        heading="Sustainable Improvement Plan",
        details=("Organization code 00990001",),
        draft=draft,
    )


PARTS = [Part("Improvement <Plan>", "Plan", _pdf(14)), Part("Roadmap", "Roadmap", _pdf(1))]


def _xml(docx: bytes, name: str) -> str:
    return zipfile.ZipFile(io.BytesIO(docx)).read(name).decode("utf-8")


def test_the_contents_give_each_document_its_page_range_in_page_labels() -> None:
    assert [page_range(part) for part in PARTS] == ["Plan 1–14", "Roadmap 1"]
    assert front_labels(2) == ["Cover", "Contents"]
    assert front_labels(3) == ["Cover", "Contents 1", "Contents 2"]
    document = _xml(front_docx(_info(False), PARTS), "word/document.xml")
    assert "Improvement &lt;Plan&gt;" in document and "Plan 1–14" in document
    assert "<w:tblHeader/>" in document  # a header row: TH cells in a tagged PDF
    assert document.count("<w:pageBreakBefore/>") == 1  # cover, then contents
    assert "DRAFT" not in document


def test_a_draft_cover_says_draft_and_the_document_repeats_byte_for_byte() -> None:
    docx = front_docx(_info(True), PARTS)
    assert docx == front_docx(_info(True), PARTS)
    assert ">DRAFT<" in _xml(docx, "word/document.xml")
    core = _xml(docx, "docProps/core.xml")
    assert "<dc:title>DRAFT: Plan Submission Packet: A &amp; B School</dc:title>" in core
    assert "<dc:language>en-US</dc:language>" in core
    assert 'w:val="en-US"' in _xml(docx, "word/styles.xml")


def test_a_draft_plan_s_packet_title_says_draft(minimal_data: dict[str, Any]) -> None:
    plan = plan_of(minimal_data)
    assert packet_info(plan, [], draft=True).title.startswith("DRAFT: ")
    complete = packet_info(plan, [])
    assert "DRAFT" not in complete.title and not complete.draft
    assert complete.heading == plan.plan.title
    assert f"Organization code {plan.organization.code}" in complete.details


try:
    find_office()
    MISSING = ""
except LibreOfficeMissingError as error:
    MISSING = str(error)


@pytest.mark.libreoffice
@pytest.mark.skipif(bool(MISSING), reason=MISSING)
def test_a_draft_packet_opens_with_a_cover_saying_draft(
    tmp_path: Path, minimal_data: dict[str, Any]
) -> None:
    del minimal_data["objectives"][0]["rationale"]  # incomplete: a draft
    source = tmp_path / "draft.json"
    source.write_text(json.dumps(minimal_data), encoding="utf-8")
    report = build([source], BuildOptions(out=tmp_path / "out", pdf=True, jobs=1))
    (result,) = report.results
    assert result.status is Status.DRAFT, result.problems
    assert result.folder is not None
    packet = PdfReader(result.folder / PACKET)
    assert packet.metadata is not None and str(packet.metadata.title).startswith("DRAFT: ")
    assert packet.page_labels[:2] == ["Cover", "Contents"]
    cover = " ".join(packet.pages[0].extract_text().split())
    assert cover.startswith("DRAFT ") and "not ready for submission" in cover
    assert minimal_data["organization"]["name"] in cover
    contents = packet.pages[1].extract_text()
    assert "Contents" in contents and "Document" in contents and "Pages" in contents
