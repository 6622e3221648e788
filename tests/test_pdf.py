"""PDFs and packets from a real LibreOffice (skipped, with the reason, where it or its Python
bridge is missing; .ci/run installs both). The builds are shared by the whole session: two
plain builds of the examples and the minimal scenario (to compare bytes) and a PDF/A rebuild."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

import pipeline.batch.build
import pipeline.batch.worker
import pipeline.documents.plan_documents
from pipeline.batch.build import BuildOptions, BuildReport, Status, build
from pipeline.batch.manifest import Manifest
from pipeline.errors import LibreOfficeMissingError
from pipeline.model.documents import PACKET
from pipeline.model.plan import Plan
from pipeline.pdf.office import find_office
from tests.conftest import INPUTS, MINIMAL, document_lines, plan_of, read_json

try:
    find_office()
    MISSING = ""
except LibreOfficeMissingError as error:
    MISSING = str(error)

# One xdist worker runs this whole module (see WHOLE_MODULES in conftest.py): the session's
# builds are made once.
pytestmark = [pytest.mark.libreoffice, pytest.mark.skipif(bool(MISSING), reason=MISSING)]

SOURCES = [*INPUTS, MINIMAL]
FRONT_PAGES = 2
"""The packet's cover and contents page, before the documents."""


def _inputs(folder: Path, sources: list[Path] = SOURCES) -> Path:
    folder.mkdir()
    for source in sources:
        shutil.copy(source, folder / source.name)
    return folder


@pytest.fixture(scope="session")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _inputs(tmp_path_factory.mktemp("pdf") / "inputs")


@pytest.fixture(scope="session")
def first(inputs: Path) -> tuple[Path, BuildReport]:
    out = inputs.parent / "first"
    return out, build([inputs], BuildOptions(out=out, pdf=True, jobs=2))


SECOND = [INPUTS[0], MINIMAL]
"""What the second build converts again (a school with every document, and the minimal plan):
enough to show the bytes repeat, at half the conversions."""


@pytest.fixture(scope="session")
def second_inputs(inputs: Path) -> Path:
    return _inputs(inputs.parent / "second-inputs", SECOND)


@pytest.fixture(scope="session")
def second(second_inputs: Path, first: Any) -> Path:
    out = second_inputs.parent / "second"
    report = build([second_inputs], BuildOptions(out=out, pdf=True, jobs=1))
    assert report.count(Status.BUILT) == len(SECOND)
    return out


@pytest.fixture(scope="session")
def pdf_a(inputs: Path, first: tuple[Path, BuildReport]) -> tuple[Path, BuildReport]:
    """The first build's folder, copied, rebuilt with --pdf-a for one plan."""
    out = inputs.parent / "pdf-a"
    shutil.copytree(first[0], out)
    return out, build([inputs / INPUTS[0].name], BuildOptions(out=out, pdf_a=True, jobs=1))


@pytest.fixture(scope="session")
def plans() -> dict[str, Plan]:
    return {source.name: plan_of(read_json(source), str(source)) for source in SOURCES}


def folders(out: Path, plans: dict[str, Plan]) -> Iterator[tuple[Plan, Path]]:
    for plan in plans.values():
        yield plan, out / pipeline.batch.worker.slug(plan)


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def outline(reader: PdfReader, items: list[Any] | None = None) -> list[Any]:
    """The outline as nested (title, page, [children]) tuples."""
    result: list[Any] = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            title, page, _ = result[-1]
            result[-1] = (title, page, outline(reader, item))
        else:
            result.append((item.title, reader.get_destination_page_number(item), []))
    return result


def headings(docx: bytes) -> list[str]:
    return [line.split("] ", 1)[1] for line in document_lines(docx) if line.startswith("[Heading")]


def flatten(tree: list[Any]) -> list[str]:
    return [title for title, _, kids in tree for title in [title, *flatten(kids)]]


def test_every_document_and_plan_gets_its_pdfs(
    first: tuple[Path, BuildReport], plans: dict[str, Plan]
) -> None:
    out, report = first
    assert report.count(Status.BUILT) == len(SOURCES), [r.problems for r in report.results]
    for _, folder in folders(out, plans):
        documents = sorted(folder.glob("*.docx"))
        assert documents
        total = 0
        for docx in documents:
            pages = len(PdfReader(docx.with_suffix(".pdf")).pages)
            assert pages > 0
            total += pages
        assert len(PdfReader(folder / PACKET).pages) == total + FRONT_PAGES


