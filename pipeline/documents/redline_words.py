"""Word-level redlining inside a paragraph (`redline.py` is the engine's entry point).

A paragraph's content is read as a sequence of tokens: each word, each run of whitespace and
each run of punctuation of its text; each other thing a run holds (a tab, a break, a field
character or field code, a drawing, a symbol, a note reference) as one token; each hyperlink,
inline content control, simple field, smart tag or custom XML element as one token that is
compared by what it is (its target, tag, field code) and, when the old and the new one are the
same thing, redlined word by word inside; anything else (an equation, a revision already in the
document) as one opaque token. Bookmarks, comment ranges and proofing marks are not content:
they are kept from the new paragraph.

The two sequences are aligned with difflib; what is kept or inserted is written with the run
properties of its run in the new paragraph, what is deleted with those of its run in the old.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from copy import deepcopy
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from lxml import etree

from pipeline.documents.redline_xml import (
    DEL,
    INS,
    KEEP,
    MARKERS,
    R_NS,
    TRACKED,
    XML_SPACE,
    Element,
    Revisions,
    W,
    mark_whole,
    xml_key,
)

TEXT, ATOM, INLINE, OPAQUE, MARKER = range(5)

INLINE_TAGS = frozenset(
    W + name for name in ("hyperlink", "sdt", "fldSimple", "smartTag", "customXml", "dir", "bdo")
)
PROPERTY_TAGS = frozenset(
    W + name for name in ("pPr", "rPr", "sdtPr", "sdtEndPr", "smartTagPr", "customXmlPr", "fldData")
)
LONG_PARAGRAPH = 1_000
"""Tokens past which a paragraph is aligned with difflib's junk heuristic."""
_WORDS = re.compile(r"\w+|\s+|[^\w\s]+")
_SKIPPED_IN_RUN = frozenset({W + "rPr", W + "lastRenderedPageBreak"})


@dataclass(frozen=True, eq=False)
class Token:
    kind: int
    key: Any
    """What the alignment compares: the text of a word, the XML of an atom, the identity of
    a hyperlink or content control (so the same one, changed inside, is matched)."""
    full: Any
    """Everything about the token: equal only when nothing in it changed."""
    value: Any
    """The word (TEXT), or the element."""
    run: Element | None = None
    """The run a word or an atom is in."""


class Side:
    """One of the two documents, as the engine reads it: how its relationship ids resolve,
    and its tokens and keys, each worked out once."""

    def __init__(self, target: Callable[[str], str]) -> None:
        self.target = target
        self._tokens: dict[Element, list[Token]] = {}
        self.keys: dict[Element, Any] = {}
        self.words: dict[Element, list[Any]] = {}

    def tokens(self, parent: Element) -> list[Token]:
        found = self._tokens.get(parent)
        if found is None:
            found = self._tokens[parent] = _tokenize(parent, self)
        return found


@dataclass
class Story:
    """One part being redlined (the body, a header, a footer, the notes)."""

    old: Side
    new: Side
    revisions: Revisions
    import_old: Callable[[Element], Element | None]
    """A copy of an element of the old part, made fit for the new package (None for what is
    not copied back: a bookmark, a comment mark, a reference to notes the new one lacks)."""


def content_of(element: Element) -> Element | None:
    """The element whose children are the content of an inline container."""
    return element.find(W + "sdtContent") if element.tag == W + "sdt" else element


def content_children(parent: Element) -> list[Element]:
    return [child for child in parent if child.tag not in PROPERTY_TAGS]


