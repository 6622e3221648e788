"""The WordprocessingML side of the redline engine (`redline.py`): names, the revision marks
(`w:ins`, `w:del`) and how runs, paragraph marks and table rows are marked.

Every mark is written where the schema wants it: a run's `w:ins`/`w:del` wraps the run (they
may stand in a paragraph, a hyperlink, a content control, a simple field); a paragraph mark's
is the first child of `w:pPr/w:rPr` (CT_ParaRPr: ins, del, moveFrom, moveTo, then the run
properties); a row's comes after the row properties in `w:trPr`, before any `w:trPrChange`
(CT_TrPr).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{" + W_NS + "}"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"

Element = Any
"""An lxml element (lxml has no type information)."""

INS, DEL, KEEP = "ins", "del", "keep"

TRACKED = frozenset({W + "ins", W + "del", W + "moveFrom", W + "moveTo"})
"""Revision wrappers already in a document: their content is left as it is."""

MARKERS = frozenset(
    W + name
    for name in (
        "bookmarkStart",
        "bookmarkEnd",
        "commentRangeStart",
        "commentRangeEnd",
        "permStart",
        "permEnd",
        "proofErr",
        "moveFromRangeStart",
        "moveFromRangeEnd",
        "moveToRangeStart",
        "moveToRangeEnd",
        "customXmlInsRangeStart",
        "customXmlInsRangeEnd",
        "customXmlDelRangeStart",
        "customXmlDelRangeEnd",
        "customXmlMoveFromRangeStart",
        "customXmlMoveFromRangeEnd",
        "customXmlMoveToRangeStart",
        "customXmlMoveToRangeEnd",
    )
)
"""Range and proofing marks: they hold no content, are never compared, and are kept only from
the new document (an old one, copied back with deleted content, is left out)."""


def stamp(date: dt.date | dt.datetime) -> str:
    """`w:date` of the marks: ISO 8601 in UTC (`YYYY-MM-DDT00:00:00Z` for a date)."""
    if isinstance(date, dt.datetime):
        if date.tzinfo is not None:
            date = date.astimezone(dt.UTC).replace(tzinfo=None)
        return date.replace(microsecond=0).isoformat() + "Z"
    return f"{date.isoformat()}T00:00:00Z"


class Revisions:
    """Makes the revision marks, numbered in the order they are made from `first_id`."""

    def __init__(self, author: str, date: str, first_id: int) -> None:
        self.author = author
        self.date = date
        self.next_id = first_id

    def mark(self, kind: str) -> Element:
        element = etree.Element(W + kind)
        element.set(W + "id", str(self.next_id))
        element.set(W + "author", self.author)
        element.set(W + "date", self.date)
        self.next_id += 1
        return element


def local(element: Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def in_other_story(element: Element, top: Element) -> bool:
    """Whether `element` (below `top`) is inside a run (a text box's content in a drawing) or
    inside a revision wrapper already there: not content of the story `top` is in."""
    parent = element.getparent()
    while parent is not None and parent is not top:
        if parent.tag == W + "r" or parent.tag in TRACKED:
            return True
        parent = parent.getparent()
    return top.tag in TRACKED


def _own(top: Element, tag: str) -> Iterator[Element]:
    for element in list(top.iter(W + tag)):
        if not in_other_story(element, top):
            yield element


def mark_runs(top: Element, kind: str, revisions: Revisions) -> None:
    """Wrap every run in `top` in a `kind` mark (neighbouring runs in the same one); a
    deleted run's text becomes `w:delText`, its field codes `w:delInstrText`."""
    wrapper = None
    for run in list(_own(top, "r")):
        if not any(child.tag != W + "rPr" for child in run):
            continue  # an empty run: nothing to mark (LibreOffice would show a placeholder)
        if kind == DEL:
            for child in run:
                if child.tag == W + "t":
                    child.tag = W + "delText"
                elif child.tag == W + "instrText":
                    child.tag = W + "delInstrText"
        if top is run:
            continue  # a lone run: its caller wraps it
        if wrapper is None or run.getprevious() is not wrapper:
            wrapper = revisions.mark(kind)
            run.addprevious(wrapper)
        wrapper.append(run)


def mark_paragraph(paragraph: Element, kind: str, revisions: Revisions) -> None:
    """Mark the paragraph mark of `paragraph` inserted or deleted (`w:pPr/w:rPr/w:ins|del`)."""
    properties = paragraph.find(W + "pPr")
    if properties is None:
        properties = etree.Element(W + "pPr")
        paragraph.insert(0, properties)
    run_properties = properties.find(W + "rPr")
    if run_properties is None:
        run_properties = etree.Element(W + "rPr")
        later = [c for c in properties if c.tag in (W + "sectPr", W + "pPrChange")]
        if later:
            later[0].addprevious(run_properties)
        else:
            properties.append(run_properties)
    if run_properties.find(W + kind) is not None:
        return
    mark = revisions.mark(kind)
    inserted = run_properties.find(W + INS)
    if kind == DEL and inserted is not None:
        inserted.addnext(mark)
    else:
        run_properties.insert(0, mark)


def mark_row(row: Element, kind: str, revisions: Revisions) -> None:
    """Mark a table row inserted or deleted (`w:trPr/w:ins|del`)."""
    properties = row.find(W + "trPr")
    if properties is None:
        properties = etree.Element(W + "trPr")
        exceptions = row.find(W + "tblPrEx")
        if exceptions is not None:
            exceptions.addnext(properties)
        else:
            row.insert(0, properties)
    if properties.find(W + kind) is not None:
        return
    if all(child.tag in _ROW_CHANGES for child in properties):
        # CT_TrPr wants one row property or more before the marks: one that changes nothing
        etree.SubElement(properties, W + "cantSplit").set(W + "val", "off")
        properties.insert(0, properties[-1])
    mark = revisions.mark(kind)
    after = (W + DEL, W + "trPrChange") if kind == INS else (W + "trPrChange",)
    later = [c for c in properties if c.tag in after]
    if later:
        later[0].addprevious(mark)
    else:
        properties.append(mark)


_ROW_CHANGES = frozenset({W + INS, W + DEL, W + "trPrChange"})


def mark_whole(top: Element, kind: str, revisions: Revisions) -> None:
    """Mark everything in `top` (a paragraph, a table, a row, a content control…) inserted or
    deleted: its rows, its runs and its paragraph marks."""
    for row in _own(top, "tr"):
        mark_row(row, kind, revisions)
    mark_runs(top, kind, revisions)
    for paragraph in _own(top, "p"):
        mark_paragraph(paragraph, kind, revisions)


def text_of(element: Element) -> str:
    """The visible text of `element`, for messages and similarity."""
    return "".join(t.text or "" for t in element.iter(W + "t"))


def xml_key(element: Element, target: Callable[[str], str]) -> tuple[Any, ...]:
    """What `element` is, comparable between two packages: its tag, attributes (relationship
    ids replaced by what they point to; drawing ids and revision-session ids left out), text
    and children."""
    attributes = []
    for name, value in element.attrib.items():
        if name.startswith("{" + R_NS):
            attributes.append((name, target(value)))
        elif not _ignored_attribute(element, name):
            attributes.append((name, value))
    attributes.sort()
    return (
        element.tag if isinstance(element.tag, str) else "",
        tuple(attributes),
        element.text or "",
        tuple(xml_key(child, target) for child in element),
    )


def _ignored_attribute(element: Element, name: str) -> bool:
    attribute = name.rsplit("}", 1)[-1]
    if attribute.startswith("rsid") or name in (f"{{{W14_NS}}}paraId", f"{{{W14_NS}}}textId"):
        return True
    return attribute == "id" and local(element) in ("docPr", "cNvPr")
