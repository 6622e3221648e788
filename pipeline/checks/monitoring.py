"""MON: the plan's year: check-ins (progress reviews), the benchmark statuses they record, the
adjustments decided, and the outcomes' results set against their targets (DESE Planning for
Success: "monitor and publicly report on progress"; WISExplore: "each cycle culminates with
proposed modifications and adjustments to the action plan").

The rules read only the monitoring data a plan records: a plan without check-ins or results
meets every one of them. A benchmark's status as of a check-in, the consecutive check-ins, what
an adjustment covers, an outcome's measured lines and the targets no result answers are
`pipeline.model.progress`'s definitions, which the documents and the progress report read too;
nothing here defines them again.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator

from pipeline.checks.rules import Case, Issue, rule, school_year_of
from pipeline.errors import DataPath, Severity
from pipeline.model.action_plan import ActionPlan
from pipeline.model.documents import ACTION_PLAN
from pipeline.model.monitoring import CheckIn
from pipeline.model.outcomes import Outcome, Target
from pipeline.model.progress import (
    adjustment_covers,
    check_in_as_of,
    consecutive,
    measured_lines,
    status_as_of,
    targets_of,
    unanswered,
)
from pipeline.model.vocabulary import Status, Unit

_PFS = (
    "DESE Planning for Success, Phase 3: Implement Plan (create an annual action plan with "
    "progress and impact benchmarks; monitor and publicly report on progress)"
)
_SIP = (
    "DESE Sustainable Improvement Plan guidance, Goals & Benchmarks and Monitor Progress "
    "(monitoring is anchored in the benchmarks set in advance of implementation: when progress "
    "monitoring will occur, who is involved, what data)"
)
_WISEXPLORE = (
    "Wisconsin DPI WISExplore, Part 3: Improvement Planning (Monitor: each cycle culminates "
    "with proposed modifications and adjustments to the action plan)"
)
_ODE = (
    "Oregon Department of Education, Continuous Improvement Process (monitor and adjust: "
    "feedback loops that adjust plan implementation based on evidence)"
)
_MODEL = "The plan model (schema/plan.schema.json): check-ins, benchmark statuses, results"
_DOC = ACTION_PLAN
_DOC_SECTION = "Annual Action Plan: check-ins, benchmark statuses and adjustments"
_RESULTS_SECTION = "Outcomes: results against the interim and final targets"

_TROUBLED = (Status.AT_RISK, Status.OFF_TRACK)
"""The statuses that call for an adjustment when they persist."""


def _check_ins(case: Case) -> Iterator[tuple[int, CheckIn]]:
    action = case.plan.action_plan
    yield from enumerate(action.check_ins if action is not None else [])


def _index(action: ActionPlan, check_in: CheckIn) -> int:
    """A check-in's place in the plan's own list (its data path), whatever its date order."""
    return next(k for k, c in enumerate(action.check_ins) if c is check_in)


def _named(check_in: CheckIn) -> str:
    return f"check-in {check_in.id} ({check_in.date.isoformat()})"


def _amount(value: float, unit: Unit) -> str:
    return f"{value:g}%" if unit is Unit.PERCENT else f"{value:g} {unit.label}"


def _unit_words(unit: Unit) -> str:
    return "percent" if unit is Unit.PERCENT else unit.label


def _target_path(outcome: Outcome, label: str | None, target: Target) -> DataPath:
    """Where a target is in the outcome: its own interim or final target, or a row's."""
    if label is None:
        base: DataPath = ()
        interim, final = outcome.interim_targets, outcome.final_target
    else:
        r, row = next((r, row) for r, row in enumerate(outcome.measures) if row.name == label)
        base = ("measures", r)
        interim, final = row.interim_targets, row.final_target
    for t, candidate in enumerate(interim):
        if candidate is target:
            return (*base, "interim_targets", t)
    assert final is target
    return (*base, "final_target")


@rule(
    "MON-1",
    "A result for every target whose date has passed",
    severity=Severity.WARNING,
    citation=f"{_PFS}; {_SIP}; {_WISEXPLORE}",
    document=_DOC,
    section=_RESULTS_SECTION,
    crosswalk=False,
)
def targets_measured(case: Case) -> Iterator[Issue]:
    """As of the latest check-in, every interim (or final) target dated before it has a result
    that answers it: one measured after the target before it (any date, for the first) and by
    the target's date. A result in another unit still answers it (MON-4 reports the unit)."""
    latest = check_in_as_of(case.plan)
    if latest is None:
        return
    for o, outcome in enumerate(case.plan.outcomes or []):
        for line in measured_lines(outcome, latest.date):
            targets = targets_of(outcome, line.label)
            for target in unanswered(outcome, line.label, latest.date):
                target_path = ("outcomes", o, *_target_path(outcome, line.label, target))
                kind = "final" if target_path[-1] == "final_target" else "interim"
                path = (*target_path, "date")  # a cell of its own in a workbook
                row = f", row '{line.label}'," if line.label else ""
                k = next(k for k, t in enumerate(targets) if t is target)
                after = f"after {targets[k - 1].date.isoformat()} and " if k else ""
                measure = f', with "measure": "{line.label}"' if line.label else ""
                yield Issue(
                    path,
                    f"the {kind} target of outcome {outcome.id}{row} "
                    f"({_amount(target.value, outcome.unit)} by {target.date.isoformat()}) has "
                    f"passed by the latest {_named(latest)}, and no result answers it",
                    f'add to "results" the value of outcome {outcome.id} measured {after}by '
                    f"{target.date.isoformat()}{measure}; if the data are not out yet, add it "
                    "when they are",
                )


