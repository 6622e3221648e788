"""The document part serialized without a parse (`canonical.py`): where the proof holds, the
bytes are lxml's own for any values; where it does not, or a text holds what it does not
cover, the part is parsed as before."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import docx
import pytest
from docxtpl import DocxTemplate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree

from pipeline.documents import canonical, rendered_xml
from pipeline.documents.context import build_context
from pipeline.documents.filters import FILTERS, guard_printed
from pipeline.documents.plan_documents import documents_of
from pipeline.documents.render import PreparedTemplate, environment, render
from pipeline.documents.rendered_xml import Compiled
from pipeline.model.documents import TEMPLATES_DIR
from tests.conftest import INPUTS, plan_of, read_json

_TEMPLATE = DocxTemplate(io.BytesIO((TEMPLATES_DIR / "roadmap" / "roadmap.docx").read_bytes()))
_ROOT = '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
_SHIPPED = sorted(TEMPLATES_DIR.rglob("*.docx"))
_DATE = dt.date(2025, 1, 1)


def _parsed(xml: str) -> bytes:
    """What the parse path writes for a rendered document part."""
    return bytes(
        etree.tostring(rendered_xml.body_tree(_TEMPLATE, xml), encoding="UTF-8", standalone=True)
    )


def _compiled(body: str) -> Compiled:
    return Compiled(
        guard_printed(environment()), f"{_ROOT}<w:body>{body}</w:body></w:document>", True
    )


# -- the shipped templates ---------------------------------------------------------------------


@pytest.mark.parametrize("template", _SHIPPED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_shipped_template_is_proved(template: Path) -> None:
    """Else its documents are parsed again, and builds are slower (not wrong)."""
    prepared = PreparedTemplate(template)
    proof = prepared._document.proof
    assert proof is not None, canonical.why_not(
        prepared._document.env.parse(prepared._document.source)
    )


def test_proved_documents_are_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The example plans' documents are written without the parse (and equal docxtpl's)."""
    plan = plan_of(read_json(INPUTS[0]))
    expected = {}
    for document in documents_of(plan):
        context = build_context(plan, document)
        template = TEMPLATES_DIR / document.template
        expected[document.name] = (template, context, render(template, context, _DATE))

    def no_parse(*args: Any) -> Any:
        raise AssertionError("parsed")

    monkeypatch.setattr("pipeline.documents.render._body_tree", no_parse)
    for name, (template, context, standard) in expected.items():
        assert PreparedTemplate(template).render(context, _DATE) == standard, name


_TEXT = st.lists(
    st.sampled_from(
        [*"aZ09 ,.-'\"&<>\t\n_{}%#;", "\u00a0", "\u2011", "é", "😀", "June 5, 2024", "2024-25"]
    ),
    max_size=12,
).map("".join)


def _with_values(value: Any, texts: list[str], counter: list[int]) -> Any:
    """`value` with its strings replaced, in turn, by `texts` (ids and keys kept)."""
    if isinstance(value, dict):
        return {k: _with_values(v, texts, counter) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_values(v, texts, counter) for v in value]
    if isinstance(value, str) and not value.endswith("_iso") and len(value) > 3:
        counter[0] += 1
        return texts[counter[0] % len(texts)]
    return value


_PREPARED = {path: PreparedTemplate(path) for path in _SHIPPED}
_UNPROVED = {path: PreparedTemplate(path) for path in _SHIPPED}
for _prepared in _UNPROVED.values():  # compiled as if unproved: Jinja's own escaping too
    _prepared._document = Compiled(_prepared._document.env, _prepared._document.source)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TEXT, min_size=1, max_size=6), st.sampled_from(INPUTS))
def test_any_values_give_the_parsed_bytes(texts: list[str], source: Path) -> None:
    """Every text of an example plan's contexts replaced by quotes, ampersands, tabs, newlines,
    empty strings, dates and emoji: the same bytes as the parse path (or the same error)."""
    plan = plan_of(read_json(source))
    for document in documents_of(plan):
        path = TEMPLATES_DIR / document.template
        context = _with_values(build_context(plan, document), texts, [0])
        try:
            expected = _UNPROVED[path].render(context, _DATE)
        except Exception as error:  # the template's own problem with such a value
            with pytest.raises(type(error)):
                _PREPARED[path].render(context, _DATE)
            continue
        assert _PREPARED[path].render(context, _DATE) == expected, document.name


# -- made-up templates: whatever is proved gives lxml's bytes -----------------------------------

_LEAVES = st.sampled_from(
    ["text", " ", "{{ a }}", "{{ b }}", "&amp;", "'", '"', "\t", "\n", "<w:br/>", "", "{{ i }}"]
)
_ELEMENTS = ["w:p", "w:r", "w:t", 'w:t xml:space="preserve"', "w:pPr", "w:hyperlink"]


