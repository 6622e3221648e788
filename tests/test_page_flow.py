"""Page flow of every example document as the build converts it (issue 12, item 3): no page
but a document's last holds only a fragment, no heading or lead-in line ends a page, and no
school year, date or dollar amount is broken across lines in a table cell.

The examples (inputs/*.json and the workbook) are built once per session with
`pipeline build --pdf` (the build's own LibreOffice conversion), shared by the xdist workers;
each PDF's pages are read with `pdftotext -bbox-layout` (lines and blocks with their place on
the page), and the headings and lead-in lines come from the .docx beside it.
`python -m tests.test_page_flow BUILD_FOLDER` prints what a build's documents break.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.text.paragraph import Paragraph

from tests.conftest import ROOT, run_process

EXAMPLES = sorted([*(ROOT / "inputs").glob("*.json"), *(ROOT / "inputs").glob("*.xlsx")])
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
    pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed"),
]

FRAGMENT = 4
"""A page other than a document's last holds at least this many lines of body text."""
MARGIN = 0.8 * 72
"""Lines nearer than this (points) to a page's top or bottom edge are its header or footer
(the templates' margins are 0.85 in, their header and footer 0.4 in from the edge)."""


# --- The build, once per session ---------------------------------------------------------------


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """{example file name: its plan's output folder}: the examples built with --pdf once for
    the whole session (the xdist workers share the base temporary folder's parent)."""
    from pipeline.batch.build import BuildOptions, build

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    out = root / "page-flow"
    with _locked(root / "page-flow.lock"):
        if not (out / "folders.txt").exists():
            shutil.rmtree(out, ignore_errors=True)
            report = build(EXAMPLES, BuildOptions(out=out, pdf=True, jobs=1, force=True))
            lines = []
            for result in report.results:
                assert result.ok and result.folder is not None, result.problems
                lines.append(f"{Path(result.source).name}\t{result.folder}")
            (out / "folders.txt").write_text("\n".join(lines), encoding="utf-8")
    pairs = (line.split("\t") for line in (out / "folders.txt").read_text("utf-8").splitlines())
    return {name: Path(folder) for name, folder in pairs}


# --- Reading the pages -------------------------------------------------------------------------

_XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Line:
    """A line of text on a page: its block (a paragraph, or a table cell), its place."""

    block: int
    top: float
    bottom: float
    left: float
    text: str


def page_lines(pdf: Path) -> list[list[Line]]:
    """Each page's body lines (without the header and footer), from top to bottom."""
    assert PDFTOTEXT is not None
    xml = run_process([PDFTOTEXT, "-bbox-layout", str(pdf), "-"], timeout=60).stdout
    pages = []
    for page in ElementTree.fromstring(xml).iter(f"{_XHTML}page"):
        height = float(page.get("height", 0))
        lines = []
        for number, block in enumerate(page.iter(f"{_XHTML}block")):
            for line in block.iter(f"{_XHTML}line"):
                top, bottom = float(line.get("yMin", 0)), float(line.get("yMax", 0))
                if bottom < MARGIN or top > height - MARGIN:
                    continue
                words = [word.text or "" for word in line.iter(f"{_XHTML}word")]
                lines.append(Line(number, top, bottom, float(line.get("xMin", 0)), " ".join(words)))
        pages.append(sorted(lines, key=lambda line: (line.top, line.left)))
    return pages


def rows(lines: list[Line]) -> list[str]:
    """A page's visual lines, top to bottom: the lines side by side (a table row's cells)
    joined, left to right."""
    grouped: list[list[Line]] = []
    for line in lines:
        if grouped and line.top - grouped[-1][0].top < 3:
            grouped[-1].append(line)
        else:
            grouped.append([line])
    return [" ".join(line.text for line in sorted(row, key=lambda x: x.left)) for row in grouped]


def _plain(text: str) -> str:
    return " ".join(text.split())


def _bare(text: str) -> str:
    """Text without its spaces (a line break may stand where the paragraph has none)."""
    return "".join(text.split())


@dataclass(frozen=True)
class Paragraphs:
    """What the .docx says about its body paragraphs: those that must not end a page (the
    headings and the lead-in lines kept with what follows), and the running text."""

    kept: set[str]
    running: list[str]


def paragraphs(path: Path) -> Paragraphs:
    document = docx.Document(str(path))
    keep_styles = set()
    for style in document.styles:
        if style.type != WD_STYLE_TYPE.PARAGRAPH:
            continue
        chain = style
        while chain is not None and chain.paragraph_format.keep_with_next is None:
            chain = chain.base_style
        if chain is not None and chain.paragraph_format.keep_with_next:
            keep_styles.add(style.style_id)
    kept, running = set(), []
    for block in document.iter_inner_content():
        if not isinstance(block, Paragraph) or not block.text.strip():
            continue
        text = _plain(block.text)
        keep = block.paragraph_format.keep_with_next
        if keep or (keep is None and block._p.style in keep_styles):
            kept.add(text)
        else:
            running.append(text)
    return Paragraphs(kept, running)


# --- What breaks the flow ----------------------------------------------------------------------

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)


def _breakable(*atoms: str) -> re.Pattern[str]:
    """A pattern of `atoms` that a line break may interrupt: between two atoms a break
    (\\n) may stand; a space atom may be a break instead."""
    return re.compile(r"\n?".join(r"[ \n]" if atom == " " else atom for atom in atoms))


