"""Stage 3: turn a validated plan into what the templates see.

The context is derived from the model, not listed by hand: every field of the plan appears
under its own name, so a field added to the model reaches the templates. On top of that:

- every enumeration gets a `<field>_label` with the documents' wording (lists: `_labels`);
- every date is written out ("June 15, 2026") and keeps its ISO form in `<field>_iso`;
- whole-number floats print without ".0";
- a few derived values named in `docs/templates.md` (benchmarks and resources under their
  initiative, steps grouped by school year, outcomes under their objectives, measure rows'
  names, phase purposes, gaps, totals, the documents' date);
- a benchmark's or step's `status_label` is "Not recorded" when the plan records no status;
  a benchmark's `status` is its status at the latest check-in (else as recorded), and its
  `carried_note` says the year it was carried over from (empty when it was not);
- `progress`: the plan as of a check-in, for the progress report (`progress.py`; null
  without a check-in on or before the date);
- `changes`: what changed since the previous revision the build knows, by section, for the
  improvement plan's Summary of changes (`changes.py`; null when it is not known).

`pipeline context PLAN --document NAME` prints it as JSON.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from enum import Enum
from functools import cache, lru_cache
from typing import Any

from pydantic import BaseModel

from pipeline.checks import PlanCheck, check_plan
from pipeline.documents.changes import changes_context
from pipeline.documents.draft import document_draft, plan_draft
from pipeline.documents.filters import dollars
from pipeline.documents.progress import progress_context
from pipeline.model.changes import Since
from pipeline.model.documents import Document
from pipeline.model.outcomes import Baseline, Target
from pipeline.model.periods import resolve
from pipeline.model.plan import Initiative, Plan, Resource, StepResource
from pipeline.model.progress import current_statuses
from pipeline.model.vocabulary import (
    EVIDENCE_TIERS,
    ApproverRole,
    EssaDesignation,
    Labeled,
    RoadmapPhase,
)

Context = dict[str, Any]
NOT_RECORDED = "Not recorded"
"""The status label of a benchmark or step whose status the plan does not record."""


@lru_cache(maxsize=4096)  # a plan writes its few dates many times
def long_date(value: dt.date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


@lru_cache(maxsize=4096)
def short_date(value: dt.date) -> str:
    return f"{value:%b} {value.day}, {value.year}"


def number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 2)


_float_number = lru_cache(maxsize=4096)(number)
"""`number` of a float, kept: a plan repeats its values (NaN, never equal, is never kept)."""


@lru_cache(maxsize=4096)
def _date_texts(value: dt.date) -> tuple[str, str]:
    """A date field's value as the templates see it, and its ISO form."""
    return long_date(value), value.isoformat()


_LABELS: dict[int, tuple[Labeled, str]] = {}
"""Each closed-list value met, with its label, by its identity (values of two lists can be
equal: a council's "teacher" and a stakeholder group's)."""


def _plain(value: Any) -> Any:
    """A field's value as the templates see it (labels and ISO forms are added beside it)."""
    convert = _CONVERTERS.get(type(value))
    if convert is None:
        convert = _CONVERTERS[type(value)] = _converter(type(value))
    return convert(value)


def _same(value: Any) -> Any:
    return value


def _items(value: list[Any]) -> list[Any]:
    return [item if type(item) is str else _plain(item) for item in value]


def _enum_value(value: Enum) -> Any:
    return value._value_


def _converter(kind: type) -> Any:
    """How `_plain` writes a value of class `kind`: chosen once per class, in this order."""
    if kind is str or kind is type(None):  # most values: as they are
        return _same
    if issubclass(kind, BaseModel):
        return _record
    if issubclass(kind, list):
        return _items
    if issubclass(kind, Enum):
        return _enum_value
    if issubclass(kind, dt.date):
        return long_date
    if issubclass(kind, float):
        return _float_number if kind is float else number
    return _same


_CONVERTERS: dict[type, Any] = {}
"""`_converter` of each class met, by the class (exact: a subclass gets its own entry)."""


