"""Stage 4: merge a plan's context into a Word template with docxtpl.

Rendering is autoescaped (a value such as `Smith & Jones <Partners>` appears literally, in the
body, headers and footers) and strict: a variable the context lacks is an error, and so is
printing an empty (None) value, which a template must guard with `{% if %}`. Templates are
data, so they render in Jinja's sandbox.

Two ways to render, with byte-identical results (a test compares them):

- `render()` is docxtpl's standard way: load the template, patch and compile its XML as Jinja,
  render, save. It costs a template load and a Jinja compilation on every document.
- `PreparedTemplate` does the loading, patching and compiling once, then per document runs
  only what depends on the context: the compiled templates, docxtpl's own post-processing
  (`resolve_listing`, `fix_tables`, docPr ids), serialization and the zip. Batch builds use it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.parts.coreprops import CorePropertiesPart
from docx.oxml import parse_xml
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, Template, TemplateError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree

from pipeline.context import Context
from pipeline.errors import TemplateProblemError
from pipeline.write import ZIP_EPOCH, reproducible_zip

_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def _finalize(value: Any) -> Any:
    if value is None:
        raise UndefinedError(
            "the template prints a value the plan leaves empty; guard it with {% if … %}"
        )
    return value


def environment(autoescape: bool = True) -> ImmutableSandboxedEnvironment:
    """The Jinja environment templates render in."""
    return ImmutableSandboxedEnvironment(
        autoescape=autoescape, undefined=StrictUndefined, finalize=_finalize
    )


class _Template(DocxTemplate):  # type: ignore[misc]
    """docxtpl's template, with core properties rendered as plain text.

    docxtpl renders the properties with the body's (autoescaping) environment, and python-docx
    escapes them again on save: `&` would appear as `&amp;` in the document's title.
    """

    def render_properties(self, context: Context, jinja_env: Any = None) -> None:
        super().render_properties(context, environment(autoescape=False))


def _template_error(template: Path, error: TemplateError) -> TemplateProblemError:
    lines = getattr(error, "docx_context", None) or []
    nearby = " / ".join(line.strip() for line in lines if line.strip())
    where = f" near: {nearby}" if nearby else ""
    return TemplateProblemError(f"{template.name}: {error.message}{where}")


def _stamp(revision_date: dt.date) -> dt.datetime:
    """Document dates come from the plan's revision, so the same input gives the same bytes."""
    return dt.datetime.combine(revision_date, dt.time(12, 0))


def render(template: Path, context: Context, revision_date: dt.date) -> bytes:
    """Render `template` with `context` the standard docxtpl way; return the .docx bytes."""
    document = _Template(io.BytesIO(template.read_bytes()))
    try:
        document.render(context, jinja_env=environment(), autoescape=True)
    except TemplateError as error:
        raise _template_error(template, error) from None
    properties = document.docx.core_properties
    properties.created = properties.modified = _stamp(revision_date)
    out = io.BytesIO()
    document.save(out)
    return reproducible_zip(out.getvalue())


# ---------------------------------------------------------------------------------------------
# The prepared (compile-once) path


def _compile(env: ImmutableSandboxedEnvironment, source: str) -> Template:
    # As docxtpl's render_xml_part: one paragraph per line, so errors have useful line numbers.
    return env.from_string(re.sub(r"<w:p([ >])", r"\n<w:p\1", source))


_LISTING_CHARS = re.compile("[\t\a\n\f]")


def _finish(tpl: DocxTemplate, rendered: str) -> str:
    """docxtpl's post-processing of a rendered part (render_xml_part, after Jinja)."""
    rendered = re.sub(r"\n<w:p([ >])", r"<w:p\1", rendered)
    rendered = (
        rendered.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    )
    if not _LISTING_CHARS.search(rendered):
        return rendered  # resolve_listing only rewrites these characters; skip its regexes
    return str(tpl.resolve_listing(rendered))


