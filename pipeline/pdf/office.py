"""LibreOffice on this machine: where `soffice` and a Python with its UNO bridge are, whether
the documents' fonts are installed, and the export options every conversion uses."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.errors import LibreOfficeMissingError

UNO_PYTHON_VARIABLE = "PIPELINE_UNO_PYTHON"
INSTALL_HINT = (
    "on Debian or Ubuntu: sudo apt-get install libreoffice-writer-nogui python3-uno "
    "fonts-crosextra-carlito fonts-crosextra-caladea"
)


@dataclass(frozen=True)
class ExportOptions:
    """How documents are exported. Tagged PDF (structure for screen readers), bookmarks from
    the headings and the document title in the window are always on; `pdf_a` adds PDF/A-2b,
    `pdf_ua` LibreOffice's PDF/UA-1 mode (its checks of the structure, and the pdfuaid
    identification in the XMP metadata)."""

    pdf_a: bool = False
    pdf_ua: bool = False

    def filter_data(self) -> dict[str, Any]:
        """LibreOffice's `writer_pdf_Export` filter options."""
        return {
            "UseTaggedPDF": True,
            "ExportBookmarks": True,
            "OpenBookmarkLevels": -1,
            "DisplayPDFDocumentTitle": True,
            "ExportNotes": False,
            "ExportFormFields": False,
            "SelectPdfVersion": 2 if self.pdf_a else 0,
            "PDFUACompliance": self.pdf_ua,
        }

    def as_record(self) -> dict[str, object]:
        """For the manifest; PDF/UA only when asked for, so records from before it stand."""
        return {"pdf_a": self.pdf_a, **({"pdf_ua": True} if self.pdf_ua else {})}


@dataclass(frozen=True)
class Office:
    """Where LibreOffice is: its `soffice` and a Python that can `import uno`."""

    soffice: str
    python: str


def _can_import_uno(python: str) -> bool:
    try:
        return (
            subprocess.run(
                [python, "-c", "import uno"], capture_output=True, timeout=30, check=False
            ).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


def _python_candidates(soffice: str) -> Iterator[str]:
    chosen = os.environ.get(UNO_PYTHON_VARIABLE)
    if chosen:
        yield chosen
        return
    program = Path(os.path.realpath(soffice)).parent
    yield str(program / "python")  # LibreOffice's own builds bundle one
    yield "/usr/bin/python3"  # where Debian's python3-uno installs
    on_path = shutil.which("python3")
    if on_path:
        yield on_path


def _has_font(family: str) -> bool | None:
    """Whether fontconfig knows `family`; None when fontconfig cannot be asked."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listed = subprocess.run(
            [fc_list, ":", "family"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return any(family in line.split(",") for line in listed.splitlines())


@cache
def find_office() -> Office:
    """LibreOffice on this machine, checked. Raises LibreOfficeMissingError saying what to
    install when soffice, a Python with its UNO bridge or the Carlito font is missing."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise LibreOfficeMissingError(
            f"PDFs need LibreOffice, and no soffice is on PATH; install it, {INSTALL_HINT}"
        )
    python = next((p for p in _python_candidates(soffice) if _can_import_uno(p)), None)
    if python is None:
        where = os.environ.get(UNO_PYTHON_VARIABLE)
        tried = f"{UNO_PYTHON_VARIABLE}={where}" if where else "/usr/bin/python3"
        raise LibreOfficeMissingError(
            f"PDFs need LibreOffice's Python bridge, and {tried} cannot `import uno`; "
            f"install it, {INSTALL_HINT} (or set {UNO_PYTHON_VARIABLE} to a Python that can)"
        )
    if _has_font("Carlito") is False:
        raise LibreOfficeMissingError(
            "the documents use Calibri, and its metric-compatible equivalent Carlito is not "
            "installed, so LibreOffice would lay them out with another font; install it, "
            "on Debian or Ubuntu: sudo apt-get install fonts-crosextra-carlito "
            "fonts-crosextra-caladea"
        )
    return Office(soffice, python)
