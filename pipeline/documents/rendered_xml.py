"""docxtpl's work on a rendered part, for the prepared path of `render.py`: the same result as
docxtpl's, done only where it changes something.

docxtpl compiles each part with a newline before every paragraph (`<w:p`), for the line numbers
of errors, and deletes those newlines from the rendered text; it then turns the tabs, newlines
and page breaks in printed values into Word runs (`resolve_listing`, regular expressions over
every paragraph, run and text of the part), and parses the part (`fix_tables`, then lxml's
serialization). Here:

- the newlines are taken out of the compiled template's own text (its line numbers stay those
  of the source with them), so the rendered text has none to delete. A newline before `<w:p`
  that a value printed, which docxtpl would also delete, is rare and never guessed at: the
  rendered text is checked for one, and if there is one the part is rendered again from the
  template as docxtpl compiles it, and finished as docxtpl does (`Compiled.render`);
- `resolve_listing` runs on the paragraphs holding such a character, not on every one;
- `fix_tables` only when it would change something (`_tables_need_fixing`).
"""

from __future__ import annotations

import re
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import Template, TemplateError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree

from pipeline.documents import canonical
from pipeline.documents.canonical import Proof
from pipeline.documents.filters import restore_underscores
from pipeline.documents.limits import MAX_OUTPUT

_NEWLINE_PARAGRAPH = re.compile(r"\n<w:p([ >])")
_SPECIAL = re.compile(r"[\t\a\n\f]")
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)
"""A paragraph as docxtpl's resolve_listing finds them (its pattern)."""


