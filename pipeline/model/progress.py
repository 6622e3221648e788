"""What the monitoring data say as of a date: each benchmark's status, what is overdue, and each
outcome's latest result against the target in force.

Everything is computed from the plan and a date (a check-in's), never from today's clock, so a
progress report rebuilt tomorrow is byte-identical. The progress report, the monitoring rules
and the dashboard all read these functions; they are the one definition of "overdue" and
"met".

- A benchmark's status as of a date is its status at the latest check-in on or before that date
  that reviewed it; without one, the `status` the plan records for it (plans without
  check-ins keep working).
- A benchmark is overdue as of a date when it is due before that date and not complete.
- The target for a date is the first target (interim or final) dated on or after it: the one
  the year is working toward (after the final target's date, the final target). A result's
  date is when it was measured (a spring test: its spring), not when it was published; a
  result answers the first target dated on or after it.
- A target has passed unanswered when its date is before the date and no result answers it.
- A result meets a target when it is at least the target (an increase) or at most it (a
  decrease); a result in another unit than the outcome's cannot be compared.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pipeline.model.action_plan import ActionPlan, Benchmark
from pipeline.model.monitoring import Adjustment, CheckIn
from pipeline.model.outcomes import Outcome, Result, Target
from pipeline.model.plan import Plan
from pipeline.model.vocabulary import NOT_RECORDED, Direction, Status, Verdict

ACTIVE = (Status.ON_TRACK, Status.COMPLETE)
"""The statuses a district counts as 'on track or complete'."""


# ---------------------------------------------------------------------------------------------
# check-ins and benchmark statuses


def check_ins_by_date(action_plan: ActionPlan) -> list[CheckIn]:
    """The year's check-ins, oldest first (two on one day keep the order the plan gives)."""
    return sorted(action_plan.check_ins, key=lambda check_in: check_in.date)


def check_in_as_of(plan: Plan, as_of: dt.date | None = None) -> CheckIn | None:
    """The latest check-in on or before `as_of` (by default, the latest of all)."""
    if plan.action_plan is None:
        return None
    found = [c for c in check_ins_by_date(plan.action_plan) if as_of is None or c.date <= as_of]
    return found[-1] if found else None


def status_as_of(plan: Plan, benchmark: Benchmark, as_of: dt.date | None) -> Status | None:
    """The benchmark's status at the latest check-in on or before `as_of` that reviewed it,
    else the status the plan records for it."""
    if plan.action_plan is not None:
        for check_in in reversed(check_ins_by_date(plan.action_plan)):
            if as_of is not None and check_in.date > as_of:
                continue
            for review in check_in.reviews:
                if review.benchmark == benchmark.id:
                    return review.status
    return benchmark.status


def current_statuses(plan: Plan, as_of: dt.date | None = None) -> dict[str, Status | None]:
    """Every benchmark's status as of `as_of` (by default, at the latest check-in)."""
    if plan.action_plan is None:
        return {}
    return {b.id: status_as_of(plan, b, as_of) for b in plan.action_plan.benchmarks}


def is_overdue(benchmark: Benchmark, status: Status | None, as_of: dt.date) -> bool:
    return benchmark.due is not None and benchmark.due < as_of and status is not Status.COMPLETE


def adjustment_covers(adjustment: Adjustment, benchmark: Benchmark) -> bool:
    """Whether an adjustment changes the benchmark (by its id, or its initiative's)."""
    return benchmark.id in adjustment.benchmarks or benchmark.initiative in adjustment.initiatives


# ---------------------------------------------------------------------------------------------
# outcomes


@dataclass(frozen=True)
class Measured:
    """One measured line of an outcome (the outcome itself, or a row of its measure table)
    against the target in force on a date."""

    outcome: Outcome
    label: str | None
    """The measure-table row's name (`MeasureRow.name`); None for the outcome's own measure."""
    target: Target | None
    result: Result | None
    """The latest result on or before the date that answers the target (None: not yet
    measured)."""
    verdict: Verdict


def targets_of(outcome: Outcome, label: str | None) -> list[Target]:
    """The targets of the outcome's own measure (`label` None) or of one measure row (by its
    name), in date order, the final target included."""
    if label is None:
        targets = [*outcome.interim_targets, outcome.final_target]
    else:
        row = next((r for r in outcome.measures if r.name == label), None)
        targets = [*row.interim_targets, row.final_target] if row else []
    return sorted((t for t in targets if t is not None), key=lambda t: t.date)


def results_of(outcome: Outcome, label: str | None, as_of: dt.date | None) -> list[Result]:
    """The results of one measured line on or before `as_of`, oldest first."""
    found = [
        r for r in outcome.results if r.measure == label and (as_of is None or r.date <= as_of)
    ]
    return sorted(found, key=lambda r: r.date)


def target_for(targets: Sequence[Target], as_of: dt.date) -> tuple[Target | None, dt.date]:
    """The target for the date (the first dated on or after it; after the last, the last), and
    the date after which a result answers it (the previous target's; the earliest, for the
    first)."""
    if not targets:
        return None, dt.date.min
    index = next((i for i, t in enumerate(targets) if t.date >= as_of), len(targets) - 1)
    return targets[index], targets[index - 1].date if index > 0 else dt.date.min