def identity(element: Element, side: Side) -> tuple[Any, ...]:
    """What an inline or block container is, whatever it holds: a hyperlink's target, a
    content control's tag and title, a simple field's code, a custom element's name."""
    name = element.tag
    if name == W + "hyperlink":
        link = element.get("{" + R_NS + "}id")
        where = (element.get(W + "anchor"), element.get(W + "docLocation"))
        return (name, side.target(link) if link else None, *where)
    if name == W + "sdt":
        properties = element.find(W + "sdtPr")
        values = []
        for tag in ("tag", "alias"):
            found = None if properties is None else properties.find(W + tag)
            values.append(None if found is None else found.get(W + "val"))
        return (name, *values)
    if name == W + "fldSimple":
        return (name, " ".join((element.get(W + "instr") or "").split()))
    return (name, tuple(sorted(element.attrib.items())))


def _tokenize(parent: Element, side: Side) -> list[Token]:
    out: list[Token] = []
    for child in content_children(parent):
        tag = child.tag
        if not isinstance(tag, str) or tag in MARKERS:
            out.append(Token(MARKER, None, None, child))
        elif tag == W + "r":
            for part in child:
                if part.tag in _SKIPPED_IN_RUN or not isinstance(part.tag, str):
                    continue
                if part.tag == W + "t":
                    for word in _WORDS.findall(part.text or ""):
                        key = ("t", word)
                        out.append(Token(TEXT, key, key, word, child))
                else:
                    key = ("x", xml_key(part, side.target))
                    out.append(Token(ATOM, key, key, part, child))
        elif tag in INLINE_TAGS and content_of(child) is not None:
            what = identity(child, side)
            inner = side.tokens(content_of(child))
            full = (what, tuple(t.full for t in inner if t.kind != MARKER))
            out.append(Token(INLINE, what, full, child))
        else:
            key = ("o", xml_key(child, side.target))
            out.append(Token(OPAQUE, key, key, child))
    return out


def paragraph_key(paragraph: Element, side: Side) -> tuple[Any, ...]:
    """Equal for two paragraphs exactly when their content is (formatting aside)."""
    return ("p", tuple(t.full for t in side.tokens(paragraph) if t.kind != MARKER))


def paragraph_words(paragraph: Element, side: Side) -> list[Any]:
    """The paragraph's words and other content, whitespace left out: what similarity is
    measured on."""
    found = side.words.get(paragraph)
    if found is None:
        found = side.words[paragraph] = [
            t.full
            for t in side.tokens(paragraph)
            if t.kind != MARKER and not (t.kind == TEXT and t.value.isspace())
        ]
    return found


def similarity(old: list[Any], new: list[Any]) -> float:
    if not old and not new:
        return 1.0
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    if matcher.real_quick_ratio() < 0.3 or matcher.quick_ratio() < 0.3:
        return matcher.quick_ratio()
    return matcher.ratio()


Item = tuple[str, Token | None, Token | None]
"""(status, the old token, the new token): a deleted token has no new one, an inserted or a
kept marker no old one."""


def _diff(old_tokens: list[Token], new_tokens: list[Token]) -> list[Item]:
    olds = [t for t in old_tokens if t.kind != MARKER]
    news: list[Token] = []
    before: list[list[Token]] = []
    pending: list[Token] = []
    for token in new_tokens:
        if token.kind == MARKER:
            pending.append(token)
        else:
            news.append(token)
            before.append(pending)
            pending = []
    # In a very long paragraph, spaces and common words are left out of the search for
    # matches (they still extend the matches found): it stays fast.
    long = len(news) > LONG_PARAGRAPH
    matcher = SequenceMatcher(None, [t.key for t in olds], [t.key for t in news], autojunk=long)
    items: list[Item] = []

    def new_item(status: str, j: int, old: Token | None = None) -> None:
        items.extend((KEEP, None, marker) for marker in before[j])
        items.append((status, old, news[j]))

    for tag, i1, i2, j1, j2 in _tidy(matcher.get_opcodes(), olds):
        if tag == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                new_item(KEEP, j, olds[i])
            continue
        items.extend((DEL, olds[i], None) for i in range(i1, i2))
        for j in range(j1, j2):
            new_item(INS, j)
    items.extend((KEEP, None, marker) for marker in pending)
    return items


