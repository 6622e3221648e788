"""Where in a document each draft placeholder stands: the item (objective, initiative,
outcome, benchmark, corrective action, roadmap phase) and, in it, the cell or line of the
missing element; or the section and, in it, the sub-section.

The place comes from the finding's data path (the element that is missing or wrong) and its
anchor (the item it belongs to), read against the context's own structure:

- an item's `missing_at.<field>` list for a field the documents show in a cell or line of
  their own (a roadmap phase's `by_when`, an outcome's `interim_targets`, an initiative's
  `resources` in the action plan); its `missing_rest` list for the rest; its `missing` list
  holds both (for a template that prints an item's placeholders in one place);
- `missing.<section>` for a section; for the supports also `missing.<sub-section>`
  (`induction_mentoring`, `english_learners`, `professional_development`), and for the
  needs assessment also `missing.needs_<part>` (`needs_completed_on`,
  `needs_student_group_gaps`, `needs_prioritized_needs`, …);
- a roadmap phase the plan lacks becomes a row of its own, in the roadmap's order (its
  placeholder stays in `missing.roadmap` too).
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.errors import DataPath
from pipeline.model.vocabulary import RoadmapPhase

FIELDS: dict[str, tuple[str, ...]] = {
    "objective": ("rationale", "initiatives", "outcomes"),
    "initiative": ("lead", "evidence", "professional_development", "resources", "steps"),
    "outcome": (
        "objectives",
        "metric",
        "baseline",
        "interim_targets",
        "final_target",
        "data_source",
        "evaluation",
    ),
    "benchmark": ("description", "responsible", "timeline", "evidence"),
    "corrective_action": ("root_cause", "responsible", "due", "verification"),
    "phase": ("done", "engagement", "still_to_do", "by_when", "responsible"),
}
"""The fields of each kind of item whose placeholders stand in their own cell or line."""

_ALIASES = {
    ("outcome", "student_group"): "metric",  # shown in the "student group and measure" cell
    ("benchmark", "start"): "timeline",
    ("benchmark", "due"): "timeline",
}

SUPPORTS = ("professional_development", "induction_mentoring", "english_learners")
"""The supports' sub-sections, each a `missing.<name>` slot under its own heading."""

_SUPPORT_RULES = {"MA-8": "induction_mentoring", "MA-12": "english_learners"}

NEEDS_PARTS = (
    "completed_on",
    "student_group_gaps",
    "data_findings",
    "root_causes",
    "resource_inequities",
    "prioritized_needs",
)
"""The needs assessment's parts the improvement plan shows under a heading or on a line of
their own; the slot of each is `missing.needs_<part>`."""
NEEDS_SLOTS = tuple(f"needs_{part}" for part in NEEDS_PARTS)


def _keys(path: DataPath) -> tuple[str, tuple[str | int, ...]] | None:
    """The kind of item a data path is in, and the keys leading to it."""
    match path:
        case ("objectives", int(o), "initiatives", int(i), *_):
            return "initiative", ("objectives", o, "initiatives", i)
        case ("objectives", int(o), *_):
            return "objective", ("objectives", o)
        case ("outcomes", int(o), *_):
            return "outcome", ("outcomes", o)
        case ("action_plan", "benchmarks", int(b), *_):
            return "benchmark", ("action_plan", "benchmarks", b)
        case ("plan", "corrective_actions", int(c), *_):
            return "corrective_action", ("plan", "corrective_actions", c)
        case ("roadmap", "phases", int(p), *_):
            return "phase", ("roadmap", "phases", p)
    return None


def _lookup(context: dict[str, Any], keys: tuple[str | int, ...]) -> dict[str, Any] | None:
    node: Any = context
    for key in keys:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node if isinstance(node, dict) else None


