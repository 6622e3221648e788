"""What a rule is, what it reports, and the registry every rule family adds itself to.

A rule is a function that reads a validated plan and yields an `Issue` for each place it is
not met, declared with `@rule(...)`: a stable id, a title, a default severity, the citation it
rests on (statute, regulation or guidance), the document it concerns and the section of that
document where the requirement is met (for the crosswalk appendix). Which rules apply to a
plan, and at which severity, is the profiles' decision (`profiles.toml`), not the rule's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from pipeline.checks import citations
from pipeline.errors import DataPath, Severity
from pipeline.model.documents import IMPROVEMENT_PLAN, Document
from pipeline.model.plan import Initiative, Plan, TheoryOfAction
from pipeline.model.vocabulary import Level, Profile


@dataclass(frozen=True)
class Issue:
    """One place a rule is not met, as a rule reports it (the runner adds the rest)."""

    path: DataPath
    """Where in the input to fix it: the data path of the field, item or section."""
    message: str
    hint: str | None = None
    missing: str | None = None
    """What is missing, as a short noun phrase, when the issue is an absent element: drafts
    show it in place as `[MISSING: <missing> — required by <rule>]`."""
    anchor: DataPath | None = None
    """Where a draft shows it, when that differs from `path` (a missing benchmark is added
    under `action_plan.benchmarks` but belongs beside its initiative)."""


@dataclass(frozen=True)
class Case:
    """What a rule reads: the plan, and the profiles it is checked under."""

    plan: Plan
    profiles: frozenset[Profile]


Check = Callable[[Case], Iterable[Issue]]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity
    """The default severity; a profile may apply the rule at another."""
    citation: str
    document: Document
    section: str
    """Where in `document` the requirement is met, as the crosswalk appendix names it."""
    check: Check | None = field(default=None, compare=False)
    """None for rules enforced while the input is validated (their findings come from there)."""
    crosswalk: bool = True
    """Whether the requirement is listed in the crosswalk appendix (statutory or regulatory
    requirements are; quality checks such as SMART wording are not)."""
    explanation: str = ""

    @property
    def binding_citation(self) -> str:
        """The sources that bind a Massachusetts plan (statute, regulation, DESE or USED
        guidance): what a submission cites. Empty for a rule of good practice only."""
        return citations.binding(self.citation)

    def binding_for(self, level: Level) -> str:
        """The binding sources for a plan of `level` (c.71 §59C binds school plans only)."""
        return citations.binding(self.citation, level)

    def crosswalk_citation(self, level: Level) -> str | None:
        """What the crosswalk appendix of a plan of `level` cites for this rule: its binding
        sources for that level; None when the rule is not a requirement there (a quality
        check, or a rule that only other states' guidance informs)."""
        return (self.binding_for(level) or None) if self.crosswalk else None

    @property
    def design_references(self) -> str:
        """Other states' and researchers' guidance that informed the rule (not cited in a
        submission; docs/rules.md shows them)."""
        return citations.design(self.citation)

    @property
    def family(self) -> str:
        return self.id.rsplit("-", 1)[0]

    def sort_key(self) -> tuple[int, int, int]:
        """Family, then (for SMART-M2 and the like) the letter in S-M-A-R-T order, then number."""
        family = FAMILIES.index(self.family) if self.family in FAMILIES else len(FAMILIES)
        match = re.search(r"-([A-Z]?)(\d+)$", self.id)
        if match is None:
            return family, 0, 0
        letter, number = match.groups()
        return family, "SMART".find(letter) if letter else -1, int(number)


FAMILIES = ("INPUT", "INT", "MA", "TOA", "SMART", "AP", "MON", "R", "SC", "ESSA", "IDEA")
"""Rule families in report order: the input itself, then the multi-year plan, the action plan
and its monitoring, the roadmap, the school council's plan (M.G.L. c.71 §59C), then the
federal requirements."""

REGISTRY: dict[str, Rule] = {}


def rule(
    id: str,
    title: str,
    *,
    severity: Severity = Severity.ERROR,
    citation: str,
    document: Document = IMPROVEMENT_PLAN,
    section: str,
    crosswalk: bool = True,
) -> Callable[[Check], Check]:
    """Register the decorated function as the check of rule `id`; its docstring explains it."""

    def register(check: Check) -> Check:
        if id in REGISTRY:
            raise ValueError(f"rule {id} is declared twice")
        REGISTRY[id] = Rule(
            id,
            title,
            severity,
            citation,
            document,
            section,
            check,
            crosswalk,
            " ".join((check.__doc__ or "").split()),
        )
        return check

    return register


def declare(rule_: Rule) -> None:
    """Register a rule that has no check function of its own (enforced by validation)."""
    if rule_.id in REGISTRY:
        raise ValueError(f"rule {rule_.id} is declared twice")
    REGISTRY[rule_.id] = rule_


def ordered_rules() -> list[Rule]:
    """Every registered rule, in report order (family, then number)."""
    return sorted(REGISTRY.values(), key=Rule.sort_key)


# ---------------------------------------------------------------------------------------------
# Small helpers the families share.


def school_year_of(date: dt.date) -> int:
    """The first calendar year of the school year a date falls in (July starts a year)."""
    return date.year if date.month >= 7 else date.year - 1


def initiatives(plan: Plan) -> Iterator[tuple[DataPath, Initiative]]:
    """Every initiative of the plan with its data path."""
    for o_index, objective in enumerate(plan.objectives or []):
        for i_index, initiative in enumerate(objective.initiatives):
            yield ("objectives", o_index, "initiatives", i_index), initiative


def theories(plan: Plan) -> Iterator[tuple[DataPath, str, TheoryOfAction]]:
    """Every theory of action of the plan, with its data path and how messages name it: the
    plan's own, then each objective's and each initiative's."""
    if plan.theory_of_action is not None:
        yield ("theory_of_action",), "the theory of action", plan.theory_of_action
    for o_index, objective in enumerate(plan.objectives or []):
        if objective.theory_of_action is not None:
            path: DataPath = ("objectives", o_index, "theory_of_action")
            yield (
                path,
                f"the theory of action of objective {objective.id}",
                (objective.theory_of_action),
            )
        for i_index, initiative in enumerate(objective.initiatives):
            if initiative.theory_of_action is not None:
                path = ("objectives", o_index, "initiatives", i_index, "theory_of_action")
                yield (
                    path,
                    f"the theory of action of initiative {initiative.id}",
                    (initiative.theory_of_action),
                )


def is_empty(theory: TheoryOfAction) -> bool:
    """Whether a theory of action states nothing."""
    return not any(
        (theory.statement, theory.if_, theory.then, theory.and_, theory.so_that, theory.thereby)
    )
