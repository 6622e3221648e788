"""A change in words: the sentence that says what changed after its place ("final target 45%
→ 50%", "mission reworded: …"), shared by `pipeline diff`'s formats and the improvement plan's
Summary of changes."""

from __future__ import annotations

import re
from typing import Any

from pipeline.model.changes import Change
from pipeline.model.changes_match import Words

SHORT = 80
"""Text up to this long (both sides together, on one line) is shown as old → new; longer text
reworded is shown as the words changed, in context."""
CONTEXT = 6
"""How many unchanged words a long text's changes keep around them in text and Markdown."""


def lower_label(label: str) -> str:
    """A label inside a sentence: 'Due' → 'due', but 'ESSA designation' stays."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def is_short(change: Change) -> bool:
    values = [value for value in (change.old, change.new) if value]
    return sum(map(len, values)) <= SHORT and not any("\n" in value for value in values)


def trimmed(words: Words) -> Words:
    """Long unchanged stretches of `words` cut to CONTEXT words either side of a change."""
    out = []
    last = len(words) - 1
    for n, (op, text) in enumerate(words):
        parts = re.split(r"(?<=\s)(?=\S)", text)  # each word with the space after it
        head = CONTEXT if n > 0 else 0  # the words after the change before
        tail = CONTEXT if n < last else 0  # the words before the change after
        if op == "=" and (head or tail) and len(parts) > head + tail + 2:
            kept = "".join(parts[:head]).rstrip()
            text = (f"{kept} …" if kept else "…") + (" " + "".join(parts[-tail:]) if tail else "")
        out.append((op, text))
    return tuple(out)


def in_words(change: Change, plain: Any, mark: Any) -> tuple[str, str | None]:
    """What a change says (after its place), and the record's or value's content when it is
    more than a line; `plain` writes text, `mark` the words changed."""
    label, kind = change.label, change.kind
    if change.element == "order" and change.moved:
        return f"{plain(label)} reordered: {plain('; '.join(change.moved))}", None
    if change.element == "order":
        return f"{plain(label)} reordered: {plain(change.new or '')}", None
    if change.element == "item":
        if kind == "reworded":
            return f"{plain(label)}: item reworded: {mark(change.words)}", None
        value = change.new if kind == "added" else change.old
        return f"{plain(label)}: {kind} {plain(value or '')}", None
    if change.element == "record" or (kind in ("added", "removed") and not is_short(change)):
        return f"{plain(label)} {kind}", change.new if kind == "added" else change.old
    if kind == "added":
        return f"{plain(label)} added: {plain(change.new or '')}", None
    if kind == "removed":
        return f"{plain(label)} removed (was {plain(change.old or '')})", None
    if kind == "reworded" and not is_short(change):
        return f"{plain(label)} reworded: {mark(change.words)}", None
    if kind == "reworded":
        return (
            f"{plain(label)} reworded: {plain(change.old or '')} → {plain(change.new or '')}",
            None,
        )
    return f"{plain(label)} {plain(change.old or '')} → {plain(change.new or '')}", None
