"""Building blocks for writing the templates with python-docx (used by make_templates.py).

They produce ordinary Word structure: named styles, real tables with a repeating header row,
section orientation, header/footer fields. The .docx files this writes are the source users
edit afterwards; this code only makes the first version reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence

from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_COLOR_INDEX, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

FONT = "Calibri"  # LibreOffice lays it out with the metric-compatible Carlito.
NAVY = RGBColor(0x1F, 0x38, 0x64)
HEADER_FILL = "1F3864"
_fill = HEADER_FILL  # the table header shading of the document being built
BAND_FILL = "DCE3F0"

_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _explicit_fonts(rfonts: object) -> None:
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)  # type: ignore[attr-defined]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), FONT)  # type: ignore[attr-defined]


def create(
    landscape: bool, accent: RGBColor = NAVY, heading_font: str = FONT, fill: str = HEADER_FILL
) -> Document:
    """A new document with the house styles, US Letter, in the given orientation.

    `accent`, `heading_font` and `fill` (table header shading) restyle it."""
    global _fill
    _fill = fill
    doc = new_document()
    styles_el = doc.styles.element
    for rfonts in styles_el.iter(qn("w:rFonts")):
        _explicit_fonts(rfonts)
    rpr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    if rpr_default.find(qn("w:rFonts")) is None:
        rpr_default.insert(0, OxmlElement("w:rFonts"))
    _explicit_fonts(rpr_default.find(qn("w:rFonts")))
    lang = rpr_default.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr_default.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "en-US")
    lang.set(qn("w:bidi"), "ar-SA")

    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    for name, size, before in (
        ("Title", 26, 0),
        ("Heading 1", 16, 18),
        ("Heading 2", 13, 12),
        ("Heading 3", 11.5, 10),
    ):
        style = doc.styles[name]
        style.font.name = heading_font
        style.font.size = Pt(size)
        style.font.bold = name != "Title"
        style.font.color.rgb = accent
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
    subtitle = doc.styles["Subtitle"]
    subtitle.font.name = FONT
    subtitle.font.size = Pt(14)
    subtitle.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    subtitle.font.italic = False
    text = doc.styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    text.base_style = normal
    text.quick_style = True
    text.font.size = Pt(9)
    text.paragraph_format.space_after = Pt(2)
    text.paragraph_format.line_spacing = 1.0
    for name, color in (("Table Heading", RGBColor(0xFF, 0xFF, 0xFF)), ("Table Label", None)):
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = text
        style.quick_style = True
        style.font.bold = True
        if color is not None:
            style.font.color.rgb = color
    for name in ("Header", "Footer"):
        doc.styles[name].paragraph_format.tab_stops.clear_all()
        doc.styles[name].font.size = Pt(8.5)
        doc.styles[name].font.color.rgb = RGBColor(0x40, 0x40, 0x40)

    _plain_bullets(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    section.left_margin = section.right_margin = Inches(0.9)
    section.top_margin = section.bottom_margin = Inches(0.85)
    section.header_distance = section.footer_distance = Inches(0.4)
    if landscape:
        turn(section, landscape=True)
    return doc


def _plain_bullets(doc: Document) -> None:
    """Bullets in the body font: the default Symbol/Wingdings glyphs pull extra fonts into PDFs."""
    numbering = doc.part.numbering_part.element
    for level in numbering.iter(qn("w:lvl")):
        fmt = level.find(qn("w:numFmt"))
        if fmt is None or fmt.get(qn("w:val")) != "bullet":
            continue
        depth = int(level.get(qn("w:ilvl")))
        level.find(qn("w:lvlText")).set(qn("w:val"), "–" if depth % 2 else "•")
        rpr = level.find(qn("w:rPr"))
        if rpr is not None:
            rfonts = rpr.find(qn("w:rFonts"))
            if rfonts is not None:
                rfonts.attrib.pop(qn("w:hint"), None)
                _explicit_fonts(rfonts)


def without_styles_with_effects(doc: Document) -> None:
    """Drop the legacy stylesWithEffects part: Word 2010 reads it, and a copy that differs
    from styles.xml is what validators flag (Word may repair the file)."""
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rel_id)


def turn(section: object, landscape: bool) -> None:
    """Set a section's orientation, swapping the page's width and height as Word does."""
    width, height = Inches(8.5), Inches(11)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT  # type: ignore[attr-defined]
    section.page_width, section.page_height = (height, width) if landscape else (width, height)  # type: ignore[attr-defined]


def text_width(section: object) -> int:
    return int(section.page_width - section.left_margin - section.right_margin)  # type: ignore[attr-defined]


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """Append a complex field (PAGE, NUMPAGES) that Word and LibreOffice update on layout."""

    def run_with(child: object) -> None:
        run = paragraph.add_run()
        run._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    paragraph.add_run(shown)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def header_and_footer(doc: Document, header_text: str, footer_text: str) -> None:
    """Header: organization and title. Footer: revision and date left, 'Page X of Y' right."""
    for section in doc.sections:
        # Each section has its own footer, so the right tab stop fits its page width.
        section.header.is_linked_to_previous = False
        section.footer.is_linked_to_previous = False
        header = section.header.paragraphs[0]
        header.text = header_text
        header.alignment = 2  # right
        footer = section.footer.paragraphs[0]
        footer.text = ""
        footer.paragraph_format.tab_stops.add_tab_stop(text_width(section), WD_TAB_ALIGNMENT.RIGHT)
        footer.add_run(footer_text + "\t" + "Page ")
        _field(footer, "PAGE", "1")
        footer.add_run(" of ")
        _field(footer, "NUMPAGES", "1")


def para(
    doc: Document | _Cell,
    text: str = "",
    style: str | None = None,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
) -> Paragraph:
    paragraph = doc.add_paragraph(style=style)
    if text:
        run = paragraph.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        if size:
            run.font.size = Pt(size)
    return paragraph


def labelled(
    doc: Document | _Cell,
    label: str,
    value: str,
    style: str | None = None,
    keep_with_next: bool = False,
) -> Paragraph:
    """A paragraph 'Label: value' with the label in bold; `keep_with_next` for a lead-in line
    that must stay on the page of what follows it (a table)."""
    paragraph = doc.add_paragraph(style=style)
    if keep_with_next:
        paragraph.paragraph_format.keep_with_next = True
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(value)
    return paragraph


def tag(doc: Document, statement: str) -> None:
    """A paragraph holding only a docxtpl paragraph tag, e.g. 'for x in xs' → {%p for x in xs %}."""
    doc.add_paragraph(f"{{%p {statement} %}}")


def _shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc_pr.append(shading)


def _set_cell(cell: _Cell, text: str, style: str = "Table Text") -> None:
    # Table text gets its look from a paragraph style, not per-run formatting: authors restyle
    # every table in one place, and the documents stay small.
    paragraph = cell.paragraphs[0]
    paragraph.style = style
    paragraph.add_run(text)


def unbroken(text: str) -> str:
    """A cell's template text printed through the `nobreak` filter: its dates and school
    years stay on one line however narrow the column (Word cells cannot be set not to wrap)."""
    if "{{" not in text and "{%" not in text:
        return text
    return f"{{% filter nobreak %}}{text}{{% endfilter %}}"


def _repeat_header(row: object) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    tr_pr.append(header)


def _widths(table: Table, widths: Sequence[float], total: int) -> None:
    scale = total / sum(widths)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = int(width * scale)
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(width * scale / 635)))


def table(
    doc: Document,
    headers: Sequence[str],
    cells: Sequence[str],
    widths: Sequence[float],
    loop: str | None = None,
) -> Table:
    """A grid table: a shaded header row that repeats on each page, then either one row per
    item of `loop` (`{%tr for … %}`) or a single row of `cells`."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    _repeat_header(header)
    for cell, text in zip(header.cells, headers, strict=True):
        _set_cell(cell, text, "Table Heading")
        _shade(cell, _fill)
    if loop:
        table.add_row().cells[0].paragraphs[0].add_run(f"{{%tr for {loop} %}}")
    row = table.add_row()
    for cell, text in zip(row.cells, cells, strict=True):
        _set_cell(cell, unbroken(text))
    if loop:
        table.add_row().cells[0].paragraphs[0].add_run("{%tr endfor %}")
    _widths(table, widths, text_width(doc.sections[-1]))
    rows_kept_whole(table)
    return table