def _source(source: str) -> str:
    """As docxtpl's render_xml_part: one paragraph per line, so errors have useful line
    numbers."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", source)


def compile_source(env: ImmutableSandboxedEnvironment, source: str) -> Template:
    """`source` compiled as docxtpl compiles a part (its text kept for errors' nearby text)."""
    source = _source(source)
    try:
        compiled = env.from_string(source)
    except TemplateError as error:
        error.__dict__["pipeline_source"] = source
        raise
    compiled.__dict__["pipeline_source"] = source  # for the nearby text of errors
    return compiled


class Compiled:
    """A part's template, compiled without the newlines docxtpl adds before paragraphs (see
    the module's description); `pipeline_source` is the source with them, as errors quote it.

    With `prove`, its rendered text is serialized without a parse where `canonical.py` proves
    that gives the same bytes (`render_serialized`)."""

    def __init__(
        self, env: ImmutableSandboxedEnvironment, source: str, prove: bool = False
    ) -> None:
        self.env = env
        self.source = source
        self.pipeline_source = _source(source)
        self.proof: Proof | None = None
        try:
            tree = env.parse(self.pipeline_source)
            for data in tree.find_all(nodes.TemplateData):
                data.data = _NEWLINE_PARAGRAPH.sub(r"<w:p\1", data.data)
            if prove:
                self.proof = canonical.prove(tree)
            self.template = env.from_string(tree)
            if self.proof is not None:
                # Its values are element content: escaped as text, their quotes as lxml
                # writes them (else each `&#39;` is replaced in the whole part afterwards).
                namespace = self.template.root_render_func.__globals__
                if "escape" in namespace:
                    namespace["escape"] = canonical.escape_text
        except TemplateError as error:
            error.__dict__["pipeline_source"] = self.pipeline_source
            raise
        self._as_docxtpl: Template | None = None

    def render(self, tpl: DocxTemplate, context: dict[str, Any]) -> str:
        """The part rendered and finished: docxtpl's result."""
        return self._finished(tpl, context)[0]

    def render_serialized(
        self, tpl: DocxTemplate, context: dict[str, Any]
    ) -> tuple[str, bytes | None]:
        """The part rendered and finished, and its bytes as lxml would serialize it when the
        proof covers this text (else None: parse it)."""
        xml, rendered = self._finished(tpl, context)
        # Page and paragraph breaks printed (`\f`, `\a`) make new paragraphs: left to the parser.
        if self.proof is None or rendered is None or "\f" in rendered or "\a" in rendered:
            return xml, None
        return xml, self.proof.serialize(xml)

    def _finished(self, tpl: DocxTemplate, context: dict[str, Any]) -> tuple[str, str | None]:
        """The part rendered and finished, and what Jinja rendered before the finishing (None
        when it was rendered again as docxtpl compiles it, which no proof covers)."""
        rendered = self.template.render(context)
        # A proved template prints a quote as one character where docxtpl's Jinja prints five:
        # a text that long might have been refused as too large (limits.MAX_OUTPUT) that way.
        # Rendered again as docxtpl renders it, whatever comes of it is docxtpl's own.
        large = self.proof is not None and len(rendered) > MAX_OUTPUT // 5
        if large or "\n<w:p " in rendered or "\n<w:p>" in rendered:  # or a value printed it
            if self._as_docxtpl is None:
                self._as_docxtpl = compile_source(self.env, self.source)
            return finish(tpl, self._as_docxtpl.render(context)), None
        return _finish_joined(tpl, rendered), rendered


def finish(tpl: DocxTemplate, rendered: str) -> str:
    """docxtpl's post-processing of a rendered part (render_xml_part, after Jinja), with the
    same result: plain string replacements where docxtpl uses equivalent regexes."""
    rendered = rendered.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
    return _finish_joined(tpl, rendered)


def _finish_joined(tpl: DocxTemplate, rendered: str) -> str:
    """`finish`, once the newlines before paragraphs are gone."""
    if "{_" in rendered or "_}" in rendered:  # else none of the four is there
        for escaped, tag in (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}")):
            rendered = rendered.replace(escaped, tag)
    return resolve_listing(tpl, restore_underscores(rendered))


def resolve_listing(tpl: DocxTemplate, xml: str) -> str:
    """docxtpl's `resolve_listing` (tabs, newlines, page and paragraph breaks in values made
    Word runs), run on each paragraph that holds one of those characters rather than on every
    paragraph: the paragraphs its pattern finds, in the same scan, which it leaves as they are
    when they have none of them.

    docxtpl scans from the start; here the scan resumes just before each such character, at
    the end of a `</w:p>`: the pattern's match ends at the first `</w:p>` after its start tag,
    so a `</w:p>` that is not inside a start tag is a match's end or in no match, and a scan
    resumed after it finds the same matches."""
    if not any(character in xml for character in "\n\t\a\f"):  # one fast scan each
        return xml
    specials = [match.start() for match in _SPECIAL.finditer(xml)]
    pieces: list[str] = []
    done = 0  # xml[:done] is in pieces
    scan = 0  # where docxtpl's scan would look for the next paragraph
    index = 0
    while index < len(specials):
        special = specials[index]
        end = xml.rfind("</w:p>", scan, special)
        if end != -1 and xml.find("<w:p ", xml.rfind(">", 0, end) + 1, end) == -1:
            scan = end + len("</w:p>")
        paragraph = _PARAGRAPH.search(xml, scan)
        if paragraph is None:
            break
        start, end = paragraph.span()
        if special < start:  # in no paragraph, and neither are those before this one
            while index < len(specials) and specials[index] < start:
                index += 1
            continue
        if special < end:
            pieces += [xml[done:start], _resolve_paragraph(paragraph[0])]
            done = end
        scan = end
        while index < len(specials) and specials[index] < end:
            index += 1
    pieces.append(xml[done:])
    return "".join(pieces)


# docxtpl 0.20's resolve_listing, its patterns compiled once (a test compares the two):
_PARAGRAPH_PROPERTIES = re.compile(r"<w:pPr>.*?</w:pPr>")
_RUN = re.compile(r"<w:r(?: [^>]*)?>.*?</w:r>", re.DOTALL)
_RUN_PROPERTIES = re.compile(r"<w:rPr>.*?</w:rPr>")
_TEXT = re.compile(r"<w:t(?: [^>]*)?>.*?</w:t>", re.DOTALL)


def _resolve_paragraph(paragraph: str) -> str:
    found = _PARAGRAPH_PROPERTIES.search(paragraph)
    paragraph_properties = found.group(0) if found else ""
    return _RUN.sub(lambda run: _resolve_run(paragraph_properties, run[0]), paragraph)


def _resolve_run(paragraph_properties: str, run: str) -> str:
    if _SPECIAL.search(run) is None:
        return run  # nothing for _resolve_text to rewrite
    found = _RUN_PROPERTIES.search(run)
    run_properties = found.group(0) if found else ""
    return _TEXT.sub(lambda text: _resolve_text(run_properties, paragraph_properties, text[0]), run)


def _resolve_text(run_properties: str, paragraph_properties: str, xml: str) -> str:
    text = '<w:t xml:space="preserve">'
    xml = xml.replace(
        "\t", f"</w:t></w:r><w:r>{run_properties}<w:tab/></w:r><w:r>{run_properties}{text}"
    )
    xml = xml.replace(
        "\a", f"</w:t></w:r></w:p><w:p>{paragraph_properties}<w:r>{run_properties}{text}"
    )
    xml = xml.replace("\n", f"</w:t><w:br/>{text}")
    page = '</w:t></w:r></w:p><w:p><w:r><w:br w:type="page"/></w:r></w:p>'
    return xml.replace("\f", f"{page}<w:p>{paragraph_properties}<w:r>{run_properties}{text}")


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _tables_need_fixing(tree: Any) -> bool:
    """Whether docxtpl's `fix_tables` would change anything: a row with more cells than the
    table's grid has columns, or a grid wider than its widest row (cells counted with their
    gridSpan). Rows copied by `{%tr for %}` never do; `{%tc %}` loops and spans can."""
    for table in tree.iter(_W + "tbl"):
        grid = table.find(_W + "tblGrid")
        if grid is None:
            return True  # let docxtpl handle (and report) it
        columns = len(grid.findall(_W + "gridCol"))
        spans = table.find(f".//{_W}gridSpan") is not None
        widest = 0
        for row in table.iter(_W + "tr"):
            cells = row.findall(_W + "tc")
            if len(cells) > columns:
                return True
            if spans:
                width = 0
                for cell in cells:
                    span = cell.find(f"{_W}tcPr/{_W}gridSpan")
                    width += int(span.get(_W + "val")) if span is not None else 1
            else:
                width = len(cells)
            widest = max(widest, width)
        if widest < columns:
            return True
    return False


def body_tree(tpl: DocxTemplate, xml: str) -> Any:
    """The rendered document part parsed, its tables fixed as docxtpl fixes them."""
    # Never `recover=True`: it drops what it cannot parse (the rest of a text over the
    # parser's limits, then the sections after it) and the document would pass for whole.
    try:
        tree = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as error:
        # A ValueError: reported as this template's problem, with the document named.
        raise ValueError(
            f"the rendered document is not well-formed XML ({error}); refused, not cut"
        ) from None
    # docxtpl's fix_tables parses again with recover=True: lossless on XML just parsed whole.
    return tpl.fix_tables(xml) if _tables_need_fixing(tree) else tree
