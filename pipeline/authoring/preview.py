"""`pipeline templates preview`: a template rendered with an example plan, every value a tag
filled in highlighted, so an author sees what each tag produces."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline.documents.context import plan_context, with_document
from pipeline.errors import InvalidInputError, PipelineError, TemplateProblemError, errors_in
from pipeline.files import write_atomic
from pipeline.inputs.load import find_inputs
from pipeline.inputs.read import read_input
from pipeline.model.documents import DOCUMENTS


def preview(
    template: Path, plan_path: Path | None, target: Path, as_of: dt.date | None = None
) -> Path:
    """Render `template` with an example plan (the first in inputs/, or `plan_path`), as of
    its latest check-in on or before `as_of` (by default the latest), every value a tag
    filled in highlighted; write it to `target`. Returns `target`."""
    from pipeline.authoring.template_check import check_template, document_for
    from pipeline.documents.render import PreparedTemplate

    if target.resolve() == template.resolve() or (
        plan_path and target.resolve() == plan_path.resolve()
    ):
        raise PipelineError(f"will not write the preview over {target}")
    if plan_path is None:
        candidates = list(find_inputs([Path("inputs")])) if Path("inputs").is_dir() else []
        plan_path = candidates[0] if candidates else None
    if plan_path is None:
        from pipeline.authoring.contract import full_plan

        plan = full_plan()
    else:
        reading = read_input(plan_path)
        if reading.plan is None:
            raise InvalidInputError(reading.problems)
        plan = reading.plan
    problems = errors_in(check_template(template, document_for(template)))
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        raise TemplateProblemError(
            f"{len(problems)} problem(s) in {template}:\n{listed}\n"
            "(pipeline templates check shows them too)"
        )
    document = document_for(template) or DOCUMENTS[0]
    context = with_document(plan_context(plan, as_of=as_of), plan, document, as_of=as_of)
    data = PreparedTemplate(template, mark_filled=True).render(context, plan.plan.document_date)
    write_atomic(target, data)
    return target
