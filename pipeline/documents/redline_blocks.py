"""Block-level redlining: paragraphs and tables of a story, rows of a table (`redline.py` is the
engine's entry point; `redline_words.py` redlines inside a paragraph).

The blocks of a story (or of a table cell, a content control) are aligned by their content:
equal blocks are kept; within a stretch that differs, blocks are paired by similarity (a
paragraph whose words changed a little is the same paragraph; a lone paragraph replaced by
another always is), a pair is redlined inside and the rest is deleted (copied back from the
old document, with its content and paragraph marks deleted) or inserted (content and paragraph
marks inserted). Rows of two paired tables are aligned the same way, by their cells' content.

A story's last paragraph mark, and the mark of the paragraph just before a table, cannot be
inserted or deleted: that paragraph has nothing to join, and accepting or rejecting would
leave an empty paragraph behind. When the last paragraphs before such a place are inserted or
deleted, their marks move up one paragraph, as Word records them: the mark of the paragraph
before the change carries the first one's status, and the last paragraph's mark is left
unmarked (with no paragraph before the change to carry it, the last deleted and the last
inserted paragraph are paired instead). Accepting or rejecting then gives exactly the new or
the old paragraphs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from pipeline.documents.redline_words import (
    LONG_PARAGRAPH,
    Side,
    Story,
    identity,
    paragraph_key,
    paragraph_words,
    rebuild,
    similarity,
)
from pipeline.documents.redline_xml import (
    DEL,
    INS,
    KEEP,
    MARKERS,
    Element,
    W,
    mark_paragraph,
    mark_runs,
    mark_whole,
    xml_key,
)

PAIR = "pair"
P, TBL, TR, TC, SDT = W + "p", W + "tbl", W + "tr", W + "tc", W + "sdt"
BLOCK_TAGS = frozenset({P, TBL, SDT, W + "customXml"})
_TABLE_PARTS = frozenset({W + "tblPr", W + "tblGrid"}) | MARKERS
_ROW_PARTS = frozenset({W + "tblPrEx", W + "trPr", TC}) | MARKERS
MAX_PAIRING = 2_500
"""The largest stretch of changed blocks (old × new) paired by similarity; a larger one is
paired position by position."""


@dataclass
class Op:
    kind: str
    """KEEP (equal), PAIR (redlined inside), DEL or INS."""
    old: Element | None
    new: Element | None
    mark: str = ""
    """A paragraph's mark, when it is not the op's own status (see the module's docstring)."""


def blocks(container: Element) -> list[Element]:
    return [
        child
        for child in container
        if child.tag in BLOCK_TAGS
        and (child.tag != SDT or child.find(W + "sdtContent") is not None)
    ]


def _rows(table: Element) -> list[Element]:
    return [child for child in table if child.tag == TR]


def _cells(row: Element) -> list[Element]:
    return [child for child in row if child.tag == TC]


def _plain_table(table: Element) -> bool:
    return all(child.tag in _TABLE_PARTS or child.tag == TR for child in table)


def _plain_row(row: Element) -> bool:
    return all(child.tag in _ROW_PARTS for child in row)


def _inner(block: Element) -> Element:
    found = block.find(W + "sdtContent") if block.tag == SDT else block
    return block if found is None else found


def block_key(block: Element, side: Side) -> Any:
    """Equal for two blocks exactly when their content is (formatting aside)."""
    found = side.keys.get(block)
    if found is not None:
        return found
    tag = block.tag
    if tag == P:
        key: Any = paragraph_key(block, side)
    elif tag == TBL:
        if _plain_table(block):
            key = (TBL, tuple(block_key(row, side) for row in _rows(block)))
        else:
            key = (TBL, xml_key(block, side.target))
    elif tag == TR:
        if _plain_row(block):
            key = (TR, tuple(_container_key(cell, side) for cell in _cells(block)))
        else:
            key = (TR, xml_key(block, side.target))
    else:
        key = (identity(block, side), _container_key(_inner(block), side))
    side.keys[block] = key
    return key


def _container_key(container: Element, side: Side) -> tuple[Any, ...]:
    return tuple(block_key(block, side) for block in blocks(container))


def _words(block: Element, side: Side) -> list[Any]:
    if block.tag == P:
        return paragraph_words(block, side)
    found = side.words.get(block)
    if found is None:
        found = side.words[block] = [w for p in block.iter(P) for w in paragraph_words(p, side)]
    return found


Score = Callable[[Element, Element, bool], float | None]


def _block_score(story: Story) -> Score:
    def score(old: Element, new: Element, alone: bool) -> float | None:
        """How alike two blocks are, or None when they are not to be paired; `alone`: they
        are the only two blocks of a changed stretch."""
        if old.tag != new.tag:
            return None
        if old.tag in (P, TBL):
            if old.tag == TBL and not (_plain_table(old) and _plain_table(new)):
                return None
            ratio = similarity(_words(old, story.old), _words(new, story.new))
            return ratio if alone or ratio >= (0.5 if old.tag == P else 0.3) else None
        if identity(old, story.old) != identity(new, story.new):
            return None
        return 0.5 + similarity(_words(old, story.old), _words(new, story.new)) / 2

    return score


def _row_score(story: Story) -> Score:
    def score(old: Element, new: Element, alone: bool) -> float | None:
        if not (_plain_row(old) and _plain_row(new)):
            return None
        if len(_cells(old)) != len(_cells(new)):
            return None
        ratio = similarity(_words(old, story.old), _words(new, story.new))
        return ratio if ratio >= 0.5 else None

    return score


def _pairs(olds: list[Element], news: list[Element], score: Score) -> list[tuple[int, int]]:
    """The pairs (old index, new index), in order, that pair the most blocks, the most alike
    first."""
    k, n = len(olds), len(news)
    if k * n > MAX_PAIRING:
        return [(i, i) for i in range(min(k, n)) if score(olds[i], news[i], False) is not None]
    alone = k == 1 and n == 1
    scores = [[score(old, new, alone) for new in news] for old in olds]
    best = [[0.0] * (n + 1) for _ in range(k + 1)]
    step = [[0] * (n + 1) for _ in range(k + 1)]  # 1: skip old, 2: skip new, 3: pair
    for i in range(1, k + 1):
        for j in range(1, n + 1):
            best[i][j], step[i][j] = max((best[i - 1][j], 1), (best[i][j - 1], 2))
            value = scores[i - 1][j - 1]
            if value is not None and best[i - 1][j - 1] + 1 + value > best[i][j]:
                best[i][j], step[i][j] = best[i - 1][j - 1] + 1 + value, 3
    pairs = []
    i, j = k, n
    while i > 0 and j > 0:
        if step[i][j] == 3:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif step[i][j] == 1:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def _align(olds: list[Element], news: list[Element], story: Story, score: Score) -> list[Op]:
    old_keys = [block_key(block, story.old) for block in olds]
    new_keys = [block_key(block, story.new) for block in news]
    ops: list[Op] = []
    matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=len(news) > LONG_PARAGRAPH)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops += [
                Op(KEEP, olds[i], news[j])
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            ]
            continue
        old_part, new_part = olds[i1:i2], news[j1:j2]
        pairs = _pairs(old_part, new_part, score) if old_part and new_part else []
        i = j = 0
        for pi, pj in [*pairs, (len(old_part), len(new_part))]:
            ops += [Op(DEL, old, None) for old in old_part[i:pi]]
            ops += [Op(INS, None, new) for new in new_part[j:pj]]
            if pi < len(old_part):
                ops.append(Op(PAIR, old_part[pi], new_part[pj]))
            i, j = pi + 1, pj + 1
    return ops