def _element(name: str, content: list[str]) -> str:
    return f"<{name}>{''.join(content)}</{name.split()[0]}>"


def _table(rows: list[tuple[int, bool, str]]) -> str:
    body = "".join(
        ("{% if c %}" if conditional else "")
        + "<w:tr>"
        + f"<w:tc><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>" * cells
        + "</w:tr>"
        + ("{% endif %}" if conditional else "")
        for cells, conditional, text in rows
    )
    grid = '<w:tblGrid><w:gridCol w:w="600"/><w:gridCol w:w="400"/></w:tblGrid>'
    return f"<w:tbl>{grid}{body}</w:tbl>"


_CONTENT = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.builds(_element, st.sampled_from(_ELEMENTS), st.lists(inner, max_size=4)),
        st.lists(inner, max_size=3).map(lambda xs: "{% if c %}" + "".join(xs) + "{% endif %}"),
        st.lists(inner, max_size=3).map(
            lambda xs: "{% if c %}" + "".join(xs) + "{% else %}</w:t><w:br/><w:t>{% endif %}"
        ),
        st.lists(inner, max_size=3).map(
            lambda xs: "{% for i in l %}" + "".join(xs) + "{% endfor %}"
        ),
        st.lists(inner, max_size=3).map(
            lambda xs: "{% filter nobreak %}" + "".join(xs) + "{% endfilter %}"
        ),
        st.lists(st.tuples(st.integers(1, 3), st.booleans(), inner), max_size=3).map(_table),
        st.lists(inner, max_size=4).map("".join),
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(_CONTENT, _TEXT, _TEXT, st.booleans(), st.lists(_TEXT, max_size=3))
def test_what_is_proved_serializes_as_lxml_does(
    body: str, a: str, b: str, c: bool, items: list[str]
) -> None:
    compiled = _compiled(body)
    context = {"a": a, "b": b, "c": c, "l": items, "i": "x"}
    xml, data = compiled.render_serialized(_TEMPLATE, context)
    if compiled.proof is None:
        assert data is None
        return
    expected = _parsed(xml)  # a proved template renders well-formed XML, whatever the values
    if data is not None:
        assert data == expected


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("<w:p><w:r><w:t>{{ a|safe }}</w:t></w:r></w:p>", "filter 'safe'"),
        ("{% if c %}<w:p>{% endif %}</w:p>", "does not close"),
        ('<w:p w:rsidR="{{ a }}"/>', "not as lxml writes it"),
        ("<w:p w:rsidR='1'/>", "not as lxml writes it"),
        ("<w:p><w:r><w:t>&#39;</w:t></w:r></w:p>", "not as lxml writes it"),
        ("<w:p><w:r><w:t>a > b</w:t></w:r></w:p>", "not as lxml writes it"),
        ("{% macro m() %}x{% endmacro %}", "Macro"),
        ('{% include "x" %}', "Include"),
        ("{% filter upper %}<w:p/>{% endfilter %}", "filter block of 'upper'"),
        ("{% filter upper|nobreak %}<w:p/>{% endfilter %}", "filter block of 'nobreak' (or more)"),
        ("<w:p><w:t>{{ a }}</w:t></w:p>", "not in a run"),
        ("<w:p><w:r><w:x:y/></w:r></w:p>", "not as lxml writes it"),
        ("<w:p><v:shape/></w:p>", "undeclared prefix"),
        ('<w:p w:a="1" w:a="2"/>', "attribute twice"),
        ("<w:p><wp:docPr/></w:p>", "docPr"),
        (
            "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid><w:tr><w:tc>{% if c %}</w:tc>"
            "<w:tc>{% endif %}</w:tc></w:tr></w:tbl>",
            "closes the w:tc",
        ),
        (
            "<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid><w:tr>{% for x in l %}<w:tc/>{% endfor %}"
            "</w:tr></w:tbl>",
            "cells made by",
        ),
        (
            "<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid><w:tr><w:tc><w:tbl/></w:tc></w:tr></w:tbl>",
            "table in a table",
        ),
        (
            "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid><w:tr><w:tc/></w:tr></w:tbl>",
            "without a full row",
        ),
        (
            "<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid><w:tr><w:tc/><w:tc/></w:tr></w:tbl>",
            "more cells",
        ),
        (
            "<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid><w:bookmarkStart/>"
            "{% if c %}<w:tr><w:tc/></w:tr>{% endif %}</w:tbl>",
            "without a full row",
        ),
        ("<w:p></w:r></w:p>", "closes what"),
        # found in review: each once gave other bytes than the parse, or none where it failed
        ("<w:p><w:r><w:t>{{ l|map('safe')|join }}</w:t></w:r></w:p>", "map of a filter"),
        ('<w:p><w:r><w:t>{{ l|map(*["safe"])|join }}</w:t></w:r></w:p>', "map of a filter"),
        ('<w:p xmlns:x="a b"/>', "would not write"),
        ('<w:p xmlns:x="http://www.w3.org/XML/1998/namespace"/>', "would not write"),
        ('<w:p xmlns:x="http://www.w3.org/2000/xmlns/"/>', "would not write"),
        ('<w:p xml:id="a"/>', "xml: attribute"),
        ("<w:" + "a" * 300 + "/>", "not as lxml writes it"),
        ("{% for x in l recursive %}{{ loop(x) }}{% endfor %}", "recursive loop"),
        ("<w:p><w:r><w:t>{{ caller() }}</w:t></w:r></w:p>", "the name 'caller'"),
        ("<w:p><w:r><w:t><w:x>{{ a }}</w:x></w:t></w:r></w:p>", "inside a w:t"),
        ('<w:p><w:r><w:t xml:space="preserve"/><w:t>{{ a }}</w:t></w:r></w:p>', "empty w:t"),
        (
            '<w:p><w:r><w:rPr><w:rPrChange w:id="1"><w:rPr><w:i/></w:rPr></w:rPrChange>'
            "</w:rPr><w:t>{{ a }}</w:t></w:r></w:p>",
            "run properties inside run properties",
        ),
        (
            "<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid><w:tr><w:tc><w:tcPr>"
            '<w:gridSpan w:val="1"/><w:gridSpan w:val="1"/></w:tcPr></w:tc></w:tr></w:tbl>',
            "two w:gridSpan",
        ),
        (
            "<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid><w:tr><w:tc><w:tcPr/><w:tcPr/></w:tc>"
            "</w:tr></w:tbl>",
            "two w:tcPr",
        ),
        (
            "<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid><w:tblPr/>"
            "{% if c %}<w:tr><w:tc/></w:tr>{% endif %}</w:tbl>",
            "without a full row",
        ),
        ("<w:tbl><w:tblPr/></w:tbl>", "without a grid"),
        (
            '<x:tbl xmlns:x="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
            "prefix",
        ),
        ('<w:tr xmlns:w="urn:other"/>', "another prefix than w"),
        ('<w:p xmlns="urn:x"/>', "default namespace"),
        ('<w:p w:a="1" xmlns:x="urn:x"/>', "would not write"),
        ('<w:p xmlns:xml="http://www.w3.org/XML/1998/namespace"/>', "would not write"),
        ('<w:p xmlns:x=""/>', "would not write"),
        ('<w:p xmlnsx:a="1"/>', "odd name"),
        ("<w:p><w:a\u00b2/></w:p>", "not as lxml writes it"),
        ('<w:p><w:pPr><w:x w:val="{_{"></w:x></w:pPr></w:p>', "finishing rewrites"),
        ('<w:p><w:pPr><w:x w:val="a\x05b"></w:x></w:pPr></w:p>', "not as lxml writes it"),
        ("<w:x>" * 300 + "</w:x>" * 300, "nested too deep"),
        (
            "<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid><w:tr><w:tc><w:tcPr>"
            '<w:gridSpan w:val="\u00b2"/></w:tcPr></w:tc></w:tr></w:tbl>',
            "span that is not a number",
        ),
    ],
)
def test_what_the_proof_refuses(body: str, reason: str) -> None:
    source = f"{_ROOT}<w:body>{body}</w:body></w:document>"
    env = guard_printed(environment())
    assert reason in canonical.why_not(env.parse(source))


