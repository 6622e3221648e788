"""Finishing the PDFs LibreOffice writes: checked, and made reproducible.

LibreOffice stamps every PDF with the time of conversion (the /CreationDate of the document
information, and for PDF/A the xmp:CreateDate of the XMP packet), a random file /ID and a
/DocChecksum of those. Everything else it writes is the same for the same document, so these
are the only values replaced (and, in a PDF/A, the creation time inside the embedded ICC colour
profile): the dates by the plan's revision date at 12:00 UTC (the date the .docx core
properties carry), the /ID by a hash of the content.

A plain PDF is changed in place, by values of the same length, at the places pypdf finds them
(the information dictionary through the cross-reference table, the /ID in the trailer): every
other byte is LibreOffice's own, so nothing it did for tagging is disturbed, and it costs a few
milliseconds. A PDF/A (whose compressed ICC profile must be rewritten) or a PDF whose layout is
not the one expected (another LibreOffice version, say) is rewritten through pypdf instead,
with the same values.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import struct
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

from pipeline.errors import UnreadablePdfError
from pipeline.pdf.info import pdf_date, xmp_date
from pipeline.pdf.info import stamp as stamp

_INFO_DATE = re.compile(rb"/CreationDate\s*\(D:(\d{14})(Z'?|[+-]\d\d'\d\d'?)\)")
_XMP_DATES = re.compile(rb"<xmp:(CreateDate|ModifyDate|MetadataDate)>([0-9T:.+-]+Z?)</xmp:\1>")
_TRAILER_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]{32})>\s*<([0-9A-Fa-f]{32})>\s*\]")
_CHECKSUM = re.compile(rb"\s*/DocChecksum\s*/[0-9A-Fa-f]+")


def page_count(pdf: bytes) -> int:
    """The number of pages of `pdf`; raises UnreadablePdfError if it is not a PDF with pages."""
    if not pdf:
        raise UnreadablePdfError("the PDF is empty (0 bytes)")
    try:
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise UnreadablePdfError(f"the PDF cannot be read ({error})") from None
    if pages == 0:
        raise UnreadablePdfError("the PDF has no pages")
    return pages


def content_id(pdf: bytes) -> bytes:
    """A file identifier derived from the content: the first 16 bytes of its SHA-256."""
    return hashlib.sha256(pdf).digest()[:16]


def normalize(pdf: bytes, moment: dt.datetime) -> bytes:
    """`pdf` with its dates set to `moment` and an /ID derived from its content."""
    try:
        return _normalize_in_place(pdf, moment)
    except _UnexpectedLayoutError:
        return _normalize_by_rewriting(pdf, moment)


class _UnexpectedLayoutError(Exception):
    """The PDF is not laid out as LibreOffice 7.x writes it; rewrite it instead."""


def _object_span(data: bytes, offsets: dict[int, int], reference: object) -> tuple[int, int]:
    if not isinstance(reference, IndirectObject) or reference.idnum not in offsets:
        raise _UnexpectedLayoutError("object not in the cross-reference table")
    start = offsets[reference.idnum]
    end = data.find(b"endobj", start)
    if start <= 0 or end < 0:
        raise _UnexpectedLayoutError("object not found at its offset")
    return start, end


def _normalize_in_place(pdf: bytes, moment: dt.datetime) -> bytes:
    reader = PdfReader(io.BytesIO(pdf))
    offsets = reader.xref.get(0, {})
    if reader.xref_objStm or not offsets:
        raise _UnexpectedLayoutError("compressed cross-reference")
    data = bytearray(pdf)

    start, end = _object_span(pdf, offsets, reader.trailer.raw_get("/Info"))
    dates = list(_INFO_DATE.finditer(pdf, start, end))
    if len(dates) != 1 or not dates[0].group(2).startswith(b"Z"):
        raise _UnexpectedLayoutError("no single UTC /CreationDate")
    data[dates[0].start(1) : dates[0].end(1)] = pdf_date(moment)[2:16].encode()

    root = reader.trailer["/Root"].get_object()
    assert isinstance(root, DictionaryObject)
    if "/OutputIntents" in root:
        raise _UnexpectedLayoutError("an ICC profile to re-date, in a compressed stream")
    if "/Metadata" in root:  # PDF/UA: XMP dates to re-date
        raise _UnexpectedLayoutError("an XMP packet to re-date")

    trailer = pdf.rfind(b"trailer")
    identifier = _TRAILER_ID.search(pdf, trailer)
    if trailer < 0 or identifier is None:
        raise _UnexpectedLayoutError("no /ID in the trailer")
    head, tail = bytes(data[: identifier.start()]), bytes(data[identifier.end() :])
    tail = _CHECKSUM.sub(b"", tail, count=1)  # LibreOffice's checksum of the old dates
    placeholder = b"/ID [ <" + b"0" * 32 + b"> <" + b"0" * 32 + b"> ]"
    digest = content_id(head + placeholder + tail).hex().upper().encode()
    return head + b"/ID [ <" + digest + b"> <" + digest + b"> ]" + tail


def _normalize_by_rewriting(pdf: bytes, moment: dt.datetime) -> bytes:
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    writer.pdf_header = reader.pdf_header
    # Only the dates that are there: PDF/A wants each to have its twin in the XMP packet.
    info: dict[str, object] = dict(writer.metadata or {})
    writer.add_metadata(
        {key: pdf_date(moment) for key in ("/CreationDate", "/ModDate") if key in info}
    )
    metadata = writer.root_object.get("/Metadata")
    if metadata is not None:
        stream = metadata.get_object()
        assert isinstance(stream, StreamObject)
        xml = _XMP_DATES.sub(
            lambda m: b"<xmp:%s>%s</xmp:%s>" % (m.group(1), xmp_date(moment).encode(), m.group(1)),
            stream.get_data(),
        )
        stream.set_data(xml)
    for intent in writer.root_object.get("/OutputIntents", []):
        profile = intent.get_object().get("/DestOutputProfile")
        if profile is not None:
            _redate_icc(profile.get_object(), moment)
    set_id(writer, b"\0" * 16)
    first = io.BytesIO()
    writer.write(first)
    set_id(writer, content_id(first.getvalue()))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _redate_icc(stream: StreamObject, moment: dt.datetime) -> None:
    """Set the creation time in an ICC profile's header (bytes 24–35, ICC.1 §7.2.1) to `moment`,
    and its profile ID (bytes 84–99, an MD5 of the profile) to match, if it has one."""
    data = bytearray(stream.get_data())
    if len(data) < 128 or data[36:40] != b"acsp":
        return
    utc = moment.astimezone(dt.UTC)
    data[24:36] = struct.pack(">6H", utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)
    if any(data[84:100]):
        hashed = bytearray(data)
        hashed[44:48] = bytes(4)
        hashed[64:68] = bytes(4)
        hashed[84:100] = bytes(16)
        data[84:100] = hashlib.md5(hashed).digest()
    stream.set_data(bytes(data))


def set_id(writer: PdfWriter, identifier: bytes) -> None:
    """Give the file written by `writer` the /ID [identifier identifier]."""
    writer._ID = ArrayObject([ByteStringObject(identifier), ByteStringObject(identifier)])


def xmp_packet(
    info: dict[str, str],
    moment: dt.datetime,
    language: str,
    pdf_a: tuple[int, str] | None,
    pdf_ua: int | None = None,
) -> bytes:
    """An XMP packet saying what the document information `info` says (PDF/A requires the two
    to agree), with the PDF/A identification `pdf_a` = (part, conformance) and the PDF/UA
    identification `pdf_ua` = part, if given."""

    def text(value: str) -> str:
        return escape(value)

    moment_text = xmp_date(moment)
    parts = ['<rdf:Description rdf:about=""']
    parts.append(' xmlns:dc="http://purl.org/dc/elements/1.1/"')
    parts.append(' xmlns:pdf="http://ns.adobe.com/pdf/1.3/"')
    parts.append(' xmlns:xmp="http://ns.adobe.com/xap/1.0/"')
    if pdf_a:
        parts.append(' xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"')
    if pdf_ua:
        parts.append(' xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"')
    parts.append(">\n")
    if pdf_a:
        parts.append(f"<pdfaid:part>{pdf_a[0]}</pdfaid:part>\n")
        parts.append(f"<pdfaid:conformance>{pdf_a[1]}</pdfaid:conformance>\n")
    if pdf_ua:
        parts.append(f"<pdfuaid:part>{pdf_ua}</pdfuaid:part>\n")
    if "/Title" in info:
        parts.append(
            '<dc:title><rdf:Alt><rdf:li xml:lang="x-default">'
            f"{text(info['/Title'])}</rdf:li></rdf:Alt></dc:title>\n"
        )
    if "/Author" in info:
        parts.append(f"<dc:creator><rdf:Seq><rdf:li>{text(info['/Author'])}</rdf:li></rdf:Seq>")
        parts.append("</dc:creator>\n")
    if "/Subject" in info:
        parts.append(
            '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">'
            f"{text(info['/Subject'])}</rdf:li></rdf:Alt></dc:description>\n"
        )
    parts.append(f"<dc:language><rdf:Bag><rdf:li>{text(language)}</rdf:li></rdf:Bag>")
    parts.append("</dc:language>\n")
    if "/Keywords" in info:
        parts.append(f"<pdf:Keywords>{text(info['/Keywords'])}</pdf:Keywords>\n")
    if "/Producer" in info:
        parts.append(f"<pdf:Producer>{text(info['/Producer'])}</pdf:Producer>\n")
    if "/Creator" in info:
        parts.append(f"<xmp:CreatorTool>{text(info['/Creator'])}</xmp:CreatorTool>\n")
    parts.append(f"<xmp:CreateDate>{moment_text}</xmp:CreateDate>\n")
    parts.append(f"<xmp:ModifyDate>{moment_text}</xmp:ModifyDate>\n")
    parts.append(f"<xmp:MetadataDate>{moment_text}</xmp:MetadataDate>\n")
    parts.append("</rdf:Description>\n")
    body = "".join(parts)
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f"{body}</rdf:RDF>\n</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode()


def metadata_stream(writer: PdfWriter, xmp: bytes) -> IndirectObject:
    """`xmp` as an (unfiltered, as PDF/A wants) metadata stream of `writer`."""
    stream = StreamObject()
    stream.set_data(xmp)
    stream[NameObject("/Type")] = NameObject("/Metadata")
    stream[NameObject("/Subtype")] = NameObject("/XML")
    return writer._add_object(stream)
