"""What changed between two revisions of a plan (`pipeline diff`), as text, JSON (documented
in docs/diff.md, stable, versioned), Markdown and a standalone HTML page.

The changes come from `pipeline.model.changes.diff_plans`; this module only writes them."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from pipeline import __version__
from pipeline.model.changes import KINDS, Change, by_section
from pipeline.model.changes_match import Words
from pipeline.model.changes_text import in_words, lower_label, trimmed
from pipeline.model.plan import Plan
from pipeline.reports.html import BASE_CSS

FORMAT = "pipeline-diff"
VERSION = 1
"""The JSON format's version: raised only when a field changes meaning or disappears (new
fields may be added within a version)."""
FORMATS = ("text", "json", "markdown", "html")


@dataclass(frozen=True)
class Side:
    """One of the two revisions compared: the input as the user named it, and its plan."""

    source: str
    plan: Plan

    def json(self) -> dict[str, Any]:
        revision = self.plan.plan.revision
        return {
            "source": self.source,
            "organization": {
                "name": self.plan.organization.name,
                "code": self.plan.organization.code,
            },
            "revision": (
                {"number": revision.number, "date": revision.date.isoformat()} if revision else None
            ),
        }

    def caption(self) -> str:
        revision = self.plan.plan.revision
        if revision is None:
            return self.source
        number = f"revision {revision.number}, " if revision.number else "revision of "
        return f"{self.source} ({number}{revision.date.isoformat()})"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def counts(changes: Sequence[Change]) -> dict[str, int]:
    found: dict[str, int] = {k: sum(1 for c in changes if c.kind == k) for k in KINDS}
    return {"changes": len(changes), **found}


def change_json(change: Change) -> dict[str, Any]:
    return {
        "section": change.section,
        "where": list(change.where),
        "label": change.label,
        "kind": change.kind,
        "element": change.element,
        "path": change.path,
        "at": change.at,
        "old": change.old,
        "new": change.new,
        "words": [[op, text] for op, text in change.words] if change.words else None,
        "moved": list(change.moved) if change.moved else None,
    }


def diff_json(changes: Sequence[Change], old: Side, new: Side) -> dict[str, Any]:
    """The whole diff as JSON-ready data (docs/diff.md)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "pipeline_version": __version__,
        "old": old.json(),
        "new": new.json(),
        "summary": counts(changes),
        "changes": [change_json(change) for change in changes],
    }


def _summary(changes: Sequence[Change]) -> str:
    if not changes:
        return "No changes."
    found = counts(changes)
    parts = ", ".join(f"{found[kind]} {kind}" for kind in KINDS if found[kind])
    return f"{_plural(len(changes), 'change')}: {parts}."


def _mark_text(words: Words) -> str:
    marks = {"=": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}
    return "".join(marks[op].format(text) for op, text in trimmed(words))


def _lines(change: Change) -> tuple[str, str, list[str]]:
    """(place, sentence, content lines) of a change for text output."""
    sentence, content = in_words(change, str, _mark_text)
    if change.where:
        sentence = lower_label(sentence)
    return change.place, sentence, content.splitlines() if content else []


# ---------------------------------------------------------------------------------------------
# text and Markdown


def diff_text(changes: Sequence[Change], old: Side, new: Side) -> str:
    """The diff for a terminal: each section's changes, a line each (a record added or removed
    with its content below it); the changes of one record in a line, `;`-separated, when
    short. Words changed in a longer text are marked [-removed-]{+added+}."""
    lines = [f"{old.caption()} → {new.caption()}", _summary(changes)]
    for section, group in by_section(list(changes)):
        lines += ["", section]
        last_place: str | None = None
        for change in group:
            place, sentence, content = _lines(change)
            line = f"{place}: {sentence}" if place else sentence[:1].upper() + sentence[1:]
            joinable = place and place == last_place and not content
            if joinable and len(lines[-1]) + len(sentence) < 110:
                lines[-1] += f"; {sentence}"
            else:
                lines.append(f"  {line}")
            lines += [f"      {text}" for text in content]
            last_place = place if not content else None
    return "\n".join(lines) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", escape(text, quote=False)).replace("\n", " ")