@cache
def _fields(model: type[BaseModel]) -> tuple[tuple[str, str, str], ...]:
    """(field name, kind, name of the value added beside it) of a model's fields; kind is
    'labels' for a list of closed-list values, 'label' for one, 'date' for dates, '' otherwise
    (with nothing added beside)."""
    fields = []
    for name, info in model.model_fields.items():
        kinds = _leaf_types(info.annotation)
        is_list = "list" in str(info.annotation)
        if is_list and any(issubclass(k, Labeled) for k in kinds):
            fields.append((name, "labels", f"{name}_labels"))
        elif any(issubclass(k, Labeled) for k in kinds):
            fields.append((name, "label", f"{name}_label"))
        elif dt.date in kinds:
            fields.append((name, "date", f"{name}_iso"))
        else:
            fields.append((name, "", ""))
    return tuple(fields)


def _record(model: BaseModel) -> dict[str, Any]:
    out: dict[str, Any] = {}
    values = model.__dict__  # the fields' values (what `getattr` would find)
    for name, kind, beside in _fields(type(model)):
        value = values[name]
        if not kind:
            out[name] = value if value is None or type(value) is str else _plain(value)
            continue
        if kind == "label" and isinstance(value, Labeled):  # as below, faster
            known = _LABELS.get(id(value))
            if known is None or known[0] is not value:
                known = _LABELS[id(value)] = (value, value.label)
            out[name] = value._value_
            out[beside] = known[1]
            continue
        if kind == "date" and type(value) is dt.date:  # as below, faster
            out[name], out[beside] = _date_texts(value)
            continue
        out[name] = value if value is None or type(value) is str else _plain(value)
        if kind == "label":  # an optional closed-list value left out has a null label
            out[beside] = value.label if isinstance(value, Labeled) else None
        elif kind == "labels":
            out[beside] = ", ".join(v.label for v in value)
        else:  # a date
            out[beside] = value.isoformat() if value else None
    return out


def _leaf_types(annotation: Any) -> list[type]:
    """The classes a field's annotation is made of: `list[X] | None` gives [X, NoneType]."""
    args = getattr(annotation, "__args__", None)
    if args is None:
        return [annotation] if isinstance(annotation, type) else []
    return [leaf for arg in args for leaf in _leaf_types(arg)]


def _format_value(value: float, unit: str) -> str:
    shown = number(value)
    return f"{shown}%" if unit == "percent" else f"{shown} {unit.replace('_', ' ')}"


def _measure_values(
    baseline: Baseline | None,
    interim: list[Target],
    final: Target | None,
    item: dict[str, Any],
    unit: str,
) -> None:
    """`text` (and `short_date`) beside a baseline and targets of an outcome or measure row;
    `interim_text`: the interim targets, one a line."""
    if baseline is not None:
        item["baseline"]["text"] = _format_value(baseline.value, unit)
    for target_model, target in zip(interim, item["interim_targets"], strict=True):
        target["text"] = _format_value(target_model.value, unit)
        target["short_date"] = short_date(target_model.date)
    item["interim_text"] = "\n".join(
        f"{t['text']} by {t['short_date']}" for t in item["interim_targets"]
    )
    if final is not None:
        item["final_target"]["text"] = _format_value(final.value, unit)
        item["final_target"]["short_date"] = short_date(final.date)


def _enrich_outcomes(plan: Plan, outcomes: list[dict[str, Any]]) -> None:
    for model, outcome in zip(plan.outcomes or [], outcomes, strict=True):
        unit = model.unit.value
        _measure_values(model.baseline, model.interim_targets, model.final_target, outcome, unit)
        for row_model, row in zip(model.measures, outcome["measures"], strict=True):
            _measure_values(
                row_model.baseline, row_model.interim_targets, row_model.final_target, row, unit
            )
            row["name"] = row_model.name or model.metric or ""


def _resource_amounts(models: Sequence[Resource | StepResource], items: list[Any]) -> None:
    """`amount_text` ($85,000, or null) beside each resource's amount."""
    for model, item in zip(models, items, strict=True):
        amount = model.amount
        item["amount_text"] = dollars(amount) if amount is not None else None


def _theory(theory: dict[str, Any] | None) -> None:
    if theory is not None:
        theory["has_parts"] = theory["if_"] is not None