def test_the_text_holds_the_organization_the_headings_and_the_benchmarks(
    first: tuple[Path, BuildReport], plans: dict[str, Plan]
) -> None:
    for plan, folder in folders(first[0], plans):
        for docx in sorted(folder.glob("*.docx")):
            text = pdf_text(docx.with_suffix(".pdf"))
            assert plan.organization.name in text
            for heading in headings(docx.read_bytes()):
                assert " ".join(heading.split()) in text, heading
        if plan.action_plan is not None and plan.action_plan.benchmarks:
            text = pdf_text(folder / "action-plan.pdf")
            benchmarks = plan.action_plan.benchmarks
            assert " ".join(benchmarks[0].description.split()) in text
            for benchmark in benchmarks:
                assert benchmark.id in text


def test_each_pdf_has_the_word_headings_as_bookmarks(
    first: tuple[Path, BuildReport], plans: dict[str, Plan]
) -> None:
    for _, folder in folders(first[0], plans):
        for docx in sorted(folder.glob("*.docx")):
            tree = outline(PdfReader(docx.with_suffix(".pdf")))
            assert flatten(tree) == headings(docx.read_bytes())


def test_the_packet_outline_lists_each_document_with_its_headings(
    first: tuple[Path, BuildReport], plans: dict[str, Plan]
) -> None:
    for plan, folder in folders(first[0], plans):
        packet = PdfReader(folder / PACKET)
        expected: list[Any] = [("Cover", 0, []), ("Contents", 1, [])]
        start = FRONT_PAGES
        labels = ["Cover", "Contents"]
        for document in pipeline.documents.plan_documents.documents_of(plan):
            reader = PdfReader(folder / document.pdf_filename)
            shifted = _shift(outline(reader), start)
            expected.append((document.title(plan), start, shifted))
            labels += [f"{document.label} {n}" for n in range(1, len(reader.pages) + 1)]
            start += len(reader.pages)
        assert outline(packet) == expected
        assert packet.page_labels == labels
        assert packet.page_mode == "/UseOutlines"


def test_the_packet_contents_lists_each_document_with_the_labels_of_its_pages(
    first: tuple[Path, BuildReport], plans: dict[str, Plan]
) -> None:
    for plan, folder in folders(first[0], plans):
        packet = PdfReader(folder / PACKET)
        labels = packet.page_labels
        assert labels[:FRONT_PAGES] == ["Cover", "Contents"]
        cover = " ".join(packet.pages[0].extract_text().split())
        assert plan.plan.title in cover and plan.organization.name in cover
        assert "DRAFT" not in cover and "DRAFT" not in str(packet.metadata.title)
        contents = packet.pages[1].extract_text().splitlines()
        start = FRONT_PAGES
        for document in pipeline.documents.plan_documents.documents_of(plan):
            pages = len(PdfReader(folder / document.pdf_filename).pages)
            first_label, last_label = labels[start], labels[start + pages - 1]
            shown = first_label if pages == 1 else f"{first_label}–{last_label.split()[-1]}"
            assert f"{document.title(plan)} {shown}" in contents, (contents, shown)
            assert first_label == f"{document.label} 1"
            assert last_label == f"{document.label} {pages}"
            start += pages
        assert start == len(packet.pages)


def test_the_dashboard_and_each_report_link_the_pdfs_and_the_packet(
    first: tuple[Path, BuildReport], plans: dict[str, Plan]
) -> None:
    index = (first[0] / "index.html").read_text(encoding="utf-8")
    for plan, folder in folders(first[0], plans):
        report = (folder / "check.html").read_text(encoding="utf-8")
        names = [d.pdf_filename for d in pipeline.documents.plan_documents.documents_of(plan)]
        for name in [*names, PACKET]:
            assert (folder / name).is_file()
            assert f'href="{name}"' in report, name
            assert f'href="{folder.name}/{name}"' in index, name


def _shift(tree: list[Any], offset: int) -> list[Any]:
    return [(title, page + offset, _shift(kids, offset)) for title, page, kids in tree]


