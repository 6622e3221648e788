"""Bring-your-own templates: checked before use, sandboxed, previewed, used by file name."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from docx.document import Document as DocxDocument
from docx.shared import Pt

from pipeline.authoring.template_check import check_template
from pipeline.batch.manifest import Manifest
from pipeline.cli import cli
from pipeline.documents import filters
from pipeline.documents.render import render
from pipeline.errors import TemplateProblemError
from pipeline.model.documents import TEMPLATES_DIR
from tests.conftest import INPUTS, MINIMAL

ACTION_PLAN = TEMPLATES_DIR / "dese" / "action-plan.docx"
IMPROVEMENT_PLAN = TEMPLATES_DIR / "dese" / "improvement-plan.docx"
CUSTOM = TEMPLATES_DIR / "custom"


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _paragraph(document: DocxDocument, text: str) -> Any:
    return next(p for p in document.paragraphs if p.text == text)


def _retype(paragraph: Any, text: str) -> None:
    """Replace a paragraph's text as a person retyping it would: one run, same style."""
    for run_ in paragraph.runs[1:]:
        run_._r.getparent().remove(run_._r)
    paragraph.runs[0].text = text


def _misspell(document: DocxDocument) -> None:
    _retype(_paragraph(document, "{{ organization.name }}"), "{{ organization.nmae }}")


def _split_runs(document: DocxDocument) -> None:
    paragraph = _paragraph(document, "{{ organization.name }}")
    _retype(paragraph, "{{ organization.")
    tail = paragraph.add_run("name }}")
    tail.bold = True  # the author made half of the tag bold


def _unclosed_if(document: DocxDocument) -> None:
    document.add_paragraph("{%p if plan.monitoring %}")
    document.add_paragraph("Monitoring: {{ plan.monitoring.description }}")


def _tr_outside_table(document: DocxDocument) -> None:
    _retype(
        _paragraph(document, "{%p for o in objectives or [] %}"),
        "{%tr for o in objectives or [] %}",
    )


def _loop_over_text(document: DocxDocument) -> None:
    _retype(_paragraph(document, "{%p for i in o.initiatives %}"), "{%p for i in o.title %}")


def _stray_endfor(document: DocxDocument) -> None:
    document.add_paragraph("{%p endfor %}")


def _syntax_error(document: DocxDocument) -> None:
    _retype(_paragraph(document, "{{ organization.name }}"), "{{ organization.name | }}")


def _unclosed_tag(document: DocxDocument) -> None:
    _retype(_paragraph(document, "{{ organization.name }}"), "{{ organization.name ")


def _spaced_braces(document: DocxDocument) -> None:
    _retype(_paragraph(document, "{{ organization.name }}"), "{ { organization.name } }")


def _two_p_tags(document: DocxDocument) -> None:
    _retype(
        _paragraph(document, "{%p for o in objectives or [] %}"),
        "{%p for o in objectives or [] %}{%p if o %}",
    )


def _unknown_variable(document: DocxDocument) -> None:
    _retype(_paragraph(document, "{{ organization.name }}"), "{{ campus.name }}")


def _header_typo(document: DocxDocument) -> None:
    header = document.sections[0].header.paragraphs[0]
    _retype(header, "{{ organization.name }} · {{ document.titel }}")


def _mismatched_end(document: DocxDocument) -> None:
    _retype(_paragraph(document, "{%p endfor %}"), "{%p endif %}")


# (kind of mistake, edit, location fragment, message fragment, hint fragment)
BROKEN: list[tuple[str, Callable[[DocxDocument], None], str, str, str | None]] = [
    (
        "misspelled field",
        _misspell,
        "body, paragraph 2",
        "the plan has no 'organization.nmae'",
        "did you mean 'name'?",
    ),
    (
        "tag split across formatting runs",
        _split_runs,
        "body, paragraph 2",
        "is split across runs with different formatting",
        "clear its formatting",
    ),
    (
        "unclosed if",
        _unclosed_if,
        "body, paragraph",
        "this {% if %} is never closed",
        "{% endif %}",
    ),
    (
        "{%tr outside a table",
        _tr_outside_table,
        "body, paragraph",
        "a {%tr … %} tag only works inside a table",
        None,
    ),
    (
        "loop over a text field",
        _loop_over_text,
        "body, paragraph",
        "the loop goes over objectives[].title, which is a single value, not a list",
        None,
    ),
    (
        "closing tag that closes nothing",
        _stray_endfor,
        "body, paragraph",
        "{% endfor %} closes no block",
        None,
    ),
    ("Jinja syntax error", _syntax_error, "body, paragraph 2", "Jinja syntax error", None),
    (
        "unclosed tag",
        _unclosed_tag,
        "body, paragraph 2",
        "'{{' is not closed in this paragraph",
        None,
    ),
    ("braces apart", _spaced_braces, "body, paragraph 2", "braces are separated by a space", None),
    (
        "two paragraph tags in one paragraph",
        _two_p_tags,
        "body, paragraph",
        "two {%p … %} tags in one paragraph",
        None,
    ),
    (
        "unknown variable",
        _unknown_variable,
        "body, paragraph 2",
        "the plan has no 'campus'",
        "available: action_plan",
    ),
    (
        "misspelled variable in the header",
        _header_typo,
        "header of section 1",
        "the plan has no 'document.titel'",
        "did you mean 'title'?",
    ),
    (
        "block closed by the wrong end tag",
        _mismatched_end,
        "body, paragraph",
        "{% endif %} closes the {% for %}",
        None,
    ),
]


