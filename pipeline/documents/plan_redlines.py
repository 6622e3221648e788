"""A plan's redlines: each document both revisions have, as the new document with the changes
from the old one as Word tracked changes, attributed to the new revision."""

from __future__ import annotations

from pipeline.documents.redline import redline
from pipeline.model.documents import BY_FILENAME
from pipeline.model.plan import Plan


def revision_author(plan: Plan) -> str:
    """Who the tracked changes are attributed to: the organization, and the revision."""
    revision = plan.plan.revision
    if revision is not None and revision.number:
        return f"{plan.organization.name}, revision {revision.number}"
    return plan.organization.name


def redlines(old: dict[str, bytes], new: dict[str, bytes], plan: Plan) -> dict[str, bytes]:
    """{redline file name: .docx} for each document in both `old` and `new` ({file name:
    .docx}, as `render_plan` gives them); `plan` is the new revision (author and date)."""
    return {
        BY_FILENAME[name].redline_filename: redline(
            old[name], data, author=revision_author(plan), date=plan.plan.document_date
        )
        for name, data in new.items()
        if name in old and name in BY_FILENAME
    }
