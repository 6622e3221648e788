"""TOA: the shape of the theory of action (WISExplore IF / THEN / SO THAT / THEREBY; DESE's
if–then form). Whether there is one at all is MA-3. Each theory of action the plan gives is
checked at its own place: the plan's, and each objective's and initiative's own."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from pipeline.checks.rules import Case, Issue, rule, theories
from pipeline.errors import DataPath, Severity

_WISEXPLORE = "Wisconsin DPI WISExplore, Part 3: Improvement Planning (theory of action)"
_SECTION = "II. Theory of Action"
_IF_THEN = re.compile(r"(?is)^\W*if\b.+\bthen\b.+")


def _missing_parts(
    path: DataPath, name: str, parts: Iterable[tuple[str, str | None, str]]
) -> Iterator[Issue]:
    """An issue for each (key, value, WORD) part of a theory of action that is not written."""
    for key, value, what in parts:
        if value is None:
            yield Issue(
                (*path, key),
                f"{name} has no {what} part",
                f'fill in "{key}"',
                missing=f"the {what} part of {name.removeprefix('the ')}",
                anchor=path,
            )


@rule(
    "TOA-1",
    "Theory of action states both IF and THEN",
    citation=f"DESE Massachusetts Planning and Implementation Framework; {_WISEXPLORE}",
    section=_SECTION,
    crosswalk=False,
)
def if_and_then(case: Case) -> Iterator[Issue]:
    """When the theory of action is written in parts, it has both an IF (the strategy) and a
    THEN (what adults will do differently)."""
    for path, name, theory in theories(case.plan):
        if not any((theory.if_, theory.then, theory.and_, theory.so_that, theory.thereby)):
            continue
        parts = (("if", theory.if_, "IF"), ("then", theory.then, "THEN"))
        yield from _missing_parts(path, name, parts)


@rule(
    "TOA-2",
    "Theory of action reaches students and the long-term goal",
    severity=Severity.WARNING,
    citation=_WISEXPLORE,
    section=_SECTION,
    crosswalk=False,
)
def so_that_thereby(case: Case) -> Iterator[Issue]:
    """In parts, the theory of action also says SO THAT (the effect on the students who most
    need it) and THEREBY (the long-term goal). The roadmap's If / Then / And form is complete
    in itself."""
    for path, name, theory in theories(case.plan):
        if theory.if_ is None or theory.then is None or theory.and_ is not None:
            continue
        parts = (("so_that", theory.so_that, "SO THAT"), ("thereby", theory.thereby, "THEREBY"))
        yield from _missing_parts(path, name, parts)


@rule(
    "TOA-3",
    "A one-sentence theory of action reads 'If … then …'",
    severity=Severity.WARNING,
    citation=f"DESE Massachusetts Planning and Implementation Framework; {_WISEXPLORE}",
    section=_SECTION,
    crosswalk=False,
)
def statement_form(case: Case) -> Iterator[Issue]:
    """A theory of action given as one statement reads as an if–then statement."""
    for path, name, theory in theories(case.plan):
        if theory.statement is None or theory.if_ is not None:
            continue
        if not _IF_THEN.match(theory.statement):
            yield Issue(
                (*path, "statement"),
                f"{name} does not read 'If …, then …'",
                "state it as 'If we <strategy>, then <adult practice>, so that <student result>'",
            )
