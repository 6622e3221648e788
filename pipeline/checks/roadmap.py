"""R: the continuous-improvement process roadmap: five phases, each with the five questions
(Oregon ODE Continuous Improvement Process; the seed's table)."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.checks.rules import Case, Issue, rule
from pipeline.errors import Severity
from pipeline.model.documents import ROADMAP
from pipeline.model.vocabulary import RoadmapPhase

_ODE = (
    "Oregon Department of Education, Continuous Improvement Process and Planning (OAR "
    "581-022-0606): set the vision, assess needs, create the plan, implement, monitor and adjust"
)
_SECTION = "Continuous Improvement Process Roadmap"
_DOC = ROADMAP


@rule(
    "R-1",
    "All five phases, each once",
    citation=_ODE,
    document=_DOC,
    section=_SECTION,
)
def phases(case: Case) -> Iterator[Issue]:
    """The roadmap has a row for each of the five phases, and only one for each."""
    roadmap = case.plan.roadmap
    if roadmap is None:
        yield Issue(
            ("roadmap",),
            "the plan has no continuous-improvement roadmap",
            'add "roadmap" with a row for each of the five phases',
            missing="the continuous-improvement roadmap (roadmap)",
        )
        return
    seen: set[RoadmapPhase] = set()
    for index, row in enumerate(roadmap.phases):
        if row.phase in seen:
            yield Issue(
                ("roadmap", "phases", index, "phase"),
                f"the phase '{row.phase.label}' appears twice",
                "merge the two rows",
            )
        seen.add(row.phase)
    for phase in RoadmapPhase:
        if phase not in seen:
            yield Issue(
                ("roadmap", "phases"),
                f"the roadmap has no row for the phase '{phase.label}'",
                f'add a row with "phase": "{phase.value}"',
                missing=f"the phase '{phase.label}'",
                anchor=("roadmap",),
            )


@rule(
    "R-2",
    "Open work has a deadline and an owner",
    citation=f"{_ODE}; DESE 'PfS Creating Action Plan' (who will do what and when)",
    document=_DOC,
    section=_SECTION,
)
def open_items(case: Case) -> Iterator[Issue]:
    """A phase with something still to do says by when, and who is responsible."""
    roadmap = case.plan.roadmap
    for index, row in enumerate(roadmap.phases if roadmap else []):
        if row.still_to_do is None:
            continue
        path = ("roadmap", "phases", index)
        if row.by_when is None:
            yield Issue(
                (*path, "by_when"),
                f"the phase '{row.phase.label}' has work still to do but no date (by when?)",
                'add "by_when" (YYYY-MM-DD)',
                missing=f"by when (phase '{row.phase.label}')",
            )
        if row.responsible is None:
            yield Issue(
                (*path, "responsible"),
                f"the phase '{row.phase.label}' has work still to do but nobody responsible",
                'add "responsible"',
                missing=f"who is responsible (phase '{row.phase.label}')",
            )


@rule(
    "R-3",
    "Phases in the order of the cycle",
    severity=Severity.WARNING,
    citation=_ODE,
    document=_DOC,
    section=_SECTION,
    crosswalk=False,
)
def order(case: Case) -> Iterator[Issue]:
    """The phases are listed in the cycle's order, from setting the vision to monitoring."""
    roadmap = case.plan.roadmap
    rank = {phase: number for number, phase in enumerate(RoadmapPhase)}
    previous = -1
    for index, row in enumerate(roadmap.phases if roadmap else []):
        if rank[row.phase] < previous:
            yield Issue(
                ("roadmap", "phases", index),
                f"the phase '{row.phase.label}' comes after a later phase",
                "order the rows: " + ", ".join(phase.label for phase in RoadmapPhase),
            )
        previous = max(previous, rank[row.phase])


_ENGAGING = (RoadmapPhase.SET_VISION, RoadmapPhase.ASSESS_NEEDS, RoadmapPhase.CREATE_PLAN)


@rule(
    "R-4",
    "Stakeholders engaged in the first three phases",
    severity=Severity.WARNING,
    citation=f"{_ODE}; ESSA §8538 (consultation with Tribes, where it applies)",
    document=_DOC,
    section=_SECTION,
    crosswalk=False,
)
def engagement(case: Case) -> Iterator[Issue]:
    """Setting the vision, assessing needs and creating the plan each say how stakeholders
    (including sovereign Tribal nations, where it applies) were engaged."""
    roadmap = case.plan.roadmap
    for index, row in enumerate(roadmap.phases if roadmap else []):
        if row.phase in _ENGAGING and row.engagement is None:
            yield Issue(
                ("roadmap", "phases", index, "engagement"),
                f"the phase '{row.phase.label}' does not say how stakeholders were engaged",
                'describe it in "engagement"',
            )


@rule(
    "R-5",
    "Every phase reports progress or next steps",
    severity=Severity.WARNING,
    citation=_ODE,
    document=_DOC,
    section=_SECTION,
    crosswalk=False,
)
def progress(case: Case) -> Iterator[Issue]:
    """Each phase row says what has been done or what is still to do."""
    roadmap = case.plan.roadmap
    for index, row in enumerate(roadmap.phases if roadmap else []):
        if row.done is None and row.still_to_do is None:
            yield Issue(
                ("roadmap", "phases", index),
                f"the phase '{row.phase.label}' says neither what was done nor what is left",
                'fill in "done" or "still_to_do"',
            )