Opcode = tuple[str, int, int, int, int]
"""difflib's opcode: (tag, i1, i2, j1, j2)."""


def _tidy(opcodes: Sequence[Opcode], olds: list[Token]) -> list[Opcode]:
    """The opcodes with the lone spaces kept between two changes made part of the change (so
    'a b' → 'c d' reads as one change, not as two around a kept space), and neighbouring
    changes merged."""
    out: list[Opcode] = []
    for number, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if (
            tag == "equal"
            and 0 < number < len(opcodes) - 1
            and i2 - i1 == 1
            and olds[i1].kind == TEXT
            and olds[i1].value.isspace()
        ):
            tag = "replace"
        if tag != "equal" and out and out[-1][0] != "equal":
            _, a1, _, b1, _ = out[-1]
            out[-1] = ("replace", a1, i2, b1, j2)
        else:
            out.append((tag, i1, i2, j1, j2))
    return out


class _Writer:
    """Writes the tokens of a redlined container back as runs, wrapped in marks."""

    def __init__(self, parent: Element, story: Story) -> None:
        self.parent = parent
        self.story = story
        self.run: Element | None = None
        self.run_key: tuple[str, Element | None] = (KEEP, None)
        self.wrapper: Element | None = None
        self.wrapper_status = KEEP

    def place(self, element: Element, status: str = KEEP) -> None:
        if status == KEEP:
            self.wrapper = None
            self.parent.append(element)
            return
        if self.wrapper is None or self.wrapper_status != status:
            self.wrapper = self.story.revisions.mark(status)
            self.wrapper_status = status
            self.parent.append(self.wrapper)
        self.wrapper.append(element)

    def element(self, element: Element) -> None:
        self.run = None
        self.place(element)

    def token(self, status: str, token: Token) -> None:
        source = token.run
        if self.run is None or self.run_key != (status, source):
            self.run = etree.Element(
                W + "r", attrib=dict(source.attrib) if source is not None else {}
            )
            properties = None if source is None else source.find(W + "rPr")
            if properties is not None:
                self.run.append(deepcopy(properties))
            self.run_key = (status, source)
            self.place(self.run, status)
        if token.kind == TEXT:
            tag = W + ("delText" if status == DEL else "t")
            last = self.run[-1] if len(self.run) else None
            if last is not None and last.tag == tag:
                last.text = (last.text or "") + token.value
            else:
                text = etree.SubElement(self.run, tag)
                text.text = token.value
                text.set(XML_SPACE, "preserve")
            return
        atom = self.story.import_old(token.value) if status == DEL else token.value
        if atom is not None:
            if status == DEL and atom.tag == W + "instrText":
                atom.tag = W + "delInstrText"
            self.run.append(atom)


def rebuild(old_parent: Element, new_parent: Element, story: Story) -> None:
    """Rewrite the content of `new_parent` (a paragraph, or the content of a hyperlink, a
    content control…) as the new content with the differences from `old_parent` tracked."""
    items = _diff(story.old.tokens(old_parent), story.new.tokens(new_parent))
    for child in content_children(new_parent):
        new_parent.remove(child)
    writer = _Writer(new_parent, story)
    for status, old, new in items:
        token = new if new is not None else old
        assert token is not None
        if token.kind in (TEXT, ATOM):
            writer.token(status, token)
        elif token.kind == MARKER or status == KEEP:
            if old is not None and new is not None and old.full != new.full:
                old_content, new_content = content_of(old.value), content_of(new.value)
                rebuild(old_content, new_content, story)
            writer.element(token.value)
        elif status == INS:
            if token.value.tag not in TRACKED:
                mark_whole(token.value, INS, story.revisions)
            writer.element(token.value)
        elif token.value.tag not in TRACKED:  # deleted
            copy = story.import_old(token.value)
            if copy is not None and copy.find(".//" + W + "r") is not None:
                mark_whole(copy, DEL, story.revisions)
                writer.element(copy)
