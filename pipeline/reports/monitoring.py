"""The plan's monitoring in the check reports: the `monitoring` object of `check.json` (the plan
as of its latest check-in, from `pipeline.model.progress`, the one definition of statuses,
overdue and outcome verdicts), the summary section of `check.html`, and the dashboard's
monitoring cells.

The HTML parts read only the JSON data, so the dashboard can be made from the `check.json`
files in a build folder (one written before monitoring existed has no `monitoring`: shown as
having no check-in).
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import TYPE_CHECKING, Any

from pipeline.model.vocabulary import NOT_RECORDED, Status, Verdict

if TYPE_CHECKING:  # the dashboard reads check.json only: the model is not imported for it
    from pipeline.model.plan import Plan

BEHIND_SHARE = 0.75
"""A plan is behind, on the dashboard, when a benchmark is overdue or fewer than this share of
its benchmarks are on track or complete."""

STATUS_KEYS = [*(status.value for status in Status), NOT_RECORDED]
STATUS_LABELS = {**{status.value: status.label for status in Status}, NOT_RECORDED: "Not recorded"}
VERDICT_KEYS = [verdict.value for verdict in Verdict]
VERDICT_LABELS = {verdict.value: verdict.label for verdict in Verdict}


def monitoring_json(plan: Plan | None, as_of: dt.date | None = None) -> dict[str, Any] | None:
    """The plan as of its latest check-in on or before `as_of` (by default its latest), as
    check.json carries it; None when there is no such check-in (or no valid plan)."""
    from pipeline.model.progress import progress

    found = progress(plan, as_of) if plan is not None else None
    if found is None:
        return None
    check_in = found.check_in
    tally = found.total
    verdicts = found.verdicts()
    return {
        "as_of": as_of.isoformat() if as_of is not None else None,
        "check_in": {
            "id": check_in.id,
            "date": check_in.date.isoformat(),
            "period": check_in.period,
        },
        "check_ins": len(found.earlier) + 1,
        "next_check_in": (
            check_in.next_check_in.isoformat() if check_in.next_check_in is not None else None
        ),
        "benchmarks": {
            "total": tally.total,
            "on_track_or_complete": tally.on_track_or_complete,
            "share_on_track_or_complete": (
                round(tally.on_track_or_complete / tally.total, 4) if tally.total else None
            ),
            "by_status": {key: tally.counts[key] for key in STATUS_KEYS},
            "overdue": len(found.overdue),
            "overdue_ids": [benchmark.id for benchmark in found.overdue],
        },
        "outcomes": {
            "measured": len(found.outcomes),
            **{verdict.value: verdicts[verdict] for verdict in Verdict},
        },
    }


def is_behind(monitoring: dict[str, Any] | None) -> bool:
    """Whether the dashboard counts the plan as behind (see BEHIND_SHARE)."""
    if not monitoring:
        return False
    benchmarks = monitoring["benchmarks"]
    share = benchmarks["share_on_track_or_complete"]
    return bool(benchmarks["overdue"]) or (share is not None and share < BEHIND_SHARE)


def _tone(share: float) -> str:
    return "full" if share >= BEHIND_SHARE else "most" if share >= 0.5 else "low"


def share_bar(benchmarks: dict[str, Any]) -> str:
    """The share of benchmarks on track or complete, as a bar and a percentage."""
    share = benchmarks["share_on_track_or_complete"]
    if share is None:
        return '<span class="muted">no benchmarks</span>'
    text = f"{share:.0%}"
    detail = (
        f"{benchmarks['on_track_or_complete']} of {benchmarks['total']} benchmarks on track or "
        "complete"
    )
    return (
        f'<span class="bar short" role="img" aria-label="{escape(text)} on track or complete" '
        f'title="{escape(detail)}"><span class="{_tone(share)}" '
        f'style="width:{share * 100:.0f}%"></span></span>{escape(text)}'
        f' <span class="muted small">{benchmarks["on_track_or_complete"]}/'
        f"{benchmarks['total']}</span>"
    )


def _outcomes_text(outcomes: dict[str, Any]) -> str:
    """'1 met', '2 not met' on two lines, and below them what could not be compared."""
    not_met = f"{outcomes['not_met']} not met"
    lines = [
        f'<span class="nowrap">{outcomes["met"]} met</span>',
        f'<strong class="nowrap">{not_met}</strong>' if outcomes["not_met"] else not_met,
    ]
    others = [
        f"{outcomes[key]} {VERDICT_LABELS[key].lower()}"
        for key in VERDICT_KEYS
        if key not in (Verdict.MET, Verdict.NOT_MET) and outcomes.get(key)
    ]
    if others:
        lines.append(f'<span class="muted small">{escape(", ".join(others))}</span>')
    return "<br>".join(lines)


NO_DATA = '<td class="muted" data-sort="">—</td>'
MONITORING_COLUMNS = (
    ("Latest check\u2011in", "date", "The date of the plan's latest check-in"),
    (
        "On track or complete",
        "number",
        "The share of the action plan's benchmarks on track or complete at the latest check-in",
    ),
    ("Overdue", "number", "Benchmarks due before the latest check-in and not complete"),
    (
        "Outcomes met / not met",
        "number",
        "Outcome results against the target in force; sorts by the share met of those compared",
    ),
)
"""The dashboard's monitoring columns: (heading, sort type, what it shows)."""


