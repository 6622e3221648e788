"""Stage 4: merge a plan's context into a Word template with docxtpl.

Rendering is autoescaped (a value such as `Smith & Jones <Partners>` appears literally, in the
body, headers and footers) and strict: a variable the context lacks is an error, and so is
printing an empty (None) value, which a template must guard with `{% if %}`. Templates are
data, so they render in Jinja's sandbox.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from pipeline.context import Context
from pipeline.errors import TemplateProblemError
from pipeline.write import reproducible_zip


def _finalize(value: Any) -> Any:
    if value is None:
        raise UndefinedError(
            "the template prints a value the plan leaves empty; guard it with {% if … %}"
        )
    return value


def environment(autoescape: bool = True) -> ImmutableSandboxedEnvironment:
    """The Jinja environment templates render in."""
    return ImmutableSandboxedEnvironment(
        autoescape=autoescape, undefined=StrictUndefined, finalize=_finalize
    )


class _Template(DocxTemplate):  # type: ignore[misc]
    """docxtpl's template, with core properties rendered as plain text.

    docxtpl renders the properties with the body's (autoescaping) environment, and python-docx
    escapes them again on save: `&` would appear as `&amp;` in the document's title.
    """

    def render_properties(self, context: Context, jinja_env: Any = None) -> None:
        super().render_properties(context, environment(autoescape=False))


@cache
def _template_bytes(path: Path) -> bytes:
    return path.read_bytes()


def render(template: Path, context: Context, revision_date: dt.date) -> bytes:
    """Render `template` with `context`; return the .docx bytes (reproducible)."""
    document = _Template(io.BytesIO(_template_bytes(template)))
    try:
        document.render(context, jinja_env=environment(), autoescape=True)
    except TemplateError as error:
        nearby = " / ".join(
            line.strip() for line in getattr(error, "docx_context", []) or [] if line.strip()
        )
        where = f" near: {nearby}" if nearby else ""
        raise TemplateProblemError(f"{template.name}: {error.message}{where}") from None
    stamp = dt.datetime.combine(revision_date, dt.time(12, 0))
    properties = document.docx.core_properties
    properties.created = properties.modified = stamp
    out = io.BytesIO()
    document.save(out)
    return reproducible_zip(out.getvalue())
