"""Reading workbooks: the same checks and messages as JSON, at sheet › row › column (cell);
tolerant of what people type; every problem in one run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.errors import InvalidInputError
from pipeline.inputs.load import load
from pipeline.inputs.validate import validate
from pipeline.inputs.workbook import plan_layout
from pipeline.model.plan import Plan
from tests.conftest import MINIMAL, ROOT
from tests.workbooks import Edit, patch_cell, workbook_from

EXAMPLE = ROOT / "inputs" / "maple-street-elementary.xlsx"

# (what is wrong, sheet, row (0: the Plan sheet's field), header, value, location, message)
MISTAKES: list[tuple[str, str, int | tuple[str, str], str, Any, str, str]] = [
    (
        "text date",
        "Benchmarks", 2, "Due", "next June",
        "Benchmarks › row 2 › Due (G2)", "'next June' is not a date",
    ),
    (
        "evidence tier 7",
        "Initiatives", 3, "Evidence tier", 7,
        "Initiatives › row 3 › Evidence tier (F3)", "7 is not one of the allowed values",
    ),
    (
        "benchmark for an unknown initiative",
        "Benchmarks", 3, "Initiative", "9.9",
        "Benchmarks › row 3 › Initiative (B3)", "no strategic initiative has the id '9.9'",
    ),
    (
        "missing required cell",
        "Benchmarks", 4, "Responsible", None,
        "Benchmarks › row 4 › Responsible (E4)", "the required field 'responsible' is missing",
    ),
    (
        "percent of 140",
        "Student group gaps", 2, "Group value", 140,
        "Student group gaps › row 2 › Group value (D2)",
        "140 is not a percentage between 0 and 100",
    ),
    (
        "percent target typed as 140%",
        "Outcomes", 3, "Final target value", "140%",
        "Outcomes › row 3 › Final target value (J3)",
        "140 is not a percentage between 0 and 100",
    ),
    (
        "unknown student group",
        "Outcomes", 2, "Student group", "ELs",
        "Outcomes › row 2 › Student group (E2)", "'ELs' is not one of the allowed values",
    ),
    (
        "initiative under an unknown objective",
        "Initiatives", 4, "Objective ID", "SO9",
        "Initiatives › row 4 › Objective ID (A4)", "no strategic objective has the id 'SO9'",
    ),
    (
        "closed list on the Plan sheet",
        "Plan", ("Organization", "Level"), "", "county",
        "Plan › row 4 › Organization: Level (C4)", "'county' is not one of the allowed values",
    ),
    (
        "words for a number",
        "Resources", 2, "Amount", "lots",
        "Resources › row 2 › Amount (E2)", "'lots' is not of type number",
    ),
]  # fmt: skip


def _plant(path: Path, mistakes: list[tuple[Any, ...]]) -> None:
    with Edit(path) as book:
        for _, sheet, row, header, value, *_ in mistakes:
            if isinstance(row, tuple):
                book.set_form(*row, value)
            else:
                book.set(sheet, row, header, value)


@pytest.fixture(scope="module")
def example_xlsx() -> Path:
    """The example workbook (the Harbor View plan, for Maple Street Elementary)."""
    return EXAMPLE


def _copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / source.name
    target.write_bytes(source.read_bytes())
    return target


@pytest.mark.parametrize(
    ("sheet", "row", "header", "value", "location", "message"),
    [case[1:] for case in MISTAKES],
    ids=[case[0] for case in MISTAKES],
)
def test_a_mistake_is_reported_at_its_cell(
    example_xlsx: Path,
    tmp_path: Path,
    sheet: str,
    row: Any,
    header: str,
    value: Any,
    location: str,
    message: str,
) -> None:
    path = _copy(example_xlsx, tmp_path)
    _plant(path, [(None, sheet, row, header, value)])
    with pytest.raises(InvalidInputError) as caught:
        validate(load(path))
    errors = [p for p in caught.value.problems if p.severity == "error"]
    assert [(p.location, message in p.message) for p in errors] == [(location, True)], [
        str(p) for p in errors
    ]
    assert str(errors[0]).startswith(f"{path} › {location}: ")


def test_ten_planted_mistakes_are_reported_in_one_run(example_xlsx: Path, tmp_path: Path) -> None:
    path = _copy(example_xlsx, tmp_path)
    _plant(path, MISTAKES)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.output
    assert len(lines) == len(MISTAKES), lines
    for *_, location, message in MISTAKES:
        assert any(
            line.startswith(f"Error: {path} › {location}: ") and message in line for line in lines
        ), (location, lines)


def test_a_row_under_an_unknown_parent_still_has_its_cells_checked(
    example_xlsx: Path, tmp_path: Path
) -> None:
    path = _copy(example_xlsx, tmp_path)
    with Edit(path) as book:
        book.set("Initiatives", 4, "Objective ID", "SO9")
        book.set("Initiatives", 4, "Evidence tier", 9)
    with pytest.raises(InvalidInputError) as caught:
        validate(load(path))
    assert [(p.location, p.message) for p in caught.value.problems] == [
        ("Initiatives › row 4 › Objective ID (A4)", "no strategic objective has the id 'SO9'"),
        ("Initiatives › row 4 › Evidence tier (F4)", "9 is not one of the allowed values"),
    ]
    assert caught.value.problems[0].hint == "known ids: SO1, SO2, SO3, SO4"


# ---------------------------------------------------------------------------------------------
# Tolerance: what people type


@pytest.fixture(scope="session")
def minimal_workbook(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The minimal plan's workbook, made once per test process."""
    return workbook_from(MINIMAL, tmp_path_factory.mktemp("minimal") / "plan.xlsx").read_bytes()