def _enrich_steps(model: Initiative, initiative: dict[str, Any]) -> None:
    """Each step's status label, resolved timeline and resource amounts, and
    `steps_by_year`: the steps grouped by school year, in year order."""
    by_year: dict[str, list[Any]] = defaultdict(list)
    for step_model, step in zip(model.steps, initiative["steps"], strict=True):
        if step["status"] is None:
            step["status_label"] = NOT_RECORDED
        dates = (
            resolve(step_model.timeline, step_model.school_year) if step_model.timeline else None
        )
        step["timeline_start"] = long_date(dates.start) if dates else None
        step["timeline_start_iso"] = dates.start.isoformat() if dates else None
        step["timeline_end"] = long_date(dates.end) if dates else None
        step["timeline_end_iso"] = dates.end.isoformat() if dates else None
        _resource_amounts(step_model.resources, step["resources"])
        by_year[step_model.school_year].append(step)
    initiative["steps_by_year"] = [
        {"school_year": year, "steps": by_year[year]} for year in sorted(by_year)
    ]


def _enrich_objectives(plan: Plan, context: Context, as_of: dt.date | None) -> None:
    benchmarks: dict[str, list[Any]] = defaultdict(list)
    resources: dict[str, list[Any]] = defaultdict(list)
    if plan.action_plan:
        action = context["action_plan"]
        statuses = current_statuses(plan, as_of)
        for model, item in zip(plan.action_plan.benchmarks, action["benchmarks"], strict=True):
            if model.due is None:  # to be set: the draft places its mark in the cell
                item["timeline"] = f"From {short_date(model.start)}" if model.start else ""
            else:
                start = f"{short_date(model.start)} – " if model.start else "By "
                item["timeline"] = start + short_date(model.due)
            status = statuses[model.id]  # at the check-in as of the date, else as recorded
            item["status"] = status.value if status is not None else None
            item["status_label"] = status.label if status is not None else NOT_RECORDED
            item["carried_note"] = (
                f"Carried over from {model.carried_over_from}" if model.carried_over_from else ""
            )
            benchmarks[model.initiative].append(item)
        _resource_amounts(plan.action_plan.resources, action["resources"])
        for resource, item in zip(plan.action_plan.resources, action["resources"], strict=True):
            resources[resource.initiative].append(item)
        by_source: dict[str, float] = defaultdict(float)
        for resource in plan.action_plan.resources:
            if resource.amount is not None:
                by_source[resource.funding_source or "Unspecified"] += resource.amount
        action["funding_summary"] = [
            {"source": source, "amount": number(amount), "amount_text": dollars(amount)}
            for source, amount in by_source.items()
        ]
        # No total when no resource has an amount: "$0" would read as nothing needed.
        action["total_amount_text"] = dollars(sum(by_source.values())) if by_source else None
    root_causes = {
        rc["id"]: rc for rc in (context["needs_assessment"] or {}).get("root_causes", [])
    }
    outcomes_by_objective: dict[str, list[Any]] = defaultdict(list)
    for outcome in context["outcomes"] or []:
        for objective_id in outcome["objectives"]:
            outcomes_by_objective[objective_id].append(outcome)
    initiatives = {
        i["id"]: i for objective in context["objectives"] or [] for i in objective["initiatives"]
    }
    for objective_model, objective in zip(
        plan.objectives or [], context["objectives"] or [], strict=True
    ):
        objective["root_cause_items"] = [
            root_causes[i] for i in objective["root_causes"] if i in root_causes
        ]
        objective["outcomes"] = outcomes_by_objective[objective["id"]]
        _theory(objective["theory_of_action"])
        for goal in objective["named_goals"]:
            goal["initiative_items"] = [
                initiatives[i] for i in goal["initiatives"] if i in initiatives
            ]
        for initiative_model, initiative in zip(
            objective_model.initiatives, objective["initiatives"], strict=True
        ):
            initiative["objective_id"] = objective["id"]
            initiative["benchmarks"] = benchmarks[initiative["id"]]
            initiative["resources"] = resources[initiative["id"]]
            evidence = initiative["evidence"]
            if evidence:
                evidence["tier_label"] = EVIDENCE_TIERS[evidence["tier"]]
            _theory(initiative["theory_of_action"])
            _enrich_steps(initiative_model, initiative)
            # The annual action plan is the current year's detail of the multi-year steps.
            year = plan.action_plan.school_year if plan.action_plan else None
            initiative["steps_this_year"] = [
                s for s in initiative["steps"] if s["school_year"] == year
            ]


def _school_year_span(plan: Plan) -> str:
    start, end = plan.plan.years.start, plan.plan.years.end
    first = start.year if start.month >= 7 else start.year - 1
    last = end.year if end.month >= 7 else end.year - 1
    return f"{first}–{last + 1}"


