"""How a build builds: the options given on the command line (or by `pipeline.toml`), and
those of them that change what is written (recorded in the manifest)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.model.vocabulary import Profile

if TYPE_CHECKING:
    from pipeline.pdf.office import ExportOptions


@dataclass(frozen=True)
class BuildOptions:
    """How to build. `jobs=None` means one worker per core."""

    out: Path = Path("build")
    templates: Path | None = None
    """A folder of templates replacing built-in ones by file name (see Document.template_in)."""
    jobs: int | None = None
    force: bool = False
    prune: bool = False
    shard: tuple[int, int] | None = None
    """(k, n): build only the k-th of n stable parts of the inputs (1 ≤ k ≤ n)."""
    profiles: tuple[Profile, ...] = ()
    """Check every plan under these profiles instead of its own (empty: its own)."""
    pdf: bool = False
    """Also convert every document to PDF and join each plan's into packet.pdf."""
    pdf_a: bool = False
    """Make the PDFs PDF/A-2b (implies `pdf`)."""
    pdf_ua: bool = False
    """Make the PDFs and the packet declare PDF/UA-1 (implies `pdf`)."""
    conversion_timeout: float = 120.0
    """Seconds LibreOffice may take over one document before it is restarted."""
    as_of: dt.date | None = None
    """Build the documents as of the latest check-in on or before this date (None: the
    latest check-in)."""
    redline: bool = False
    """Also write, beside each plan's documents, the documents redlined against the previous
    revision built into the folder, and the change summary (changes.html, changes.json)."""

    @property
    def pdfs(self) -> bool:
        return self.pdf or self.pdf_a or self.pdf_ua

    def export(self) -> ExportOptions:
        from pipeline.pdf.office import ExportOptions

        return ExportOptions(pdf_a=self.pdf_a, pdf_ua=self.pdf_ua)

    def affecting_output(self) -> dict[str, object]:
        """The options recorded in the manifest: a change to one rebuilds every plan. (An
        option left at its default is not recorded, so builds from before it stand.)"""
        recorded: dict[str, object] = {}
        if self.profiles:
            recorded["profiles"] = [p.value for p in self.profiles]
        if self.pdfs:
            recorded.update({"pdf": True, **self.export().as_record()})
        if self.as_of is not None:
            recorded["as_of"] = self.as_of.isoformat()
        if self.redline:
            recorded["redline"] = True
        return recorded