@pytest.fixture
def minimal_xlsx(tmp_path: Path, minimal_workbook: bytes) -> Path:
    """A copy of the minimal plan's workbook, for a test to edit."""
    path = tmp_path / "plan.xlsx"
    path.write_bytes(minimal_workbook)
    return path


def _read(path: Path) -> tuple[Plan, list[str]]:
    source = load(path)
    plan = validate(source)
    return plan, [f"{p.severity}: {p.location}: {p.message}" for p in source.problems]


def test_blank_rows_stray_spaces_labels_and_values(minimal_xlsx: Path) -> None:
    with Edit(minimal_xlsx) as book:
        sheet = book["Benchmarks"]
        sheet.insert_rows(2, amount=2)  # blank rows above the benchmark
        book.set("Benchmarks", 4, "Type", "  early EVIDENCE of change ")
        book.set("Benchmarks", 4, "Status", "on_track")
        book.set("Benchmarks", 4, "Responsible", "  Coach  ")
        book.set_form("Organization", "Level", "SCHOOL")
    plan, notes = _read(minimal_xlsx)
    assert notes == []
    assert plan.action_plan is not None
    benchmark = plan.action_plan.benchmarks[0]
    assert (benchmark.type, benchmark.status, benchmark.responsible) == (
        "early_evidence",
        "on_track",
        "Coach",
    )


def test_numbers_stored_as_text(minimal_xlsx: Path) -> None:
    with Edit(minimal_xlsx) as book:
        book.set("Resources", 2, "Amount", "$85,000.50")
        book.set_form("Organization", "Enrollment", " 1,204 ")
        book.set("Initiatives", 2, "Evidence tier", " 3 ")
    plan, notes = _read(minimal_xlsx)
    assert notes == []
    assert plan.action_plan and plan.action_plan.resources[0].amount == 85000.5
    assert plan.organization.enrollment == 1204
    assert plan.objectives and plan.objectives[0].initiatives[0].evidence
    assert plan.objectives[0].initiatives[0].evidence.tier == 3


@pytest.mark.parametrize(
    ("value", "number_format", "stored", "warning"),
    [
        (18, "General", 18.0, None),
        ("18%", "General", 18.0, None),
        (0.18, "0%", 18.0, None),
        (0.185, "0.0%", 18.5, None),
        ("0.5%", "General", 0.5, None),
        (0.18, "General", 18.0, "0.18 read as 18% (stored 18)"),
    ],
    ids=["number", "text 18%", "formatted 18%", "formatted 18.5%", "text 0.5%", "fraction"],
)
def test_percentages(
    minimal_xlsx: Path, value: Any, number_format: str, stored: float, warning: str | None
) -> None:
    with Edit(minimal_xlsx) as book:
        book.set("Student group gaps", 2, "Group value", value, number_format)
        book.set("Outcomes", 2, "Baseline value", value, number_format)
    plan, notes = _read(minimal_xlsx)
    assert plan.needs_assessment and plan.outcomes
    assert plan.needs_assessment.student_group_gaps[0].group_value == stored
    assert plan.outcomes[0].baseline.value == stored
    if warning is None:
        assert notes == []
    else:
        assert notes == [
            f"warning: Student group gaps › row 2 › Group value (D2): {warning}",
            f"warning: Outcomes › row 2 › Baseline value (H2): {warning}",
        ]


