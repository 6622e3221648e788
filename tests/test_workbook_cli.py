"""`pipeline init` and `pipeline convert`: the blank workbook people fill in (headers with input
messages, dropdowns on closed lists) and conversions that never overwrite by accident."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from pipeline.cli import cli
from pipeline.inputs.interchange import SCHEMA_FILE
from pipeline.inputs.load import load
from pipeline.inputs.validate import validate
from pipeline.inputs.workbook import plan_layout
from pipeline.inputs.workbook.layout import LISTS_SHEET, Kind
from tests.conftest import MINIMAL, ROOT, read_json, run_process
from tests.workbooks import Edit

HARBOR = ROOT / "inputs" / "harbor-view-elementary.json"


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _validations(sheet: Worksheet, coordinate: str) -> list[DataValidation]:
    return [dv for dv in sheet.data_validations.dataValidation if coordinate in dv.sqref]


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("init") / "plan.xlsx"
    result = run("init", str(path))
    assert (result.exit_code, result.stdout) == (0, f"wrote {path}\n")
    return path


def test_init_makes_every_sheet_with_instructions_first(blank: Path) -> None:
    book = openpyxl.load_workbook(blank)
    expected = ["Instructions", *(t.sheet for t in plan_layout().sheets), LISTS_SHEET]
    assert book.sheetnames == expected
    instructions = book["Instructions"]
    described = {instructions.cell(row, 1).value for row in range(1, instructions.max_row + 1)}
    assert set(expected[1:]) <= described  # a line for every sheet
    for name in expected[1:]:
        assert book[name].freeze_panes == "A2", name


def test_every_header_has_an_input_message(blank: Path) -> None:
    book = openpyxl.load_workbook(blank)
    for table in plan_layout().sheets:
        sheet = book[table.sheet]
        headers = [cell for cell in sheet[1] if cell.value]
        if table.form:  # the form's fields are its rows
            headers += [sheet.cell(row, 2) for row in range(2, sheet.max_row + 1)]
        assert len(headers) >= len(table.columns)
        for cell in headers:
            (message,) = _validations(sheet, cell.coordinate)
            assert message.showInputMessage and message.prompt and message.promptTitle, cell
            assert len(message.prompt) <= 255 and len(message.promptTitle) <= 32


def test_closed_lists_and_references_have_dropdowns(blank: Path) -> None:
    book = openpyxl.load_workbook(blank)
    checked = 0
    for table in plan_layout().tables:
        sheet = book[table.sheet]
        for number, column in enumerate(table.columns, start=table.lead + 1):
            below = sheet.cell(2, number).coordinate
            lists = [dv for dv in _validations(sheet, below) if dv.type == "list"]
            wanted = not column.many and (column.choices or column.ref_kind)
            assert bool(lists) == bool(wanted), (table.sheet, column.header)
            if column.choices and not column.many:
                (dropdown,) = lists
                assert dropdown.formula1.startswith(f"'{LISTS_SHEET}'!$")
                assert dropdown.showErrorMessage and dropdown.prompt
                checked += 1
    assert checked >= 15
    (initiative,) = _validations(book["Benchmarks"], "B2")
    assert initiative.type == "list" and initiative.formula1.startswith("'Initiatives'!$B$2:$B$")
    (objective,) = _validations(book["Initiatives"], "A2")
    assert objective.type == "list" and objective.formula1.startswith("'Objectives'!$A$2:$A$")
    form = book["Plan"]
    for row in range(2, form.max_row + 1):
        column = plan_layout().form.columns[row - 2]
        lists = [dv for dv in _validations(form, f"C{row}") if dv.type == "list"]
        assert bool(lists) == bool(column.choices and not column.many), column.header


def test_closed_lists_show_their_labels(blank: Path) -> None:
    sheet = openpyxl.load_workbook(blank)[LISTS_SHEET]
    columns = {sheet.cell(1, n).value: n for n in range(1, sheet.max_column + 1)}
    phases = [sheet.cell(row, columns["Roadmap phase"]).value for row in range(2, 7)]
    assert phases[0] == "Set the Vision" and phases[-1] == "Monitor and Adjust / Routines"
    assert sheet.protection.sheet


def test_columns_are_formatted_by_type(blank: Path) -> None:
    book = openpyxl.load_workbook(blank)
    for table in plan_layout().tables:
        sheet = book[table.sheet]
        for number, column in enumerate(table.columns, start=table.lead + 1):
            letter = sheet.cell(1, number).column_letter
            dimension = sheet.column_dimensions[letter]
            assert dimension.width >= len(column.header), column.header
            if column.kind in (Kind.TEXT, Kind.CODE):
                assert dimension.number_format == "@", column.header
            if column.kind is Kind.DATE:
                assert dimension.number_format == "yyyy-mm-dd", column.header


def test_init_json_has_its_schema_and_every_section(tmp_path: Path) -> None:
    path = tmp_path / "plans" / "plan.json"
    path.parent.mkdir()
    assert run("init", str(path)).exit_code == 0
    data = json.loads(path.read_text(encoding="utf-8"))
    assert (path.parent / data["$schema"]).resolve() == SCHEMA_FILE
    assert set(data) == {"$schema", *(k for k in read_json(MINIMAL)), "supports"}
    assert data["objectives"][0]["initiatives"][0]["evidence"]["tier"] is None
    result = run("validate", str(path))  # a form to fill in: reported, not a crash
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_init_never_replaces_a_file_unless_forced(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"precious")
    result = run("init", str(path))
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {path} already exists (use --force to replace it)\n",
    )
    assert path.read_bytes() == b"precious"
    assert run("init", str(path), "--force").exit_code == 0
    assert path.read_bytes().startswith(b"PK")


@pytest.mark.parametrize("args", [["init", "plan.csv"], ["convert", str(MINIMAL), "plan.txt"]])
def test_unknown_output_types_are_usage_errors(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert "must end in .xlsx or .json" in result.stderr


def test_convert_both_ways(tmp_path: Path) -> None:
    workbook, back = tmp_path / "harbor.xlsx", tmp_path / "harbor.json"
    result = run("convert", str(HARBOR), str(workbook))
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"wrote {workbook}\n", "")
    assert run("convert", str(workbook), str(back)).exit_code == 0
    assert run("validate", str(back)).exit_code == 0


def test_convert_never_writes_over_its_input(tmp_path: Path) -> None:
    source = tmp_path / "plan.json"
    shutil.copy(MINIMAL, source)
    for args in (
        ["convert", str(source), str(source)],
        ["convert", str(source), str(source), "--force"],
    ):
        result = run(*args)
        assert (result.exit_code, result.stderr) == (
            1,
            f"Error: {source} is the input; write the conversion to another file\n",
        )
    assert source.read_bytes() == MINIMAL.read_bytes()


def test_convert_an_invalid_plan_writes_nothing(tmp_path: Path) -> None:
    data = read_json(MINIMAL)
    data["action_plan"]["benchmarks"][0]["due"] = "next June"
    source, target = tmp_path / "plan.json", tmp_path / "plan.xlsx"
    source.write_text(json.dumps(data), encoding="utf-8")
    result = run("convert", str(source), str(target))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {source} › $.action_plan.benchmarks[0].due: ")
    assert not target.exists()


def test_build_takes_json_and_workbooks_mixed(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    shutil.copy(MINIMAL, inputs / "minimal.json")
    data = read_json(MINIMAL)
    data["organization"].update(name="Second School", code="00990002")
    (tmp_path / "second.json").write_text(json.dumps(data), encoding="utf-8")
    assert run("convert", str(tmp_path / "second.json"), str(inputs / "second.xlsx")).exit_code == 0
    out = tmp_path / "out"
    result = run("build", str(inputs), "--out", str(out), "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert (out / "second-school-00990002" / "action-plan.docx").exists()


# ---------------------------------------------------------------------------------------------
# LibreOffice opens the workbook (CI installs it; here it may be Writer only)

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _calc_missing() -> str | None:
    if SOFFICE is None:
        return "LibreOffice (soffice) is not installed; apt-get install libreoffice-calc-nogui"
    program = Path(SOFFICE).resolve().parent
    if not any(program.glob("libsclo.*")):
        return "LibreOffice is installed without Calc; apt-get install libreoffice-calc-nogui"
    return None


def _soffice(tmp_path: Path, profile: str, target: str, source: Path) -> Path:
    """Convert `source` with LibreOffice into tmp_path/<target>/; returns the folder."""
    assert SOFFICE is not None
    out = tmp_path / target.split(":")[0]
    run_process(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ],
        timeout=300,
    )
    return out


needs_calc = pytest.mark.skipif(_calc_missing() is not None, reason=str(_calc_missing()))


@pytest.mark.libreoffice
@needs_calc
def test_libreoffice_opens_the_init_workbook(
    blank: Path, tmp_path: Path, soffice_profile: str
) -> None:
    pdf = _soffice(tmp_path, soffice_profile, "pdf", blank) / "plan.pdf"
    assert pdf.exists(), "LibreOffice did not open the workbook"
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Improvement plan workbook" in text and "Benchmarks" in text


@pytest.mark.libreoffice
@needs_calc
def test_a_workbook_saved_by_libreoffice_reads_the_same(
    tmp_path: Path, soffice_profile: str
) -> None:
    """LibreOffice writes shared strings, its own styles and the formulas' results."""
    workbook = tmp_path / "harbor.xlsx"
    assert run("convert", str(HARBOR), str(workbook)).exit_code == 0
    with Edit(workbook) as book:
        book.set("Resources", 2, "Amount", "=90000+6500")  # no saved result until calculated
    saved = _soffice(tmp_path, soffice_profile, "xlsx", workbook) / "harbor.xlsx"
    plan = validate(load(saved))
    assert plan == validate(load(HARBOR))
    assert plan.action_plan and plan.action_plan.resources[0].amount == 96500
