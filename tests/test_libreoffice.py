"""Every rendered document converts with a real LibreOffice (skipped where it is missing;
.ci/run installs it, so CI runs these)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.documents.plan_documents import render_plan
from tests.conftest import INPUTS, MINIMAL, SCENARIOS, plan_of, read_json, run_process

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        SOFFICE is None,
        reason="LibreOffice (soffice) is not installed; apt-get install libreoffice-writer-nogui",
    ),
]


@pytest.mark.parametrize(
    "source", [*INPUTS, MINIMAL, SCENARIOS / "every-profile.json"], ids=lambda p: p.stem
)
def test_libreoffice_converts_every_document(
    source: Path, tmp_path: Path, soffice_profile: str
) -> None:
    plan = plan_of(read_json(source))
    documents = render_plan(plan)
    for name, data in documents.items():
        (tmp_path / name).write_bytes(data)
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
            str(tmp_path / "pdf"),
            *(str(tmp_path / name) for name in documents),
        ],
        timeout=300,
    )
    for name in documents:
        pdf = tmp_path / "pdf" / name.replace(".docx", ".pdf")
        assert pdf.exists(), f"LibreOffice did not convert {name}"
        reader = PdfReader(pdf)
        assert len(reader.pages) > 0
        text = "".join(page.extract_text() for page in reader.pages)
        assert plan.organization.name.split()[0] in text