def _broken(tmp_path: Path, edit: Callable[[DocxDocument], None], base: Path) -> Path:
    document = docx.Document(str(base))
    edit(document)
    path = tmp_path / base.name
    document.save(str(path))
    return path


@pytest.mark.parametrize(
    ("edit", "location", "message", "hint"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_each_mistake_is_reported_at_its_place(
    tmp_path: Path,
    edit: Callable[[DocxDocument], None],
    location: str,
    message: str,
    hint: str | None,
) -> None:
    path = _broken(tmp_path, edit, ACTION_PLAN)
    problems = check_template(path)
    found = [p for p in problems if message in p.message]
    assert found, [str(p) for p in problems]
    assert found[0].location.startswith(location), str(found[0])
    assert found[0].severity == "error"
    if hint:
        assert hint in (found[0].hint or ""), str(found[0])


def test_a_mistake_in_a_table_cell_names_the_cell(tmp_path: Path) -> None:
    def edit(document: DocxDocument) -> None:
        cell = document.tables[0].rows[2].cells[2]
        _retype(cell.paragraphs[0], "{{ b.responsable }}")

    problems = check_template(_broken(tmp_path, edit, ACTION_PLAN))
    (problem,) = problems
    assert problem.location == "body, table 1, row 3, cell 3"
    assert (
        problem.message == "the plan has no 'objectives[].initiatives[].benchmarks[].responsable'"
    )
    assert problem.hint == "did you mean 'responsible'?"
    assert problem.nearby == "{{ b.responsable }}"


def test_the_built_in_and_sample_templates_are_clean() -> None:
    for template in [*TEMPLATES_DIR.rglob("*.docx")]:
        assert check_template(template) == [], template


def test_templates_check_cli(tmp_path: Path) -> None:
    broken = _broken(tmp_path, _misspell, ACTION_PLAN)
    result = run("templates", "check", str(broken))
    assert result.exit_code == 1
    assert result.stdout == (
        "Error: action-plan.docx › body, paragraph 2 › “{{ organization.nmae }}”: the plan has "
        "no 'organization.nmae' (did you mean 'name'?)\n"
    )
    result = run("templates", "check", "--format", "json", str(broken), str(ACTION_PLAN))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report[str(ACTION_PLAN)] == []
    assert report[str(broken)][0]["location"] == "body, paragraph 2"
    clean = run("templates", "check", str(ACTION_PLAN))
    assert (clean.exit_code, clean.stdout) == (0, f"ok: {ACTION_PLAN}\n")


# --- sandbox ------------------------------------------------------------------------------


def _template(tmp_path: Path, text: str) -> Path:
    document = docx.Document()
    document.add_paragraph(text)
    path = tmp_path / "hostile.docx"
    document.save(str(path))
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ ''.__class__.__mro__ }}", "unsafe"),
        ("{{ organization.__class__.__init__.__globals__ }}", "unsafe"),
        ("{{ lipsum.__globals__.os.environ }}", "'lipsum' is undefined"),
        ("{{ cycler.__init__.__globals__ }}", "unsafe"),
        ("{{ open('/etc/passwd').read() }}", "'open' is undefined"),
        ("{{ self.__init__.__globals__ }}", "unsafe"),
        ("{{ 2**100000 }}", "exponent too large"),
        ("{% for i in range(100000000) %}x{% endfor %}", "too long"),
        ("{{ 'x' * 100000000 }}", "may not repeat text"),
        ("{{ organization.name.__len__() }}", "unsafe"),
    ],
    ids=[
        "class mro",
        "globals via a value",
        "lipsum",
        "cycler",
        "open a file",
        "self",
        "huge exponent",
        "huge range",
        "huge string",
        "dunder method",
    ],
)
def test_hostile_templates_are_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(TemplateProblemError, match=message):
        render(_template(tmp_path, text), {"organization": {"name": "X"}}, dt.date(2025, 1, 1))