@rule(
    "MON-2",
    "A benchmark at risk or off track twice running is adjusted",
    severity=Severity.WARNING,
    citation=f"{_PFS}; {_SIP}; {_WISEXPLORE}; {_ODE}",
    document=_DOC,
    section=_DOC_SECTION,
    crosswalk=False,
)
def adjusted(case: Case) -> Iterator[Issue]:
    """A benchmark that is at risk or off track at two check-ins running (its status as of
    each, the second one having reviewed it) has an adjustment recorded at one of the two
    that changes it or its initiative. Reported once for a run of such check-ins."""
    action = case.plan.action_plan
    if action is None:
        return
    reported: dict[str, CheckIn] = {}
    for earlier, later in consecutive(action.check_ins):
        if earlier.date == later.date:
            continue  # MON-6 reports the pair
        for benchmark in action.benchmarks:
            review = next(
                ((n, r) for n, r in enumerate(later.reviews) if r.benchmark == benchmark.id),
                None,
            )
            before = status_as_of(case.plan, benchmark, earlier.date)
            if review is None or review[1].status not in _TROUBLED or before not in _TROUBLED:
                continue
            adjustments = [*earlier.adjustments, *later.adjustments]
            if any(adjustment_covers(a, benchmark) for a in adjustments):
                continue
            if reported.get(benchmark.id) is earlier:
                reported[benchmark.id] = later  # the same run goes on: reported once
                continue
            reported[benchmark.id] = later
            n, current = review
            k = _index(action, later)
            yield Issue(
                ("action_plan", "check_ins", k, "reviews", n, "status"),
                f"benchmark {benchmark.id} is {before.label.lower()} at {_named(earlier)} and "
                f"{current.status.label.lower()} at {_named(later)}, and neither records an "
                "adjustment to it",
                f'record at check-in {later.id} what the team decided in "adjustments", '
                f'naming "benchmarks": "{benchmark.id}" (or its initiative, '
                f"{benchmark.initiative}); if it is back on track, update its status",
            )


def _school_year_span(action: ActionPlan) -> tuple[dt.date, dt.date]:
    """The action plan's school year, July to June (widened to its own dates if they go
    beyond): a review after the last day of classes still belongs to the year."""
    first = school_year_of(action.start)
    start = min(action.start, dt.date(first, 7, 1))
    return start, max(action.end, dt.date(first + 1, 6, 30))


@rule(
    "MON-3",
    "Check-ins within the action plan's school year",
    citation=f"{_PFS}; {_MODEL}",
    document=_DOC,
    section=_DOC_SECTION,
    crosswalk=False,
)
def check_ins_in_year(case: Case) -> Iterator[Issue]:
    """Every check-in is dated within the action plan's school year (July to June). The
    documents show each benchmark's status at the latest check-in: one dated in another
    year would give this year's plan another year's statuses. An error: the action plan
    would state a status that is not this year's."""
    action = case.plan.action_plan
    if action is None:
        return
    start, end = _school_year_span(action)
    for k, check_in in _check_ins(case):
        if start <= check_in.date <= end:
            continue
        yield Issue(
            ("action_plan", "check_ins", k, "date"),
            f"check-in {check_in.id} is dated {check_in.date.isoformat()}, outside the action "
            f"plan's school year {action.school_year} ({start.isoformat()} to "
            f"{end.isoformat()})",
            "correct its date (a check-in of another school year belongs to that year's record, "
            "action_plan.history)",
        )


@rule(
    "MON-4",
    "Results in the outcome's unit",
    severity=Severity.WARNING,
    citation=f"{_PFS}; {_MODEL}",
    document=_DOC,
    section=_RESULTS_SECTION,
    crosswalk=False,
)
def result_units(case: Case) -> Iterator[Issue]:
    """A result reported in a unit states it in the outcome's unit, so that it can be set
    against the targets (a progress report shows 'Unit differs' instead of met or not)."""
    for o, outcome in enumerate(case.plan.outcomes or []):
        for r, result in enumerate(outcome.results):
            if result.unit is None or result.unit is outcome.unit:
                continue
            yield Issue(
                ("outcomes", o, "results", r, "unit"),
                f"the result of outcome {outcome.id} dated {result.date.isoformat()} is in "
                f"{_unit_words(result.unit)}, not in the outcome's unit "
                f"({_unit_words(outcome.unit)}): it cannot be set against the targets",
                f"state the value in {_unit_words(outcome.unit)}, with "
                f'"unit": "{outcome.unit.value}" (or correct the outcome\'s unit)',
            )


