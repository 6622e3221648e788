"""Redlines: a new .docx with its differences from an old one as native Word tracked changes.

`redline(old, new, author=…, date=…)` returns the NEW document, every part of it (styles,
numbering, headers, settings, formatting) as it is, with what differs from the OLD document
recorded as revisions by `author` on `date`: Word's Review pane lists them, Accept All gives
exactly the new document's text and Reject All exactly the old one's, paragraph by paragraph,
tables included. It works on any .docx (a house template's or a custom one's rendering).

What is redlined, in the body, in every header and footer the two documents both have (by part
name) and in the footnotes and endnotes (note by note, by id):

- paragraphs and tables, aligned by content (`redline_blocks.py`), recursively inside table
  cells and block content controls; an inserted paragraph has its runs in `w:ins` and its
  paragraph mark inserted (`w:pPr/w:rPr/w:ins`), a deleted one is copied back from the old
  document with its runs in `w:del` (text as `w:delText`, field codes as `w:delInstrText`)
  and its mark deleted; at the end of a story and before a table the marks move up one
  paragraph, as Word records them (the paragraph there has nothing to join);
- table rows: rows are aligned by their cells' text; a row whose cells changed a little is the
  same row, redlined cell by cell; an added row is marked `w:trPr/w:ins`, a removed one is
  copied back at its place and marked `w:trPr/w:del`, its content deleted (a reordered row is
  a deletion and an insertion); a table added or removed whole has every row marked;
- inside a changed paragraph, word by word (`redline_words.py`): words, whitespace, tabs,
  breaks, field characters and codes, drawings and note references, each kept or inserted one
  with its new run's properties, each deleted one with its old run's (a field made of field
  characters is redlined like text: a changed code is deleted and inserted in `w:delInstrText`
  and `w:instrText`); a hyperlink, an inline content control, a simple field is the same one
  when its target, tag or field code is, and is then redlined inside.

Limits:

- formatting is not compared: a change of run or paragraph properties, styles, numbering,
  sections, page setup or table layout alone is not tracked (the new formatting is shown);
- a drawing, text box, equation, symbol or embedded object is compared whole; a changed one
  is deleted and inserted whole (an equation, which has no Word runs, is not tracked at all:
  the new one is shown);
- a hyperlink, content control or simple field whose target, tag or code changed is deleted
  and inserted whole; after Accept All the old one's emptied wrapper stays (it shows nothing);
- table rows inside row-level content controls, and cells inside cell-level ones, make their
  table (or row) compared whole; cell merges and column changes are not tracked;
- bookmarks, comments and permission ranges are kept from the new document; the old
  document's are not copied back with deleted content, nor are its section breaks;
- an inserted or deleted paragraph between a table and another table or the start or the end
  of its story has no paragraph to join: after accepting or rejecting, an empty paragraph may
  stay there (LibreOffice leaves one; it also cannot accept or reject a changed field code, a
  change inside a block content control, or delete a paragraph holding a note reference);
- a header or footer part only one document has is left as it is; comments, text boxes'
  stories and the glossary are not redlined; revisions already in either document are left
  as they are (the documents should have none);
- deleted content that points to another part (an image, a hyperlink) has its relationship
  added to the new package; a copied part's own relationships (a chart's) are not.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import posixpath
import zipfile
import zlib
from typing import Any

from lxml import etree

from pipeline.documents.redline_blocks import redline_container
from pipeline.documents.redline_words import Side, Story
from pipeline.documents.redline_xml import (
    DEL,
    INS,
    MARKERS,
    R_NS,
    W14_NS,
    WP_NS,
    Element,
    Revisions,
    W,
    mark_whole,
    stamp,
)
from pipeline.errors import InvalidInputError, Problem
from pipeline.files import ZipEntry, sha256, zip_package

MB = 1024 * 1024
MAX_PARTS = 2_000
MAX_PART_BYTES = 64 * MB
MAX_TOTAL_BYTES = 256 * MB
MAX_RATIO = 100
"""A package past these limits (parts, one part's size, all parts' size, a part's compression
ratio past 1 MB) is refused as a possible zip bomb."""

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_MAIN = ("document.main+xml", "template.main+xml")
_STORIES = ("header+xml", "footer+xml", "footnotes+xml", "endnotes+xml")
_NOTES = frozenset({W + "footnote", W + "endnote"})
_LEFT_OUT = MARKERS | {W + "commentReference", W + "sectPr"}
_NOTE_REFERENCES = (("footnoteReference", "footnotes.xml"), ("endnoteReference", "endnotes.xml"))


def redline(old: bytes, new: bytes, *, author: str, date: dt.date | dt.datetime) -> bytes:
    """The new .docx with the differences from the old as native Word tracked changes."""
    before = _Package(old, "the old document")
    after = _Package(new, "the new document")
    pairs = _stories(before, after)
    old_trees = {old_name: before.xml(old_name) for old_name, _ in pairs}
    new_trees = {new_name: after.xml(new_name) for _, new_name in pairs}
    ids = [0]
    drawings = [0]
    for tree in new_trees.values():
        ids += [int(v) for e in tree.iter() if (v := e.get(W + "id", "")).isdigit()]
        drawings += [
            int(v) for e in tree.iter(f"{{{WP_NS}}}docPr") if (v := e.get("id", "")).isdigit()
        ]
    revisions = Revisions(author, stamp(date), max(ids) + 1)
    notes = {name.rsplit("/", 1)[-1] for name, _ in pairs if name.endswith("notes.xml")}
    state = _Imports(before, after, max(drawings) + 1, notes)
    changed: dict[str, bytes] = {}
    for old_name, new_name in pairs:
        story = Story(
            Side(before.target_of(old_name)),
            Side(after.target_of(new_name)),
            revisions,
            state.importer(old_name, new_name),
        )
        old_root, new_root = old_trees[old_name], new_trees[new_name]
        if new_root.tag in (W + "footnotes", W + "endnotes"):
            _redline_notes(old_root, new_root, story)
        elif new_root.tag == W + "document":
            old_body, new_body = old_root.find(W + "body"), new_root.find(W + "body")
            if old_body is not None and new_body is not None:
                redline_container(old_body, new_body, story)
        else:
            redline_container(old_root, new_root, story)
        changed[new_name] = _serialize(new_root)
    changed.update(state.written())
    names = after.names + [name for name in changed if name not in after.data]
    return zip_package([ZipEntry.of(n, changed.get(n, after.data.get(n, b""))) for n in names])


def _redline_notes(old: Element, new: Element, story: Story) -> None:
    """Footnotes or endnotes, note by note by id: the references keep their ids, so in either
    view each reference finds its note as that view has it."""
    olds = {note.get(W + "id"): note for note in old if note.tag in _NOTES}
    news = [note for note in new if note.tag in _NOTES]
    for note in news:
        before = olds.get(note.get(W + "id"))
        if before is None:
            mark_whole(note, INS, story.revisions)
        else:
            redline_container(before, note, story)
    kept = {note.get(W + "id") for note in news}
    for number, note in olds.items():
        if number not in kept:
            gone = story.import_old(note)
            if gone is not None:
                mark_whole(gone, DEL, story.revisions)
                new.append(gone)


def _serialize(root: Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _refusal(which: str, message: str) -> InvalidInputError:
    return InvalidInputError([Problem(which, "file", message, "give two Word documents (.docx)")])


class _Package:
    """A .docx read whole, within the limits above."""

    def __init__(self, blob: bytes, which: str) -> None:
        self.which = which
        self.names: list[str] = []
        self.data: dict[str, bytes] = {}
        try:
            with zipfile.ZipFile(io.BytesIO(blob)) as package:
                self._read(package)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError) as error:
            raise _refusal(which, f"{which} is not a readable .docx ({error})") from None
        except (NotImplementedError, RuntimeError, ValueError) as error:
            raise _refusal(which, f"{which} cannot be read ({error})") from None
        types = self.xml("[Content_Types].xml") if "[Content_Types].xml" in self.data else None
        if types is None:
            raise _refusal(which, f"{which} is not a Word document (no [Content_Types].xml)")
        self.types_root = types
        self.defaults: dict[str, str] = {
            e.get("Extension", "").lower(): e.get("ContentType", "")
            for e in types.iter(_CT + "Default")
        }
        self.overrides: dict[str, str] = {
            e.get("PartName", "").lstrip("/").lower(): e.get("ContentType", "")
            for e in types.iter(_CT + "Override")
        }
        if not any(self.content_type(name).endswith(_MAIN) for name in self.names):
            raise _refusal(which, f"{which} is not a Word document (.docx)")
        self._hashes: dict[str, str] = {}

    def _read(self, package: zipfile.ZipFile) -> None:
        infos = [info for info in package.infolist() if not info.is_dir()]
        if len(infos) > MAX_PARTS:
            raise _refusal(self.which, f"{self.which} has {len(infos)} parts (at most {MAX_PARTS})")
        total = 0
        for info in infos:
            if info.filename in self.data:
                raise _refusal(self.which, f"{self.which} holds {info.filename} twice")
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > MAX_PART_BYTES or (info.file_size > MB and ratio > MAX_RATIO):
                raise _refusal(
                    self.which,
                    f"{self.which}: {info.filename} unpacks to {info.file_size / MB:,.1f} MB, "
                    f"{ratio:,.0f} times its packed size; refused as a possible zip bomb",
                )
            with package.open(info) as stream:
                data = stream.read(MAX_PART_BYTES + 1)
            total += len(data)
            if len(data) > MAX_PART_BYTES or total > MAX_TOTAL_BYTES:
                raise _refusal(self.which, f"{self.which} is too large once unpacked")
            self.names.append(info.filename)
            self.data[info.filename] = data

    def xml(self, name: str) -> Element:
        try:
            return etree.fromstring(self.data[name], parser=_PARSER)
        except etree.XMLSyntaxError as error:
            raise _refusal(
                self.which, f"{self.which}: {name} is not well-formed XML ({error})"
            ) from None

    def content_type(self, name: str) -> str:
        found = self.overrides.get(name.lower())
        if found is not None:
            return found
        return self.defaults.get(posixpath.splitext(name)[1].lstrip(".").lower(), "")

    def rels(self, name: str) -> dict[str, tuple[str, str, str]]:
        """The relationships of part `name`: id → (type, target, mode); an internal target is
        the name of the part it points to."""
        folder, base = posixpath.split(name)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name not in self.data:
            return {}
        found = {}
        for rel in self.xml(rels_name).iter(f"{{{_RELS}}}Relationship"):
            mode = rel.get("TargetMode", "Internal")
            target = rel.get("Target", "")
            if mode != "External":
                target = _resolve(folder, target)
            found[rel.get("Id", "")] = (rel.get("Type", ""), target, mode)
        return found

    def part_hash(self, name: str) -> str:
        if name not in self._hashes:
            self._hashes[name] = sha256(self.data.get(name, b""))
        return self._hashes[name]

    def target_of(self, name: str) -> Any:
        """What a relationship id of part `name` points to, comparable between packages (an
        internal part by its content, so the same image under two names is the same)."""
        rels = self.rels(name)

        def target(rel_id: str) -> str:
            found = rels.get(rel_id)
            if found is None:
                return "?" + rel_id
            kind, where, mode = found
            if mode == "External":
                return f"{kind} {where}"
            return f"{kind} {self.part_hash(where)}"

        return target


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(folder, target))


def _stories(before: _Package, after: _Package) -> list[tuple[str, str]]:
    """(old part, new part) of each story both documents have, in the new package's order."""

    def main(package: _Package) -> str:
        return next(n for n in package.names if package.content_type(n).endswith(_MAIN))

    old_main, new_main = main(before), main(after)
    pairs = []
    for name in after.names:
        kind = after.content_type(name)
        if name == new_main:
            pairs.append((old_main, name))
        elif (
            kind.startswith(_WORD)
            and kind.endswith(_STORIES)
            and name in before.data
            and before.content_type(name) == kind
        ):
            pairs.append((name, name))
    return pairs