def test_a_rowless_table_is_left_to_the_parser() -> None:
    """A table whose rows are all conditional: proved, and when it renders without a row
    (docxtpl's fix_tables empties its grid) the parse path writes it."""
    compiled = _compiled(
        '<w:tbl><w:tblGrid><w:gridCol w:w="900"/></w:tblGrid>'
        "{% if c %}<w:tr><w:tc><w:p/></w:tc></w:tr>{% endif %}</w:tbl>"
    )
    assert compiled.proof is not None and compiled.proof.rowless
    xml, data = compiled.render_serialized(_TEMPLATE, {"c": True})
    assert data == _parsed(xml)
    xml, data = compiled.render_serialized(_TEMPLATE, {"c": False})
    assert data is None and b"<w:tblGrid/>" in _parsed(xml)


@pytest.mark.parametrize("value", ["a\rb", "page\fbreak", "new\aparagraph", "bell\x01", "\ufffe"])
def test_what_the_proof_does_not_cover_is_parsed(value: str) -> None:
    compiled = _compiled("<w:p><w:r><w:t>{{ a }}</w:t></w:r></w:p>")
    assert compiled.proof is not None
    _, data = compiled.render_serialized(_TEMPLATE, {"a": value})
    assert data is None


def test_a_part_near_the_size_limit_is_rendered_as_docxtpl_renders_it() -> None:
    """Quotes print as one character where docxtpl prints five: a long text is rendered again
    the docxtpl way, so that the size limit refuses what it would refuse."""
    compiled = _compiled(
        "{% for i in range(10000) %}<w:p><w:r><w:t>{{ a }}</w:t></w:r></w:p>{% endfor %}"
    )
    with pytest.raises(SecurityError, match="too large"):
        compiled.render_serialized(_TEMPLATE, {"a": '"' * 700})
    xml, data = compiled.render_serialized(_TEMPLATE, {"a": '"' * 620})  # 31 M, as docxtpl
    assert data is None and xml.count("&#34;") == 6_200_000