def test_a_template_that_loops_too_long_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pipeline.documents.render.RENDER_SECONDS", 0.5)
    text = "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}"
    with pytest.raises(TemplateProblemError, match=r"took longer than 0\.5 s"):
        render(_template(tmp_path, text), {}, dt.date(2025, 1, 1))


# --- using another template set -----------------------------------------------------------


def test_the_sample_custom_template_builds_every_example(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("build", *map(str, INPUTS), "--templates", str(CUSTOM), "--out", str(out))
    assert result.exit_code == 0, result.output
    manifest = Manifest.load(out)
    for entry in manifest.entries.values():
        assert entry.templates["action-plan"]["path"] == (CUSTOM / "action-plan.docx").as_posix()
        assert entry.templates["roadmap"]["path"] == "built-in:roadmap/roadmap.docx"
        text = docx.Document(str(out / entry.slug / "action-plan.docx")).paragraphs[0].text
        assert text.startswith("Implementation Plan, School Year")


def test_a_restyled_copy_of_a_built_in_template_builds(tmp_path: Path) -> None:
    document = docx.Document(str(IMPROVEMENT_PLAN))
    document.styles["Heading 1"].font.size = Pt(20)
    _retype(_paragraph(document, "Mission"), "Our Mission")
    folder = tmp_path / "ours"
    folder.mkdir()
    document.save(str(folder / "improvement-plan.docx"))
    result = run(
        "build", *map(str, INPUTS), "--templates", str(folder), "--out", str(tmp_path / "out")
    )
    assert result.exit_code == 0, result.output


def test_a_broken_custom_template_stops_the_build_before_rendering(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    shutil.copy(_broken(tmp_path, _misspell, ACTION_PLAN), folder / "action-plan.docx")
    result = run("build", str(MINIMAL), "--templates", str(folder), "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert "the plan has no 'organization.nmae' (did you mean 'name'?)" in result.stderr
    assert not (tmp_path / "o").exists()


def test_the_project_config_chooses_the_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(CUSTOM, tmp_path / "brand")
    (tmp_path / "pipeline.toml").write_text('templates = "brand"\nout = "docs-out"\n')
    monkeypatch.chdir(tmp_path)
    result = run("build", str(MINIMAL))
    assert result.exit_code == 0, result.output
    entry = next(iter(Manifest.load(tmp_path / "docs-out").entries.values()))
    assert entry.templates["action-plan"]["path"] == "brand/action-plan.docx"


def test_a_bad_project_config_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pipeline.toml").write_text('templtes = "brand"\n')
    monkeypatch.chdir(tmp_path)
    result = run("build", str(MINIMAL))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: pipeline.toml › templtes: Extra inputs")


# --- preview and filters ------------------------------------------------------------------


def test_preview_highlights_what_each_tag_filled(tmp_path: Path) -> None:
    target = tmp_path / "preview.docx"
    result = run(
        "templates",
        "preview",
        str(CUSTOM / "action-plan.docx"),
        "--plan",
        str(MINIMAL),
        "--out",
        str(target),
    )
    assert result.exit_code == 0, result.output
    document = docx.Document(str(target))
    highlighted = [
        r.text for p in document.paragraphs for r in p.runs if r.font.highlight_color is not None
    ]
    assert "2025-26" in highlighted
    assert 'Smith & Jones <Partners> "Q1" ≥ 5% Academy' in highlighted
    refused = run("templates", "preview", str(target), "--out", str(target))
    assert refused.exit_code == 1


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("date", ("2026-06-15",), "June 15, 2026"),
        ("date", ("2026-06-15", "short"), "Jun 15, 2026"),
        ("date", ("2026-06-15", "numeric"), "06/15/2026"),
        ("date", ("2026-06-15", "%B %Y"), "June 2026"),
        ("percent", (45,), "45%"),
        ("percent", (45.25, 1), "45.2%"),
        ("number", (6200,), "6,200"),
        ("money", (85000,), "$85,000.00"),
        ("ordinal", (1,), "1st"),
        ("ordinal", (12,), "12th"),
        ("ordinal", (23,), "23rd"),
        ("join_and", (["SO1", "SO2", "SO3"],), "SO1, SO2 and SO3"),
        ("join_and", (["SO1"],), "SO1"),
    ],
)
def test_filters(name: str, args: tuple[Any, ...], expected: str) -> None:
    assert filters.FILTERS[name](*args) == expected


def test_the_date_filter_explains_a_non_date() -> None:
    with pytest.raises(ValueError, match="use the \\*_iso form"):
        filters.date("June 15, 2026")
