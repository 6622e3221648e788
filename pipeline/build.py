"""The orchestrator: load → validate → render → write, for every input given.

All inputs are read and validated before anything is written; each plan's documents are
rendered in memory, then written atomically into `OUT/<slug>/`. One bad input never stops the
others: its problems are reported and it is skipped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from slugify import slugify

from pipeline.context import build_context
from pipeline.documents import DOCUMENTS, TEMPLATES_DIR
from pipeline.errors import InvalidInputError, Problem
from pipeline.load import Source, find_inputs, load
from pipeline.model import Plan
from pipeline.render import render
from pipeline.validate import validate
from pipeline.write import write_atomic


@dataclass
class PlanResult:
    """What happened to one input."""

    source: str
    plan: Plan | None = None
    problems: list[Problem] = field(default_factory=list)
    folder: Path | None = None
    written: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Valid, and nothing else stands in the way (warnings do not)."""
        return self.plan is not None and not any(p.severity == "error" for p in self.problems)


def slug(plan: Plan) -> str:
    """The output folder name: filesystem-safe, stable, unique per organization (its code)."""
    return (
        f"{slugify(plan.organization.name, max_length=60, word_boundary=True)}-"
        f"{plan.organization.code}"
    )


def read_plan(path: Path) -> tuple[Source | None, PlanResult]:
    """Load and validate one input."""
    result = PlanResult(str(path))
    try:
        source = load(path)
        result.plan = validate(source)
        result.problems = list(source.problems)  # warnings
        return source, result
    except InvalidInputError as error:
        result.problems = error.problems
        return None, result


def read_plans(paths: list[Path]) -> list[PlanResult]:
    """Load and validate every input under `paths`; two inputs for one organization conflict."""
    read = [read_plan(path) for path in find_inputs(paths)]
    by_code: dict[str, list[tuple[Source, PlanResult]]] = defaultdict(list)
    for source, result in read:
        if source is not None and result.plan is not None:
            by_code[result.plan.organization.code].append((source, result))
    for code, same in by_code.items():
        if len(same) > 1:
            for source, result in same:
                others = ", ".join(r.source for _, r in same if r is not result)
                result.problems.append(
                    source.problem(
                        ("organization", "code"),
                        f"organization {code} also has a plan in {others}",
                        "keep one input per organization",
                    )
                )
    return [result for _, result in read]


def render_plan(plan: Plan, templates: Path = TEMPLATES_DIR) -> dict[str, bytes]:
    """Every document the plan has, rendered: {file name: .docx bytes}."""
    rendered = {}
    for document in DOCUMENTS:
        if document.included(plan):
            context = build_context(plan, document)
            rendered[document.filename] = render(
                templates / document.template, context, plan.plan.revision.date
            )
    return rendered


def build(paths: list[Path], out: Path, templates: Path = TEMPLATES_DIR) -> list[PlanResult]:
    """Build the documents of every valid plan under `paths` into `out`."""
    results = read_plans(paths)
    for result in results:
        if not result.ok or result.plan is None:
            continue
        documents = render_plan(result.plan, templates)
        result.folder = out / slug(result.plan)
        for name, data in documents.items():
            target = result.folder / name
            write_atomic(target, data)
            result.written.append(target)
        for document in DOCUMENTS:
            stale = result.folder / document.filename
            if document.filename not in documents and stale.exists():
                stale.unlink()  # the plan no longer has this part
    return results
