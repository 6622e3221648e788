"""A rendered document part as lxml would serialize it, without parsing it: proved once per
template, checked in a few scans per render.

docxtpl parses every rendered document part and python-docx serializes the tree again. For a
template whose own XML came from lxml's serializer and whose values are escaped text, that round
trip changes only three things:

- Jinja escapes `"` and `'` in values as `&#34;` and `&#39;`; lxml writes text's quotes as they are
  (a proved template prints its values through `escape_text`, which leaves them so);
- an element with nothing inside (`<w:t xml:space="preserve"></w:t>`, an empty value) is
  written `<w:t xml:space="preserve"/>`;
- the XML declaration comes first.

`prove()` reads a compiled template once and decides whether that holds for anything it can
render. It proves it only when:

- the template uses only output, `if`, `for`, `set` and `{% filter nobreak %}` (no macros,
  includes, blocks, raw-XML filters such as `safe`), so every printed value is escaped text
  (contexts are plain data: `build_context` makes no Markup);
- every stretch of the template's own text is whole tags and text in lxml's serialized form,
  with each `if`/`for`/`filter` body closing what it opens, under one root element, with
  prefixes declared (the rendered text is then well-formed, whatever the values);
- values are printed in element content; inside a `<w:t>`, only one whose parent is a run of a
  paragraph (docxtpl's `resolve_listing`, which turns their tabs and newlines into Word runs,
  then keeps the XML balanced);
- every table has its grid, rows whose cells the template fixes, and a full row that is always
  there (docxtpl's `fix_tables` then changes nothing: `canonical_tables.py`);
- no drawing (`docPr`, which docxtpl renumbers).

The empty elements are found as the proof goes: each start tag that can end up right before its
end tag is remembered, and `serialize` writes those pairs as lxml does. A rendered part with a
character the proof does not cover (a control character, which values refuse anyway; `\\r`,
which a parser turns into a newline) is left to the parser. Tests compare both ways on many
plans, on hand-made values with quotes, tabs, newlines and empty fields, and on templates each
condition refuses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes
from markupsafe import escape

from pipeline.documents.canonical_tables import Tables
from pipeline.documents.canonical_tables import Unproved as _Unproved
from pipeline.documents.filters import nobreak_patterns, plain_nobreak

DECLARATION = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"

_NAME = r"[A-Za-z_][A-Za-z0-9_.\-]{0,200}(?::[A-Za-z_][A-Za-z0-9_.\-]{0,200})?"  # ASCII, short
_VALUE = r'(?:[^"<>&\x00-\x1f]|&(?:amp|lt|gt|quot|#10|#13|#9);)*'
_TOKEN = re.compile(
    rf"</(?P<end>{_NAME})>"
    rf"|<(?P<name>{_NAME})(?P<attributes>(?: {_NAME}=\"{_VALUE}\")*)(?P<empty>/?)>"
    r"|(?P<text>(?:[^<>&\r\x00-\x08\x0b\x0c\x0e-\x1f]|&(?:amp|lt|gt);)+)"
)
"""One tag, or a run of text, exactly as lxml serializes them (UTF-8: no character references
but those lxml itself writes)."""
_ATTRIBUTE = re.compile(rf" ({_NAME})=\"({_VALUE})\"")

_NO_ROWS = b"</w:tblGrid></w:tbl>"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_XML = "http://www.w3.org/XML/1998/namespace"
_DEEPEST = 200  # libxml2 refuses documents nested deeper than 256
_LONGEST = 10_000_000  # nor a text node longer than this (bytes): longer parts are parsed
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[A-Za-z0-9\-._~/:#?=,;@+]*")
"""A namespace name libxml2 takes whatever its version: absolute, plain characters."""
_XML_SPACE = (("xml:space", "preserve"), ("xml:space", "default"))
_RESERVED = (_XML, "http://www.w3.org/2000/xmlns/")
_FINISHED = ("{_{", "}_}", "{_%", "%_}", "\x05")  # what docxtpl's finishing rewrites
_CONTROL = bytes(c for c in range(32) if c not in (9, 10))
"""Bytes a parser refuses (or, `\\r`, changes): a part with one is left to the parser."""

# Jinja's filters that give plain values for plain values (never Markup, which would print
# raw XML), with the pipeline's own; any other filter leaves the template unproved.
_PLAIN_FILTERS = frozenset(
    (
        *("abs", "attr", "batch", "capitalize", "center", "count", "d", "default"),
        *("dictsort", "filesizeformat", "first", "float", "format", "groupby", "int"),
        *("items", "join", "last", "length", "list", "lower", "max", "min"),
        *("reject", "rejectattr", "replace", "reverse", "round", "select", "selectattr"),
        *("slice", "sort", "string", "sum", "title", "trim", "truncate", "unique", "upper"),
        *("wordcount", "wordwrap"),
        *("date", "percent", "number", "money", "dollars", "ordinal", "join_and", "nobreak"),
    )
)
_STATEMENTS = (nodes.Output, nodes.If, nodes.For, nodes.FilterBlock, nodes.Assign)
_MARKUP_NAMES = frozenset(("self", "caller", "super", "varargs", "kwargs"))
"""Names whose calls give Markup (blocks, macros' callers): never proved."""


def escape_text(value: Any) -> Any:
    """Jinja's autoescape for a proved template, whose values are all element content: `&`,
    `<` and `>` escaped, quotes left as lxml writes them in text (a plain string is all the
    compiled code needs); anything but a string, as Jinja escapes it."""
    if type(value) is not str:
        return escape(value)
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


@dataclass(frozen=True)
class Proof:
    """What `prove` found: the start tags that can end up with nothing before their end tag."""

    empties: tuple[tuple[bytes, bytes], ...]
    """(the pair as rendered, as lxml writes it), e.g. (b'<w:t></w:t>', b'<w:t/>')."""
    rowless: bool = False
    """Whether a table can be left without rows, which docxtpl's fix_tables would change."""

    def serialize(self, xml: str) -> bytes | None:
        """`xml`, rendered from the proved template and finished as docxtpl finishes it, as
        lxml would serialize it; None when it holds a character the proof does not cover."""
        try:
            data = xml.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: the parser reports it
            return None
        if len(data) > _LONGEST:  # the parser's limits may apply: it decides
            return None
        if len(data.translate(None, _CONTROL)) != len(data) or "\ufffe" in xml or "\uffff" in xml:
            return None
        if self.rowless and _NO_ROWS in data:
            return None
        if b"&#3" in data:
            data = data.replace(b"&#34;", b'"').replace(b"&#39;", b"'")
        for pair, empty in self.empties:
            data = data.replace(pair, empty)
        return DECLARATION + data


@dataclass
class _Element:
    tags: set[str]  # the start tags it can have, as written
    name: str
    namespaces: dict[str, str]  # prefix: namespace, declared here or above
    branch: int  # how many `if`/`for`/`filter` bodies deep it was opened
    filled: bool = False  # something is surely inside


_FIXED = frozenset(("w:tbl", "w:tblGrid", "w:tr", "w:tc", "w:tcPr"))
"""Elements a body may not close and open again (`</w:t><w:br/><w:t>` is fine): the tables'
structure, which the proof counts."""


def prove(template: nodes.Template) -> Proof | None:
    """The proof for `template` (its parsed source), or None when it cannot be made."""
    try:
        return _Walk().template(template)
    except (_Unproved, ValueError, RecursionError):
        return None


def why_not(template: nodes.Template) -> str:
    """What keeps `template` from being proved ('' when nothing does); for tests."""
    try:
        _Walk().template(template)
    except (_Unproved, ValueError, RecursionError) as reason:
        return str(reason) or type(reason).__name__
    return ""


class _Walk:
    def __init__(self) -> None:
        self.stack: list[_Element] = []
        self.branch = 0
        self.roots = 0
        self.nobreak = 0
        self.empties: dict[str, str] = {}
        self.tables = Tables()
        self.closed_root = False

    def template(self, template: nodes.Template) -> Proof:
        self.expressions(template)  # every expression, wherever it stands, once
        self.body(template.body)
        if self.stack or self.roots != 1:
            raise _Unproved("not one whole root element")
        empties = tuple((pair.encode(), empty.encode()) for pair, empty in self.empties.items())
        return Proof(empties, self.tables.rowless)

    # -- statements ---------------------------------------------------------------------------

    def body(self, body: list[nodes.Node]) -> None:
        for node in body:
            if not isinstance(node, _STATEMENTS):
                raise _Unproved(f"a {type(node).__name__} statement")
            if isinstance(node, nodes.Output):
                for child in node.nodes:
                    if isinstance(child, nodes.TemplateData):
                        self.text(child.data)
                    else:
                        self.printed()
                        self.tables.content([e.name for e in self.stack])
            elif isinstance(node, nodes.If):
                self.branches([node.body, *(e.body for e in node.elif_), node.else_])
            elif isinstance(node, nodes.For):
                if node.recursive:  # `loop(...)` prints its body as Markup
                    raise _Unproved("a recursive loop")
                self.branches([node.body, node.else_])
            elif isinstance(node, nodes.FilterBlock):
                if not plain_nobreak(node.filter):
                    raise _Unproved(f"a filter block of '{node.filter.name}' (or more)")
                self.nobreak += 1
                self.branches([node.body])
                self.nobreak -= 1

    def branches(self, bodies: list[list[nodes.Node]]) -> None:
        """Bodies of which any number (loops) or one (conditions) is rendered: each must close
        what it opens, and none surely fills the element around it."""
        outer = list(self.stack)
        self.printed()
        self.branch += 1
        for body in bodies:
            self.body(body)
            if len(self.stack) != len(outer):
                raise _Unproved("a body that does not close what it opens")
            for before, after in zip(outer, self.stack, strict=True):
                if after is not before:  # closed and opened again, as `</w:t><w:br/><w:t>`
                    if after.name != before.name or after.namespaces != before.namespaces:
                        raise _Unproved(f"a body that ends in another element than {before.name}")
                    before.tags |= after.tags
                    before.filled = False
                    self._may_be_empty(before)
            self.stack[:] = outer
        self.branch -= 1

    def expressions(self, node: nodes.Node) -> None:
        for used in node.find_all(nodes.Filter):
            assert isinstance(used, nodes.Filter)
            if used.name == "map" and (used.args or used.dyn_args or used.dyn_kwargs):
                first = used.args[0] if used.args else None  # map('filter'): its values
                if not isinstance(first, nodes.Const) or first.value not in _PLAIN_FILTERS:
                    raise _Unproved("map of a filter that is not known to give plain values")
            elif used.name != "map" and used.name not in _PLAIN_FILTERS:
                raise _Unproved(f"the filter '{used.name}'")
        for named in node.find_all(nodes.Name):
            assert isinstance(named, nodes.Name)
            if named.name in _MARKUP_NAMES:
                raise _Unproved(f"the name '{named.name}'")
        for kind in (nodes.MarkSafe, nodes.MarkSafeIfAutoescape, nodes.EvalContextModifier):
            if next(node.find_all(kind), None) is not None:
                raise _Unproved(f"a {kind.__name__}")

    # -- what the template prints -------------------------------------------------------------

    def printed(self) -> None:
        """A value (or a body) printed here: escaped text, maybe empty."""
        if not self.stack:
            raise _Unproved("something printed outside the root element")
        top = self.stack[-1]
        if top.name != "w:t" and any(e.name == "w:t" for e in self.stack):
            raise _Unproved("a value in an element inside a w:t")
        if top.name == "w:t":
            names = [e.name for e in self.stack]
            paragraph = len(names) - 1 - names[::-1].index("w:p") if "w:p" in names else -1
            if names[-2:] != ["w:r", "w:t"] or paragraph < 0 or "w:r" in names[paragraph:-2]:
                raise _Unproved("a value in a w:t that is not in a run of a paragraph")
            if names.count("w:p") > 1:
                raise _Unproved("a value in a paragraph inside a paragraph")
            self._may_be_empty(top)
        self.empties.setdefault(
            '<w:t xml:space="preserve"></w:t>', '<w:t xml:space="preserve"/>'
        )  # resolve_listing writes such w:t

    def text(self, data: str) -> None:
        position = 0
        while position < len(data):
            token = _TOKEN.match(data, position)
            if token is None:
                raise _Unproved(f"template text not as lxml writes it: {data[position:][:60]!r}")
            position = token.end()
            if token["text"] is not None:
                if not self.stack:
                    raise _Unproved("text outside the root element")
                self.tables.content([e.name for e in self.stack])
                if self.branch == self.stack[-1].branch:
                    self.stack[-1].filled = True
                if "\t" in token["text"] or "\n" in token["text"]:
                    self.printed()  # resolve_listing may rewrite it: as if printed
            elif token["end"] is not None:
                self.end(token["end"])
            else:
                self.start(token[0], token["name"], token["attributes"], bool(token["empty"]))

    def start(self, tag: str, name: str, attributes: str, empty: bool) -> None:
        if self.nobreak and any(pattern.search(tag) for pattern in nobreak_patterns()):
            raise _Unproved("a tag that nobreak would change")
        if "docPr" in tag:
            raise _Unproved("a drawing (docPr)")
        if any(rewritten in tag for rewritten in _FINISHED):
            raise _Unproved("a tag that docxtpl's finishing rewrites")
        if len(self.stack) >= _DEEPEST:
            raise _Unproved("elements nested too deep")
        inside = [e.name for e in self.stack]
        # resolve_listing's patterns take these for start tags, or copy run properties up to
        # the first end tag: only plain ones where it may look.
        if inside[-1:] == ["w:t"]:
            raise _Unproved("an element inside a w:t")
        if empty and attributes and name in ("w:t", "w:r"):
            raise _Unproved(f"an empty {name} with attributes")
        if name == "w:rPr" and "w:rPr" in inside:
            raise _Unproved("run properties inside run properties")
        if not self.stack:
            if self.closed_root or self.branch:
                raise _Unproved("more than one root element")
            self.roots += 1
        elif self.branch == self.stack[-1].branch:
            self.stack[-1].filled = True
        pairs = _ATTRIBUTE.findall(attributes)
        namespaces = self._declared(tag, pairs)
        if name.partition(":")[0] not in namespaces and ":" in name:
            raise _Unproved(f"an undeclared prefix in {tag}")
        plain = [n for n, _ in pairs if not n.startswith("xmlns:")]
        qualified = set()
        for attribute in plain:
            prefix, _, local = attribute.rpartition(":")
            if prefix and prefix not in namespaces:
                raise _Unproved(f"an undeclared prefix in {tag}")
            qualified.add((namespaces[prefix] if prefix else "", local))
        if len(qualified) != len(plain) or len({n for n, _ in pairs}) != len(pairs):
            raise _Unproved(f"an attribute twice in {tag}")
        for attribute, value in pairs:  # xml:id is checked by the parser (an NCName, unique)
            if attribute.startswith("xml:") and (attribute, value) not in _XML_SPACE:
                raise _Unproved(f"an xml: attribute the parser checks in {tag}")
        self.tables.start(name, dict(pairs), inside, self.branch)
        if empty:
            self.tables.end(name)
            if not self.stack:
                self.closed_root = True
        else:
            self.stack.append(_Element({tag}, name, namespaces, self.branch))

    def end(self, name: str) -> None:
        if not self.stack or self.stack[-1].name != name:
            raise _Unproved(f"</{name}> closes what is not open")
        element = self.stack.pop()
        if element.branch != self.branch:  # opened around this body: it must open it again
            if name in _FIXED or not self.stack:
                raise _Unproved(f"a body that closes the {name} around it")
            self._may_be_empty(element)
        elif not element.filled:
            self._may_be_empty(element)
        self.tables.end(name)
        if not self.stack:
            self.closed_root = True

    def _namespaces(self) -> dict[str, str]:
        return self.stack[-1].namespaces if self.stack else {"xml": _XML}

    def _declared(self, tag: str, pairs: list[tuple[str, str]]) -> dict[str, str]:
        """The namespaces in scope in `tag`: declared first (as lxml writes them), never the
        default one, `xml` or `xmlns`, and WordprocessingML always as `w` (tables are found by
        that prefix)."""
        namespaces = dict(self._namespaces())
        declaring = True
        for attribute, value in pairs:
            if attribute == "xmlns" or attribute.startswith("xmlns") != attribute.startswith(
                "xmlns:"
            ):
                raise _Unproved(f"a default namespace or an odd name in {tag}")
            if not attribute.startswith("xmlns:"):
                declaring = False
                continue
            prefix = attribute[len("xmlns:") :]
            if not declaring or prefix in ("xml", "xmlns") or not _URI.fullmatch(value):
                raise _Unproved(f"a namespace declared as lxml would not write it in {tag}")
            if value in _RESERVED:
                raise _Unproved(f"a namespace declared as lxml would not write it in {tag}")
            if (prefix == "w") != (value == _W):
                raise _Unproved(f"WordprocessingML under another prefix than w in {tag}")
            namespaces[prefix] = value
        return namespaces

    def _may_be_empty(self, element: _Element) -> None:
        for tag in element.tags:
            self.empties[f"{tag}</{element.name}>"] = tag[:-1] + "/>"
