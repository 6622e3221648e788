"""A Word template read for checking: every part the renderer fills in (body, headers, footers,
footnotes, the rendered document properties) and those it does not (endnotes, comments, the
other properties), each paragraph with a place a person can find in Word ("body, table 2,
row 3, cell 1", "footnote 2, paragraph 1") and its Jinja source, one paragraph per line.

The package is read with the zip and XML parsers directly, so any package docxtpl can render
(merged cells, content controls, text boxes) is read without python-docx's table model.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from pipeline.documents.limits import read_template

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_FLATTEN = {W + "sdt", W + "sdtContent", W + "customXml", W + "ins", W + "moveTo", W + "smartTag"}
_INVISIBLE = ("lang", "noProof", "szCs", "bCs", "iCs", "cs", "rtl", "webHidden", "eastAsianLayout")
_FONT_HINTS = ("hint", "eastAsia", "eastAsiaTheme", "cs", "cstheme")
_WHICH = {"first": "first-page ", "even": "even-page "}
_CORE_RENDERED = {"title": "title", "subject": "subject", "creator": "author"}
_CORE_RENDERED |= {"description": "comments", "identifier": "identifier", "language": "language"}


@dataclass(frozen=True)
class Para:
    location: str
    text: str
    runs: tuple[tuple[str, str], ...] = ()
    """(text, formatting a reader can see) of each run with text."""
    in_table: bool = False
    row_key: str | None = None


@dataclass
class Part:
    name: str
    """"body", "header of section 1", "footnotes", "property title", …"""
    rendered: bool
    """Whether the renderer fills in the tags of this part."""
    paragraphs: list[Para] = field(default_factory=list)

    def source(self) -> str:
        """The part as Jinja sees it, one paragraph per line."""
        return "\n".join(jinja_text(para.text) for para in self.paragraphs)

    def at_line(self, line: int | None) -> Para | None:
        if not self.paragraphs:
            return None
        return self.paragraphs[min(max((line or 1) - 1, 0), len(self.paragraphs) - 1)]


_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def _docxtpl_tag(match: re.Match[str]) -> str:
    tag = match[0].translate(_QUOTES)  # docxtpl straightens quotes inside tags
    if re.fullmatch(r"\{%\s*(vm|hm)\s*%\}", tag):
        return ""
    special = re.fullmatch(r"\{%\s*(?:colspan|cellbg)\s+(.*?)%\}", tag, re.DOTALL)
    if special:
        return "{{ " + special[1] + " }}"
    return re.sub(r"^(\{%|\{\{|\{#)(?:p|tr|tc|r) ", r"\1 ", tag)


def jinja_text(text: str) -> str:
    """A paragraph's text as Jinja sees it after docxtpl's patching (tag prefixes `p`, `tr`,
    `tc`, `r` dropped; its own `vm`, `hm`, `colspan` and `cellbg` tags resolved)."""
    return _TAG.sub(_docxtpl_tag, text.replace("\n", " "))


def _visible_format(run: Any) -> str:
    properties = run.find(W + "rPr")
    if properties is None:
        return ""
    properties = etree.fromstring(etree.tostring(properties))
    for child in list(properties):
        name = etree.QName(child).localname
        if name in _INVISIBLE:
            properties.remove(child)
        elif name == "rFonts":
            for attribute in _FONT_HINTS:
                child.attrib.pop(W + attribute, None)
            if not child.attrib:
                properties.remove(child)
    return str(etree.tostring(properties, method="c14n")) if len(properties) else ""


def _owner(element: Any) -> Any:
    parent = element.getparent()
    while parent is not None and parent.tag != W + "p":
        parent = parent.getparent()
    return parent


def _paragraph(p: Any, location: str, in_table: bool, row_key: str | None) -> Para:
    runs = []
    for run in p.iter(W + "r"):
        if _owner(run) is not p:
            continue  # a run of a text box inside this paragraph
        text = "".join(
            t.text or "" if t.tag == W + "t" else ("\t" if t.tag == W + "tab" else " ")
            for t in run
            if t.tag in (W + "t", W + "tab", W + "br", W + "cr")
        )
        if text:
            runs.append((text, _visible_format(run)))
    return Para(location, "".join(text for text, _ in runs), tuple(runs), in_table, row_key)


def _children(element: Any) -> Iterator[Any]:
    for child in element:
        if child.tag in _FLATTEN:
            yield from _children(child)
        else:
            yield child


def _container(
    element: Any, where: str, cell: str | None = None, row_key: str | None = None
) -> Iterator[Para]:
    paragraph = table = 0
    for child in _children(element):
        if child.tag == W + "p":
            paragraph += 1
            location = cell or f"{where}paragraph {paragraph}"
            yield _paragraph(child, location, cell is not None, row_key)
            boxes = [box for box in child.iter(W + "txbxContent") if _owner(box) is child]
            for number, box in enumerate(boxes, start=1):
                yield from _container(box, f"{location}, text box {number}, ", cell, row_key)
        elif child.tag == W + "tbl":
            table += 1
            rows = [row for row in _children(child) if row.tag == W + "tr"]
            for r, row in enumerate(rows, start=1):
                key = f"{where}table {table}, row {r}"
                cells = [c for c in _children(row) if c.tag == W + "tc"]
                for c, tc in enumerate(cells, start=1):
                    place = f"{key}, cell {c}"
                    yield from _container(tc, f"{place}, ", place, key)


def _xml(package: zipfile.ZipFile, name: str) -> Any:
    try:
        return etree.fromstring(package.read(name), parser=_PARSER)
    except (KeyError, etree.XMLSyntaxError):
        return None


def _rels(package: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """{id: (type, part name)} of a part's relationships."""
    folder, _, name = part.rpartition("/")
    root = _xml(package, f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels")
    found = {}
    for rel in root if root is not None else []:
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else f"{folder}/{target}".lstrip("/")
        found[rel.get("Id")] = (rel.get("Type", "").rsplit("/", 1)[-1], _normal(path))
    return found


def _normal(path: str) -> str:
    parts: list[str] = []
    for piece in path.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def read_parts(path: Path) -> list[Part]:
    """Every part of the template at `path` that can hold tags. Raises TemplateProblemError
    when it is not a Word document."""
    with zipfile.ZipFile(io.BytesIO(read_template(path))) as package:
        main = next(
            (p for t, p in _rels(package, "").values() if t == "officeDocument"),
            "word/document.xml",
        )
        rels = _rels(package, main)
        root = _xml(package, main)
        body = root.find(W + "body") if root is not None else None
        parts = [Part("body", True, list(_container(body, "body, ")) if body is not None else [])]
        parts += _headers_footers(package, body, rels)
        for kind, rendered in (("footnotes", True), ("endnotes", False), ("comments", False)):
            for name in sorted({p for t, p in rels.values() if t == kind}):
                parts.append(_notes(package, name, kind, rendered))
        parts += _properties(package)
    return parts


def _headers_footers(
    package: zipfile.ZipFile, body: Any, rels: dict[str, tuple[str, str]]
) -> list[Part]:
    names: dict[str, str] = {}
    sections = list(body.iter(W + "sectPr")) if body is not None else []
    for number, section in enumerate(sections, start=1):
        for reference in section:
            kind = {W + "headerReference": "header", W + "footerReference": "footer"}.get(
                reference.tag
            )
            target = rels.get(reference.get(_R + "id", ""))
            if kind and target and target[1] not in names:
                which = _WHICH.get(reference.get(W + "type"), "")
                names[target[1]] = f"{which}{kind} of section {number}"
    order = list(names)
    found = sorted(
        {(t, p) for t, p in rels.values() if t in ("header", "footer")},
        key=lambda kind_name: order.index(kind_name[1]) if kind_name[1] in order else len(order),
    )
    parts = []
    for kind, name in found:
        label = names.get(name, f"{kind} ({name})")
        root = _xml(package, name)
        paragraphs = list(_container(root, f"{label}, ")) if root is not None else []
        parts.append(Part(label, True, paragraphs))
    return parts


def _notes(package: zipfile.ZipFile, name: str, kind: str, rendered: bool) -> Part:
    root = _xml(package, name)
    part = Part(kind, rendered)
    number = 0
    for note in root if root is not None else []:
        if note.get(W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
            part.paragraphs += list(_container(note, f"{kind} separator, "))
            continue
        number += 1
        part.paragraphs += list(_container(note, f"{kind[:-1]} {number}, "))
    return part


def _properties(package: zipfile.ZipFile) -> list[Part]:
    parts = []
    core = _xml(package, "docProps/core.xml")
    for element in core if core is not None else []:
        local = etree.QName(element).localname
        if element.text:
            name = _CORE_RENDERED.get(local, local)
            para = Para(f"document property {name}", element.text)
            parts.append(Part(f"property {name}", local in _CORE_RENDERED, [para]))
    custom = _xml(package, "docProps/custom.xml")
    for element in custom if custom is not None else []:
        name = element.get("name", "?")
        para = Para(f"custom property {name}", "".join(element.itertext()))
        parts.append(Part(f"custom property {name}", False, [para]))
    return parts