def build_context(
    plan: Plan,
    document: Document,
    check: PlanCheck | None = None,
    as_of: dt.date | None = None,
    since: Since | None = None,
) -> Context:
    """Everything `document`'s template sees, for `plan`; `check` (by default, the plan
    checked under its own profiles) decides whether it is a draft and what is missing;
    `as_of` chooses the check-in (the latest on or before it; by default the latest);
    `since`, the revision before this one when it is known, gives the summary of changes."""
    check = check if check is not None else check_plan(plan)
    context = plan_context(plan, check, as_of, since)
    return with_document(context, plan, document, check, as_of)


def with_document(
    context: Context,
    plan: Plan,
    document: Document,
    check: PlanCheck | None = None,
    as_of: dt.date | None = None,
) -> Context:
    """`plan_context` plus what is particular to one document (shares the plan's part)."""
    context = {
        **context,
        "document": {
            "name": document.name,
            "title": document.title(plan, as_of),
            "subject": document.subject,
            "language": "en-US",
        },
    }
    # Drafts are marked here, where every rendering gets its context, so no code path can
    # render an incomplete plan without its draft marks.
    return document_draft(context, document.name, check if check is not None else check_plan(plan))


def plan_context(
    plan: Plan,
    check: PlanCheck | None = None,
    as_of: dt.date | None = None,
    since: Since | None = None,
) -> Context:
    """The part of the context that is the same for every document of `plan`, as of the
    latest check-in on or before `as_of` (by default the latest); with the changes since the
    previous revision when it is known (`since`)."""
    context: Context = {
        name: _plain(getattr(plan, name))
        for name in type(plan).model_fields
        if name != "schema_ref"
    }
    context["organization"]["level_label"] = plan.organization.level.label
    context["plan"]["years"]["label"] = _school_year_span(plan)
    revision = context["plan"]["revision"]
    context["plan"]["revisions"] = [
        *context["plan"]["revision_history"],
        *([revision] if revision is not None else []),
    ]
    context["plan"]["document_date"] = long_date(plan.plan.document_date)
    context["plan"]["document_date_iso"] = plan.plan.document_date.isoformat()
    context["plan"]["essa_designation_label"] = plan.plan.essa_designation.label
    if plan.needs_assessment:
        for gap in context["needs_assessment"]["student_group_gaps"]:
            behind = gap["comparison_value"] - gap["group_value"]
            gap["gap"] = number(behind if gap["higher_is_better"] else -behind)
    if plan.theory_of_action:
        context["theory_of_action"]["has_parts"] = plan.theory_of_action.if_ is not None
    _enrich_outcomes(plan, context["outcomes"] or [])
    _enrich_objectives(plan, context, as_of)
    context["progress"] = progress_context(plan, context, as_of)
    context["changes"] = (
        changes_context(since.changes, since.previous, long_date) if since is not None else None
    )
    if plan.roadmap:
        for row in context["roadmap"]["phases"]:
            row["purpose"] = RoadmapPhase(row["phase"]).purpose
    context["plan"]["signatures"] = _signatures(plan, context["plan"]["approvals"])
    plan_draft(context, check if check is not None else check_plan(plan))
    return context


def _signatures(plan: Plan, approvals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The signatures page's lines: who signs a plan of this kind (a school's principal, school
    council and superintendent; a district's superintendent and school committee; the state
    for an ESSA comprehensive-support plan), then anyone else whose approval is recorded;
    each with the name and date `plan.approvals` records (`null` when not yet)."""
    school = plan.organization.level.value == "school"
    roles = (
        [ApproverRole.PRINCIPAL, ApproverRole.SCHOOL_COUNCIL, ApproverRole.SUPERINTENDENT]
        if school
        else [ApproverRole.SUPERINTENDENT, ApproverRole.SCHOOL_COMMITTEE]
    )
    if plan.plan.essa_designation is EssaDesignation.CSI:
        roles.append(ApproverRole.STATE)
    recorded = [a for a in approvals if a["role"] not in {r.value for r in roles}]
    lines = []
    for role in roles:
        found: list[dict[str, Any] | None] = [a for a in approvals if a["role"] == role.value]
        found = found or [None]
        for approval in found:
            lines.append(
                {
                    "role": role.value,
                    "role_label": role.label,
                    "name": approval["name"] if approval else None,
                    "date": approval["date"] if approval else None,
                }
            )
    return lines + [
        {"role": a["role"], "role_label": a["role_label"], "name": a["name"], "date": a["date"]}
        for a in recorded
    ]