@rule(
    "MON-5",
    "Results name a measure the outcome has",
    severity=Severity.WARNING,
    citation=f"{_PFS}; {_MODEL}",
    document=_DOC,
    section=_RESULTS_SECTION,
    crosswalk=False,
)
def result_measures(case: Case) -> Iterator[Issue]:
    """A result names, in `measure`, a row of its outcome's measure table as the documents
    name it (its label, else its grades, subject, group and metric), or none for the
    outcome's own measure. A result that names a row the outcome does not have (or no row,
    where the outcome's targets are by row) answers no target and shows in no report."""
    for o, outcome in enumerate(case.plan.outcomes or []):
        if not outcome.results:
            continue
        lines = [line.label for line in measured_lines(outcome, dt.date.max)]
        labels = [label for label in lines if label is not None]
        for r, result in enumerate(outcome.results):
            if result.measure in lines:
                continue
            path = ("outcomes", o, "results", r, "measure")
            dated = f"the result of outcome {outcome.id} dated {result.date.isoformat()}"
            if result.measure is None:
                message = f"{dated} names no row of the outcome's measure table"
            elif not labels:
                message = (
                    f"{dated} names the measure '{result.measure}', but the outcome has no "
                    "measure table"
                )
            else:
                message = (
                    f"{dated} names the measure '{result.measure}', which is not a row of the "
                    "outcome's measure table"
                )
            if labels:
                close = difflib.get_close_matches(result.measure or "", labels, n=1)
                shown = close or labels
                names = " or ".join(f'"{label}"' for label in shown)
                hint = f'name the row it measures: "measure": {names}'
            else:
                hint = 'leave "measure" empty: the result is for the outcome\'s own measure'
            yield Issue(path, message, hint)


@rule(
    "MON-6",
    "One check-in per date",
    severity=Severity.WARNING,
    citation=f"{_PFS}; {_MODEL}",
    document=_DOC,
    section=_DOC_SECTION,
    crosswalk=False,
)
def one_per_date(case: Case) -> Iterator[Issue]:
    """No two check-ins share a date: the statuses of one would silently prevail over the
    other's (the one listed later counts), and the progress report would have two reports of
    one day."""
    action = case.plan.action_plan
    if action is None:
        return
    first: dict[dt.date, CheckIn] = {}
    for k, check_in in _check_ins(case):
        other = first.setdefault(check_in.date, check_in)
        if other is check_in:
            continue
        yield Issue(
            ("action_plan", "check_ins", k, "date"),
            f"check-in {check_in.id} has the same date ({check_in.date.isoformat()}) as "
            f"check-in {other.id}",
            f"merge it into check-in {other.id}, or correct its date",
        )


@rule(
    "MON-7",
    "The next check-in is after the check-in",
    severity=Severity.WARNING,
    citation=f"{_SIP}; {_MODEL}",
    document=_DOC,
    section=_DOC_SECTION,
    crosswalk=False,
)
def next_after(case: Case) -> Iterator[Issue]:
    """A check-in's planned next check-in is dated after the check-in itself."""
    for k, check_in in _check_ins(case):
        planned = check_in.next_check_in
        if planned is None or planned > check_in.date:
            continue
        yield Issue(
            ("action_plan", "check_ins", k, "next_check_in"),
            f"check-in {check_in.id} ({check_in.date.isoformat()}) plans the next check-in for "
            f"{planned.isoformat()}, {'the same day' if planned == check_in.date else 'before it'}",
            f'correct "next_check_in": a date after {check_in.date.isoformat()}',
        )


@rule(
    "MON-8",
    "A check-in reviews each benchmark once",
    severity=Severity.WARNING,
    citation=f"{_PFS}; {_MODEL}",
    document=_DOC,
    section=_DOC_SECTION,
    crosswalk=False,
)
def reviewed_once(case: Case) -> Iterator[Issue]:
    """A check-in gives each benchmark one status: of two, the documents would show the first
    and ignore the other."""
    for k, check_in in _check_ins(case):
        seen: dict[str, int] = {}
        for n, review in enumerate(check_in.reviews):
            if review.benchmark not in seen:
                seen[review.benchmark] = n
                continue
            yield Issue(
                ("action_plan", "check_ins", k, "reviews", n, "benchmark"),
                f"check-in {check_in.id} reviews benchmark {review.benchmark} twice",
                "merge the two statuses into one (the first one listed is the one that counts)",
            )