def item_place(
    context: dict[str, Any], anchor: DataPath, path: DataPath
) -> tuple[tuple[str | int, ...], str | None] | None:
    """The keys of the item a finding belongs to, and the field (a key of its `missing_at`)
    whose cell shows it, or None for the item's own `missing` list; None when the finding
    belongs to no item of the context. The data path is the more precise of the two (an
    outcome's interim targets, a corrective action's cell), the anchor the fallback (an
    initiative whose resources the action plan lacks)."""
    for where in (path, anchor):
        found = _keys(where)
        if found is None or _lookup(context, found[1]) is None:
            continue
        kind, keys = found
        rest = path[len(keys) :] if tuple(path[: len(keys)]) == keys else path[-1:]
        field = next((str(k) for k in rest if isinstance(k, str)), None)
        field = _ALIASES.get((kind, field or ""), field)
        return keys, field if field in FIELDS[kind] else None
    return None


def add_slots(context: dict[str, Any]) -> None:
    """An empty `missing` list and `missing_at` lists on every item a placeholder can be
    attached to."""

    def slots(item: dict[str, Any], kind: str) -> None:
        item["missing"] = []
        item["missing_rest"] = []
        item["missing_at"] = {field: [] for field in FIELDS[kind]}

    for objective in context.get("objectives") or []:
        slots(objective, "objective")
        for initiative in objective["initiatives"]:
            slots(initiative, "initiative")
    for outcome in context.get("outcomes") or []:
        slots(outcome, "outcome")
    for benchmark in (context.get("action_plan") or {}).get("benchmarks", []):
        slots(benchmark, "benchmark")
    for action in (context.get("plan") or {}).get("corrective_actions") or []:
        slots(action, "corrective_action")
    for phase in (context.get("roadmap") or {}).get("phases", []):
        slots(phase, "phase")


def place(
    context: dict[str, Any], keys: tuple[str | int, ...], field: str | None, text: str
) -> None:
    """`text` in the item's `missing` (all its placeholders, for templates that print them in
    one place) and in its `missing_at.<field>` or else its `missing_rest`."""
    item = _lookup(context, keys)
    assert item is not None
    item["missing"].append(text)
    (item["missing_at"][field] if field else item["missing_rest"]).append(text)


def support_slot(rule: str, path: DataPath) -> str | None:
    """The supports' sub-section a finding belongs under, if any."""
    if len(path) > 1 and path[0] == "supports" and path[1] in SUPPORTS:
        return str(path[1])
    return _SUPPORT_RULES.get(rule) if path[:1] == ("supports",) else None


def needs_slot(context: dict[str, Any], path: DataPath) -> str | None:
    """The needs assessment's sub-section (or line) a finding belongs under: its part's
    `missing.needs_<part>` slot, when the plan has a needs assessment to show it in."""
    if len(path) > 1 and path[0] == "needs_assessment" and path[1] in NEEDS_PARTS:
        return f"needs_{path[1]}" if context.get("needs_assessment") else None
    return None


_PHASE = re.compile(r"^the phase '(.+)'$")


def missing_phase(context: dict[str, Any], missing: str | None, text: str) -> bool:
    """Add a row for a roadmap phase the plan lacks, in the roadmap's order, holding the
    placeholder; False when `missing` names no phase (or the roadmap itself is missing)."""
    match = _PHASE.match(missing or "")
    roadmap = context.get("roadmap")
    if match is None or not roadmap:
        return False
    phase = next((p for p in RoadmapPhase if p.label == match[1]), None)
    if phase is None:
        return False
    order = list(RoadmapPhase)
    rows = roadmap["phases"]
    at = next(
        (
            n
            for n, row in enumerate(rows)
            if order.index(RoadmapPhase(row["phase"])) > order.index(phase)
        ),
        len(rows),
    )
    row: dict[str, Any] = {
        "phase": phase.value,
        "phase_label": phase.label,
        "purpose": phase.purpose,
        **{field: None for field in FIELDS["phase"]},
        "missing": [text],
        "missing_rest": [text],
        "missing_at": {field: [] for field in FIELDS["phase"]},
    }
    roadmap["phases"] = [*rows[:at], row, *rows[at:]]
    return True


_KEY_NAME = re.compile(r" \((?:[a-z]+_[a-z_]+|foundation|roadmap|outcomes|objectives|supports)\)")


def readable(placeholder: str) -> str:
    """A placeholder without the data key name a check may add: 'mission, vision and core
    values (foundation)' reads 'mission, vision and core values'."""
    return _KEY_NAME.sub("", placeholder)
