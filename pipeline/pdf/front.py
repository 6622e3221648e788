"""The front of a plan's submission packet: a cover page and a contents page.

They are a small Word document, written here (plain WordprocessingML, Calibri, en-US, no
theme), and converted by the same LibreOffice as the plan's documents with the same export
options, so they are tagged, use the same embedded font and are PDF/A or PDF/UA when the rest
is. The contents page lists each document with its page range in the packet's own page labels
(`Plan 1–14`: each document's pages are numbered as in its footers, see `packet.join`); the
cover of a draft says DRAFT. The same plan and PDFs give the same bytes: the document has
fixed dates and zip timestamps, and the converter makes its PDF reproducible.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

from pipeline.pdf.finish import page_count
from pipeline.pdf.packet import CONTENTS_LABEL, PacketInfo, Part

FRONT = "packet-front.docx"
"""The file name the cover and contents are converted under (never written to OUT)."""
DRAFT_MARK = "DRAFT"


def page_range(part: Part) -> str:
    """The pages of `part` in the packet, as its page labels read: 'Plan 1–14', 'Roadmap 1'."""
    count = page_count(part.pdf)
    return f"{part.label} 1–{count}" if count > 1 else f"{part.label} 1"


def _run(text: str, size: float | None = None, bold: bool = False, color: str = "") -> str:
    properties = ""
    if bold:
        properties += "<w:b/><w:bCs/>"
    if color:
        properties += f'<w:color w:val="{color}"/>'
    if size is not None:
        half_points = round(size * 2)
        properties += f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
    shown = f"<w:rPr>{properties}</w:rPr>" if properties else ""
    return f'<w:r>{shown}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _paragraph(
    text: str,
    style: str = "",
    size: float | None = None,
    bold: bool = False,
    color: str = "",
    center: bool = False,
    after: int | None = None,
    page_break_before: bool = False,
) -> str:
    properties = f'<w:pStyle w:val="{style}"/>' if style else ""
    if page_break_before:
        properties += "<w:pageBreakBefore/>"
    if after is not None:
        properties += f'<w:spacing w:after="{after}"/>'
    if center:
        properties += '<w:jc w:val="center"/>'
    shown = f"<w:pPr>{properties}</w:pPr>" if properties else ""
    return f"<w:p>{shown}{_run(text, size, bold, color)}</w:p>"


def _cell(text: str, width: int, header: bool = False, right: bool = False) -> str:
    shading = '<w:shd w:val="clear" w:color="auto" w:fill="1F3864"/>' if header else ""
    align = '<w:jc w:val="right"/>' if right else ""
    run = _run(text, bold=header, color="FFFFFF" if header else "")
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr>'
        f'<w:p><w:pPr><w:spacing w:before="60" w:after="60"/>{align}</w:pPr>{run}</w:p></w:tc>'
    )


_WIDTHS = (6200, 3160)


def _contents_table(parts: Sequence[Part]) -> str:
    border = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/>'
    borders = "".join(border.format(side) for side in ("top", "bottom", "insideH"))
    header = (
        "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
        f"{_cell('Document', _WIDTHS[0], header=True)}"
        f"{_cell('Pages', _WIDTHS[1], header=True, right=True)}</w:tr>"
    )
    rows = "".join(
        "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
        f"{_cell(part.title, _WIDTHS[0])}{_cell(page_range(part), _WIDTHS[1], right=True)}</w:tr>"
        for part in parts
    )
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in _WIDTHS)
    return (
        f'<w:tbl><w:tblPr><w:tblW w:w="{sum(_WIDTHS)}" w:type="dxa"/>'
        f"<w:tblBorders>{borders}</w:tblBorders>"
        '<w:tblLayout w:type="fixed"/><w:tblLook w:val="0420" w:firstRow="1"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{header}{rows}</w:tbl>"
    )


def _body(info: PacketInfo, parts: Sequence[Part]) -> str:
    cover = []
    if info.draft:
        cover.append(_paragraph(DRAFT_MARK, size=48, bold=True, color="C00000", center=True))
        cover.append(
            _paragraph(
                "This plan is incomplete and not ready for submission: each document is a "
                "draft, and every missing element is marked where it belongs.",
                color="C00000",
                center=True,
                after=720,
            )
        )
    else:
        cover.append(_paragraph("", after=1440))
    cover.append(_paragraph(info.heading, style="Heading1", center=True))
    cover.append(_paragraph(info.author, size=18, bold=True, center=True, after=240))
    cover.append(_paragraph("Submission packet", size=14, center=True, after=480))
    cover += [_paragraph(line, center=True, after=60) for line in info.details]
    contents = [
        _paragraph(CONTENTS_LABEL, style="Heading1", page_break_before=True),
        _contents_table(parts),
        _paragraph(
            "Each document's pages are numbered on their own, as in its footers: "
            f"“{parts[0].label} 3” is page 3 of the {parts[0].title}."
            if parts
            else "",
            size=9,
            color="595959",
        ),
    ]
    section = (
        '<w:sectPr><w:pgSz w:w="12240" w:h="15840"/><w:pgMar w:top="1440" w:right="1440" '
        'w:bottom="1440" w:left="1440" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>'
    )
    return "".join(cover + contents) + section


_NAMESPACES = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)

_STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles {_NAMESPACES}>
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri"
 w:eastAsia="Calibri" w:cs="Calibri"/><w:sz w:val="22"/><w:szCs w:val="22"/>
<w:lang w:val="en-US" w:eastAsia="en-US" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>
<w:pPrDefault><w:pPr><w:spacing w:after="160" w:line="259" w:lineRule="auto"/></w:pPr>
</w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>
<w:qFormat/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>
<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/>
<w:keepLines/><w:spacing w:before="240" w:after="240"/><w:outlineLvl w:val="0"/></w:pPr>
<w:rPr><w:b/><w:bCs/><w:color w:val="1F3864"/><w:sz w:val="40"/><w:szCs w:val="40"/></w:rPr>
</w:style>
<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>
<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:left w:w="108" w:type="dxa"/>
<w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
</w:styles>"""

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""  # noqa: E501

_PACKAGE_RELATIONSHIPS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"""  # noqa: E501

_DOCUMENT_RELATIONSHIPS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""  # noqa: E501


def _core(info: PacketInfo) -> str:
    moment = info.moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(info.title)}</dc:title><dc:subject>{escape(info.subject)}</dc:subject>"
        f"<dc:creator>{escape(info.author)}</dc:creator>"
        f"<cp:keywords>{escape(info.keywords)}</cp:keywords><dc:language>en-US</dc:language>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{moment}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{moment}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def front_docx(info: PacketInfo, parts: Sequence[Part]) -> bytes:
    """The cover and contents of the packet joining `parts`, as a Word document."""
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {_NAMESPACES}>'
        f"<w:body>{_body(info, parts)}</w:body></w:document>"
    )
    files = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _PACKAGE_RELATIONSHIPS,
        "docProps/core.xml": _core(info),
        "word/_rels/document.xml.rels": _DOCUMENT_RELATIONSHIPS,
        "word/document.xml": document,
        "word/styles.xml": _STYLES,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in files.items():
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(entry, text.encode("utf-8"))
    return out.getvalue()
