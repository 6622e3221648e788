"""What a plan's PDFs say about themselves, without pypdf: the moment they are dated, that
moment as PDF and XMP write dates, and the document information of its packet. (A build's
workers work these out for every plan; pypdf, which `finish.py` and `packet.py` use to finish
and join the PDFs, is large, and only a build with --pdf needs it.)"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline import __version__

if TYPE_CHECKING:
    from pipeline.model.documents import Document
    from pipeline.model.plan import Plan


def stamp(revision_date: dt.date) -> dt.datetime:
    """The moment every output of a plan is dated: its revision date at 12:00 UTC."""
    return dt.datetime.combine(revision_date, dt.time(12, 0), tzinfo=dt.UTC)


def pdf_date(moment: dt.datetime) -> str:
    """A PDF date string (ISO 32000 §7.9.4) in UTC: D:20250115120000Z."""
    return moment.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%SZ")


def xmp_date(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class PacketInfo:
    """The packet's document information."""

    title: str
    author: str
    subject: str
    keywords: str
    moment: dt.datetime
    """Creation and modification date: the plan's revision date (so the bytes repeat)."""
    heading: str = ""
    """The cover's heading: the plan's title."""
    details: tuple[str, ...] = ()
    """The cover's other lines: the organization's code and district, the period, the
    revision."""
    draft: bool = False
    """Whether the plan is incomplete: its title and cover say DRAFT."""

    def as_pdf(self) -> dict[str, str]:
        import pypdf

        return {
            "/Title": self.title,
            "/Author": self.author,
            "/Subject": self.subject,
            "/Keywords": self.keywords,
            "/Creator": f"pipeline {__version__}",
            "/Producer": f"pypdf {pypdf.__version__}",
            "/CreationDate": pdf_date(self.moment),
            "/ModDate": pdf_date(self.moment),
        }


def packet_info(plan: Plan, documents: list[Document], draft: bool = False) -> PacketInfo:
    """The document information of the packet joining `documents` of `plan`; a `draft`'s
    title starts with DRAFT."""
    revision = plan.plan.revision
    dated = plan.plan.document_date
    subjects = "; ".join(document.subject for document in documents)
    if revision is not None and revision.number is not None:
        which = f"Revision {revision.number} of {dated.isoformat()}"
    else:
        which = f"As of {dated.isoformat()}"
    organization = plan.organization
    details = [f"Organization code {organization.code}"]
    if organization.district:
        code = f" ({organization.district_code})" if organization.district_code else ""
        details.append(f"{organization.district}{code}")
    years = plan.plan.years
    details += [f"Plan period {years.start.year}–{years.end.year}", which]
    title = f"{plan.plan.title} Submission Packet: {organization.name}"
    return PacketInfo(
        title=f"DRAFT: {title}" if draft else title,
        author=organization.name,
        subject=f"{which}: {subjects}",
        keywords="improvement plan, DESE, ESSA, submission packet",
        moment=stamp(dated),
        heading=plan.plan.title,
        details=tuple(details),
        draft=draft,
    )
