"""The prepared path's shortcuts through docxtpl's post-processing (`rendered_xml.py`) give
docxtpl's own results: resolve_listing on the paragraphs that need it, the newlines before
paragraphs taken out of the compiled template, and a value that prints such a newline."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
from docxtpl import DocxTemplate
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import TemplateSyntaxError
from markupsafe import Markup

from pipeline.documents.filters import (
    _DAY,
    _SCHOOL_YEAR,
    NB_HYPHEN,
    NBSP,
    guard_printed,
    nobreak,
)
from pipeline.documents.render import PreparedTemplate, environment, render
from pipeline.documents.rendered_xml import Compiled, compile_source, finish, resolve_listing
from pipeline.model.documents import TEMPLATES_DIR

_TEMPLATE = DocxTemplate(io.BytesIO((TEMPLATES_DIR / "roadmap" / "roadmap.docx").read_bytes()))

_PIECES = [
    "<w:p>",
    '<w:p w:rsidR="1">',
    "</w:p>",
    "<w:p ",
    ">",
    "<w:r>",
    '<w:r w:x="y">',
    "</w:r>",
    "<w:t>",
    '<w:t xml:space="preserve">',
    "</w:t>",
    "<w:pPr><w:jc/></w:pPr>",
    "<w:rPr><w:b/></w:rPr>",
    "<w:pPr>",
    "</w:pPr>",
    "text",
    "\n",
    "\t",
    "\a",
    "\f",
    "<",
    "</w:p",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_resolve_listing_is_docxtpls(pieces: list[str]) -> None:
    xml = "".join(pieces)
    assert resolve_listing(_TEMPLATE, xml) == _TEMPLATE.resolve_listing(xml)


_PARTS = [
    "<w:p>",
    "<w:p><w:r><w:t>",
    "</w:t></w:r></w:p>",
    "\n",
    "{{ a }}",
    "{{ b }}",
    "{% if c %}",
    "{% endif %}",
    "{%- if c -%}",
    "{%- endif -%}",
    "{_{ x }_}",
    "{% for i in l %}{{ i }}{% endfor %}",
    "text",
    "\n<w:p ",
    ">",
]


@given(
    st.lists(st.sampled_from(_PARTS), max_size=25).map("".join),
    st.sampled_from(["", "x", "\n<w:p>", "a\n<w:p ", "_", "tab\there", "line\nbreak"]),
    st.sampled_from(["", "\n", "<w:p>", "y", Markup("\n<w:p>"), Markup("z\n<w:p w:a='1'>")]),
)
def test_a_part_renders_as_docxtpl_renders_it(source: str, a: str, b: str) -> None:
    """With the newlines docxtpl adds before paragraphs taken out of the compiled template,
    and when a value prints one (markup: rendered again as docxtpl compiles it)."""
    env = guard_printed(environment())
    context = {"a": a, "b": b, "c": bool(a), "l": [a, b]}
    try:
        compiled = compile_source(env, source)
    except TemplateSyntaxError:
        return  # not a template ('{% endif %}{% if c %}')
    expected = finish(_TEMPLATE, compiled.render(context))
    assert Compiled(env, source).render(_TEMPLATE, context) == expected


def test_a_value_printing_a_paragraph_newline_renders_as_docxtpl(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("{{ value|safe }}")
    document.add_paragraph("after")
    template = tmp_path / "t.docx"
    document.save(str(template))
    date = dt.date(2025, 1, 1)
    context = {"value": "before</w:t></w:r></w:p>\n<w:p><w:r><w:t>inside"}
    assert PreparedTemplate(template).render(context, date) == render(template, context, date)


def _nobreak_plainly(text: str) -> str:
    """The `nobreak` filter as its two patterns alone say, with no shortcut."""
    text = _DAY.sub(lambda m: f"{m[1]}{NBSP}{m[2]},{NBSP}{m[3]}", text)
    return _SCHOOL_YEAR.sub(lambda m: f"{m[1]}{NB_HYPHEN}{m[2]}", text)


@given(
    st.lists(
        st.sampled_from(
            ["June", "Jun.", "Sept", "30", "1", ", ", ",", " ", "2026", "2024", "-", "25",
             "20", "19", "by ", "a", "٣", "\n", "<w:t>", "</w:t>"]
        ),
        max_size=12,
    ).map("".join)
)  # fmt: skip
def test_nobreak_keeps_every_date_and_school_year_whole(text: str) -> None:
    assert nobreak(text) == _nobreak_plainly(text)