def test_a_fraction_is_a_percentage_only_where_the_unit_is_percent(minimal_xlsx: Path) -> None:
    with Edit(minimal_xlsx) as book:
        book.set("Outcomes", 2, "Unit", "rate")
        book.set("Outcomes", 2, "Baseline value", 0.18)
        book.set("Interim targets", 2, "Value", 0.2)
        book.set("Outcomes", 2, "Final target value", 0.3)
    plan, notes = _read(minimal_xlsx)
    assert plan.outcomes
    outcome = plan.outcomes[0]
    assert (outcome.baseline.value, outcome.interim_targets[0].value) == (0.18, 0.2)
    assert notes == []


@pytest.mark.parametrize(
    ("value", "number_format", "warning"),
    [
        (dt.datetime(2026, 1, 30), "yyyy-mm-dd", None),
        (dt.datetime(2026, 1, 30), "m/d/yy", None),
        ("2026-01-30", "@", None),
        (" 1/30/2026 ", "@", None),
        ("01/30/26", "@", None),
        ("2026-01-30T00:00:00", "@", None),
        (46052, "General", "the number 46052 read as the date 2026-01-30"),
    ],
    ids=["date", "US-formatted date", "ISO text", "US text", "US text, two-digit year",
         "ISO text with time", "day count"],
)  # fmt: skip
def test_dates(minimal_xlsx: Path, value: Any, number_format: str, warning: str | None) -> None:
    with Edit(minimal_xlsx) as book:
        book.set("Benchmarks", 2, "Due", value, number_format)
    plan, notes = _read(minimal_xlsx)
    assert plan.action_plan and plan.action_plan.benchmarks[0].due == dt.date(2026, 1, 30)
    expected = [] if warning is None else [f"warning: Benchmarks › row 2 › Due (G2): {warning}"]
    assert [note.split(" (the spreadsheet")[0] for note in notes] == expected


def test_extra_columns_and_sheets_are_warnings_not_errors(minimal_xlsx: Path) -> None:
    with Edit(minimal_xlsx) as book:
        book["Benchmarks"]["K1"] = "Notes"
        book["Benchmarks"]["K2"] = "check with Pat"
        book.book.create_sheet("Scratch")["A1"] = "ideas"
        book["Plan"].append(["Organization", "Mascot", "Owls"])
    result = CliRunner().invoke(cli, ["validate", str(minimal_xlsx)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"valid: {minimal_xlsx}")
    assert result.stderr.splitlines() == [
        f"Warning: {minimal_xlsx} › Scratch: this sheet is not part of a plan workbook; it is "
        f"ignored (the plan's sheets are: {', '.join(t.sheet for t in plan_layout().sheets)})",
        f"Warning: {minimal_xlsx} › Plan › row 55 › Organization: Mascot (C55): this field is "
        "not part of the plan; it is ignored (keep the Section and Field texts as they are)",
        f"Warning: {minimal_xlsx} › Benchmarks › row 1 › Notes (K1): this column is not part of "
        "the plan; it is ignored (the sheet's columns are: ID, Initiative, Type, Description, "
        "Responsible, Start, Due, Evidence, Status, Carried over from)",
    ]


def test_a_header_row_below_a_title_and_reordered_columns(minimal_xlsx: Path) -> None:
    with Edit(minimal_xlsx) as book:
        sheet = book["Resources"]
        sheet.insert_rows(1)
        sheet["A1"] = "Resources for 2025-26"
        sheet.move_range("A2:A3", cols=10)  # the Initiative column moves to the far right
    plan, notes = _read(minimal_xlsx)
    assert notes == []
    assert plan.action_plan and plan.action_plan.resources[0].initiative == "1.1"


def test_merged_cells_down_a_column_repeat_their_value(minimal_xlsx: Path) -> None:
    with Edit(minimal_xlsx) as book:
        sheet = book["Initiatives"]
        sheet.append([None, "1.2", "Family literacy nights", "Monthly nights.", "Coach"])
        sheet.merge_cells("A2:A3")  # one objective id beside its two initiatives
    plan, notes = _read(minimal_xlsx)
    assert notes == []
    assert plan.objectives and [i.id for i in plan.objectives[0].initiatives] == ["1.1", "1.2"]


def test_several_values_in_one_cell(minimal_xlsx: Path) -> None:
    with Edit(minimal_xlsx) as book:
        book.set("Outcomes", 2, "Objectives", "SO1,SO1")
        book["Stakeholder engagement"].append(
            ["2025-05-01", "Parents and families, teachers;\nStudents", "survey", 40, "Heard."]
        )
    plan, notes = _read(minimal_xlsx)
    assert notes == []
    assert plan.outcomes and plan.outcomes[0].objectives == ["SO1", "SO1"]
    assert plan.plan.stakeholder_engagement[0].groups == ["parent", "teacher", "student"]


def test_codes_keep_their_leading_zeros(minimal_xlsx: Path) -> None:
    with Edit(minimal_xlsx) as book:
        book.set_form("Organization", "Code", 990001, "00000000")  # shown as 00990001
        book.set_form("Organization", "District code", 990000)  # shown as 990000
    plan, notes = _read(minimal_xlsx)
    assert (plan.organization.code, plan.organization.district_code) == ("00990001", "990000")
    assert notes == [
        "warning: Plan › row 6 › Organization: District code (C6): the code was typed as a "
        "number, read as '990000'; a number loses its leading zeros"
    ]


def test_text_the_spreadsheet_turned_into_a_date(minimal_xlsx: Path) -> None:
    with Edit(minimal_xlsx) as book:
        book.set_form("Organization", "Grades", dt.datetime(2025, 9, 12))  # typed 9-12
    with pytest.raises(InvalidInputError) as caught:
        validate(load(minimal_xlsx))
    assert [str(p) for p in caught.value.problems] == [
        f"{minimal_xlsx} › Plan › row 7 › Organization: Grades (C7): the spreadsheet turned "
        "this into a date (2025-09-12) (format the cell as Text and type the value again)"
    ]


def test_formulas_are_read_by_their_saved_result(minimal_xlsx: Path) -> None:
    patch_cell(minimal_xlsx, "Resources", "E2", '<c r="E2"><f>80000+5000</f><v>85000</v></c>')
    plan, notes = _read(minimal_xlsx)
    assert notes == []
    assert plan.action_plan and plan.action_plan.resources[0].amount == 85000


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ('<c r="E2"><f>80000+5000</f></c>', "the formula =80000+5000 has no saved result"),
        ('<c r="E2" t="e"><f>1/0</f><v>#DIV/0!</v></c>', "the cell shows the error #DIV/0!"),
    ],
    ids=["no saved result", "error"],
)
def test_formulas_without_a_usable_result(minimal_xlsx: Path, xml: str, message: str) -> None:
    patch_cell(minimal_xlsx, "Resources", "E2", xml)
    with pytest.raises(InvalidInputError) as caught:
        validate(load(minimal_xlsx))
    assert [(p.location, p.message) for p in caught.value.problems] == [
        ("Resources › row 2 › Amount (E2)", message)
    ]


