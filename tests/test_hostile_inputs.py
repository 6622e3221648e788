"""Hostile and careless inputs (issue 11, classes 3, 4, 5 and 8): one bad input fails alone,
with a located refusal that names the limit; never a traceback, never text cut silently."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pipeline.batch.build import BuildOptions, Status, build
from pipeline.batch.worker import slug
from pipeline.cli import cli
from pipeline.errors import InvalidInputError
from pipeline.inputs.source import Source
from pipeline.inputs.validate import validate
from pipeline.inputs.workbook import workbook_bytes
from tests.conftest import MINIMAL, document_lines, plan_of, read_json
from tests.workbooks import workbook_from

GOOD_CODE = "00990001"


def _data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(read_json(MINIMAL))
    data["organization"]["code"] = "00990777"  # not the good plan's organization
    for dotted, value in changes.items():
        node: Any = data
        *parents, last = dotted.split(".")
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(last) if last.isdigit() else last] = value
    return data


def _json(**changes: Any) -> str:
    return json.dumps(_data(**changes))


def _cli(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.output
    assert "Traceback" not in result.output
    return result


# name → (the input's text, what its refusal says: the place and the limit)
JSON_CASES: dict[str, tuple[Callable[[], str], tuple[str, ...]]] = {
    "deeply-nested": (
        lambda: '{"organization": ' + "[" * 100_000 + "]" * 100_000 + "}",
        ("line 1, column", "nested more than 32 deep"),
    ),
    "lone-surrogate": (
        lambda: _json().replace('"We teach every child."', '"We teach \\ud800 child."'),
        ("$.foundation.mission", "surrogate"),
    ),
    "surrogate-in-a-key": (
        lambda: _json().replace('"mission"', '"mis\\udc00sion"'),
        ("surrogate",),
    ),
    "long-name": (
        lambda: _json(**{"organization.name": "A" * 300}),
        ("$.organization.name", "300 characters", "limit is 120"),
    ),
    "long-title": (
        lambda: _json(**{"plan.title": "Plan " * 40}),
        ("$.plan.title", "limit is 120"),
    ),
    "400-digit-integer": (
        lambda: _json(**{"organization.enrollment": int("9" * 400)}),
        ("$.organization.enrollment", "400-digit", "10,000,000"),
    ),
    "5000-digit-integer": (
        lambda: _json().replace('"grades"', '"enrollment": ' + "9" * 5000 + ', "grades"'),
        ("4,300 digits",),
    ),
    "infinite-amount": (
        lambda: _json(**{"action_plan.resources.0.amount": float("inf")}),
        ("$.action_plan.resources[0].amount", "inf", "1,000,000,000,000"),
    ),
    "huge-amount": (
        lambda: _json(**{"action_plan.resources.0.amount": 1.7e308}),
        ("$.action_plan.resources[0].amount", "1,000,000,000,000"),
    ),
    "nan-amount": (
        lambda: _json(**{"action_plan.resources.0.amount": float("nan")}),
        ("$.action_plan.resources[0].amount", "finite number"),
    ),
    "nan-measure": (
        lambda: _json(**{"outcomes.0.unit": "count", "outcomes.0.baseline.value": float("nan")}),
        ("$.outcomes[0].baseline.value", "finite number"),
    ),
    "huge-measure": (
        lambda: _json(**{"outcomes.0.unit": "count", "outcomes.0.final_target.value": 1e300}),
        ("$.outcomes[0].final_target.value", "1,000,000,000"),
    ),
    "text-over-the-limit": (
        lambda: _json(**{"foundation.mission": "x" * 40_000}),
        ("$.foundation.mission", "40,000 characters", "32,767"),
    ),
    "text-over-the-xml-limit": (
        lambda: _json(**{"foundation.mission": "x" * 10_500_000}),
        ("$.foundation.mission", "10,500,000 characters", "32,767"),
    ),
}


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for name, (text, _) in JSON_CASES.items():
        (folder / f"{name}.json").write_text(text(), encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", sorted(JSON_CASES))
def test_validate_refuses_with_the_place_and_the_limit(cases: Path, name: str) -> None:
    result = _cli("validate", str(cases / f"{name}.json"))
    assert result.exit_code == 1
    for expected in JSON_CASES[name][1]:
        assert expected in result.output
    assert len(result.output) < 5_000  # a refusal never quotes a huge value


@pytest.mark.parametrize("name", sorted(JSON_CASES))
def test_check_and_context_refuse_without_a_traceback(cases: Path, name: str) -> None:
    checked = _cli("check", str(cases / f"{name}.json"))
    assert checked.exit_code == 1
    context = _cli("context", str(cases / f"{name}.json"), "--document", "action-plan")
    assert context.exit_code == 1
    for expected in JSON_CASES[name][1]:
        assert expected in context.output


def _two(tmp_path: Path, bad_name: str, bad: str | bytes) -> Path:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "a-good.json").write_text(MINIMAL.read_text(encoding="utf-8"), encoding="utf-8")
    target = inputs / bad_name
    if isinstance(bad, bytes):
        target.write_bytes(bad)
    else:
        target.write_text(bad, encoding="utf-8")
    return inputs


def _assert_one_failed(out: Path, result: Result, bad_name: str, expected: tuple[str, ...]) -> None:
    assert result.exit_code == 1, result.output
    assert "built: " in result.output and "a-good.json" in result.output
    assert f"failed: {bad_name}" in result.output or bad_name in result.output
    for text in expected:
        assert text in result.output
    assert (out / "manifest.json").is_file() and (out / "index.html").is_file()
    assert list(out.glob(f"*-{GOOD_CODE}/improvement-plan.docx"))


@pytest.mark.parametrize(
    "name",
    ["deeply-nested", "lone-surrogate", "long-name", "400-digit-integer", "infinite-amount"],
)
def test_a_bad_input_fails_alone_in_a_build(tmp_path: Path, name: str) -> None:
    text, expected = JSON_CASES[name]
    inputs = _two(tmp_path, f"{name}.json", text())
    out = tmp_path / "out"
    result = _cli("build", str(inputs), "--out", str(out), "-j", "1")
    _assert_one_failed(out, result, f"{name}.json", expected)


def test_a_long_name_is_refused_alike_by_check_and_build(tmp_path: Path) -> None:
    """Word allows 255 characters in a document property; the title property is
    'DRAFT: <title>: <name>', so names and titles are limited to 120 at validation, where
    `check` and `build` both see it (rather than a title cut in the file's properties)."""
    inputs = _two(tmp_path, "long.json", JSON_CASES["long-name"][0]())
    checked = _cli("check", str(inputs / "long.json"))
    built = _cli("build", str(inputs), "--out", str(tmp_path / "out"), "-j", "1")
    line = "$.organization.name: is 300 characters long; the limit is 120"
    assert checked.exit_code == built.exit_code == 1
    assert line in checked.output and line in built.output


def test_the_longest_name_and_title_fit_the_document_properties(tmp_path: Path) -> None:
    data = _data(**{"organization.name": "N" * 120, "plan.title": "T" * 120})
    path = tmp_path / "longest.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = _cli("build", str(path), "--out", str(tmp_path / "out"), "-j", "1")
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------------------------------------
# workbooks


def _rewrite_sheet(source: bytes, change: Callable[[bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = change(data)
            new.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _with_range(tag: str, ref: str) -> Callable[[bytes], bytes]:
    if tag == "mergeCell":
        block = f'<mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>'
    else:
        block = f'<hyperlinks><hyperlink ref="{ref}" location="Plan!A1"/></hyperlinks>'
    return lambda data: data.replace(b"</sheetData>", b"</sheetData>" + block.encode())


def _damaged_deflate(source: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(source)) as package:
        info = package.getinfo("xl/worksheets/sheet2.xml")
    data = bytearray(source)
    offset = info.header_offset
    name_length = int.from_bytes(data[offset + 26 : offset + 28], "little")
    extra_length = int.from_bytes(data[offset + 28 : offset + 30], "little")
    start = offset + 30 + name_length + extra_length
    for index in range(start + 10, start + info.compress_size - 10, 7):
        data[index] ^= 0xFF
    return bytes(data)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return workbook_from(MINIMAL, tmp_path_factory.mktemp("wb") / "plan.xlsx").read_bytes()


@pytest.mark.parametrize(
    ("tag", "ref", "cells"),
    [
        ("mergeCell", "C1:C1048576", "1,048,576"),
        ("mergeCell", "A1:XFD1048576", "17,179,869,184"),
        ("mergeCell", "C:C", "1,048,576"),
        ("mergeCell", "5:5", "16,384"),
        ("hyperlink", "A1:XFD1048576", "17,179,869,184"),
    ],
)
def test_a_merged_range_over_the_cell_budget_is_refused_before_opening(
    tmp_path: Path, workbook: bytes, tag: str, ref: str, cells: str
) -> None:
    path = tmp_path / "merged.xlsx"
    path.write_bytes(_rewrite_sheet(workbook, _with_range(tag, ref)))
    if ref == "5:5":  # 16,384 cells: under the budget on its own, so the workbook is read
        assert _cli("validate", str(path)).exit_code in (0, 1)
        return
    result = _cli("validate", str(path))
    assert result.exit_code == 1
    assert f"Plan › {ref}" in result.output and f"covers {cells} cells" in result.output
    assert "250,000" in result.output


def test_merged_ranges_count_together(tmp_path: Path, workbook: bytes) -> None:
    blocks = "".join(f'<mergeCell ref="A{row}:XFD{row}"/>' for row in range(100, 120))
    block = f'<mergeCells count="20">{blocks}</mergeCells>'.encode()
    path = tmp_path / "many.xlsx"
    path.write_bytes(
        _rewrite_sheet(
            workbook, lambda data: data.replace(b"</sheetData>", b"</sheetData>" + block)
        )
    )
    result = _cli("validate", str(path))
    assert result.exit_code == 1 and "more than 250,000 cells" in result.output


def test_damaged_compressed_data_is_a_located_refusal(tmp_path: Path, workbook: bytes) -> None:
    inputs = _two(tmp_path, "damaged.xlsx", _damaged_deflate(workbook))
    result = _cli("validate", str(inputs / "damaged.xlsx"))
    assert result.exit_code == 1
    assert "damaged.xlsx › file: the workbook is damaged" in result.output
    out = tmp_path / "out"
    built = _cli("build", str(inputs), "--out", str(out), "-j", "1")
    _assert_one_failed(out, built, "damaged.xlsx", ("the workbook is damaged",))


# ---------------------------------------------------------------------------------------------
# silent loss


def test_convert_refuses_text_an_excel_cell_cannot_hold(tmp_path: Path) -> None:
    source = tmp_path / "long.json"
    source.write_text(_json(**{"foundation.mission": "y" * 40_000}), encoding="utf-8")
    target = tmp_path / "long.xlsx"
    result = _cli("convert", str(source), str(target))
    assert result.exit_code == 1
    assert "$.foundation.mission" in result.output and "32,767" in result.output
    assert not target.exists()


def test_the_workbook_writer_never_cuts_a_cell() -> None:
    data = plan_of(read_json(MINIMAL)).model_dump(mode="json", by_alias=True, exclude_none=True)
    data["foundation"]["mission"] = "z" * 40_000  # past validation's limit: the writer's own
    with pytest.raises(InvalidInputError) as raised:
        workbook_bytes(data)
    (problem,) = raised.value.problems
    assert problem.location.startswith("Plan › row ") and "Mission" in problem.location
    assert "40,000 characters" in problem.message and "32,767" in problem.message


def test_docxtpl_escapes_in_plan_text_appear_literally(tmp_path: Path) -> None:
    from pipeline.documents.context import build_context
    from pipeline.documents.plan_documents import render_plan
    from pipeline.documents.render import render
    from pipeline.model.documents import IMPROVEMENT_PLAN, TEMPLATES_DIR

    text = "Keep {_{ 7*7 }_} and {_% if x %_} as typed_here"
    plan = plan_of(_data(**{"foundation.mission": text}))
    fast = render_plan(plan)["improvement-plan.docx"]
    assert any(text in line for line in document_lines(fast))
    context = build_context(plan, IMPROVEMENT_PLAN)
    standard = render(TEMPLATES_DIR / IMPROVEMENT_PLAN.template, context, plan.plan.revision.date)
    assert any(text in line for line in document_lines(standard))


def test_the_renderer_never_recovers_from_broken_xml() -> None:
    from docxtpl import DocxTemplate

    from pipeline.documents.render import _body_tree

    tpl = DocxTemplate(
        io.BytesIO(
            (Path(__file__).parent.parent / "templates" / "roadmap" / "roadmap.docx").read_bytes()
        )
    )
    namespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    huge = f'<w:document xmlns:w="{namespace}"><w:body><w:p><w:r><w:t>'
    huge += "x" * 10_500_000 + "</w:t></w:r></w:p><w:sectPr/></w:body></w:document>"
    with pytest.raises(ValueError, match="not well-formed XML"):
        _body_tree(tpl, huge)


# ---------------------------------------------------------------------------------------------
# writing, internal errors, folder names


def test_an_output_path_under_a_file_fails_that_plan_alone(tmp_path: Path) -> None:
    inputs = _two(tmp_path, "other.json", _json())
    out = tmp_path / "out"
    out.mkdir()
    blocked = slug(validate(Source("x", read_json(MINIMAL))))
    (out / blocked).write_text("a file where the plan's folder goes")
    result = _cli("build", str(inputs), "--out", str(out), "-j", "1")
    assert result.exit_code == 1
    assert f"a-good.json › {blocked}" in result.output  # the plan's own, located error
    assert list(out.glob("*-00990777/improvement-plan.docx"))
    assert (out / "manifest.json").is_file() and (out / "index.html").is_file()


def test_an_unwritable_plan_folder_fails_that_plan_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.batch.incremental as incremental
    from pipeline.files import write_atomic as real

    def refusing(path: Path, data: bytes) -> None:
        if GOOD_CODE in path.parent.name:
            raise PermissionError(13, "Permission denied", str(path))
        real(path, data)

    import pipeline.batch.writes as writes

    monkeypatch.setattr(incremental, "write_atomic", refusing)
    monkeypatch.setattr(writes, "write_atomic", refusing)  # a plan's files, written at once
    inputs = _two(tmp_path, "other.json", _json())
    out = tmp_path / "out"
    report = build([inputs], BuildOptions(out=out, jobs=1))
    by_source = {Path(result.source).name: result for result in report.results}
    assert by_source["other.json"].status is Status.BUILT
    failed = by_source["a-good.json"]
    assert failed.status is Status.FAILED
    (problem,) = failed.problems
    assert "Permission denied" in problem.message and GOOD_CODE in problem.location
    assert report.exit_code() == 1
    assert (out / "manifest.json").is_file() and (out / "index.html").is_file()


def test_an_unexpected_error_in_a_worker_is_logged_and_fails_that_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.batch.worker as worker

    real = worker._render_input

    def buggy(path: Path, *args: Any) -> Any:
        if path.name == "other.json":
            raise RuntimeError("a bug")
        return real(path, *args)

    monkeypatch.setattr(worker, "_render_input", buggy)
    inputs = _two(tmp_path, "other.json", _json())
    out = tmp_path / "out"
    result = _cli("build", str(inputs), "--out", str(out), "-j", "1")
    assert result.exit_code == 1
    assert "internal error while building" in result.output and "other.json" in result.output
    (log,) = (out / "logs").glob("*.log")
    assert f"details in {log}" in result.output
    assert "RuntimeError: a bug" in log.read_text() and "Traceback" in log.read_text()
    assert list(out.glob(f"*-{GOOD_CODE}/improvement-plan.docx"))


def test_an_unexpected_error_while_writing_is_logged_and_fails_that_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.batch.incremental import Builder

    real = Builder._write_documents

    def buggy(self: Builder, result: Any, key: str, rendered: Any, slug_: str) -> Any:
        if rendered.source.endswith("other.json"):
            raise KeyError("a bug")
        return real(self, result, key, rendered, slug_)

    monkeypatch.setattr(Builder, "_write_documents", buggy)
    inputs = _two(tmp_path, "other.json", _json())
    out = tmp_path / "out"
    result = _cli("build", str(inputs), "--out", str(out), "-j", "1")
    assert result.exit_code == 1 and "internal error while building" in result.output
    (log,) = (out / "logs").glob("*.log")
    assert "KeyError: 'a bug'" in log.read_text()
    assert list(out.glob(f"*-{GOOD_CODE}/improvement-plan.docx"))


def test_a_name_of_only_punctuation_gives_the_code_as_folder_name() -> None:
    assert slug(plan_of(_data(**{"organization.name": "!!! ---"}))) == "00990777"
    assert slug(plan_of(_data(**{"organization.name": "Harbor View Elementary"}))) == (
        "harbor-view-elementary-00990777"
    )


@pytest.mark.parametrize("text", ["x" * 11_000_000, "\\n" * 6_000_000, '\\"' * 6_000_000])
def test_text_over_the_xml_limit_fails_alone_in_memory_bound_workers(
    tmp_path: Path, text: str
) -> None:
    # Workers may map 1 GiB more than they start with: reading the input (its nesting checked before
    # parsing) must not need gigabytes for one long string, escaped or not.
    bad = _json(**{"foundation.mission": "MISSION"}).replace("MISSION", text)
    inputs = _two(tmp_path, "long.json", bad)
    out = tmp_path / "out"
    result = _cli("build", str(inputs), "--out", str(out), "-j", "2")
    _assert_one_failed(out, result, "long.json", ("$.foundation.mission", "32,767"))
    assert "internal error" not in result.output


def test_convert_counts_characters_as_excel_does(tmp_path: Path) -> None:
    source = tmp_path / "emoji.json"  # 20,000 characters: valid, but 40,000 to Excel
    source.write_text(_json(**{"foundation.mission": "\U0001f600" * 20_000}), encoding="utf-8")
    assert _cli("validate", str(source)).exit_code == 0
    target = tmp_path / "emoji.xlsx"
    result = _cli("convert", str(source), str(target))
    assert result.exit_code == 1
    assert "40,000 characters" in result.output and "32,767" in result.output
    assert not target.exists()
