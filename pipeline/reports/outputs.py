"""The check reports a build writes: `check.json` and `check.html` in each plan's folder, and
`index.html`, the dashboard of the whole output folder. All are written atomically."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import Problem
from pipeline.files import write_atomic

if TYPE_CHECKING:
    from pipeline.checks.engine import PlanCheck
    from pipeline.model.changes import Change, Since
    from pipeline.model.plan import Plan

# The reports themselves (html.py, formats.py, and the checks they show) are imported where
# they are made: a build's main process needs this module's names, and often writes nothing.

REPORT_JSON = "check.json"
REPORT_HTML = "check.html"
CHANGES_HTML, CHANGES_JSON = "changes.html", "changes.json"
"""The change summary since the previous revision (pipeline.model.documents names them too)."""
INDEX = "index.html"


def plan_reports(
    check: PlanCheck,
    pdfs: bool = False,
    as_of: dt.date | None = None,
    since: Since | None = None,
    redlines: Sequence[str] = (),
) -> dict[str, bytes]:
    """A plan's reports, {file name: bytes}, for its output folder; with `pdfs` (a build
    with --pdf) check.html also links each document's PDF and the packet. (Those are
    written with the plan's record: a plan whose PDFs cannot all be made fails.) Their
    monitoring is the plan as of its latest check-in on or before `as_of` (a build's
    --as-of; by default its latest check-in). With `since` (the previous revision built,
    and the changes from it), they say what changed; with `redlines` (a build with
    --redline: the redline files), the change summary is written too (changes.html,
    changes.json) and linked."""
    from pipeline.reports.changes import Side, diff_html, diff_json
    from pipeline.reports.formats import dumps, report_json
    from pipeline.reports.html import PACKET, report_html

    report = report_json([check], as_of)
    files: set[str] = set()
    if pdfs:
        files = {f"{part['name']}.pdf" for plan in report["plans"] for part in plan["documents"]}
        files.add(PACKET)
    written: dict[str, bytes] = {}
    plan = check.plan
    if since is not None and plan is not None:
        changes = since.changes
        report["plans"][0]["changes"] = changes_json(changes, since.previous, redlines)
        if redlines:
            old, new = Side("the previous revision", since.previous), Side(check.source, plan)
            written[CHANGES_HTML] = diff_html(changes, old, new).encode("utf-8")
            written[CHANGES_JSON] = dumps(diff_json(changes, old, new)).encode("utf-8")
    return {
        REPORT_JSON: dumps(report).encode("utf-8"),
        REPORT_HTML: report_html(report, linked=True, files=files).encode("utf-8"),
        **written,
    }


def changes_json(
    changes: Sequence[Change], previous: Plan, redlines: Sequence[str]
) -> dict[str, Any]:
    """What check.json says of the changes since the previous revision built (docs/checks.md)."""
    from pipeline.reports.changes import counts

    revision = previous.plan.revision
    return {
        "since": (
            {"number": revision.number, "date": revision.date.isoformat()} if revision else None
        ),
        "count": len(changes),
        "by_kind": {kind: n for kind, n in counts(changes).items() if n and kind != "changes"},
        "summary": CHANGES_HTML if redlines else None,
        "redlines": list(redlines),
    }


def _pdfs_in(folder: Path) -> frozenset[str]:
    """The PDFs and packet a build writes that are in `folder`."""
    from pipeline.reports.html import DOCUMENT_TITLES, PACKET

    names = [f"{name}.pdf" for name in DOCUMENT_TITLES] + [PACKET]
    return frozenset(name for name in names if (folder / name).is_file())


def _pdfs(names: Collection[str]) -> frozenset[str]:
    """Of the file names `names`, the PDFs and packet a build writes."""
    from pipeline.reports.html import DOCUMENT_TITLES, PACKET

    return frozenset(names) & {*(f"{name}.pdf" for name in DOCUMENT_TITLES), PACKET}


def _plan_report(folder: Path) -> dict[str, Any] | None:
    """The plan's part of the check.json in `folder`, if it is there and readable, without its
    findings (the dashboard shows their counts; a district's thousand plans' findings would
    all be held at once)."""
    try:
        data = json.loads((folder / REPORT_JSON).read_text(encoding="utf-8"))
        plan = data["plans"][0]
        if not isinstance(plan, dict):
            return None
        plan.pop("findings", None)
        return plan
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None


def write_index(
    out: Path,
    built: Mapping[str, str],
    failed: Iterable[tuple[str, list[Problem]]] = (),
    pdfs: Mapping[str, Collection[str]] | None = None,
) -> Path:
    """Write `out/index.html`: a row for each plan in the folder (`built`: input → its
    folder's name), read from its check.json, with links to the PDFs and packet that are
    there (`pdfs`: per folder, the files in it, when they were just listed), and one for each
    input that failed."""
    from pipeline.reports.html import IndexRow, index_html

    listed = pdfs or {}
    rows = chain(  # one at a time: each row's report is let go once its row is made
        (
            IndexRow(
                source,
                slug,
                _plan_report(out / slug),
                files=_pdfs_in(out / slug) if slug not in listed else _pdfs(listed[slug]),
            )
            for source, slug in sorted(built.items())
        ),
        (
            IndexRow(
                source,
                problems=[f"{p.location}: {p.message}" for p in problems],
                warnings=sum(1 for p in problems if not p.is_error),
            )
            for source, problems in failed
        ),
    )
    target = out / INDEX
    write_atomic(target, index_html(rows).encode("utf-8"))
    return target
