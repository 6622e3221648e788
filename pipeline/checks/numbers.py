"""SMART: an outcome's numbers are what its words say.

- SMART-M6: percentages typed as fractions (0.27 → 0.39 for 27% → 39%). A workbook converts
  such a cell with a warning when it reads it; JSON has no cell format to tell, so this rule
  says it for every input.
- SMART-M7: the statement's change ("by 20%", "by 6 percentage points", "to 45%", "from 32%
  to 38%") agrees with the outcome's baseline and targets. A percentage point and a percent
  change are told apart: 32% → 38% is +6 percentage points, and a 18.8% (relative) increase;
  "a 10% increase" read as +10 points is a mismatch the finding names, with both readings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.checks.measures import NAME, Series, per_outcome, series_of
from pipeline.checks.rules import Case, Issue, rule
from pipeline.errors import Severity
from pipeline.model.outcomes import Outcome
from pipeline.model.vocabulary import Unit

_SMART = (
    "DESE 'Setting Outcomes for the District Plan' (SMART: measurable; rigorous, realistic, "
    "results-focused)"
)
_SECTION = "IV. Outcomes"

TOLERANCE = 0.5
"""How far a stated number may be from the computed one (the statement rounds)."""


def _values(s: Series) -> list[float]:
    values = [s.baseline.value] if s.baseline is not None else []
    values += [target.value for target in s.interim_targets]
    if s.final_target is not None:
        values.append(s.final_target.value)
    return values


def fractional(s: Series) -> bool:
    """Whether a percent series looks typed as fractions: two values or more, all in 0–1,
    not all whole (0 and 1 alone could be real percentages)."""
    values = _values(s)
    return (
        s.unit in (Unit.PERCENT, Unit.PERCENTAGE_POINTS)
        and len(values) >= 2
        and all(0 <= value <= 1 for value in values)
        and not all(float(value).is_integer() for value in values)
    )


@rule(
    "SMART-M6",
    "Percentages written as percentages, not fractions",
    severity=Severity.WARNING,
    citation=_SMART,
    section=_SECTION,
    crosswalk=False,
)
def fractions(case: Case) -> Iterator[Issue]:
    """An outcome in percent whose values all lie between 0 and 1 (0.27 → 0.39) was most likely
    typed as fractions: 0.27 means 0.27%, not 27%."""

    def check(s: Series) -> Iterator[Issue]:
        if fractional(s):
            shown = " → ".join(f"{value:g}" for value in _values(s))
            yield Issue(
                ("baseline", "value") if s.baseline is not None else ("final_target", "value"),
                f"{NAME} is in percent but all its values lie between 0 and 1 ({shown}): "
                "they read as less than 1%",
                "write percentages as numbers from 0 to 100 (27 for 27%), in the baseline, "
                "every interim target and the final target",
            )

    yield from per_outcome(case.plan, check)


_NUMBER = r"(\d+(?:\.\d+)?)"
_POINTS = r"(?:percentage[- ]points?|percent(?:age)?[- ]points?|points?|pts?\.?|pp)"
_PERCENT = r"(?:%|percent\b)"
_CHANGE = re.compile(
    rf"\bby\s+(?:about\s+|at\s+least\s+|roughly\s+)?{_NUMBER}\s*(?P<unit>{_POINTS}|{_PERCENT})"
    rf"|\b{_NUMBER}\s*(?P<unit2>{_POINTS}|{_PERCENT})[- ]?\s*(?:increase|decrease|reduction|"
    r"gain|drop|improvement|decline|rise)\b",
    re.IGNORECASE,
)
_EACH_YEAR = re.compile(r"^\W*(?:each|every|per|a)\s+year|^\W*annually|^\W*a\s+year", re.I)
_FROM_TO = re.compile(
    rf"\bfrom\s+{_NUMBER}\s*{_PERCENT}?(?:\s*\([^)]*\))?\s+to\s+{_NUMBER}\s*{_PERCENT}?", re.I
)
_TO = re.compile(rf"\bto\s+{_NUMBER}\s*{_PERCENT}", re.IGNORECASE)


def _close(stated: float, actual: float) -> bool:
    return abs(stated - actual) <= TOLERANCE


def _readings(start: float, end: float, unit: Unit) -> str:
    """Both readings of a change: in points (for percentages) and as a percent change."""
    points = end - start
    parts = []
    if unit in (Unit.PERCENT, Unit.PERCENTAGE_POINTS):
        parts.append(f"{points:+g} percentage points")
    else:
        parts.append(f"{points:+g} {unit.label}")
    if start:
        parts.append(f"a {abs(points) / abs(start) * 100:.1f}% relative change")
    return " and ".join(parts)


def mismatches(
    statement: str, start: float, end: float, targets: list[float], unit: Unit
) -> list[str]:
    """What in `statement` disagrees with the values: baseline `start`, final `end`, and
    every target (`targets`, interim and final), each as a sentence naming both readings."""
    found = []
    shown = "%" if unit in (Unit.PERCENT, Unit.PERCENTAGE_POINTS) else ""
    values = f"{start:g}{shown} → {end:g}{shown}"
    points, readings = abs(end - start), _readings(start, end, unit)
    for match in _CHANGE.finditer(statement):
        if _EACH_YEAR.match(statement[match.end() :]):
            continue  # a yearly change: SMART-R1 judges the pace
        number = float(match.group(1) or match.group(3))
        said, kind = match.group(0).strip(), (match.group("unit") or match.group("unit2"))
        if re.fullmatch(_POINTS, kind, re.IGNORECASE):
            if not _close(number, points):
                found.append(f"it says '{said}', but {values} is {readings}")
        elif not (start and _close(number, points / abs(start) * 100)):
            if shown and _close(number, points):
                found.append(
                    f"it says '{said}', a {number:g}% relative change, but {values} is "
                    f"{readings}: the statement means percentage points"
                )
            else:
                found.append(f"it says '{said}', but {values} is {readings}")
    for match in _FROM_TO.finditer(statement):
        stated_start, stated_end = float(match.group(1)), float(match.group(2))
        if not _close(stated_start, start) or not any(_close(stated_end, t) for t in targets):
            found.append(f"it says '{match.group(0).strip()}', but the values are {values}")
    if shown and not _FROM_TO.search(statement):
        for match in _TO.finditer(statement):
            if not any(_close(float(match.group(1)), t) for t in targets):
                found.append(f"it says '{match.group(0).strip()}', but the target is {end:g}%")
    return found


@rule(
    "SMART-M7",
    "The statement's change agrees with the baseline and target",
    severity=Severity.WARNING,
    citation=_SMART,
    section=_SECTION,
    crosswalk=False,
)
def statement_numbers(case: Case) -> Iterator[Issue]:
    """Where an outcome's statement names a change ('by 20%', 'by 6 percentage points', 'to
    45%', 'from 32% to 38%'), it agrees with the baseline and final target (within rounding):
    'points' is read as percentage points, '%' after 'by' as a percent change of the baseline.
    A yearly change ('by 2 points each year') is left to SMART-R1. Outcomes with a measure
    table state their numbers per row and are not read."""
    for index, outcome in enumerate(case.plan.outcomes or []):
        if outcome.measures or outcome.baseline is None or outcome.final_target is None:
            continue
        if fractional_outcome(outcome):
            continue  # SMART-M6 says it first
        start, end = outcome.baseline.value, outcome.final_target.value
        targets = [t.value for t in outcome.interim_targets] + [end]
        for problem in mismatches(outcome.statement, start, end, targets, outcome.unit):
            yield Issue(
                ("outcomes", index, "statement"),
                f"the statement of outcome {outcome.id} disagrees with its numbers: {problem}",
                "make the statement and the baseline and targets agree; say 'percentage "
                "points' for a difference of percentages and '%' only for a percent change",
            )


def fractional_outcome(outcome: Outcome) -> bool:
    """Whether an outcome's own values look typed as fractions (SMART-M6)."""
    return any(fractional(s) for s in series_of(0, outcome))