def _element(op: Op) -> Element:
    element = op.new if op.new is not None else op.old
    assert element is not None
    return element


def _settle_marks(ops: list[Op]) -> list[Op]:
    """Leave unmarked the last paragraph mark before the end of the story and before each
    table or block content control (see the module's docstring)."""
    out: list[Op] = []
    stretch: list[Op] = []
    for op in ops:
        if _element(op).tag != P:
            out += [*_settle_last_mark(stretch), op]
            stretch = []
        else:
            stretch.append(op)
    return out + _settle_last_mark(stretch)


def _settle_last_mark(ops: list[Op]) -> list[Op]:
    """Leave the last paragraph mark of `ops` unmarked."""
    start = len(ops)
    while start > 0 and ops[start - 1].kind in (DEL, INS) and _element(ops[start - 1]).tag == P:
        start -= 1
    changed = ops[start:]
    if not changed:
        return ops
    before = ops[start - 1] if start else None
    if before is not None and before.kind in (KEEP, PAIR) and _element(before).tag == P:
        statuses = [op.kind for op in changed]
        before.mark = statuses[0]
        for op, status in zip(changed, [*statuses[1:], KEEP], strict=True):
            op.mark = status
        return ops
    deleted = [op for op in changed if op.kind == DEL]
    inserted = [op for op in changed if op.kind == INS]
    if not deleted or not inserted:
        return ops  # nothing to lean on: the marks stay as they are
    last_deleted, last_inserted = deleted[-1], inserted[-1]
    rest = [op for op in changed if op is not last_deleted and op is not last_inserted]
    return [*ops[:start], *rest, Op(PAIR, last_deleted.old, last_inserted.new)]


