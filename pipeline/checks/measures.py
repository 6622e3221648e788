"""What the outcome rules read: an outcome's series of values, one per measure row when it has
a measure table, else the outcome's own; and the rule that a problem every row of an outcome
shares is reported once, on the outcome, while one of some rows names each row."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from pipeline.checks.rules import Issue
from pipeline.errors import DataPath
from pipeline.model.outcomes import Baseline, Outcome, Target
from pipeline.model.plan import Plan
from pipeline.model.vocabulary import Direction, StudentGroup, Unit

NAME = "\x00"
"""Where a series' name goes in a message, until it is known whether all rows share it."""


@dataclass(frozen=True)
class Series:
    """The values of an outcome, or of one row of its measure table: a row's own metric and
    student group, or the outcome's where the row leaves them empty; the outcome's unit and
    direction."""

    index: int
    """The outcome's index in plan.outcomes."""
    row: int | None
    """The row's index in the outcome's measures; None for the outcome's own values."""
    outcome: Outcome
    metric: str | None
    student_group: StudentGroup | None
    baseline: Baseline | None
    interim_targets: list[Target]
    final_target: Target | None

    @property
    def path(self) -> DataPath:
        if self.row is None:
            return ("outcomes", self.index)
        return ("outcomes", self.index, "measures", self.row)

    @property
    def name(self) -> str:
        """'outcome O1', or 'outcome O1, row 3 (Grades 3-5 ELA)'."""
        if self.row is None:
            return f"outcome {self.outcome.id}"
        row = self.outcome.measures[self.row]
        parts = [
            f"grades {row.grades}" if row.grades else "",
            row.subject.label if row.subject else "",
        ]
        label = row.label or " ".join(part for part in parts if part)
        return f"outcome {self.outcome.id}, row {self.row + 1}" + (f" ({label})" if label else "")

    @property
    def unit(self) -> Unit:
        return self.outcome.unit

    @property
    def direction(self) -> Direction:
        return self.outcome.direction


def series_of(index: int, outcome: Outcome) -> list[Series]:
    """The series of one outcome: one per measure row, or the outcome's own."""
    if not outcome.measures:
        return [
            Series(
                index,
                None,
                outcome,
                outcome.metric,
                outcome.student_group,
                outcome.baseline,
                outcome.interim_targets,
                outcome.final_target,
            )
        ]
    return [
        Series(
            index,
            r,
            outcome,
            row.metric or outcome.metric,
            row.student_group or outcome.student_group,
            row.baseline,
            row.interim_targets,
            row.final_target,
        )
        for r, row in enumerate(outcome.measures)
    ]


def all_series(plan: Plan) -> Iterator[Series]:
    for index, outcome in enumerate(plan.outcomes or []):
        yield from series_of(index, outcome)


def student_groups(plan: Plan) -> set[StudentGroup]:
    """The student groups the plan's outcomes measure (their rows' included)."""
    return {s.student_group for s in all_series(plan) if s.student_group is not None}


Check = Callable[[Series], Iterable[Issue]]
"""A rule's check of one series: issues with paths relative to the series' path, and NAME in
their messages and `missing` where the series is named."""


def per_outcome(plan: Plan, check: Check) -> Iterator[Issue]:
    """Run `check` on every series of every outcome. An issue that every row of an outcome's
    measure table (two rows or more) has alike is reported once, at the outcome's measures and
    named 'outcome O1 (all N rows)'; otherwise each at its row, named by it."""
    for index, outcome in enumerate(plan.outcomes or []):
        found = [(s, list(check(s))) for s in series_of(index, outcome)]
        shared: list[Issue] = []
        if len(found) >= 2:
            first = found[0][1]
            shared = [
                issue
                for issue in first
                if all(any(_alike(issue, other) for other in issues) for _, issues in found[1:])
            ]
        for s, issues in found:
            for issue in issues:
                if not any(_alike(issue, common) for common in shared):
                    yield _named(issue, s.name, (*s.path, *issue.path), s.path)
        name = f"outcome {outcome.id} (all {len(found)} rows)"
        for issue in shared:
            yield _named(issue, name, ("outcomes", index, "measures"), ("outcomes", index))


def _alike(one: Issue, other: Issue) -> bool:
    return (one.path, one.message) == (other.path, other.message)


def _named(issue: Issue, name: str, path: DataPath, anchor: DataPath) -> Issue:
    return Issue(
        path,
        issue.message.replace(NAME, name),
        issue.hint.replace(NAME, name) if issue.hint else None,
        issue.missing.replace(NAME, name) if issue.missing else None,
        anchor if issue.anchor is not None else None,
    )
