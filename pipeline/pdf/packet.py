"""A plan's submission packet: its PDFs joined into one `packet.pdf` with pypdf.

The packet opens with a cover and a contents page (`front.py`, converted like the documents;
labelled "Cover" and "Contents", with a bookmark each). It has a bookmark per document (its
title) with that document's own bookmarks (its headings, as LibreOffice exported them) nested
under it, pointing at the same places; page labels per document ("Action Plan 3"); the plan's
metadata dated by its revision; and the documents' tagged structure joined under one Document
element, so it stays accessible.

pypdf's `append` keeps pages but drops what belongs to a whole file: the outline, the structure
tree, the language, the metadata stream and the output intents. Those are rebuilt here. With
PDF/A, the packet gets what PDF/A-2b asks of a file (an XMP packet with the pdfaid
identification that agrees with the document information, the output intent LibreOffice wrote
with its ICC profile, a file /ID); everything on its pages is LibreOffice's PDF/A output as is.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from pypdf import PdfReader, PdfWriter
from pypdf.constants import PageLabelStyle
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    Fit,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from pipeline.pdf.finish import metadata_stream, set_id, xmp_packet
from pipeline.pdf.info import PacketInfo as PacketInfo  # where it was: front.py, tests
from pipeline.pdf.info import packet_info as packet_info


@dataclass(frozen=True)
class Part:
    """One document of a packet."""

    title: str
    """Its bookmark; also the title of its part of the structure tree."""
    label: str
    """Page label prefix: its pages are numbered '<label> 1', '<label> 2'…"""
    pdf: bytes


PDF_A_2B = (2, "B")
PDF_UA_1 = 1


FRONT_TITLE = "Cover and contents"
COVER_LABEL = "Cover"
CONTENTS_LABEL = "Contents"


def front_labels(pages: int) -> list[str]:
    """The page labels of a front of `pages` pages: the cover, then the contents."""
    if pages <= 2:
        return [COVER_LABEL, CONTENTS_LABEL][:pages]
    return [COVER_LABEL] + [f"{CONTENTS_LABEL} {n}" for n in range(1, pages)]


def join(
    parts: Sequence[Part],
    info: PacketInfo,
    pdf_a: bool = False,
    front: bytes | None = None,
    pdf_ua: bool = False,
) -> bytes:
    """The packet of `parts`, in order, as PDF bytes (the same parts give the same bytes),
    opening with `front`, the PDF of its cover and contents (`front.py`), when given."""
    writer = PdfWriter()
    members = [Part(FRONT_TITLE, "", front)] if front is not None else []
    members += parts
    readers = [PdfReader(io.BytesIO(part.pdf)) for part in members]
    writer.pdf_header = max(reader.pdf_header for reader in readers)
    structure: list[tuple[Part, PdfReader, int]] = []
    start = 0
    for index, (part, reader) in enumerate(zip(members, readers, strict=True)):
        writer.append(reader, import_outline=False)
        count = len(reader.pages)
        if front is not None and index == 0:
            for page, label in enumerate(front_labels(count)):
                writer.set_page_label(page, page, prefix=label)
            writer.add_outline_item(title=COVER_LABEL, page_number=0)
            if count > 1:
                writer.add_outline_item(title=CONTENTS_LABEL, page_number=1)
        else:
            end = start + count - 1
            writer.set_page_label(start, end, PageLabelStyle.DECIMAL, f"{part.label} ")
            top = writer.add_outline_item(title=part.title, page_number=start)
            _copy_outline(writer, reader, reader.outline, top, start)
        structure.append((part, reader, start))
        start += count
    _join_structure(writer, structure)

    root = writer.root_object
    first = readers[0].root_object
    language = str(first.get("/Lang", "en-US"))
    root[NameObject("/Lang")] = TextStringObject(language)
    root[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)}
    )
    writer.page_mode = "/UseOutlines"
    details = info.as_pdf()
    writer.add_metadata(details)
    if pdf_a:
        intents = first.get("/OutputIntents")
        if intents is None:
            raise ValueError("a PDF/A packet needs parts converted as PDF/A")
        root[NameObject("/OutputIntents")] = intents.clone(writer)
    if pdf_a or pdf_ua:
        xmp = xmp_packet(
            details,
            info.moment,
            language,
            PDF_A_2B if pdf_a else None,
            PDF_UA_1 if pdf_ua else None,
        )
        root[NameObject("/Metadata")] = metadata_stream(writer, xmp)
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part.pdf).digest())
    digest.update(repr(sorted(details.items())).encode())
    set_id(writer, digest.digest()[:16])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _copy_outline(
    writer: PdfWriter, reader: PdfReader, items: list[Any], parent: Any, offset: int
) -> None:
    """Add `reader`'s outline `items` under `parent`, their pages shifted by `offset`, each
    pointing at the same place on its page as in the document."""
    previous = None
    for item in items:
        if isinstance(item, list):
            if previous is not None:
                _copy_outline(writer, reader, item, previous, offset)
            continue
        page = reader.get_destination_page_number(item)
        if page is None or page < 0:
            continue
        fit = Fit.fit()
        if item.typ == "/XYZ":
            fit = Fit.xyz(item.left, item.top, item.zoom)
        previous = writer.add_outline_item(
            title=item.title, page_number=offset + page, parent=parent, fit=fit
        )


def _join_structure(writer: PdfWriter, parts: list[tuple[Part, PdfReader, int]]) -> None:
    """One structure tree for the packet: a Document element whose Parts are the documents'
    own trees (their Document elements, retitled), with the marked-content keys of each
    document's pages renumbered after the previous document's."""
    if not all("/StructTreeRoot" in reader.root_object for _, reader, _ in parts):
        return  # an untagged document: the packet cannot be tagged honestly
    tree_root = writer._add_object(DictionaryObject())
    top = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/StructElem"),
            NameObject("/S"): NameObject("/Document"),
            NameObject("/P"): tree_root,
        }
    )
    top_ref = writer._add_object(top)
    kids = ArrayObject()
    numbers = ArrayObject()
    role_map = DictionaryObject()
    next_key = 0
    for part, reader, start in parts:
        source = reader.root_object.raw_get("/StructTreeRoot")
        assert isinstance(source, IndirectObject)
        clone = source.clone(writer)
        tree = clone.get_object()
        assert isinstance(tree, DictionaryObject)
        role_map.update(tree.get("/RoleMap", DictionaryObject()))
        elements = tree.get("/K", ArrayObject())
        if not isinstance(elements, list):
            elements = ArrayObject([elements])
        for element in elements:
            element_object = element.get_object()
            element_object[NameObject("/P")] = top_ref
            if element_object.get("/S") == "/Document":
                element_object[NameObject("/S")] = NameObject("/Part")
            element_object[NameObject("/T")] = TextStringObject(part.title)
            kids.append(element)
        base = next_key
        highest = -1
        for key, value in _number_tree(tree.get("/ParentTree")):
            numbers += [NumberObject(base + key), value]
            highest = max(highest, key)
        # pypdf's append leaves out the pages' /StructParents: set them from the originals.
        copies = writer.pages[start : start + len(reader.pages)]
        for original, page in zip(reader.pages, copies, strict=True):
            if "/StructParents" in original:
                page[NameObject("/StructParents")] = NumberObject(
                    int(cast(Any, original["/StructParents"])) + base
                )
            for annotation in page.get("/Annots", []):
                annotation = annotation.get_object()
                if "/StructParent" in annotation:
                    annotation[NameObject("/StructParent")] = NumberObject(
                        int(annotation["/StructParent"]) + base
                    )
        next_key = base + highest + 1
        _discard(writer, clone, tree.raw_get("/ParentTree"))
    top[NameObject("/K")] = kids
    tree_object = tree_root.get_object()
    assert isinstance(tree_object, DictionaryObject)
    tree_object.update(
        {
            NameObject("/Type"): NameObject("/StructTreeRoot"),
            NameObject("/K"): ArrayObject([top_ref]),
            NameObject("/ParentTree"): writer._add_object(
                DictionaryObject({NameObject("/Nums"): numbers})
            ),
            NameObject("/ParentTreeNextKey"): NumberObject(next_key),
            NameObject("/RoleMap"): role_map,
        }
    )
    writer.root_object[NameObject("/StructTreeRoot")] = tree_root
    writer.root_object[NameObject("/MarkInfo")] = DictionaryObject(
        {NameObject("/Marked"): BooleanObject(True)}
    )


def _number_tree(node: Any) -> list[tuple[int, Any]]:
    """The (key, value) pairs of a number tree, in order."""
    if node is None:
        return []
    node = node.get_object()
    pairs: list[tuple[int, Any]] = []
    numbers = node.get("/Nums", [])
    for index in range(0, len(numbers) - 1, 2):
        pairs.append((int(numbers[index]), numbers[index + 1]))
    for kid in node.get("/Kids", []):
        pairs += _number_tree(kid)
    return pairs


def _discard(writer: PdfWriter, *references: Any) -> None:
    """Leave the documents' own tree roots out of the file: nothing refers to them now."""
    for reference in references:
        if isinstance(reference, IndirectObject) and reference.pdf is writer:
            writer._objects[reference.idnum - 1] = None