def redline_container(old: Element, new: Element, story: Story) -> None:
    """Redline the blocks of `new` (a body, header, footer, note, table cell, content
    control) against those of `old`, in place."""
    ops = _settle_marks(_align(blocks(old), blocks(new), story, _block_score(story)))
    _apply(ops, new, story)


def _redline_table(old: Element, new: Element, story: Story) -> None:
    _apply(_align(_rows(old), _rows(new), story, _row_score(story)), new, story)


def _apply(ops: list[Op], container: Element, story: Story) -> None:
    pending: list[Element] = []
    last: Element | None = None
    for op in ops:
        if op.kind == DEL:
            pending.append(_deleted(op, story))
            continue
        assert op.new is not None
        for element in pending:
            op.new.addprevious(element)
        pending = []
        _kept(op, story)
        last = op.new
    if not pending:
        return
    if last is None:
        section = container.find(W + "sectPr")
        for element in pending:
            if section is not None:
                section.addprevious(element)
            else:
                container.append(element)
        return
    for element in pending:
        last.addnext(element)
        last = element


def _deleted(op: Op, story: Story) -> Element:
    assert op.old is not None
    copy = story.import_old(op.old)
    assert copy is not None  # blocks are always copied back
    if copy.tag == P:
        mark_runs(copy, DEL, story.revisions)
        if (op.mark or DEL) != KEEP:
            mark_paragraph(copy, op.mark or DEL, story.revisions)
    else:
        mark_whole(copy, DEL, story.revisions)
    return copy


def _kept(op: Op, story: Story) -> None:
    new, old = op.new, op.old
    assert new is not None
    if op.kind == INS:
        if new.tag == P:
            mark_runs(new, INS, story.revisions)
        else:
            mark_whole(new, INS, story.revisions)
    elif op.kind == PAIR:
        if new.tag == P:
            rebuild(old, new, story)
        elif new.tag == TBL:
            _redline_table(old, new, story)
        elif new.tag == TR:
            for old_cell, new_cell in zip(_cells(old), _cells(new), strict=True):
                redline_container(old_cell, new_cell, story)
        else:
            redline_container(_inner(old), _inner(new), story)
    if new.tag == P:
        mark = op.mark or (INS if op.kind == INS else KEEP)
        if mark != KEEP:
            mark_paragraph(new, mark, story.revisions)
