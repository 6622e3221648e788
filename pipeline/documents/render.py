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
import signal
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree
from markupsafe import Markup, escape

from pipeline.documents.context import Context
from pipeline.documents.core_properties import CoreProperties
from pipeline.documents.filters import FILTERS, guard_printed, restore_underscores
from pipeline.documents.limits import (
    BoundedSandbox,
    describe_error,
    read_template,
    refuse_rich_tags,
)
from pipeline.documents.rendered_xml import Compiled
from pipeline.documents.rendered_xml import body_tree as _body_tree
from pipeline.errors import TemplateProblemError
from pipeline.files import ZipEntry, reproducible_zip, zip_package

_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def _finalize(value: Any) -> Any:
    if value is None:
        raise UndefinedError(
            "the template prints a value the plan leaves empty; guard it with {% if … %}"
        )
    return value


_MAX_ITEMS = 10_000
"""The longest sequence a template may make itself (a `range`, a repeated string)."""


def _range(*args: int) -> range:
    items = range(*args)
    if len(items) > _MAX_ITEMS:
        raise SecurityError(f"range of {len(items)} items is too long (at most {_MAX_ITEMS})")
    return items


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Sandbox(BoundedSandbox):
    """Jinja's sandbox (no private attributes, no Python internals, no mutation of the
    context), bounded: templates cannot build huge strings or ranges (see `limits.py`)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        # `x.name` of a plain dict (what contexts are made of) that is no attribute of dict:
        # Jinja's own lookup fails on the attribute (an exception, the slow part) before it
        # takes the item; the same result, the item taken first.
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > 64:
            raise SecurityError("exponent too large in a template")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if (
                    isinstance(sequence, str | list | tuple)
                    and isinstance(count, int)
                    and len(sequence) * count > _MAX_ITEMS * 100
                ):
                    raise SecurityError("a template may not repeat text that many times")
        return super().call_binop(context, operator, left, right)


def environment(autoescape: bool = True) -> ImmutableSandboxedEnvironment:
    """The Jinja environment templates render in."""
    env = _Sandbox(autoescape=autoescape, undefined=StrictUndefined, finalize=_finalize)
    for unneeded in ("lipsum", "cycler", "joiner"):
        env.globals.pop(unneeded, None)
    env.globals["range"] = _range
    env.filters.update(FILTERS)
    env.bound_filters()
    return env


class _Template(DocxTemplate):  # type: ignore[misc]
    """docxtpl's template, with core properties rendered as plain text.

    docxtpl renders the properties with the body's (autoescaping) environment, and python-docx
    escapes them again on save: `&` would appear as `&amp;` in the document's title.
    """

    def render_properties(self, context: Context, jinja_env: Any = None) -> None:
        super().render_properties(context, environment(autoescape=False))

    def patch_xml(self, src_xml: str) -> str:
        refuse_rich_tags(src_xml)
        return str(super().patch_xml(src_xml))

    def render_xml_part(self, src_xml: str, part: Any, context: Context, jinja_env: Any) -> str:
        try:
            rendered = str(super().render_xml_part(src_xml, part, context, jinja_env))
            return restore_underscores(rendered)
        except _RENDER_ERRORS as error:
            error.__dict__["pipeline_source"] = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
            raise

    def render_footnotes(self, context: Context, jinja_env: Any = None) -> None:
        # docxtpl renders the footnotes once per section: a value that looks like a tag would
        # be evaluated again in a document of two sections. Once, as the fast path does.
        for part in self.docx.part.package.parts:
            if part.content_type == _FOOTNOTES:
                xml = self.patch_xml(part.blob.decode("utf-8"))
                part._blob = self.render_xml_part(xml, part, context, jinja_env).encode("utf-8")


_RENDER_ERRORS = (TemplateError, ArithmeticError, LookupError, TypeError, ValueError)
"""What a template's expressions can raise while rendering: the template's problem."""


RENDER_SECONDS = 60.0
"""How long one document may take to render: a template that loops without end is stopped."""


class _TooSlow(Exception):
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise _TooSlow


@contextmanager
def _time_limit(template: Path) -> Iterator[None]:
    """Stop a render that takes longer than RENDER_SECONDS (where signals can be used: the main
    thread of a process, which is where builds render)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, RENDER_SECONDS)
    try:
        yield
    except _TooSlow:
        raise TemplateProblemError(
            f"{template.name}: rendering took longer than {RENDER_SECONDS:g} s and was "
            "stopped; does the template loop too much?"
        ) from None
    except (RecursionError, MemoryError) as error:
        raise TemplateProblemError(f"{template.name}: {describe_error(error)}") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _template_error(
    template: Path, error: Exception, source: str | None = None
) -> TemplateProblemError:
    return TemplateProblemError(f"{template.name}: {describe_error(error, source)}")


def _stamp(revision_date: dt.date) -> dt.datetime:
    """Document dates come from the plan's revision, so the same input gives the same bytes."""
    return dt.datetime.combine(revision_date, dt.time(12, 0))