def rows_kept_whole(table: Table) -> None:
    """Rows that do not break across pages (w:cantSplit): a row moves whole to the next page."""
    for row in table.rows[1:]:
        tr_pr = row._tr.get_or_add_trPr()
        if tr_pr.find(qn("w:cantSplit")) is None:
            tr_pr.insert(0, OxmlElement("w:cantSplit"))


def facts(
    doc: Document,
    rows: Sequence[tuple[str, str, str | None]],
    widths: tuple[float, float] = (1.0, 2.6),
) -> Table:
    """A two-column label/value table; a row with a condition appears only when it holds."""
    table = doc.add_table(rows=0, cols=2)
    table.style = doc.styles["Table Grid"]
    for label, value, condition in rows:
        if condition:
            table.add_row().cells[0].paragraphs[0].add_run(f"{{%tr if {condition} %}}")
        row = table.add_row()
        _set_cell(row.cells[0], label, "Table Label")
        _shade(row.cells[0], BAND_FILL)
        _set_cell(row.cells[1], unbroken(value))
        if condition:
            table.add_row().cells[0].paragraphs[0].add_run("{%tr endif %}")
    _widths(table, widths, text_width(doc.sections[-1]))
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    return table


def new_section(doc: Document, landscape: bool) -> None:
    """Start a new page section in the given orientation (wide tables get landscape pages)."""
    previous = doc.sections[-1]
    section = doc.add_section()
    turn(section, landscape)
    section.left_margin, section.right_margin = previous.left_margin, previous.right_margin


