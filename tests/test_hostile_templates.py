"""Hostile and unusual templates (issue 11): bounded renders, files that are not Word documents,
every part the renderer fills in read by the check, Jinja's own scoping, docxtpl's tags."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from pipeline.authoring.template_check import check_template
from pipeline.cli import cli
from pipeline.documents.render import PreparedTemplate, render
from pipeline.errors import TemplateProblemError
from tests.conftest import MINIMAL

DAY = dt.date(2025, 1, 1)
CONTEXT: dict[str, Any] = {"organization": {"name": "X"}, "objectives": [{"title": "T"}]}
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = "application/vnd.openxmlformats-officedocument.wordprocessingml"


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _docx(tmp_path: Path, *paragraphs: str, name: str = "action-plan.docx") -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    path = tmp_path / name
    document.save(str(path))
    return path


def _add_part(path: Path, name: str, xml: str, kind: str) -> Path:
    """Add a part (footnotes, endnotes) to a package, as Word would."""
    with zipfile.ZipFile(path) as package:
        entries = {info.filename: package.read(info.filename) for info in package.infolist()}
    entries[name] = xml.encode()
    types = entries["[Content_Types].xml"].decode()
    override = f'<Override PartName="/{name}" ContentType="{_TYPES}.{kind}+xml"/>'
    entries["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode()
    rels = entries["word/_rels/document.xml.rels"].decode()
    rel = f'<Relationship Id="rId{kind}" Type="{_RELS}/{kind}" Target="{name[5:]}"/>'
    entries["word/_rels/document.xml.rels"] = rels.replace(
        "</Relationships>", rel + "</Relationships>"
    ).encode()
    with zipfile.ZipFile(path, "w") as package:
        for entry, data in entries.items():
            package.writestr(entry, data)
    return path


def _notes(kind: str, *texts: str) -> str:
    tag = kind[:-1]
    notes = "".join(
        f'<w:{tag} w:id="{n}"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:{tag}>'
        for n, text in enumerate(texts, start=1)
    )
    separator = (
        f'<w:{tag} w:type="separator" w:id="0"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>'
    )
    return f'<w:{kind} xmlns:w="{_W}">{separator}{notes}</w:{kind}>'


def _errors(path: Path) -> list[str]:
    return [f"{p.location}: {p.message}" for p in check_template(path) if p.is_error]


# --- bounded renders ----------------------------------------------------------------------

HUGE = [
    "{{ '%200000000d' % 1 }}",
    "{{ '%*d' % (200000000, 1) }}",
    "{{ '{:>200000000}'.format(1) }}",
    "{{ '{:{w}}'.format(1, w=200000000) }}",
    "{{ 'x'|center(200000000) }}",
    "{{ 'x'|indent(200000000, true) }}",
    "{{ ('x' * 1000000)|replace('x', 'yyyyyyyyyyyyyyyyyyyy') }}",
    "{{ ('x' * 1000000)|join('y' * 100) }}",
    "{{ '%300000000s'|format('x') }}",
    "{{ 'x'.rjust(300000000) }}",
    "{{ 'a'.expandtabs(300000000) }}",
    "{% macro f(s) %}{{ f(s ~ s) }}{% endmacro %}{{ f('x') }}",
    "{% set a = ['x' * 1000000] * 10 %}{% set b = [a, a, a, a, a, a, a, a, a, a] %}{{ b }}",
    "{% for i in range(10000) %}{% for j in range(10000) %}{{ 'x' * 1000 }}{% endfor %}"
    "{% endfor %}",
]


@pytest.mark.parametrize("text", HUGE)
def test_a_template_cannot_build_huge_text(tmp_path: Path, text: str) -> None:
    path = _docx(tmp_path, text)
    for renderer in (render, PreparedTemplate(path).render):
        with pytest.raises(TemplateProblemError, match="limit is"):
            renderer(path, CONTEXT, DAY) if renderer is render else renderer(CONTEXT, DAY)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ 1 / 0 }}", "ZeroDivisionError"),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "calls itself too deeply"),
        ("{{ 'a' + 1 }}", "TypeError"),
    ],
)
def test_a_failing_expression_is_a_template_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    path = _docx(tmp_path, "before", text)
    with pytest.raises(TemplateProblemError, match=message):
        PreparedTemplate(path).render(CONTEXT, DAY)
    with pytest.raises(TemplateProblemError, match=message):
        render(path, CONTEXT, DAY)


def test_ordinary_formatting_is_unchanged(tmp_path: Path) -> None:
    text = (
        "{{ 'x'|center(5) }}|{{ [1, 2]|join(', ') }}|{{ 'a' ~ 1 }}|{{ 'a%sb' % 1 }}|"
        "{{ '{:>3}'.format(1) }}|{{ 1 + 2 }}|{{ 'ab'|replace('a', 'c') }}|{{ 'a\nb'|indent(2) }}"
    )
    data = PreparedTemplate(_docx(tmp_path, text)).render(CONTEXT, DAY)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        body = package.read("word/document.xml").decode()
    assert "  x  |1, 2|a1|a1b|  1|3|cb|a" in body


# --- files that are not Word documents ----------------------------------------------------


def _not_a_docx(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "action-plan.docx"
    if kind == "text":
        path.write_text("{{ organization.name }}")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "workbook":
        with zipfile.ZipFile(path, "w") as package:
            package.writestr(
                "[Content_Types].xml", "<Types><Default ContentType='x.sheet'/></Types>"
            )
    elif kind == "macro-enabled":
        source = _docx(tmp_path, "{{ organization.name }}", name="source.docx")
        with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
            for info in old.infolist():
                data = old.read(info.filename)
                if info.filename == "[Content_Types].xml":
                    data = data.replace(b"document.main+xml", b"document.macroEnabled.main+xml")
                new.writestr(info.filename, data)
    elif kind == "dangling link":
        os.symlink(tmp_path / "nowhere.docx", path)
    return path


KINDS = ["text", "empty", "workbook", "macro-enabled", "dangling link"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_that_is_not_a_docx_is_one_clean_problem(tmp_path: Path, kind: str) -> None:
    path = _not_a_docx(tmp_path, kind)
    (problem,) = check_template(path)
    assert problem.location == "template"
    assert problem.source == "action-plan.docx"
    with pytest.raises(TemplateProblemError, match=r"action-plan\.docx: the template"):
        render(path, CONTEXT, DAY)
    with pytest.raises(TemplateProblemError, match=r"action-plan\.docx: the template"):
        PreparedTemplate(path)


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "dangling link"])
def test_the_commands_refuse_a_file_that_is_not_a_docx(tmp_path: Path, kind: str) -> None:
    path = _not_a_docx(tmp_path, kind)
    assert run("templates", "check", str(path)).exit_code == 1
    preview = run("templates", "preview", str(path), "--out", str(tmp_path / "p.docx"))
    assert preview.exit_code == 1
    assert "the template is" in preview.output
    build = run("build", str(MINIMAL), "--templates", str(tmp_path), "--out", str(tmp_path / "o"))
    assert build.exit_code == 1
    assert "the template is" in build.output


# --- what the check reads and refuses -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "{% include 'other.docx' %}",
        "{% import 'macros' as m %}",
        "{% from 'macros' import f %}",
        "{% extends 'base' %}",
    ],
)
def test_loading_another_template_is_refused_with_its_place(tmp_path: Path, text: str) -> None:
    path = _docx(tmp_path, "{{ organization.name }}", text)
    assert any(e.startswith("body, paragraph 2: {% ") for e in _errors(path)), _errors(path)
    build = run("build", str(MINIMAL), "--templates", str(tmp_path), "--out", str(tmp_path / "o"))
    assert build.exit_code == 1
    assert "is not allowed" in build.output
    preview = run("templates", "preview", str(path), "--out", str(tmp_path / "p.docx"))
    assert preview.exit_code == 1


VALID = {
    "range": ["{% for i in range(3) %}{{ i }}{% endfor %}"],
    "set": ["{% set n = organization.name %}", "{{ n }}{% set x %}a{% endset %}{{ x }}"],
    "with": ["{% with n = organization.name, k = 3 %}{{ n }}{{ k }}{% endwith %}"],
    "macro": ["{% macro m(a, b=1) %}{{ a }}{{ b }}{{ varargs }}{% endmacro %}", "{{ m(1) }}"],
    "call": ["{% macro m() %}{{ caller() }}{% endmacro %}{% call m() %}x{% endcall %}"],
    "tuple loop": ["{% for k, v in organization.items() %}{{ k }}{{ v }}{% endfor %}"],
    "loop vars": ["{%p for o in objectives %}", "{{ loop.index }} {{ o.title }}", "{%p endfor %}"],
    "namespace": ["{% set ns = namespace(n=0) %}{% set ns.n = 1 %}{{ ns.n }}"],
    "item": ["{{ objectives[0].title }}"],
}


@pytest.mark.parametrize("lines", VALID.values(), ids=VALID.keys())
def test_valid_sandbox_safe_jinja_passes(tmp_path: Path, lines: list[str]) -> None:
    assert _errors(_docx(tmp_path, *lines)) == []


def test_scoping_still_finds_unknown_fields(tmp_path: Path) -> None:
    path = _docx(
        tmp_path,
        "{% set o = organization %}{{ o.nmae }}",
        "{% for k, v in plan.items() %}{{ k }}{% endfor %}{{ organisation.name }}",
    )
    assert sorted(_errors(path)) == [
        "body, paragraph 1: the plan has no 'organization.nmae'",
        "body, paragraph 2: the plan has no 'organisation'",
    ]


def test_merged_cells_are_read(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2))  # horizontally
    table.cell(1, 0).merge(table.cell(2, 0))  # vertically
    table.cell(1, 1).text = "{{ organization.nmae }}"
    path = tmp_path / "t.docx"
    document.save(str(path))
    assert _errors(path) == ["body, table 1, row 2, cell 2: the plan has no 'organization.nmae'"]


def test_footnotes_are_checked_and_endnotes_refused(tmp_path: Path) -> None:
    path = _docx(tmp_path, "{{ organization.name }}")
    _add_part(
        path,
        "word/footnotes.xml",
        _notes("footnotes", "ok", "{{ organization.nmae }}"),
        "footnotes",
    )
    _add_part(path, "word/endnotes.xml", _notes("endnotes", "{{ organization.name }}"), "endnotes")
    errors = _errors(path)
    assert errors[0].startswith("endnote 1, paragraph 1: tags in the endnotes are not filled in")
    assert errors[1] == "footnote 2, paragraph 1: the plan has no 'organization.nmae'"


def test_tags_in_properties_that_are_not_rendered_are_refused(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("x")
    document.core_properties.keywords = "{{ organization.name }}"
    document.core_properties.title = "{{ organization.nmae }}"
    path = tmp_path / "t.docx"
    document.save(str(path))
    errors = _errors(path)
    assert "document property keywords: tags in the property keywords are not filled in" in (
        " ".join(errors)
    )
    assert "document property title: the plan has no 'organization.nmae'" in errors


def _split(tmp_path: Path, first: str, second: str, look: str) -> Path:
    document = docx.Document()
    paragraph = document.add_paragraph()
    paragraph.add_run(first)
    paragraph.add_run(second)._r.insert(0, parse_xml(f"<w:rPr {nsdecls('w')}>{look}</w:rPr>"))
    path = tmp_path / "t.docx"
    document.save(str(path))
    return path


@pytest.mark.parametrize(
    ("first", "second", "look", "refused"),
    [
        ("{{ organization.", "name }}", '<w:lang w:val="en-GB"/>', False),
        ("{{ organization.", "name }}", '<w:rFonts w:hint="eastAsia"/>', False),
        ("{{ organization.", "name }}", "<w:b/>", True),
        ("{% if organization", " %}x{% endif %}", "<w:b/>", False),
    ],
    ids=["language tag", "east-asian hint", "bold", "statement tag"],
)
def test_only_visible_split_formatting_of_a_printing_tag_is_refused(
    tmp_path: Path, first: str, second: str, look: str, refused: bool
) -> None:
    errors = _errors(_split(tmp_path, first, second, look))
    assert any("split across runs" in e for e in errors) is refused, errors


@pytest.mark.parametrize("tag", ["{{r organization.name }}", "{{p organization.name }}"])
def test_rich_text_tags_are_refused_by_the_check_and_the_renderer(tmp_path: Path, tag: str) -> None:
    path = _docx(tmp_path, "intro", tag)
    (error,) = _errors(path)
    assert error.startswith("body, paragraph 2: {{")
    assert "rich text" in error
    with pytest.raises(TemplateProblemError, match="rich text"):
        PreparedTemplate(path)
    with pytest.raises(TemplateProblemError, match="rich text"):
        render(path, CONTEXT, DAY)


def test_a_syntax_error_names_its_paragraph_and_text(tmp_path: Path) -> None:
    path = _docx(tmp_path, "a", "b", "{{ organization.name | }}", "c")
    (problem,) = check_template(path)
    assert (problem.location, problem.nearby) == ("body, paragraph 3", "{{ organization.name | }}")
    assert problem.message.startswith("Jinja syntax error")


def test_footnotes_of_a_document_of_two_sections_are_rendered_once(tmp_path: Path) -> None:
    """docxtpl itself renders the footnotes once per section, so plan text that looks like a
    tag would be evaluated; both of our renderers render them once."""
    document = docx.Document()
    document.add_paragraph("one")
    document.add_section()
    document.add_paragraph("two")
    path = tmp_path / "t.docx"
    document.save(str(path))
    _add_part(
        path, "word/footnotes.xml", _notes("footnotes", "{{ organization.name }}"), "footnotes"
    )
    context = {"organization": {"name": "{{ 7*7 }}"}}
    outputs: list[Callable[[], bytes]] = [
        lambda: PreparedTemplate(path).render(context, DAY),
        lambda: render(path, context, DAY),
    ]
    for output in outputs:
        with zipfile.ZipFile(io.BytesIO(output())) as package:
            footnotes = package.read("word/footnotes.xml").decode()
        assert "{{ 7*7 }}" in footnotes
        assert "49" not in footnotes