def render(template: Path, context: Context, revision_date: dt.date) -> bytes:
    """Render `template` with `context` the standard docxtpl way; return the .docx bytes."""
    document = _Template(io.BytesIO(read_template(template)))
    try:
        with _time_limit(template):
            document.render(context, jinja_env=guard_printed(environment()), autoescape=True)
    except _RENDER_ERRORS as error:
        raise _template_error(template, error) from None
    properties = document.docx.core_properties
    properties.created = properties.modified = _stamp(revision_date)
    out = io.BytesIO()
    document.save(out)
    return reproducible_zip(out.getvalue())


# ---------------------------------------------------------------------------------------------
# The prepared (compile-once) path


_PRINT = re.compile(r"\{\{(?![rp]\s)(-?)(.*?)(-?)\}\}", re.DOTALL)
_HIGHLIGHT = (
    '</w:t></w:r><w:r><w:rPr><w:highlight w:val="yellow"/></w:rPr>'
    '<w:t xml:space="preserve">{}</w:t></w:r><w:r><w:t xml:space="preserve">'
)


def _marking(source: str) -> str:
    """Route every printed value through `_filled` (previews only)."""
    return _PRINT.sub(lambda m: f"{{{{{m[1]} _filled(({m[2]})) {m[3]}}}}}", source)


def _filled(value: Any) -> Markup:
    """The value in a run of its own, highlighted, so a preview shows what each tag printed."""
    return Markup(_HIGHLIGHT.format(escape(str(_finalize(value)))))


class PreparedTemplate:
    """A template loaded, patched and compiled once, for rendering many documents."""

    def __init__(self, path: Path, mark_filled: bool = False) -> None:
        """`mark_filled` highlights every value a `{{ … }}` tag prints (for previews)."""
        self.path = path
        env = guard_printed(environment())
        if mark_filled:
            env.globals["_filled"] = _filled

        compiled: dict[str, Compiled] = {}  # sections' headers are often the same source

        def _compile(
            env: ImmutableSandboxedEnvironment, source: str, prove: bool = False
        ) -> Compiled:
            if prove:
                return Compiled(env, _marking(source) if mark_filled else source, prove)
            if source not in compiled:
                compiled[source] = Compiled(env, _marking(source) if mark_filled else source)
            return compiled[source]

        plain = environment(autoescape=False)
        tpl = _Template(io.BytesIO(read_template(path)))
        tpl.render_init()
        self._tpl = tpl
        docx = tpl.docx
        self._root = docx._element
        try:
            # The document part serialized without a parse where that is proved the same.
            self._document = _compile(env, self._document_source(tpl), prove=not mark_filled)
            self._parts: dict[str, tuple[Compiled, str, Callable[[bytes], bytes]]] = {}
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
        core_part = docx.part.package.part_related_by(RT.CORE_PROPERTIES)
        self._core_part = CoreProperties(core_part.content_type, core_part.blob, _PROPERTIES)
        out = io.BytesIO()
        docx.save(out)
        with zipfile.ZipFile(out) as package:
            # python-docx's order of parts; the unchanging ones compressed once, here.
            self._entries = [
                ZipEntry.of(info.filename, package.read(info.filename))
                for info in package.infolist()
            ]
        # Everything a render needs is taken from the template: its document (every part
        # parsed, some megabytes per template in each worker) is let go.
        tpl.docx = None
        del self._root

    def render(self, context: Context, revision_date: dt.date) -> bytes:
        """The .docx bytes for `context`, identical to `render()`'s."""
        with _time_limit(self.path):
            return self._render(context, revision_date)

    def _render(self, context: Context, revision_date: dt.date) -> bytes:
        tpl = self._tpl
        current: Compiled | None = self._document
        try:
            xml, serialized = self._document.render_serialized(tpl, context)
            if serialized is None:
                tree = _body_tree(tpl, xml)
                if "docPr" in xml:  # drawings: numbered as docxtpl numbers them
                    for number, element in enumerate(
                        tree.xpath("//wp:docPr", namespaces={"wp": _WP}), start=1001
                    ):
                        element.attrib["id"] = str(number)
                serialized = etree.tostring(tree, encoding="UTF-8", standalone=True)
            replaced = {"word/document.xml": serialized}
            made: dict[tuple[int, str, Any], bytes] = {}  # a part the same as one made
            for partname, (compiled, encoding, finish) in self._parts.items():
                current = compiled
                key = (id(compiled), encoding, finish)
                if key not in made:
                    made[key] = finish(compiled.render(tpl, context).encode(encoding))
                replaced[partname.lstrip("/")] = made[key]
            current = None
            replaced["docProps/core.xml"] = self._core(context, revision_date)
        except _RENDER_ERRORS as error:
            source = current.pipeline_source if current else None
            raise _template_error(self.path, error, source) from None
        return zip_package(
            [
                ZipEntry.of(entry.name, replaced[entry.name]) if entry.name in replaced else entry
                for entry in self._entries
            ]
        )

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
        properties = self._properties
        return self._core_part.part(
            lambda name: properties[name].render(context), _stamp(revision_date)
        )


_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


@lru_cache(maxsize=64)  # footers are often the same from plan to plan (a district's date)
def _reserialize(blob: bytes) -> bytes:
    return bytes(etree.tostring(parse_xml(blob), encoding="UTF-8", standalone=True))


@cache
def prepared(path: Path, fingerprint: str) -> PreparedTemplate:
    """The prepared template at `path`; `fingerprint` (its content hash) keys the cache, so an
    edited template is prepared again."""
    return PreparedTemplate(path)