def test_a_required_column_deleted_and_a_duplicated_column(minimal_xlsx: Path) -> None:
    with Edit(minimal_xlsx) as book:
        book["Benchmarks"].delete_cols(5)  # Responsible
        book["Resources"]["F1"] = "Amount"
        book["Resources"]["F2"] = 1
    with pytest.raises(InvalidInputError) as caught:
        validate(load(minimal_xlsx))
    assert [(p.location, p.message) for p in caught.value.problems] == [
        (
            "Resources › row 1 › Amount (F1)",
            "the column 'Amount' appears twice (also column E); only the first is read",
        ),
        (
            "Benchmarks › row 2 › Responsible (no such column)",
            "the required field 'responsible' is missing",
        ),
        (
            "Benchmarks › row 3 › Responsible (no such column)",
            "the required field 'responsible' is missing",
        ),
    ]


def test_a_sheet_without_headers(minimal_xlsx: Path) -> None:
    with Edit(minimal_xlsx) as book:
        book["Team"].delete_rows(1)
        book["Team"].append(["Pat Lee", "Principal", "School leaders"])
    with pytest.raises(InvalidInputError) as caught:
        validate(load(minimal_xlsx))
    (problem,) = caught.value.problems
    assert (problem.location, problem.message) == ("Team", "no row of column headers was found")
    assert problem.hint == "the first row names the columns: Name, Role, Group"


@pytest.mark.parametrize("typed", [7, "7", " 7 ", 7.0])
def test_a_tier_of_7_however_typed(minimal_xlsx: Path, typed: Any) -> None:
    with Edit(minimal_xlsx) as book:
        book.set("Initiatives", 2, "Evidence tier", typed)
    with pytest.raises(InvalidInputError) as caught:
        validate(load(minimal_xlsx))
    assert [str(p) for p in caught.value.problems] == [
        f"{minimal_xlsx} › Initiatives › row 2 › Evidence tier (F2): 7 is not one of the allowed "
        "values (use one of: 1, 2, 3, 4)"
    ]