def properties(doc: Document, title: str, subject: str, author: str) -> None:
    core = doc.core_properties
    core.title = title
    core.subject = subject
    core.author = author
    core.language = "{{ document.language }}"
    core.keywords = "improvement plan; DESE; ESSA"
    core.comments = ""
    core.category = "Improvement plan"
    core.last_modified_by = "pipeline"
    core.revision = 1


# ---------------------------------------------------------------------------------------------
# Draft marks: what an incomplete plan's documents show (pipeline/checks/draft.py).

DRAFT_RED = RGBColor(0xB9, 0x1C, 0x1C)


def highlighted(paragraph: Paragraph, text: str) -> None:
    """Append `text` as a placeholder run: bold dark red on yellow, unmistakable in print."""
    run = paragraph.add_run(text)
    run.bold = True
    run.font.color.rgb = DRAFT_RED
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def placeholders(doc: Document, items: str) -> None:
    """One highlighted paragraph per placeholder text in the list `items` (none if empty)."""
    tag(doc, f"for m in {items}")
    highlighted(doc.add_paragraph(), "{{ m }}")
    tag(doc, "endfor")


def inline_placeholders(paragraph: Paragraph, items: str, after: str | None = None) -> None:
    """The placeholders of `items` at the end of a paragraph (e.g. in a table cell), each
    after a space; with `after` (the expression of the value printed before them), the first
    one without a space when that value is empty."""
    space = " " if after is None else f"{{% if ({after}) or not loop.first %}} {{% endif %}}"
    highlighted(paragraph, f"{{% for m in {items} %}}{space}{{{{ m }}}}{{% endfor %}}")


def draft_header(doc: Document, text: str, condition: str = "document.draft") -> None:
    """Add a DRAFT line under every section's header line, shown only when `condition`."""
    for section in doc.sections:
        for line in (f"{{%p if {condition} %}}", text, "{%p endif %}"):
            paragraph = section.header.add_paragraph()
            paragraph.alignment = 2  # right, as the header line
            if line == text:
                run = paragraph.add_run(text)
                run.bold = True
                run.font.size = Pt(11)
                run.font.color.rgb = DRAFT_RED
            else:
                paragraph.add_run(line)


def cell_placeholders(
    table: Table, column: int, items: str, after: str | None = None, row: int = 2
) -> None:
    """The placeholders of `items` in a cell of a table's repeated row (the cell of the
    missing element: a phase's "By when?", an outcome's interim targets); `after` as for
    `inline_placeholders`."""
    inline_placeholders(table.rows[row].cells[column].paragraphs[-1], items, after)


def value_or_dash(value: str, missing: str, dash: str = "—") -> str:
    """A cell's text: the value, else a dash unless the cell shows a placeholder instead."""
    return f"{{% if {value} %}}{{{{ {value} }}}}{{% elif not {missing} %}}{dash}{{% endif %}}"


# ---------------------------------------------------------------------------------------------
# Front matter: cover, contents, page breaks


def page_break_before(paragraph: Paragraph) -> Paragraph:
    paragraph.paragraph_format.page_break_before = True
    return paragraph


def contents(doc: Document, title: str = "Contents", levels: str = "1-2") -> None:
    """A contents page: a Word TOC field over the headings (Word refreshes it on opening, as
    `update_fields_on_open` asks; LibreOffice fills it when it converts the document)."""
    heading = para(doc, title, style="TOC Heading")
    page_break_before(heading)
    paragraph = doc.add_paragraph()
    _field(paragraph, f'TOC \\o "{levels}" \\h \\z \\u', "Right-click to update the contents.")


def update_fields_on_open(doc: Document) -> None:
    """settings.xml's w:updateFields: Word updates the fields (the contents) on opening."""
    settings = doc.settings.element
    if settings.find(qn("w:updateFields")) is None:
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        # CT_Settings is a sequence: updateFields goes before these.
        after = {qn(f"w:{n}") for n in _AFTER_UPDATE_FIELDS} | {
            "{http://schemas.openxmlformats.org/officeDocument/2006/math}mathPr"
        }
        later = next((child for child in settings if child.tag in after), None)
        if later is None:
            settings.append(update)
        else:
            later.addprevious(update)


_AFTER_UPDATE_FIELDS = [
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
]
