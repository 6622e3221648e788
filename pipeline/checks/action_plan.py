"""AP: the annual action plan (M.G.L. c.69 §1I: "activities, persons responsible, timelines,
and staff and financial resources"; MPIF implementation benchmarks)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from pipeline.checks.placeholders import placeholder
from pipeline.checks.rules import Case, Issue, initiatives, rule, school_year_of
from pipeline.checks.steps import early_evidence_initiatives
from pipeline.errors import Severity
from pipeline.model.documents import ACTION_PLAN
from pipeline.model.vocabulary import BenchmarkType, ResourceKind

_STATUTE = (
    "M.G.L. c.69 §1I (the action plan enumerates the specific activities, persons "
    "responsible, and timelines, and identifies the staff and financial resources allocated)"
)
_MPIF = "DESE 'PfS Creating Action Plan'"
_SECTION = "Annual Action Plan: I. Implementation Benchmarks"
_DOC = ACTION_PLAN


@rule(
    "AP-1",
    "An annual action plan with benchmarks",
    citation=f"{_STATUTE}; {_MPIF} (implementation benchmarks)",
    document=_DOC,
    section=_SECTION,
)
def present(case: Case) -> Iterator[Issue]:
    """The plan has an annual action plan listing its implementation benchmarks."""
    action = case.plan.action_plan
    if action is None:
        yield Issue(
            ("action_plan",),
            "the plan has no annual action plan",
            'add "action_plan" with the school year, benchmarks and resources',
            missing="the annual action plan (action_plan)",
        )
    elif not action.benchmarks:
        yield Issue(
            ("action_plan", "benchmarks"),
            "the action plan lists no implementation benchmarks",
            "add process and early evidence of change benchmarks for each initiative",
            missing="implementation benchmarks",
            anchor=("action_plan",),
        )


@rule(
    "AP-2",
    "Process and early-evidence benchmarks for every initiative",
    citation=f"{_MPIF} (two types of implementation benchmarks: process, and early evidence "
    "of change); DESE Massachusetts Planning and Implementation Framework",
    document=_DOC,
    section=_SECTION,
)
def both_types(case: Case) -> Iterator[Issue]:
    """Every strategic initiative has at least one process benchmark (who will do what, when)
    and at least one early evidence of change benchmark (what change should begin to show).
    A step of the initiative in the action plan's school year that states its early evidence
    of change counts as the latter."""
    action = case.plan.action_plan
    if action is None or not action.benchmarks:
        return  # AP-1 reports it once, not once per initiative
    types: dict[str, set[BenchmarkType]] = defaultdict(set)
    for benchmark in action.benchmarks:
        types[benchmark.initiative].add(benchmark.type)
    for initiative_id in early_evidence_initiatives(case.plan, action.school_year):
        types[initiative_id].add(BenchmarkType.EARLY_EVIDENCE)
    for path, initiative in initiatives(case.plan):
        for kind in BenchmarkType:
            if kind not in types[initiative.id]:
                article = "an" if kind is BenchmarkType.EARLY_EVIDENCE else "a"
                what = f"{article} {kind.label.lower()} benchmark for initiative {initiative.id}"
                yield Issue(
                    ("action_plan", "benchmarks"),
                    f"initiative {initiative.id} has no {kind.label.lower()} benchmark",
                    f'add a benchmark with "initiative": "{initiative.id}" and "type": '
                    f'"{kind.value}"',
                    missing=what,
                    anchor=path,
                )


@rule(
    "AP-3",
    "Benchmarks say who, what and when",
    citation="M.G.L. c.69 §1I (activities, persons responsible and timelines); "
    f"{_MPIF} (process benchmarks define who will do what and when)",
    document=_DOC,
    section=_SECTION,
)
def who_what_when(case: Case) -> Iterator[Issue]:
    """Each benchmark names real people responsible and describes real work: not a stand-in
    such as 'TBD', 'n/a' or '?'. (The model already requires both; AP-10 asks for the due
    date.)"""
    action = case.plan.action_plan
    for index, benchmark in enumerate(action.benchmarks if action else []):
        path = ("action_plan", "benchmarks", index)
        if placeholder(benchmark.responsible):
            yield Issue(
                (*path, "responsible"),
                f"benchmark {benchmark.id} names no person responsible ('{benchmark.responsible}')",
                "name the person or team who will do it",
                missing=f"person responsible for benchmark {benchmark.id}",
            )
        if placeholder(benchmark.description):
            yield Issue(
                (*path, "description"),
                f"benchmark {benchmark.id} does not say what will be done "
                f"('{benchmark.description}')",
                "describe who will do what (process) or what change will be seen",
                missing=f"description of benchmark {benchmark.id}",
            )


@rule(
    "AP-4",
    "Benchmark dates inside the school year",
    citation="M.G.L. c.69 §1I (the action plan's timelines)",
    document=_DOC,
    section=_SECTION,
)
def dates_in_year(case: Case) -> Iterator[Issue]:
    """Each benchmark starts and is due within the action plan's school year, and does not
    end before it starts."""
    action = case.plan.action_plan
    if action is None:
        return
    span = f"{action.start.isoformat()} to {action.end.isoformat()}"
    for index, benchmark in enumerate(action.benchmarks):
        path = ("action_plan", "benchmarks", index)
        if benchmark.start is not None and not action.start <= benchmark.start <= action.end:
            yield Issue(
                (*path, "start"),
                f"benchmark {benchmark.id} starts {benchmark.start.isoformat()}, outside the "
                f"school year ({span})",
                "date it within the action plan's school year",
            )
        if benchmark.due is None:
            continue  # AP-10 asks for it
        if not action.start <= benchmark.due <= action.end:
            yield Issue(
                (*path, "due"),
                f"benchmark {benchmark.id} is due {benchmark.due.isoformat()}, outside the "
                f"school year ({span})",
                "date it within the action plan's school year",
            )
        if benchmark.start is not None and benchmark.due < benchmark.start:
            yield Issue(
                (*path, "due"),
                f"benchmark {benchmark.id} is due ({benchmark.due.isoformat()}) before it "
                f"starts ({benchmark.start.isoformat()})",
                "correct the start or the due date",
            )


@rule(
    "AP-5",
    "Resources for every initiative",
    citation="M.G.L. c.69 §1I (the staff and financial resources allocated); "
    f"{_MPIF} (resources: people, time, materials and funds)",
    document=_DOC,
    section="Annual Action Plan: resources of each initiative; II. Resources Supporting "
    "Implementation",
)
def resources(case: Case) -> Iterator[Issue]:
    """Every strategic initiative has at least one staff or financial resource."""
    action = case.plan.action_plan
    if action is None:
        return
    funded = {resource.initiative for resource in action.resources}
    for path, initiative in initiatives(case.plan):
        if initiative.id not in funded:
            yield Issue(
                ("action_plan", "resources"),
                f"initiative {initiative.id} has no staff or financial resources",
                f'add a resource with "initiative": "{initiative.id}"',
                missing=f"resources for initiative {initiative.id}",
                anchor=path,
            )


@rule(
    "AP-6",
    "Funding names its source and amount",
    severity=Severity.WARNING,
    citation="M.G.L. c.69 §1I (financial resources allocated); DESE Turnaround Plan "
    "assessment rubric (sources and amounts of funds)",
    document=_DOC,
    section="Annual Action Plan: II. Resources Supporting Implementation",
    crosswalk=False,
)
def funding(case: Case) -> Iterator[Issue]:
    """A resource of kind 'funding' names its funding source and amount."""
    action = case.plan.action_plan
    for index, resource in enumerate(action.resources if action else []):
        if resource.kind is not ResourceKind.FUNDING:
            continue
        for key, value in (
            ("funding_source", resource.funding_source),
            ("amount", resource.amount),
        ):
            if value is None:
                yield Issue(
                    ("action_plan", "resources", index, key),
                    f"the funding '{resource.description}' for initiative {resource.initiative} "
                    f"has no {key.replace('_', ' ')}",
                    f'add "{key}"',
                )


@rule(
    "AP-7",
    "The action plan's year inside the plan years",
    citation="DESE Planning for Success (the annual action plan implements the multi-year plan)",
    document=_DOC,
    section="Annual Action Plan: title",
    crosswalk=False,
)
def year_in_plan(case: Case) -> Iterator[Issue]:
    """The action plan's school year lies within the plan years, and its label (e.g.
    '2025-26') matches its dates."""
    action = case.plan.action_plan
    if action is None:
        return
    years = case.plan.plan.years
    if action.start < years.start or action.end > years.end:
        yield Issue(
            ("action_plan", "start" if action.start < years.start else "end"),
            f"the action plan ({action.start.isoformat()} to {action.end.isoformat()}) is "
            f"outside the plan years ({years.start.isoformat()} to {years.end.isoformat()})",
            "plan the action plan for one of the plan's school years",
        )
    first = school_year_of(action.start)
    label = f"{first}-{(first + 1) % 100:02d}"
    if action.school_year != label:
        yield Issue(
            ("action_plan", "school_year"),
            f"the action plan is labelled {action.school_year} but starts "
            f"{action.start.isoformat()}, in school year {label}",
            "correct the school year or the dates",
        )


@rule(
    "AP-8",
    "Every initiative has a lead",
    citation="M.G.L. c.69 §1I (persons responsible); DESE Massachusetts Planning and "
    "Implementation Framework (each strategic initiative is owned by an action-plan team)",
    document=_DOC,
    section=_SECTION,
    # Once required by the schema: stated plans keep the crosswalk they had, and a plan
    # that leaves it out sees it in place (a draft) and in its check report.
    crosswalk=False,
)
def lead(case: Case) -> Iterator[Issue]:
    """Every strategic initiative names the person or team who owns it."""
    for path, initiative in initiatives(case.plan):
        if initiative.lead is None:
            yield Issue(
                (*path, "lead"),
                f"initiative {initiative.id} names no lead",
                'name in "lead" the person or team who owns the initiative',
                missing=f"the lead of initiative {initiative.id}",
                anchor=path,
            )


@rule(
    "AP-9",
    "Benchmarks state their evidence",
    citation=f"{_MPIF} (each benchmark with the evidence that shows it met); Wisconsin DPI "
    "WISExplore, Part 3: Improvement Planning (evidence for task completion)",
    document=_DOC,
    section=_SECTION,
    # Once required by the schema: stated plans keep the crosswalk they had, and a plan
    # that leaves it out sees it in place (a draft) and in its check report.
    crosswalk=False,
)
def benchmark_evidence(case: Case) -> Iterator[Issue]:
    """Each benchmark says what evidence will show it met: completion of the work, or the
    change seen."""
    action = case.plan.action_plan
    for index, benchmark in enumerate(action.benchmarks if action else []):
        if benchmark.evidence is None:
            yield Issue(
                ("action_plan", "benchmarks", index, "evidence"),
                f"benchmark {benchmark.id} does not say what evidence will show it met",
                'describe in "evidence" how completion, or the change, will be shown',
                missing=f"evidence for benchmark {benchmark.id}",
            )


@rule(
    "AP-10",
    "Every benchmark has a due date",
    citation="M.G.L. c.69 §1I (the action plan's timelines); DESE Sustainable Improvement Plan "
    "guidance, Goals & Benchmarks (monitoring is anchored in the benchmarks set in advance of "
    "implementation)",
    document=_DOC,
    section=_SECTION,
    # The model required it until rollover carried benchmarks over without one: the crosswalk
    # keeps AP-4 as the timelines' requirement, and a plan without a date is a draft.
    crosswalk=False,
)
def due_date(case: Case) -> Iterator[Issue]:
    """Every benchmark has a due date. A benchmark carried over from last year comes without
    one (the team sets its new date); until it is set the plan is a draft, and the check names
    each date to set."""
    action = case.plan.action_plan
    if action is None:
        return
    span = f"{action.start.isoformat()} to {action.end.isoformat()}"
    for index, benchmark in enumerate(action.benchmarks):
        if benchmark.due is not None:
            continue
        carried = (
            f" (carried over from {benchmark.carried_over_from})"
            if benchmark.carried_over_from
            else ""
        )
        yield Issue(
            ("action_plan", "benchmarks", index, "due"),
            f"benchmark {benchmark.id}{carried} has no due date",
            f'set the due date of benchmark {benchmark.id}{carried} in "due", a date from {span}',
            missing=f"the due date of benchmark {benchmark.id}",
        )