TOKENS = {
    "school year": _breakable(
        r"\b(?:19|20)", r"\d", r"\d", r"[-‐‑–]", r"(?:\d\n?\d\n?\d\n?\d|\d\n?\d)\b"
    ),
    "date": _breakable(rf"\b{_MONTH}", " ", r"\d", r"\d?", r",", " ", r"\d", r"\d", r"\d", r"\d"),
    "dollar amount": _breakable(r"\$", r"\d", r"\d?", r"\d?", r"(?:,\n?\d\n?\d\n?\d)*"),
}
"""The tokens that must stay on one line in a table cell."""


def broken_tokens(lines: list[Line], running: list[str]) -> Iterator[str]:
    """The school years, dates and amounts a line break splits in a table cell (a block of
    text that is no paragraph of the running text)."""
    running = [_bare(paragraph) for paragraph in running]
    blocks: dict[int, list[str]] = {}
    for line in lines:
        blocks.setdefault(line.block, []).append(line.text)
    for texts in blocks.values():
        text = "\n".join(texts)
        if "\n" not in text or any(_bare(text) in paragraph for paragraph in running):
            continue
        for kind, pattern in TOKENS.items():
            for match in pattern.finditer(text):
                if "\n" in match[0].strip("\n"):
                    yield f"{kind} {match[0]!r} broken in the cell {_plain(text)[:70]!r}"


def flow_problems(pdf: Path, source: Path) -> list[str]:
    """What breaks the page flow of one converted document (`source` its .docx)."""
    pages = page_lines(pdf)
    said = paragraphs(source)
    problems = []
    for number, lines in enumerate(pages, start=1):
        where = f"{pdf.parent.name}/{pdf.name} page {number}/{len(pages)}"
        if number < len(pages):
            problems += (f"{where} {p}" for p in page_end_problems(rows(lines), said.kept))
        problems += (f"{where}: {p}" for p in broken_tokens(lines, said.running))
    return problems


def page_end_problems(shown: list[str], kept: set[str]) -> list[str]:
    """What is wrong with a page that is not its document's last (`shown` its visual lines):
    it holds only a fragment, or its last lines are a heading or a lead-in line."""
    problems = []
    if len(shown) < FRAGMENT:
        problems.append(f"holds only a fragment: {shown}")
    for count in range(1, min(4, len(shown)) + 1):
        end = _plain(" ".join(shown[-count:]))
        if end in kept:
            problems.append(f"ends with the heading or lead-in {end!r}")
            break
    return problems


def document_pdfs(folder: Path) -> list[Path]:
    """A plan's documents' PDFs (not its packet, which joins them)."""
    return sorted(p for p in folder.glob("*.pdf") if p.name != "packet.pdf")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_pages_flow(example: Path, built: dict[str, Path]) -> None:
    folder = built[example.name]
    pdfs = document_pdfs(folder)
    assert {p.stem for p in pdfs} >= {"improvement-plan", "action-plan", "roadmap"}, pdfs
    problems = [p for pdf in pdfs for p in flow_problems(pdf, pdf.with_suffix(".docx"))]
    assert not problems, "\n".join(problems)


def test_the_checks_see_what_they_look_for() -> None:
    """The patterns find a broken year, date and amount, and leave whole ones alone."""

    def found(*texts: str) -> list[str]:
        lines = [Line(0, n, n + 1, 0, text) for n, text in enumerate(texts)]
        return list(broken_tokens(lines, []))

    assert found("Draft the 2024-", "25 plan")
    assert found("By December 19,", "2025")
    assert found("June 30, 20", "26")
    assert found("Jun", "30, 2026")
    assert found("$96,5", "00")
    assert found("$", "1,200")
    assert not found("the 2024-25 plan and", "June 30, 2026 and $96,500")
    assert not found("$5,000", "2025 grant")
    assert not found("$500", "2025 grant")
    assert not found("June 30, 2026", "2027 too")
    running = ["Draft the 2024- 25 plan"]
    lines = [Line(0, 0, 1, 0, "Draft the 2024-"), Line(0, 1, 2, 0, "25 plan")]
    assert not list(broken_tokens(lines, running))  # running text may wrap


def test_the_page_ends_are_read_as_meant() -> None:
    kept = {"Initiative 1.1: Structured literacy in K-2", "Initiative lead: the principal"}
    body = [f"line {n}" for n in range(10)]
    assert page_end_problems(body, kept) == []
    assert page_end_problems(body[:3], kept) == [f"holds only a fragment: {body[:3]}"]
    wrapped = [*body, "Initiative 1.1: Structured literacy", "in K-2"]
    assert page_end_problems(wrapped, kept) == [
        "ends with the heading or lead-in 'Initiative 1.1: Structured literacy in K-2'"
    ]
    assert page_end_problems([*body, "Initiative lead: the principal"], kept)
    assert (
        page_end_problems([*body, "Initiative lead: the principal", "| a table row |"], kept) == []
    )


if __name__ == "__main__":  # a build's folder: print what its documents break
    for folder in sorted(p for p in Path(sys.argv[1]).iterdir() if p.is_dir()):
        for pdf in document_pdfs(folder):
            for problem in flow_problems(pdf, pdf.with_suffix(".docx")):
                print(problem)
