"""The progress report's part of the context: the plan as of one check-in, computed by
`pipeline.model.progress` (the one definition of status, overdue and met), every value written
as the documents print it.

`progress` is null when the plan has no check-in on or before the date asked for (no progress
report); else it holds:

- `check_in`: the check-in reported on (its record in `action_plan.check_ins`: `id`, `date`,
  `period`, `participants`, `summary`, `reviews[]`, `adjustments[]`, `next_check_in`), its
  `number` in the school year and `count` of the year's check-ins, `earlier[]` (the check-ins
  before it, oldest first), `as_of` / `as_of_iso` (its date);
- `statuses[]`: the status columns of the summary tables, in order (`key`, `label`);
- `total`, `by_objective[]`, `by_initiative[]`: benchmarks counted by status (`counts.<key>`,
  `total`, `on_track_or_complete` and its share `on_track_or_complete_text`, e.g. `75%`);
- `overdue[]`: the benchmarks due before the date and not complete, earliest due first (the
  action plan's benchmark items, with their `status_label` as of the date);
- `outcomes[]`: every measured line of every outcome: the `target` for the date (the first
  dated on or after it), its latest `result` that answers it, the `verdict` /
  `verdict_label` (direction respected), and the targets that passed with no result
  (`unanswered[]`);
- `verdicts`: how many lines have each verdict; `adjustments[]`, `summary`,
  `next_check_in` / `next_check_in_iso`: the check-in's own.

Everything comes from the plan and the check-in's date, never from today's clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pipeline.documents.filters import date, join_and
from pipeline.model.outcomes import Outcome, Result, Target
from pipeline.model.plan import Plan
from pipeline.model.progress import (
    Measured,
    Tally,
    check_ins_by_date,
    progress,
    unanswered,
)
from pipeline.model.vocabulary import NOT_RECORDED, Direction, Status, Unit, Verdict

Context = dict[str, Any]

STATUS_COLUMNS: tuple[tuple[str, str], ...] = (
    *((s.value, s.label) for s in (Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK)),
    (Status.COMPLETE.value, Status.COMPLETE.label),
    (Status.NOT_STARTED.value, Status.NOT_STARTED.label),
    (NOT_RECORDED, "Not recorded"),
)
"""The summary tables' columns: (status key, label)."""


def _share(part: int, whole: int) -> str | None:
    return f"{100 * part / whole:.0f}%" if whole else None


def _tally(tally: Tally | None) -> Context:
    tally = tally if tally is not None else Tally()
    return {
        "counts": {key: tally.counts[key] for key, _ in STATUS_COLUMNS},
        "total": tally.total,
        "on_track_or_complete": tally.on_track_or_complete,
        "on_track_or_complete_text": _share(tally.on_track_or_complete, tally.total),
    }


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 2)


def _value(value: float, unit: Unit) -> str:
    """A measure as the documents write it: '18%', '3.5 days'."""
    shown = _number(value)
    return f"{shown}%" if unit is Unit.PERCENT else f"{shown} {unit.value.replace('_', ' ')}"


def _target(target: Target | None, final: Target | None, outcome: Outcome) -> Context | None:
    if target is None:
        return None
    text = _value(target.value, outcome.unit)
    final_one = target is final
    return {
        "value": _number(target.value),
        "text": text,
        "goal_text": ("At least " if outcome.direction is Direction.INCREASE else "At most ")
        + text,
        "date": date(target.date),
        "date_iso": target.date.isoformat(),
        "short_date": date(target.date, "short"),
        "kind": "final" if final_one else "interim",
        "kind_label": "Final target" if final_one else "Interim target",
    }


def _result(result: Result | None, outcome: Outcome) -> Context | None:
    if result is None:
        return None
    unit = result.unit or outcome.unit
    return {
        "value": _number(result.value),
        "text": _value(result.value, unit),
        "unit_label": unit.label,
        "date": date(result.date),
        "date_iso": result.date.isoformat(),
        "short_date": date(result.date, "short"),
        "source": result.source,
        "note": result.note,
    }


