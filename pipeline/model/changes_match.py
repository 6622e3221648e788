"""Matching two revisions of a list, and the words changed in a text, for `changes.py`.

A list's items are matched by id (or natural key) wherever they stand, then those left by
equality, then by similarity; what stays unmatched was added or removed. Matched items whose
order differs make the list reordered.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from difflib import SequenceMatcher
from itertools import pairwise
from typing import Any

Pair = tuple[int | None, int | None]
"""(index in the old list, index in the new list); None on the side an item is missing from."""
Words = tuple[tuple[str, str], ...]
"""A word-level diff: ('=', kept), ('-', removed), ('+', added) runs, in order."""

SIMILAR = 0.5
"""The least similarity (0–1) for two records without a matching key to be the same record."""
SIMILAR_TEXT = 0.6
"""The least similarity for two items of a list of texts to be one item reworded."""


def similarity(old: Sequence[str], new: Sequence[str]) -> float:
    """How alike two sequences of words (or values) are, from 0 to 1."""
    if not old and not new:
        return 1.0
    return SequenceMatcher(None, list(old), list(new), autojunk=False).ratio()


def _words(texts: Sequence[str]) -> list[str]:
    return [word for text in texts for word in text.split()]


def match(
    old: Sequence[Any],
    new: Sequence[Any],
    key: Callable[[Any], Hashable] | None = None,
    *,
    by_key_only: bool = False,
    text: Callable[[Any], Sequence[str]] | None = None,
    threshold: float = SIMILAR,
) -> list[Pair]:
    """The items of `old` and `new` paired, in the new list's order (an item only in `old`
    just after the item that preceded it there).

    Items whose `key` is unique on both sides are paired by key, wherever they stand; then
    equal items; then (when `text` gives the words an item holds) the most similar, if at least
    `threshold` alike. With `by_key_only` (ids), the last two steps pair only items of the same
    key (an id given twice): an item whose id changed was removed and another added."""
    pairs: dict[int, int] = {}  # new index -> old index
    old_keys = [key(item) for item in old] if key else [None] * len(old)
    new_keys = [key(item) for item in new] if key else [None] * len(new)
    if key is not None:
        old_count, new_count = Counter(old_keys), Counter(new_keys)
        where = {k: i for i, k in enumerate(old_keys)}
        for j, k in enumerate(new_keys):
            if k is not None and new_count[k] == 1 and old_count[k] == 1:
                pairs[j] = where[k]

    def allowed(i: int, j: int) -> bool:
        return not by_key_only or old_keys[i] == new_keys[j]

    left = [i for i in range(len(old)) if i not in pairs.values()]
    for j in range(len(new)):
        if j in pairs:
            continue
        same = next((i for i in left if allowed(i, j) and old[i] == new[j]), None)
        if same is not None:
            pairs[j] = same
            left.remove(same)
    if text is not None and left and len(pairs) < len(new):
        old_words = {i: _words(text(old[i])) for i in left}
        scored = []
        for j in range(len(new)):
            if j in pairs:
                continue
            new_words = _words(text(new[j]))
            for i in left:
                if not allowed(i, j):
                    continue
                score = similarity(old_words[i], new_words)
                if score >= threshold:
                    bonus = 0.2 if old_keys[i] is not None and old_keys[i] == new_keys[j] else 0
                    scored.append((-(score + bonus), abs(i - j), i, j))
        taken: set[int] = set()
        for _, _, i, j in sorted(scored):
            if i not in taken and j not in pairs:
                pairs[j] = i
                taken.add(i)
    return _ordered(pairs, len(old), len(new))


def _ordered(pairs: dict[int, int], old_count: int, new_count: int) -> list[Pair]:
    removed = sorted(set(range(old_count)) - set(pairs.values()))
    out: list[Pair] = []
    r = 0
    for j in range(new_count):
        i = pairs.get(j)
        if i is not None:
            while r < len(removed) and removed[r] < i:
                out.append((removed[r], None))
                r += 1
        out.append((i, j))
    out += [(i, None) for i in removed[r:]]
    return out


def reordered(pairs: Sequence[Pair]) -> bool:
    """Whether the items on both sides stand in another order in the new list."""
    return any(a[1] > b[1] for a, b in pairwise(in_old_order(pairs)))


def in_old_order(pairs: Sequence[Pair]) -> list[tuple[int, int]]:
    """The items on both sides, in their old order, as (old index, new index)."""
    return sorted((i, j) for i, j in pairs if i is not None and j is not None)


def in_new_order(pairs: Sequence[Pair]) -> list[tuple[int, int]]:
    return sorted(in_old_order(pairs), key=lambda pair: pair[1])


_TOKEN = re.compile(r"\S+\s*|\s+")


def word_diff(old: str, new: str) -> Words:
    """The words of `old` kept, removed and added in `new`. Joining the '=' and '-' runs gives
    `old` back, the '=' and '+' runs `new`; each changed stretch is one '-' run, then one '+'."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = SequenceMatcher(None, [t.strip() for t in a], [t.strip() for t in b], autojunk=False)
    raw: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for x, y in zip(a[i1:i2], b[j1:j2], strict=True):
                word = x.rstrip()  # the same word; the space after it may differ
                spaces = [] if x == y else [("-", x[len(word) :]), ("+", y[len(word) :])]
                raw += [("=", word), *spaces, ("=", x[len(word) :] if x == y else "")]
        else:
            raw += [("-", "".join(a[i1:i2])), ("+", "".join(b[j1:j2]))]
    out: list[tuple[str, str]] = []
    removed = added = ""

    def flush() -> None:
        nonlocal removed, added
        out.extend((op, text) for op, text in (("-", removed), ("+", added)) if text)
        removed = added = ""

    for op, text in raw:
        if not text:
            continue
        if op == "-":
            removed += text
        elif op == "+":
            added += text
        else:
            flush()
            if out and out[-1][0] == "=":
                out[-1] = ("=", out[-1][1] + text)
            else:
                out.append(("=", text))
    flush()
    return tuple(out)


def moved(pairs: Sequence[Pair]) -> list[tuple[int, int | None]]:
    """The fewest items whose move explains a reorder, in their new order: (new index of the
    item, new index of the item it now follows, None when it is first). The others keep
    their order (the longest run of items in the same order on both sides)."""
    order = in_old_order(pairs)
    # Longest increasing subsequence of the new indices, taken in old order.
    tails: list[int] = []
    parent: dict[int, int | None] = {}
    for n, (_, j) in enumerate(order):
        low, high = 0, len(tails)
        while low < high:
            middle = (low + high) // 2
            if order[tails[middle]][1] < j:
                low = middle + 1
            else:
                high = middle
        parent[n] = tails[low - 1] if low else None
        if low == len(tails):
            tails.append(n)
        else:
            tails[low] = n
    kept: set[int] = set()
    at: int | None = tails[-1] if tails else None
    while at is not None:
        kept.add(order[at][1])
        at = parent[at]
    new_order = [j for _, j in in_new_order(pairs)]
    return [(j, new_order[k - 1] if k else None) for k, j in enumerate(new_order) if j not in kept]
