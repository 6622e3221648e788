"""`pipeline templates preview`: a template rendered with an example plan, every value a tag
filled in highlighted, so an author sees what each tag produces."""

from __future__ import annotations

from pathlib import Path

from pipeline.context import plan_context, with_document
from pipeline.documents import DOCUMENTS
from pipeline.errors import InvalidInputError, PipelineError
from pipeline.load import find_inputs
from pipeline.plans import read_plan
from pipeline.write import write_atomic


def preview(template: Path, plan_path: Path | None, target: Path) -> Path:
    """Render `template` with an example plan (the first in inputs/, or `plan_path`), every
    value a tag filled in highlighted; write it to `target`. Returns `target`."""
    from pipeline.render import PreparedTemplate
    from pipeline.template_check import document_for

    if target.resolve() == template.resolve() or (
        plan_path and target.resolve() == plan_path.resolve()
    ):
        raise PipelineError(f"will not write the preview over {target}")
    if plan_path is None:
        candidates = list(find_inputs([Path("inputs")])) if Path("inputs").is_dir() else []
        plan_path = candidates[0] if candidates else None
    if plan_path is None:
        from pipeline.contract import full_plan

        plan = full_plan()
    else:
        _, result = read_plan(plan_path)
        if result.plan is None:
            raise InvalidInputError(result.problems)
        plan = result.plan
    document = document_for(template) or DOCUMENTS[0]
    context = with_document(plan_context(plan), plan, document)
    data = PreparedTemplate(template, mark_filled=True).render(context, plan.plan.revision.date)
    write_atomic(target, data)
    return target
