"""What changed in a plan's last rebuild, as its check.html and the dashboard show it: the
count since the previous revision built, and links to the change summary and the redlines
(from the `changes` of its check.json; see outputs.changes_json)."""

from __future__ import annotations

from html import escape
from typing import Any


def _since(changes: dict[str, Any]) -> str:
    since = changes.get("since")
    if not since:
        return "the previous revision"
    if since.get("number"):
        return f"revision {since['number']} ({since['date']})"
    return f"the revision of {since['date']}"


def _count(changes: dict[str, Any]) -> str:
    count = int(changes.get("count") or 0)
    return f"{count} change{'' if count == 1 else 's'}"


def _links(changes: dict[str, Any], prefix: str) -> list[str]:
    links = []
    if changes.get("summary"):
        links.append(f'<a href="{escape(prefix + changes["summary"])}">summary</a>')
    for name in changes.get("redlines") or []:
        label = name.removesuffix("-redline.docx").replace("-", " ")
        links.append(f'<a href="{escape(prefix + name)}">{escape(label)} redline</a>')
    return links


def changes_note(changes: dict[str, Any] | None, prefix: str | None) -> str:
    """The dashboard's line under a plan's name: '9 changes since revision 2 (…) · summary'."""
    if not changes:
        return ""
    links = _links(changes, prefix) if prefix is not None else []
    shown = " · ".join([f"{_count(changes)} since {escape(_since(changes))}", *links])
    return f'<br><span class="small changes">{shown}</span>'


def changes_section(changes: dict[str, Any] | None, heading: str, linked: bool) -> str:
    """check.html's section on what changed since the previous revision built."""
    if not changes:
        return ""
    kinds = ", ".join(f"{n} {kind}" for kind, n in (changes.get("by_kind") or {}).items())
    text = f"{_count(changes)} since {escape(_since(changes))}" + (f": {kinds}" if kinds else "")
    links = _links(changes, "") if linked else []
    more = f" ({' · '.join(links)})" if links else ""
    return (
        f"<{heading}>Changes since the previous revision</{heading}>\n"
        f"<p>{text}.{more} The improvement plan lists them in its Summary of changes.</p>"
    )