def test_metadata_language_and_tags(
    first: tuple[Path, BuildReport], plans: dict[str, Plan]
) -> None:
    for plan, folder in folders(first[0], plans):
        date = plan.plan.revision.date.strftime("D:%Y%m%d120000Z")
        for document in pipeline.documents.plan_documents.documents_of(plan):
            reader = PdfReader(folder / document.pdf_filename)
            info = reader.metadata
            assert info is not None
            assert info.title == f"{document.title(plan)}: {plan.organization.name}"
            assert info.author == plan.organization.name
            assert info.subject == document.subject
            assert info["/CreationDate"].startswith(date)
            root = reader.root_object
            assert root["/Lang"] == "en-US"
            assert bool(root["/MarkInfo"]["/Marked"])
            assert "/StructTreeRoot" in root
            assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
        packet = PdfReader(folder / PACKET)
        info = packet.metadata
        assert info is not None
        assert info.title == f"{plan.plan.title} Submission Packet: {plan.organization.name}"
        assert info.author == plan.organization.name
        assert info.subject.startswith(f"Revision {plan.plan.revision.number} of ")
        assert info["/Keywords"] == "improvement plan, DESE, ESSA, submission packet"
        assert info["/CreationDate"] == info["/ModDate"] == date
        root = packet.root_object
        assert root["/Lang"] == "en-US"
        assert bool(root["/MarkInfo"]["/Marked"])
        structure = root["/StructTreeRoot"]
        (document,) = structure["/K"]
        parts = document.get_object()["/K"]
        titles = [part.get_object()["/T"] for part in parts]
        assert titles == [
            "Cover and contents",
            *(d.title(plan) for d in pipeline.documents.plan_documents.documents_of(plan)),
        ]
        # Each page's key, then its links' (the improvement plan's contents), document after
        # document: keys only grow, and the parent tree holds each one.
        keys = [page["/StructParents"] for page in packet.pages]
        links = [
            annotation.get_object()["/StructParent"]
            for page in packet.pages
            for annotation in page.get("/Annots", [])
            if "/StructParent" in annotation.get_object()
        ]
        assert keys == sorted(set(keys)) and keys[0] == 0
        assert not set(keys) & set(links)
        numbers = structure["/ParentTree"]["/Nums"][::2]
        assert set(keys) | set(links) <= set(numbers)
        assert structure["/ParentTreeNextKey"] == max(numbers) + 1