def _md_code(text: str) -> str:
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _mark_html(words: Words) -> str:
    out = []
    for op, text in words:
        shown = escape(text).replace("\n", "<br>")
        tag = {"=": "", "-": "del", "+": "ins"}[op]
        out.append(f"<{tag}>{shown}</{tag}>" if tag else shown)
    return "".join(out)


def _mark_md(words: Words) -> str:
    tags = {"=": "{}", "-": "<del>{}</del>", "+": "<ins>{}</ins>"}
    return "".join(tags[op].format(_md(text)) for op, text in trimmed(words))


def diff_markdown(changes: Sequence[Change], old: Side, new: Side) -> str:
    """The diff as Markdown (a pull request comment, a CI job summary): a list per section;
    words changed as <del>/<ins>."""
    lines = [
        f"# Changes: {_md(new.plan.organization.name)}",
        "",
        f"From {_md(old.caption())} to {_md(new.caption())}. {_summary(changes)}",
        "",
    ]
    for section, group in by_section(list(changes)):
        lines += [f"## {_md(section)}", ""]
        for change in group:
            sentence, content = in_words(change, _md, _mark_md)
            if change.where:
                sentence = f"**{_md(change.place)}**: {lower_label(sentence)}"
            lines.append(f"- {sentence} ({_md_code(change.path)})")
            lines += [f"  - {_md(text)}" for text in (content or "").splitlines()]
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# HTML

_CSS = (
    BASE_CSS
    + """
del{background:#fee2e2;color:#991b1b}ins{background:#dcfce7;color:#166534;text-decoration:none}
.added{background:#dcfce7;color:#166534}.removed{background:#fee2e2;color:#991b1b}
.changed,.reworded,.reordered{background:#dbeafe;color:#1e3a8a}
"""
)
"""The check report's look (`html.py`), and the marks of a diff."""


def _cell(text: str | None) -> str:
    if not text:
        return '<span class="muted">—</span>'
    return escape(text).replace("\n", "<br>")


def _row(change: Change) -> str:
    where = escape(change.place) if change.where else escape(change.section)
    head = (
        f'<td><strong>{where}</strong><br><code class="small">{escape(change.path)}</code></td>'
        f"<td>{escape(change.label)} "
        f'<span class="badge {escape(change.kind)}">{escape(change.kind)}</span></td>'
    )
    if change.words:
        return f'<tr>{head}<td colspan="2">{_mark_html(change.words)}</td></tr>'
    return f"<tr>{head}<td>{_cell(change.old)}</td><td>{_cell(change.new)}</td></tr>"


def diff_html(changes: Sequence[Change], old: Side, new: Side) -> str:
    """The diff as a standalone page (inline CSS, no scripts): a table per section."""
    title = f"Changes: {new.plan.organization.name}"
    parts = [
        f"<h1>{escape(title)}</h1>",
        f"<p>From <code>{escape(old.caption())}</code> to <code>{escape(new.caption())}</code>."
        f" {escape(_summary(changes))}</p>",
    ]
    for section, group in by_section(list(changes)):
        parts.append(f"<h2>{escape(section)}</h2>")
        parts.append(
            "<table><thead><tr><th>Where</th><th>What</th><th>Before</th><th>After</th></tr>"
            f"</thead><tbody>{''.join(_row(change) for change in group)}</tbody></table>"
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(parts)
        + f'\n<p class="muted small">Generated by pipeline {escape(__version__)}.</p>\n'
        "</body>\n</html>\n"
    )


def render_changes(changes: Sequence[Change], old: Side, new: Side, format: str) -> str:
    """The diff in one of `FORMATS`."""
    if format == "json":
        return json.dumps(diff_json(changes, old, new), indent=2, ensure_ascii=False) + "\n"
    if format == "markdown":
        return diff_markdown(changes, old, new)
    if format == "html":
        return diff_html(changes, old, new)
    return diff_text(changes, old, new)
