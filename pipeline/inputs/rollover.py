"""Rolling a plan over to the next school year (`pipeline rollover`): next year's input, in
the same form as this year's unless asked otherwise.

`roll_over` is pure (a plan in, a plan out; the date of the new revision is given):

- the action plan moves to the next school year, its first and last days one year later;
- the year that ends is kept in `action_plan.history` as a past year: every benchmark with its
  last status (at the latest check-in that reviewed it, else the status recorded) and every
  check-in with its reviews and adjustments;
- complete benchmarks leave the action plan (the past year keeps them); every other one is
  carried over: marked with the year it comes from, its start, due date and status emptied for
  the team to set (the plan is a draft until its due dates are set), its id kept;
- the year's check-ins are emptied; resources, steps and outcome results are kept;
- the current revision joins the revision history, and a new one records the rollover.

`rollover_file` reads the input (an invalid one is refused with every problem located), rolls
it over, checks that what it writes reads back as the same plan, and writes it atomically:
never over its input, and over another file only when asked.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InvalidInputError, OutputExistsError, Problem
from pipeline.files import write_atomic
from pipeline.inputs.interchange import OUTPUT_SUFFIXES, encoded, schema_address
from pipeline.inputs.read import read_input
from pipeline.model.action_plan import ActionPlan, Benchmark, PastBenchmark, PastYear
from pipeline.model.monitoring import PastCheckIn
from pipeline.model.plan import Plan
from pipeline.model.plan_info import Revision
from pipeline.model.progress import check_ins_by_date, status_as_of
from pipeline.model.vocabulary import Status

_SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


class YearError(ValueError):
    """The school year asked for is not one the plan can be rolled over to: not the year after
    the action plan's, or past the plan's years. (The command line reports it as a bad value
    of --to.)"""


def school_year_label(first: int) -> str:
    """'2026-27' for 2026."""
    return f"{first}-{(first + 1) % 100:02d}"


def first_year(school_year: str) -> int:
    """2026 for '2026-27'. Raises YearError unless it names two consecutive years."""
    match = _SCHOOL_YEAR.match(school_year)
    if match is None or (int(match[1]) + 1) % 100 != int(match[2]):
        raise YearError(f"'{school_year}' is not a school year (write it like '2026-27')")
    return int(match[1])


def _school_year_of(date: dt.date) -> int:
    """The first calendar year of the school year a date falls in (July starts a year)."""
    return date.year if date.month >= 7 else date.year - 1


def next_year(action_plan: ActionPlan) -> str:
    """The school year after the action plan's."""
    return school_year_label(first_year(action_plan.school_year) + 1)


def _one_year_later(date: dt.date) -> dt.date:
    """The same month and day a year later (Feb 29 becomes Feb 28)."""
    try:
        return date.replace(year=date.year + 1)
    except ValueError:
        return date.replace(year=date.year + 1, day=28)


def _check_year(plan: Plan, action_plan: ActionPlan, to: str) -> None:
    expected = next_year(action_plan)
    if first_year(to) != first_year(expected):
        raise YearError(
            f"the action plan is for {action_plan.school_year}, so it rolls over to {expected}, "
            f"not {to}"
        )
    years = plan.plan.years
    first, last = _school_year_of(years.start), _school_year_of(years.end)
    if first_year(to) > last:
        raise YearError(
            f"{to} is past the plan's years ({school_year_label(first)} to "
            f"{school_year_label(last)}, {years.start.isoformat()} to {years.end.isoformat()}): "
            "extend the plan's end (plan.years.end) or start the next plan"
        )


def next_revision_number(plan: Plan) -> str:
    """The current revision's number with its last part one higher ('2' → '3', '2.1' → '2.2');
    without a numbered current revision, the count of revisions so far plus one."""
    current = plan.plan.revision
    if current is not None and current.number is not None:
        *parts, last = current.number.split(".")
        return ".".join([*parts, str(int(last) + 1)])
    count = len(plan.plan.revision_history) + (current is not None)
    return str(count + 1)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _summary(to: str, old: str, carried: int, complete: int, check_ins: int) -> str:
    if carried:
        moved = f"{_plural(carried, 'benchmark')} carried over from {old} (dates to set)"
    else:
        moved = f"no benchmark carried over from {old}"
    kept = [f"{complete} complete"] if complete else []
    kept += [_plural(check_ins, "check-in")] if check_ins else []
    tail = f"; {' and '.join(kept)} kept in the past years" if kept else ""
    return f"Rolled over to {to}: {moved}{tail}."


def _past_year(plan: Plan, action_plan: ActionPlan) -> PastYear:
    benchmarks = [
        PastBenchmark.model_validate(
            {**b.model_dump(exclude_unset=True), "status": status_as_of(plan, b, None)}
        )
        for b in action_plan.benchmarks
    ]
    check_ins = [
        PastCheckIn.model_validate(c.model_dump(exclude_unset=True))
        for c in check_ins_by_date(action_plan)
    ]
    return PastYear(
        school_year=action_plan.school_year,
        start=action_plan.start,
        end=action_plan.end,
        benchmarks=benchmarks,
        check_ins=check_ins,
    )


def _carried(benchmark: Benchmark, old: str) -> Benchmark:
    data = benchmark.model_dump(exclude_unset=True)
    for key in ("start", "due", "status"):
        data.pop(key, None)
    return Benchmark.model_validate({**data, "carried_over_from": old})