def _fonts(path: Path) -> list[tuple[str, bool]]:
    """(name, embedded) of every font in a PDF, by pdffonts if it is there, else pypdf."""
    pdffonts = shutil.which("pdffonts")
    if pdffonts:
        lines = subprocess.run(
            [pdffonts, str(path)], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        return [(line.split()[0], " yes " in line[50:]) for line in lines]
    found = []
    for page in PdfReader(path).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            descriptor = font.get_object().get("/FontDescriptor", {})
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append((str(font.get_object()["/BaseFont"]).lstrip("/"), embedded))
    return found


def test_only_the_intended_fonts_are_embedded(first: tuple[Path, BuildReport]) -> None:
    pdfs = sorted(first[0].glob("*/*.pdf"))
    assert pdfs
    for pdf in pdfs:
        fonts = _fonts(pdf)
        assert fonts, pdf
        for name, embedded in fonts:
            assert embedded, f"{pdf.name}: {name} is not embedded"
            family = re.sub(r"^[A-Z]{6}\+", "", name)
            assert family in {"Carlito", "Carlito-Bold", "Carlito-Italic", "Carlito-BoldItalic"}, (
                f"{pdf.name} uses {name}"
            )


def test_two_builds_give_byte_identical_pdfs(first: tuple[Path, BuildReport], second: Path) -> None:
    pdfs = sorted(path.relative_to(second) for path in second.glob("*/*.pdf"))
    assert len(pdfs) >= 2 * 3  # every document and the packet of two plans
    for relative in pdfs:
        assert (first[0] / relative).read_bytes() == (second / relative).read_bytes(), relative


def test_the_manifest_records_the_pdfs_and_a_missing_one_is_rebuilt(
    second_inputs: Path, second: Path
) -> None:
    manifest = Manifest.load(second)
    for entry in manifest.entries.values():
        assert PACKET in entry.outputs
        assert {name for name in entry.outputs if name.endswith(".docx")} == {
            name.replace(".pdf", ".docx")
            for name in entry.outputs
            if name.endswith(".pdf") and name != PACKET
        }
    again = build([second_inputs], BuildOptions(out=second, pdf=True, jobs=1))
    assert again.count(Status.UNCHANGED) == len(SECOND)
    gone = next(second.glob("*/roadmap.pdf"))
    before = gone.read_bytes()
    gone.unlink()
    rebuilt = build([second_inputs], BuildOptions(out=second, pdf=True, jobs=1))
    assert [r.reasons for r in rebuilt.results if r.status is Status.BUILT] == [
        ["documents missing or changed"]
    ]
    assert gone.read_bytes() == before


def test_pdf_a_is_identified_in_every_pdf_and_the_packet(
    pdf_a: tuple[Path, BuildReport], plans: dict[str, Plan]
) -> None:
    out, report = pdf_a
    assert [r.reasons for r in report.results] == [["PDF/A asked for (--pdf-a)"]]
    plan = plans[INPUTS[0].name]
    folder = out / pipeline.batch.worker.slug(plan)
    for pdf in sorted(folder.glob("*.pdf")):
        reader = PdfReader(pdf)
        root = reader.root_object
        xmp = root["/Metadata"].get_object()
        assert "/Filter" not in xmp
        packet = xmp.get_data().decode("utf-8")
        assert "<pdfaid:part>2</pdfaid:part>" in packet
        assert "<pdfaid:conformance>B</pdfaid:conformance>" in packet
        date = plan.plan.revision.date.isoformat() + "T12:00:00Z"
        assert f"<xmp:CreateDate>{date}</xmp:CreateDate>" in packet
        info = reader.metadata
        assert info is not None and info.title is not None
        assert info.title.replace("&", "&amp;") in packet
        (intent,) = root["/OutputIntents"]
        intent = intent.get_object()
        assert intent["/S"] == "/GTS_PDFA1"
        profile = intent["/DestOutputProfile"].get_object().get_data()
        assert profile[36:40] == b"acsp"
        assert len(reader.trailer["/ID"]) == 2
        assert reader.pdf_header >= "%PDF-1.4"
    second = build([INPUTS[0]], BuildOptions(out=out.parent / "pdf-a-again", pdf_a=True))
    assert second.count(Status.BUILT) == 1
    for pdf in sorted(folder.glob("*.pdf")):
        assert (
            pdf.read_bytes() == (out.parent / "pdf-a-again" / folder.name / pdf.name).read_bytes()
        )


def test_a_document_libreoffice_cannot_convert_is_reported_and_the_others_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken_plan = read_json(MINIMAL)["organization"]["name"]
    real = pipeline.documents.plan_documents.render_plan

    def render_with_a_corrupt_document(plan: Plan, *args: Any) -> dict[str, bytes]:
        documents = real(plan, *args)
        if plan.organization.name == broken_plan:
            data = documents["action-plan.docx"]
            documents["action-plan.docx"] = data[: len(data) // 2]  # a truncated package
        return documents

    monkeypatch.setattr(
        pipeline.documents.plan_documents, "render_plan", render_with_a_corrupt_document
    )
    # The broken plan and one other (every example converts in the session's builds above).
    inputs = _inputs(tmp_path / "in", [INPUTS[0], MINIMAL])
    report = build([inputs], BuildOptions(out=tmp_path / "out", pdf=True, jobs=1))
    failed = [r for r in report.results if r.status is Status.FAILED]
    assert len(failed) == 1 and report.count(Status.BUILT) == 1
    (problem,) = failed[0].problems
    assert problem.location.endswith("/action-plan.docx")
    assert problem.message.startswith("LibreOffice could not convert it to PDF: ")
    folder = tmp_path / "out" / Path(problem.location).parent
    assert (folder / "improvement-plan.pdf").exists()  # its other documents were converted
    assert not (folder / "action-plan.pdf").exists()
    assert not (folder / PACKET).exists()  # no packet without every document
    assert str(failed[0].source) not in Manifest.load(tmp_path / "out").entries


def test_two_inputs_for_one_organization_both_fail_with_pdfs(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("a.json", "b.json"):
        shutil.copy(MINIMAL, inputs / name)
    report = build([inputs], BuildOptions(out=tmp_path / "out", pdf=True, jobs=1))
    assert [r.status for r in report.results] == [Status.FAILED, Status.FAILED]
    for result in report.results:
        assert any("also has a plan in" in p.message for p in result.problems)
    assert Manifest.load(tmp_path / "out").entries == {}