class PreparedTemplate:
    """A template loaded, patched and compiled once, for rendering many documents."""

    def __init__(self, path: Path) -> None:
        self.path = path
        env = environment()
        plain = environment(autoescape=False)
        tpl = _Template(io.BytesIO(path.read_bytes()))
        tpl.render_init()
        self._tpl = tpl
        docx = tpl.docx
        self._root = docx._element
        try:
            self._document = _compile(env, self._document_source(tpl))
            self._parts: dict[str, tuple[Template, str, Callable[[bytes], bytes]]] = {}
            for rel in docx._part.rels.values():
                if rel.reltype in (RT.HEADER, RT.FOOTER) and rel.target_part.blob:
                    xml = tpl.get_part_xml(rel.target_part)
                    encoding = tpl.get_headers_footers_encoding(xml)
                    # docxtpl loads the rendered header into a new part: parsed, re-serialized.
                    self._parts[rel.target_part.partname] = (
                        _compile(env, tpl.patch_xml(xml)),
                        encoding,
                        _reserialize,
                    )
            for part in docx.part.package.parts:
                if part.content_type == _FOOTNOTES:
                    # docxtpl stores the rendered footnotes text as the part's blob as is.
                    self._parts[part.partname] = (
                        _compile(env, tpl.patch_xml(part.blob.decode("utf-8"))),
                        "utf-8",
                        lambda blob: blob,
                    )
            core = docx.core_properties
            self._properties = {
                name: plain.from_string(getattr(core, name)) for name in _PROPERTIES
            }
        except TemplateError as error:
            raise _template_error(path, error) from None
        self._core_part = docx.part.package.part_related_by(RT.CORE_PROPERTIES)
        self._core_blob = self._core_part.blob
        out = io.BytesIO()
        docx.save(out)
        with zipfile.ZipFile(out) as package:
            self._entries = [
                (info.filename, package.read(info.filename)) for info in package.infolist()
            ]

    def render(self, context: Context, revision_date: dt.date) -> bytes:
        """The .docx bytes for `context`, identical to `render()`'s."""
        tpl = self._tpl
        try:
            tree = tpl.fix_tables(_finish(tpl, self._document.render(context)))
            for number, element in enumerate(
                tree.xpath("//wp:docPr", namespaces={"wp": _WP}), start=1001
            ):
                element.attrib["id"] = str(number)
            replaced = {
                "word/document.xml": etree.tostring(tree, encoding="UTF-8", standalone=True)
            }
            for partname, (compiled, encoding, finish) in self._parts.items():
                rendered = _finish(tpl, compiled.render(context)).encode(encoding)
                replaced[partname.lstrip("/")] = finish(rendered)
            replaced["docProps/core.xml"] = self._core(context, revision_date)
        except TemplateError as error:
            raise _template_error(self.path, error) from None
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
            for name, blob in self._entries:
                info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                info.create_system = 0
                package.writestr(info, replaced.get(name, blob), compresslevel=1)
        return out.getvalue()

    def _document_source(self, tpl: DocxTemplate) -> str:
        """The whole document.xml as a Jinja source: the template's document element, as
        python-docx serializes it, around docxtpl's patched body.

        docxtpl renders the body alone and moves the parsed result into the document element,
        where lxml drops the body's own namespace declarations; moving trees between documents
        is the slow part of its render. Rendering the body inside its document element gives
        the same serialization in one parse.
        """
        root = self._root
        body = root.body
        placeholder = etree.SubElement(root, body.tag)
        root.replace(body, placeholder)
        try:
            outer: str = etree.tostring(root, encoding="unicode")
        finally:
            root.replace(placeholder, body)
        marker = outer.index("<w:body/>")
        patched: str = tpl.patch_xml(tpl.get_xml())
        start_tag = re.match(r"<w:body[^>]*>", patched)
        assert start_tag is not None
        inner = "<w:body>" + patched[start_tag.end() :]
        return outer[:marker] + inner + outer[marker + len("<w:body/>") :]

    def _core(self, context: Context, revision_date: dt.date) -> bytes:
        part = CorePropertiesPart.load(
            PackURI("/docProps/core.xml"),
            self._core_part.content_type,
            self._core_blob,
            self._core_part.package,
        )
        properties = part.core_properties
        for name, compiled in self._properties.items():
            setattr(properties, name, compiled.render(context))
        properties.created = properties.modified = _stamp(revision_date)
        return bytes(part.blob)


_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


def _reserialize(blob: bytes) -> bytes:
    return bytes(etree.tostring(parse_xml(blob), encoding="UTF-8", standalone=True))


@cache
def prepared(path: Path, fingerprint: str) -> PreparedTemplate:
    """The prepared template at `path`; `fingerprint` (its content hash) keys the cache, so an
    edited template is prepared again."""
    return PreparedTemplate(path)