def test_a_part_past_the_parsers_limits_is_parsed() -> None:
    """libxml2 refuses a text node over 10 MB: the parse path's error, not a document."""
    compiled = _compiled("<w:p><w:r><w:t>{% for x in l %}{{ x }}{% endfor %}</w:t></w:r></w:p>")
    xml, data = compiled.render_serialized(_TEMPLATE, {"l": ["x" * 6_000_000] * 2})
    assert data is None
    with pytest.raises(ValueError, match="not well-formed"):
        _parsed(xml)


def test_a_template_with_a_cell_loop_is_still_fixed_as_docxtpl_does(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    table.rows[0].cells[0].text = "Item"
    table.rows[0].cells[1].text = "{%tc for c in columns %}"
    table.rows[0].cells[2].text = "{{ c }}{%tc endfor %}"
    path = tmp_path / "t.docx"
    document.save(str(path))
    prepared = PreparedTemplate(path)
    assert prepared._document.proof is None
    context = {"columns": ["a", "b", "c", "d"]}
    assert prepared.render(context, _DATE) == render(path, context, _DATE)


# -- core properties from a pattern ------------------------------------------------------------

_CORE = PreparedTemplate(TEMPLATES_DIR / "dese" / "action-plan.docx")._core_part
_NAMES = ("author", "comments", "identifier", "language", "subject", "title")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            _TEXT,
            st.text(max_size=300),
            st.sampled_from(["", "x" * 256, "a\rb", "\ue000title\ue000", "1901-02-03T04:05:06Z"]),
        ),
        min_size=len(_NAMES),
        max_size=len(_NAMES),
    ),
    st.dates(min_value=dt.date(1900, 1, 1)),
)
def test_core_properties_are_python_docxs(values: list[str], day: dt.date) -> None:
    """Any values (empty, too long, escaped, unprintable, looking like the markers): the part
    python-docx writes, or its error."""
    when = dt.datetime.combine(day, dt.time(12, 0))
    given_values = dict(zip(_NAMES, values, strict=True))
    try:
        expected = _CORE.by_python_docx(given_values, when)
    except ValueError as error:
        with pytest.raises(type(error)):
            _CORE.part(given_values.__getitem__, when)
        return
    assert _CORE.part(given_values.__getitem__, when) == expected


def test_values_are_escaped_as_text() -> None:
    assert canonical.escape_text("a & <b> 'c' \"d\"") == "a &amp; &lt;b&gt; 'c' \"d\""
    assert canonical.escape_text(3) == "3"


# -- `{% filter nobreak %}` compiled without its Markup round trip -----------------------------


@settings(max_examples=100, deadline=None)
@given(_TEXT, _TEXT, st.lists(_TEXT, max_size=3))
def test_nobreak_blocks_print_what_jinja_prints(a: str, b: str, items: list[str]) -> None:
    source = (
        "<x>{% filter nobreak %}Due {{ a }}, June 5, 2024{% endfilter %}"
        "{% for i in l %}{% filter nobreak %}{% if loop.first %}{{ b }}{% endif %}{{ i }}"
        "{% endfilter %}{% endfor %}{% filter nobreak|upper %}{{ a }}{% endfilter %}"
        "{% filter upper|nobreak %}{{ b }}{% endfilter %}"
        "{% filter nobreak(**{}) %}{{ b }}{% endfilter %}</x>"
    )
    stock = ImmutableSandboxedEnvironment(autoescape=True)
    stock.filters.update(FILTERS)
    context = {"a": a, "b": b, "l": items}
    expected = stock.from_string(source).render(context)
    assert environment().from_string(source).render(context) == expected
