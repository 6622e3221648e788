"""Every rendered document converts with a real LibreOffice (skipped where it is missing;
.ci/run installs it, so CI runs these): the scenario plans' through one `soffice --convert-to`
run, the examples' as the session's shared PDF build converted them (`built`, of
test_page_flow.py: one LibreOffice conversion of each example document in the session)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.documents.plan_documents import render_plan
from tests.conftest import INPUTS, MINIMAL, SCENARIOS, plan_of, read_json, run_process
from tests.test_page_flow import built  # noqa: F401  (the session's PDF build of the examples)

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        SOFFICE is None,
        reason="LibreOffice (soffice) is not installed; apt-get install libreoffice-writer-nogui",
    ),
]


SOURCES = [MINIMAL, SCENARIOS / "every-profile.json"]


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory, soffice_profile: str) -> Path:
    """Every source's documents, rendered, then converted by one `soffice --convert-to pdf` run
    (one LibreOffice start instead of one per source; one xdist worker runs this module, see
    WHOLE_MODULES in conftest.py): {stem}--{name}.docx and .pdf in the folder returned."""
    folder = tmp_path_factory.mktemp("libreoffice")
    documents = []
    for source in SOURCES:
        for name, data in render_plan(plan_of(read_json(source))).items():
            documents.append(folder / f"{source.stem}--{name}")
            documents[-1].write_bytes(data)
    assert SOFFICE is not None
    run_process(
        [
            SOFFICE,
            f"-env:UserInstallation={soffice_profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder / "pdf"),
            *map(str, documents),
        ],
        timeout=300,
    )
    return folder


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_libreoffice_converts_every_document(source: Path, converted: Path) -> None:
    plan = plan_of(read_json(source))
    documents = render_plan(plan)
    assert documents
    for name, data in documents.items():
        assert (converted / f"{source.stem}--{name}").read_bytes() == data
        pdf = converted / "pdf" / f"{source.stem}--{name.replace('.docx', '.pdf')}"
        assert pdf.exists(), f"LibreOffice did not convert {name}"
        reader = PdfReader(pdf)
        assert len(reader.pages) > 0
        word = plan.organization.name.split()[0]  # on the first pages: read no further
        assert any(word in page.extract_text() for page in reader.pages), name


@pytest.mark.parametrize("source", INPUTS, ids=lambda p: p.stem)
def test_libreoffice_converts_every_example_document(
    source: Path,
    built: dict[str, Path],  # noqa: F811  (the fixture imported above)
) -> None:
    plan = plan_of(read_json(source))
    folder = built[source.name]
    for name, data in render_plan(plan).items():
        assert (folder / name).read_bytes() == data  # the documents the build converted
        pdf = folder / name.replace(".docx", ".pdf")
        assert pdf.exists(), f"LibreOffice did not convert {name}"
        reader = PdfReader(pdf)
        word = plan.organization.name.split()[0]
        assert any(word in page.extract_text() for page in reader.pages[:3]), name
