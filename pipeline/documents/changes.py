"""The improvement plan's "Summary of changes": what changed since the previous revision built,
from the semantic diff (`pipeline.model.changes`), grouped by section, as the template sees it
under `changes` (None when the previous revision is not known)."""

from __future__ import annotations

from typing import Any

from pipeline.model.changes import Change, by_section
from pipeline.model.changes_match import Words
from pipeline.model.changes_text import in_words, lower_label
from pipeline.model.plan import Plan

WORDS_SHOWN = 12
"""How many removed or added words a reworded text's line quotes (the redline has them all)."""


def _quoted(words: Words, op: str) -> str:
    runs = [" ".join(part.split()) for o, part in words if o == op and part.strip()]
    text = " … ".join(runs)  # separate places of the text
    parts = text.split(" ")
    if len(parts) > WORDS_SHOWN:
        text = " ".join(parts[:WORDS_SHOWN]) + " …"
    return f"“{text}”" if text else ""


def _marked(words: Words) -> str:
    removed, added = _quoted(words, "-"), _quoted(words, "+")
    said = [f"removed {removed}" if removed else "", f"added {added}" if added else ""]
    return "; ".join(part for part in said if part)


def change_line(change: Change) -> str:
    """One change as a line of the summary: its place and what changed."""
    said, _ = in_words(change, str, _marked)
    if change.where:
        return f"{change.place}: {lower_label(said)}"
    return said[:1].upper() + said[1:]


def changes_context(changes: list[Change], previous: Plan, dates: Any) -> dict[str, Any]:
    """The `changes` of the template context. `dates` writes a date as documents do."""
    revision = previous.plan.revision
    if revision is None:
        since = "the previous revision"
    elif revision.number:
        since = f"revision {revision.number} of {dates(revision.date)}"
    else:
        since = f"the revision of {dates(revision.date)}"
    return {
        "since": since,
        "count": len(changes),
        "sections": [
            {"section": section, "lines": [change_line(change) for change in group]}
            for section, group in by_section(changes)
        ],
    }