def _line(line: Measured, as_of: dt.date, outcomes: dict[str, Context]) -> Context:
    """One measured line: the outcome's own measure, or a row of its measure table."""
    outcome = line.outcome
    item = outcomes.get(outcome.id, {})
    group = item.get("student_group_label")
    if line.label is None:
        final = outcome.final_target
        name = outcome.metric or outcome.statement
    else:
        row = next((r for r in outcome.measures if r.name == line.label), None)
        final = row.final_target if row is not None else None
        name = line.label
        rows: list[Context] = item.get("measures", [])
        shown: Context = next((r for r in rows if r["name"] == line.label), {})
        group = shown.get("student_group_label") or group
    return {
        "outcome": outcome.id,
        "statement": outcome.statement,
        "measure": line.label,
        "name": name,
        "student_group_label": group,
        "measure_text": f"{name} ({group})" if group and group not in name else name,
        "unit_label": outcome.unit.label,
        "direction": outcome.direction.value,
        "direction_label": outcome.direction.label,
        "direction_text": "Higher is better"
        if outcome.direction is Direction.INCREASE
        else "Lower is better",
        "target": _target(line.target, final, outcome),
        "result": _result(line.result, outcome),
        "verdict": line.verdict.value,
        "verdict_label": line.verdict.label,
        "unanswered": [_target(t, final, outcome) for t in unanswered(outcome, line.label, as_of)],
    }


def _changes(adjustment: Context) -> str | None:
    """What an adjustment changes, in words: 'Benchmarks B1.1 and B1.2; initiative 2.1'."""
    parts = []
    for key, one, many in (
        ("benchmarks", "Benchmark", "Benchmarks"),
        ("initiatives", "Initiative", "Initiatives"),
    ):
        ids = adjustment[key]
        if ids:
            parts.append(f"{one if len(ids) == 1 else many} {join_and(ids)}")
    return "; ".join(parts) if parts else None


def progress_context(plan: Plan, context: Context, as_of: dt.date | None = None) -> Context | None:
    """The `progress` of `context` (the plan's context, its action plan already written
    out): the plan as of the latest check-in on or before `as_of` (by default the latest), or
    None when there is none. Each adjustment of `action_plan.check_ins` gets its
    `changes_text`."""
    if plan.action_plan is None:
        return None
    action = context["action_plan"]
    for record in action["check_ins"]:
        for adjustment in record["adjustments"]:
            adjustment["changes_text"] = _changes(adjustment)
    found = progress(plan, as_of)
    if found is None:
        return None
    records = {
        id(m): r for m, r in zip(plan.action_plan.check_ins, action["check_ins"], strict=True)
    }
    ordered = check_ins_by_date(plan.action_plan)
    check_in = records[id(found.check_in)]
    benchmarks = {
        model.id: item
        for model, item in zip(plan.action_plan.benchmarks, action["benchmarks"], strict=True)
    }
    objectives = [
        {"id": o.id, "title": o.title, **_tally(found.by_objective.get(o.id))}
        for o in plan.objectives or []
    ]
    initiatives = [
        {
            "id": i.id,
            "title": i.title,
            "objective_id": o.id,
            **_tally(found.by_initiative.get(i.id)),
        }
        for o in plan.objectives or []
        for i in o.initiatives
    ]
    outcomes = {o["id"]: o for o in context.get("outcomes") or []}
    verdicts = found.verdicts()
    return {
        "check_in": check_in,
        "number": next(n for n, c in enumerate(ordered, 1) if c is found.check_in),
        "count": len(ordered),
        "earlier": [records[id(c)] for c in found.earlier],
        "as_of": date(found.as_of),
        "as_of_iso": found.as_of.isoformat(),
        "statuses": [{"key": key, "label": label} for key, label in STATUS_COLUMNS],
        "total": _tally(found.total),
        "by_objective": objectives,
        "by_initiative": initiatives,
        "overdue": [benchmarks[b.id] for b in found.overdue],
        "outcomes": [_line(line, found.as_of, outcomes) for line in found.outcomes],
        "verdicts": {verdict.value: verdicts[verdict] for verdict in Verdict},
        "adjustments": check_in["adjustments"],
        "summary": check_in["summary"],
        "next_check_in": check_in["next_check_in"],
        "next_check_in_iso": check_in["next_check_in_iso"],
    }
