"""The check reports a build writes: `check.json` and `check.html` in each plan's folder, and
`index.html`, the dashboard of the whole output folder. All are written atomically."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pipeline.checks.engine import PlanCheck
from pipeline.errors import Problem
from pipeline.files import write_atomic
from pipeline.reports.formats import dumps, report_json
from pipeline.reports.html import IndexRow, index_html, report_html

REPORT_JSON = "check.json"
REPORT_HTML = "check.html"
INDEX = "index.html"


def plan_reports(check: PlanCheck) -> dict[str, bytes]:
    """A plan's two reports, {file name: bytes}, for its output folder."""
    report = report_json([check])
    return {
        REPORT_JSON: dumps(report).encode("utf-8"),
        REPORT_HTML: report_html(report, linked=True).encode("utf-8"),
    }


def _plan_report(folder: Path) -> dict[str, Any] | None:
    """The plan's part of the check.json in `folder`, if it is there and readable."""
    try:
        data = json.loads((folder / REPORT_JSON).read_text(encoding="utf-8"))
        plan = data["plans"][0]
        return plan if isinstance(plan, dict) else None
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None


def write_index(
    out: Path,
    built: Mapping[str, str],
    failed: Iterable[tuple[str, list[Problem]]] = (),
) -> Path:
    """Write `out/index.html`: a row for each plan in the folder (`built`: input → its
    folder's name), read from its check.json, and one for each input that failed."""
    rows = [
        IndexRow(source, slug, _plan_report(out / slug)) for source, slug in sorted(built.items())
    ]
    rows += [
        IndexRow(source, problems=[f"{p.location}: {p.message}" for p in problems])
        for source, problems in failed
    ]
    target = out / INDEX
    write_atomic(target, index_html(rows).encode("utf-8"))
    return target