def roll_over(plan: Plan, to: str, *, date: dt.date) -> Plan:
    """The plan rolled over to the school year `to`, with a new revision dated `date`.

    Raises YearError when `to` is not the school year after the action plan's, or is past the
    plan's years, and ValueError when the plan has no action plan."""
    action_plan = plan.action_plan
    if action_plan is None:
        raise ValueError("the plan has no annual action plan to roll over")
    _check_year(plan, action_plan, to)
    old = action_plan.school_year
    past = _past_year(plan, action_plan)
    carried = [
        _carried(b, old)
        for b, kept in zip(action_plan.benchmarks, past.benchmarks, strict=True)
        if kept.status is not Status.COMPLETE
    ]
    data = action_plan.model_dump(exclude_unset=True, exclude={"check_ins"})
    new_action_plan = ActionPlan.model_validate(
        {
            **data,
            "school_year": to,
            "start": _one_year_later(action_plan.start),
            "end": _one_year_later(action_plan.end),
            "benchmarks": carried,
            "history": [*action_plan.history, past],
        }
    )
    complete = len(past.benchmarks) - len(carried)
    revision = Revision(
        number=next_revision_number(plan),
        date=date,
        summary=_summary(to, old, len(carried), complete, len(past.check_ins)),
    )
    history = list(plan.plan.revision_history)
    if plan.plan.revision is not None:
        history.append(plan.plan.revision)
    info = plan.plan.model_copy(update={"revision": revision, "revision_history": history})
    return plan.model_copy(update={"plan": info, "action_plan": new_action_plan})


# ---------------------------------------------------------------------------------------------
# the files


@dataclass
class Rollover:
    """What `rollover_file` did."""

    source: Path
    target: Path
    plan: Plan
    """The plan written."""
    school_year: str
    """The school year rolled over from."""
    warnings: list[Problem] = field(default_factory=list)
    """Reading the input's warnings, and anything the written form could not keep."""

    @property
    def to(self) -> str:
        """The school year rolled over to."""
        assert self.plan.action_plan is not None
        return self.plan.action_plan.school_year

    @property
    def past(self) -> PastYear:
        """The year that ended, as the past years keep it."""
        assert self.plan.action_plan is not None
        return self.plan.action_plan.history[-1]

    @property
    def carried(self) -> list[Benchmark]:
        """The benchmarks carried over, whose dates the team sets."""
        assert self.plan.action_plan is not None
        return list(self.plan.action_plan.benchmarks)

    @property
    def complete(self) -> list[PastBenchmark]:
        """The benchmarks completed in the year that ended (kept in the past years)."""
        return [b for b in self.past.benchmarks if b.status is Status.COMPLETE]


def default_target(source: Path, old: str, to: str, suffix: str | None = None) -> Path:
    """Beside the source: `<stem>-<to><suffix>`, the old year in the stem replaced when it ends
    with it (harbor-2025-26.json → harbor-2026-27.json)."""
    stem = source.stem.removesuffix(f"-{old}")
    return source.with_name(f"{stem}-{to}{suffix or source.suffix.lower()}")


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)  # hard links
    except OSError:
        return False


def _check_target(target: Path, source: Path, force: bool) -> None:
    if _same_file(target, source):
        raise OutputExistsError(
            f"{target} is the input; a rollover never replaces its input: write next year's "
            "plan to another file (--out)"
        )
    if target.is_dir():
        raise OutputExistsError(f"{target} is a folder")
    if target.suffix.lower() not in OUTPUT_SUFFIXES:
        raise OutputExistsError(f"{target}: write a .json or an .xlsx file")
    if (target.exists() or target.is_symlink()) and not force:
        raise OutputExistsError(f"{target} already exists (use --force to replace it)")


def _for_target(plan: Plan, target: Path) -> Plan:
    """The plan as it is written to `target`: a relative `$schema` (a JSON input's, or the one
    a workbook keeps in its properties) points at the schema from where the target is."""
    if plan.schema_ref is not None and "://" not in plan.schema_ref:
        return plan.model_copy(update={"schema_ref": schema_address(target)})
    return plan


def rollover_file(
    source: Path,
    to: str,
    *,
    date: dt.date,
    target: Path | None = None,
    suffix: str | None = None,
    force: bool = False,
) -> Rollover:
    """Roll the plan in `source` over to `to` and write it to `target` (by default beside the
    source, see `default_target`, as `suffix`: '.json' or '.xlsx', by default the source's).

    Raises InvalidInputError when the input is not a valid plan or has no action plan,
    YearError when `to` is not the year it rolls over to, OutputExistsError when `target` is
    the input, or exists (without `force`)."""
    if target is not None:
        _check_target(target, source, force)
    reading = read_input(source)
    if reading.plan is None or not reading.ok:
        raise InvalidInputError(reading.problems)
    plan = reading.plan
    if plan.action_plan is None:
        locate = reading.input.locate if reading.input is not None else None
        where = locate(("action_plan",)) if locate is not None else "$.action_plan"
        raise InvalidInputError(
            [
                Problem(
                    str(source),
                    where,
                    "the plan has no annual action plan to roll over",
                    "add the action plan of this school year (action_plan), then roll it over",
                )
            ]
        )
    old = plan.action_plan.school_year
    rolled = roll_over(plan, to, date=date)
    if target is None:
        target = default_target(source, old, to, suffix)
        _check_target(target, source, force)
    rolled = _for_target(rolled, target)
    content, losses = encoded(rolled, source, target, "the rolled-over plan")
    warnings = [*reading.problems, *losses]
    write_atomic(target, content)
    return Rollover(source, target, rolled, old, warnings)