def monitoring_cells(monitoring: dict[str, Any] | None, report: str = "") -> str:
    """The dashboard's monitoring cells of one plan ('—' in each without a check-in); each
    sortable cell's `data-sort` is its sort key (empty: sorts last). `report`: the links to
    the plan's progress report (HTML), shown under the latest check-in."""
    if not monitoring:
        return NO_DATA * len(MONITORING_COLUMNS)
    check_in = monitoring["check_in"]
    benchmarks = monitoring["benchmarks"]
    outcomes = monitoring["outcomes"]
    period = check_in["period"] or check_in["id"]
    links = f'<br><span class="small">{report}</span>' if report else ""
    date = (
        f'<td data-sort="{escape(check_in["date"])}" '
        f'title="Check-in {escape(check_in["id"])}; {monitoring["check_ins"]} this year">'
        f'<span class="nowrap">{escape(check_in["date"])}</span><br>'
        f'<span class="muted small{" nowrap" if len(period) <= 20 else ""}">'
        f"{escape(period)}</span>"
        f"{links}</td>"
    )
    share = benchmarks["share_on_track_or_complete"]
    on_track = (
        f'<td class="meter nowrap" data-sort="{"" if share is None else share}">'
        f"{share_bar(benchmarks)}</td>"
    )
    overdue_ids = ", ".join(benchmarks["overdue_ids"])
    overdue = (
        f'<td data-sort="{benchmarks["overdue"]}" title="{escape(overdue_ids)}">'
        f'<span class="badge error">{benchmarks["overdue"]}</span></td>'
        if benchmarks["overdue"]
        else '<td data-sort="0">0</td>'
    )
    compared = outcomes["met"] + outcomes["not_met"]
    met_share = f"{outcomes['met'] / compared:.4f}" if compared else ""
    result = f'<td data-sort="{met_share}">{_outcomes_text(outcomes)}</td>'
    return date + on_track + overdue + result


def monitoring_section(monitoring: dict[str, Any] | None, heading: str = "h2") -> str:
    """The check report's summary of the plan's progress at its latest check-in ('' without
    a check-in)."""
    if not monitoring:
        return ""
    check_in = monitoring["check_in"]
    benchmarks = monitoring["benchmarks"]
    outcomes = monitoring["outcomes"]
    period = f" ({escape(check_in['period'])})" if check_in["period"] else ""
    following = (
        f" Next check-in planned {escape(monitoring['next_check_in'])}."
        if monitoring["next_check_in"]
        else ""
    )
    as_of = f" as of {escape(monitoring['as_of'])}" if monitoring["as_of"] else ""
    statuses = "".join(
        f"<tr><td>{escape(STATUS_LABELS[key])}</td><td>{benchmarks['by_status'][key]}</td></tr>"
        for key in STATUS_KEYS
        if benchmarks["by_status"].get(key) or key != NOT_RECORDED
    )
    overdue_ids = (
        f": {escape(', '.join(benchmarks['overdue_ids']))}" if benchmarks["overdue_ids"] else ""
    )
    verdicts = "".join(
        f"<tr><td>{escape(VERDICT_LABELS[key])}</td><td>{outcomes[key]}</td></tr>"
        for key in VERDICT_KEYS
    )
    return (
        f'<section class="monitoring" aria-label="Monitoring">\n'
        f"<{heading}>Progress at the latest check-in{as_of}</{heading}>\n"
        f"<p>Check-in <strong>{escape(check_in['id'])}</strong> on "
        f"<strong>{escape(check_in['date'])}</strong>{period}, {monitoring['check_ins']} "
        f"check-in(s) this school year so far.{following}</p>\n"
        f"<p>Benchmarks on track or complete: {share_bar(benchmarks)}. "
        f"Overdue: <strong>{benchmarks['overdue']}</strong>{overdue_ids}.</p>\n"
        '<div class="pair">'
        '<table class="compact"><caption>Benchmarks by status</caption><thead><tr>'
        f"<th>Status</th><th>Benchmarks</th></tr></thead><tbody>{statuses}"
        f"<tr><td><strong>Total</strong></td><td><strong>{benchmarks['total']}</strong></td>"
        "</tr></tbody></table>"
        '<table class="compact"><caption>Outcomes against the target in force</caption>'
        f"<thead><tr><th>Verdict</th><th>Measured lines</th></tr></thead><tbody>{verdicts}"
        f"<tr><td><strong>Total</strong></td><td><strong>{outcomes['measured']}</strong></td>"
        "</tr></tbody></table></div>\n</section>"
    )