class _Imports:
    """Copies old content into the new package: relationship ids remapped (a relationship or a
    part the new package lacks is added), drawing ids renumbered, bookmarks, comment marks,
    section breaks and paragraph ids left out (None for an element that is itself left out),
    and note references too when the notes are not redlined."""

    def __init__(self, before: _Package, after: _Package, drawing: int, notes: set[str]) -> None:
        self.before, self.after = before, after
        self.drawing = drawing
        self.notes = notes
        self.rels: dict[str, Element] = {}
        self.added_parts: dict[str, bytes] = {}
        self.copied: dict[str, str] = {}

    def importer(self, old_part: str, new_part: str) -> Any:
        old_rels = self.before.rels(old_part)
        new_rels = self.after.rels(new_part)
        mapped: dict[str, str] = {}

        def remap(rel_id: str) -> str:
            if rel_id not in mapped:
                mapped[rel_id] = self._relate(old_rels.get(rel_id), new_part, new_rels, rel_id)
            return mapped[rel_id]

        left_out = _LEFT_OUT | {W + tag for tag, part in _NOTE_REFERENCES if part not in self.notes}

        def import_old(element: Element) -> Element | None:
            if element.tag in left_out:
                return None
            copied = copy.deepcopy(element)
            for child in list(copied.iter(*left_out)):
                child.getparent().remove(child)
            for child in list(copied.iter(W + "sdtPr")):
                for number in child.findall(W + "id"):
                    child.remove(number)
            for node in copied.iter():
                for name in list(node.attrib):
                    if name.startswith("{" + R_NS):
                        node.set(name, remap(node.get(name)))
                    elif name in (f"{{{W14_NS}}}paraId", f"{{{W14_NS}}}textId"):
                        del node.attrib[name]
            for drawing in copied.iter(f"{{{WP_NS}}}docPr"):
                drawing.set("id", str(self.drawing))
                self.drawing += 1
            return copied

        return import_old

    def _relate(
        self, rel: tuple[str, str, str] | None, part: str, rels: dict[str, Any], rel_id: str
    ) -> str:
        if rel is None:
            return rel_id
        kind, target, mode = rel
        if mode != "External":
            target = self._part(target)
        for known, existing in rels.items():
            if existing == (kind, target, mode):
                return str(known)
        number = 1
        while f"rIdRedline{number}" in rels:
            number += 1
        new_id = f"rIdRedline{number}"
        rels[new_id] = (kind, target, mode)
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name not in self.rels:
            self.rels[rels_name] = (
                self.after.xml(rels_name)
                if rels_name in self.after.data
                else etree.Element(f"{{{_RELS}}}Relationships", nsmap={None: _RELS})
            )
        element = etree.SubElement(self.rels[rels_name], f"{{{_RELS}}}Relationship")
        element.set("Id", new_id)
        element.set("Type", kind)
        if mode == "External":
            element.set("Target", target)
            element.set("TargetMode", "External")
        else:
            element.set("Target", posixpath.relpath(target, folder or "."))
        return new_id

    def _part(self, name: str) -> str:
        """The new package's part holding what the old package's `name` holds: the same part
        when it has the same content, else a copy added under a new name."""
        if name in self.copied:
            return self.copied[name]
        data = self.before.data.get(name, b"")
        if self.after.data.get(name) == data:
            self.copied[name] = name
            return name
        folder, base = posixpath.split(name)
        number = 1
        candidate = posixpath.join(folder, f"redline{number}-{base}")
        while candidate in self.after.data or candidate in self.added_parts:
            number += 1
            candidate = posixpath.join(folder, f"redline{number}-{base}")
        self.added_parts[candidate] = data
        self.copied[name] = candidate
        kind = self.before.content_type(name)
        if self.after.content_type(candidate) != kind:
            override = etree.SubElement(self.after.types_root, _CT + "Override")
            override.set("PartName", "/" + candidate)
            override.set("ContentType", kind)
            self.after.overrides[candidate.lower()] = kind
        return candidate

    def written(self) -> dict[str, bytes]:
        """The parts this import added or changed."""
        out = {name: _serialize(root) for name, root in self.rels.items()}
        out.update(self.added_parts)
        if self.added_parts:
            out["[Content_Types].xml"] = _serialize(self.after.types_root)
        return out