def unanswered(outcome: Outcome, label: str | None, as_of: dt.date) -> list[Target]:
    """The targets dated before `as_of` that no result (on or before `as_of`) answers."""
    results = results_of(outcome, label, as_of)
    targets = targets_of(outcome, label)
    missing = []
    for index, target in enumerate(targets):
        if target.date >= as_of:
            break
        after = targets[index - 1].date if index > 0 else dt.date.min
        if not any(after < r.date <= target.date for r in results):
            missing.append(target)
    return missing


def meets(value: float, target: float, direction: Direction) -> bool:
    return value >= target if direction is Direction.INCREASE else value <= target


def measured(outcome: Outcome, label: str | None, as_of: dt.date) -> Measured:
    """One measured line's verdict as of the date: its latest result that answers the target
    for the date (or that target's window has not closed), against that target."""
    target, after = target_for(targets_of(outcome, label), as_of)
    results = [r for r in results_of(outcome, label, as_of) if r.date > after]
    latest = results[-1] if results else None
    if target is None:
        verdict = Verdict.NO_TARGET
    elif latest is None:
        verdict = Verdict.NOT_MEASURED
    elif latest.unit is not None and latest.unit is not outcome.unit:
        verdict = Verdict.OTHER_UNIT
    elif meets(latest.value, target.value, outcome.direction):
        verdict = Verdict.MET
    else:
        verdict = Verdict.NOT_MET
    return Measured(outcome, label, target, latest, verdict)


def measured_lines(outcome: Outcome, as_of: dt.date) -> list[Measured]:
    """Every measured line of an outcome: its measure rows when it has a measure table (and
    its own measure too, when that has targets), else its own measure."""
    labels: list[str | None] = [r.name for r in outcome.measures if r.name]
    if not labels or targets_of(outcome, None):
        labels.insert(0, None)
    return [measured(outcome, label, as_of) for label in labels]


# ---------------------------------------------------------------------------------------------
# the whole picture


@dataclass(frozen=True)
class Tally:
    """Benchmarks counted by status, for one objective, initiative or the whole plan."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, status: Status | None) -> None:
        self.counts[status.value if status is not None else NOT_RECORDED] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def on_track_or_complete(self) -> int:
        return sum(self.counts[s.value] for s in ACTIVE)


@dataclass(frozen=True)
class Progress:
    """The plan as of one check-in: what the progress report shows and the dashboard sums."""

    check_in: CheckIn
    as_of: dt.date
    earlier: tuple[CheckIn, ...]
    """The check-ins before it, oldest first."""
    statuses: dict[str, Status | None]
    """Benchmark id → status as of the check-in."""
    overdue: tuple[Benchmark, ...]
    by_objective: dict[str, Tally]
    by_initiative: dict[str, Tally]
    total: Tally
    outcomes: tuple[Measured, ...]

    @property
    def adjustments(self) -> list[Adjustment]:
        return list(self.check_in.adjustments)

    def verdicts(self) -> Counter[Verdict]:
        return Counter(m.verdict for m in self.outcomes)


def _objective_of(plan: Plan) -> dict[str, str]:
    return {i.id: o.id for o in plan.objectives or [] for i in o.initiatives}


def progress(plan: Plan, as_of: dt.date | None = None) -> Progress | None:
    """The plan as of the latest check-in on or before `as_of` (by default the latest); None
    when there is no such check-in (no progress report)."""
    check_in = check_in_as_of(plan, as_of)
    if check_in is None or plan.action_plan is None:
        return None
    date = check_in.date
    statuses = current_statuses(plan, date)
    objective_of = _objective_of(plan)
    by_objective: dict[str, Tally] = {}
    by_initiative: dict[str, Tally] = {}
    total = Tally()
    for benchmark in plan.action_plan.benchmarks:
        status = statuses[benchmark.id]
        total.add(status)
        by_initiative.setdefault(benchmark.initiative, Tally()).add(status)
        objective = objective_of.get(benchmark.initiative)
        if objective is not None:
            by_objective.setdefault(objective, Tally()).add(status)
    overdue = tuple(
        sorted(
            (b for b in plan.action_plan.benchmarks if is_overdue(b, statuses[b.id], date)),
            key=lambda b: (b.due or dt.date.min, b.id),
        )
    )
    earlier = tuple(c for c in check_ins_by_date(plan.action_plan) if c.date < date)
    lines = tuple(line for o in plan.outcomes or [] for line in measured_lines(o, date))
    return Progress(
        check_in, date, earlier, statuses, overdue, by_objective, by_initiative, total, lines
    )


def consecutive(check_ins: Iterable[CheckIn]) -> list[tuple[CheckIn, CheckIn]]:
    """Pairs of check-ins that follow each other, in date order."""
    ordered = sorted(check_ins, key=lambda c: c.date)
    return list(itertools.pairwise(ordered))
