"""The workbook layout is derived from the model: every field has its column, a field added to
the model appears in the workbook, closed lists become dropdowns."""

from __future__ import annotations

import io
from collections.abc import Iterator
from enum import StrEnum

import openpyxl
import pytest
from pydantic import BaseModel, Field

from pipeline.inputs.workbook import derive_layout, plan_layout, read_workbook_bytes, workbook_bytes
from pipeline.inputs.workbook.cells import normalize
from pipeline.inputs.workbook.layout import Kind, Layout, Percent
from pipeline.inputs.workbook.shapes import field_shape, is_model
from pipeline.model.fields import Text
from pipeline.model.plan import Benchmark, Foundation, Initiative, Objective, Plan
from tests.conftest import ROOT


def _leaves(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The data path of every value field of `model`, lists of records marked with '[]'."""
    for name, info in model.model_fields.items():
        key = info.alias or name
        shape = field_shape(info)
        if key.startswith("$"):
            continue
        if is_model(shape.base):
            yield from _leaves(shape.base, (*prefix, key, *(["[]"] if shape.is_list else [])))
        else:
            yield (*prefix, key)


def _columns(layout: Layout) -> set[tuple[str, ...]]:
    """The data path each column of the layout holds, in the same notation."""
    paths = set()
    for table in layout.sheets:
        base: tuple[str, ...] = ()
        for step in table.steps:
            base = (*base, *step, "[]")
        for column in table.columns:
            # A sheet of plain text holds the list itself: one item per row.
            paths.add((*base[:-1],) if column.key == () else (*base, *column.key))
    return paths


def test_every_model_field_has_a_column() -> None:
    assert set(_leaves(Plan)) == _columns(plan_layout())


def test_the_sheets_the_issue_names() -> None:
    sheets = [table.sheet for table in plan_layout().sheets]
    for name in [
        "Plan",
        "Team",
        "Stakeholder engagement",
        "Approvals",
        "Student group gaps",
        "Objectives",
        "Initiatives",
        "Outcomes",
        "Interim targets",
        "Benchmarks",
        "Resources",
        "Roadmap",
    ]:
        assert name in sheets
    assert all(len(name) <= 31 for name in sheets)


def test_nesting_becomes_a_parent_id_column() -> None:
    tables = {table.sheet: table for table in plan_layout().tables}
    assert [p.header for p in tables["Initiatives"].parents] == ["Objective ID"]
    assert [p.header for p in tables["Interim targets"].parents] == ["Outcome ID"]
    benchmarks = tables["Benchmarks"]
    assert benchmarks.parents == ()
    initiative = benchmarks.column(("initiative",))
    assert initiative is not None and initiative.ref_kind == "initiative"


def test_types_decide_kinds_formats_and_lists() -> None:
    layout = plan_layout()
    form = layout.form
    code = form.column(("organization", "code"))
    assert code is not None and code.kind is Kind.CODE and code.digits
    leader = form.column(("organization", "leader", "name"))
    assert leader is not None and leader.header == "Leader name"
    tables = {table.sheet: table for table in layout.tables}
    gap = tables["Student group gaps"].column(("group_value",))
    assert gap is not None and gap.percent is Percent.ALWAYS
    baseline = tables["Outcomes"].column(("baseline", "value"))
    assert baseline is not None and baseline.percent is Percent.BY_UNIT
    tier = tables["Initiatives"].column(("evidence", "tier"))
    assert tier is not None and [c.value for c in tier.choices] == [1, 2, 3, 4]
    assert tier.group == "Evidence"  # required only when the evidence is given
    groups = tables["Stakeholder engagement"].column(("groups",))
    assert groups is not None and groups.many and groups.required
    due = tables["Benchmarks"].column(("due",))
    assert due is not None and due.kind is Kind.DATE and not due.required


def test_every_column_has_a_description_and_unique_header() -> None:
    for table in plan_layout().sheets:
        headers = [(c.section, normalize(c.header)) for c in table.columns]
        assert len(headers) == len(set(headers)), table.sheet
        for column in table.columns:
            assert column.description and column.description != column.header, column


@pytest.mark.parametrize("name", sorted(plan_layout().choice_lists()))
def test_a_label_never_names_another_value(name: str) -> None:
    """Cells may hold the label or the value: each must name one member only."""
    choices = plan_layout().choice_lists()[name]
    for choice in choices:
        same = [
            other
            for other in choices
            if normalize(str(choice.value)) in (normalize(str(other.value)), normalize(other.label))
            or normalize(choice.label) in (normalize(str(other.value)), normalize(other.label))
        ]
        assert same == [choice]


# ---------------------------------------------------------------------------------------------
# A field added to the model appears in the workbook


class Funding(StrEnum):
    TITLE_I = "title_i"
    LOCAL = "local"


class Partner(BaseModel):
    name: Text = Field(description="Name of the partner organization.")
    contact: Text | None = Field(None, description="Who to call.")


class BenchmarkPlus(Benchmark):
    cost_center: str | None = Field(None, pattern=r"^[0-9]{6}$", description="Cost center.")


class InitiativePlus(Initiative):
    budget: float | None = Field(None, ge=0, description="Budget in dollars.")
    funding: Funding | None = Field(None, description="Where the money comes from.")
    partners: list[Partner] = Field(default_factory=list, description="Partners involved.")


class ObjectivePlus(Objective):
    initiatives: list[InitiativePlus] = Field(  # type: ignore[assignment]
        default_factory=list, description="The strategic initiatives that achieve it."
    )


class FoundationPlus(Foundation):
    slogans: list[Text] = Field(default_factory=list, description="Slogans on the walls.")


class PlanPlus(Plan):
    foundation: FoundationPlus | None = Field(  # type: ignore[assignment]
        None, description="Mission, vision, core values."
    )
    objectives: list[ObjectivePlus] | None = Field(  # type: ignore[assignment]
        None, description="Strategic objectives (3–5), each with its initiatives."
    )
    site_visits: list[Partner] | None = Field(None, description="Visits by partners.")


def test_fields_added_to_the_model_appear_in_the_workbook(minimal_data: dict[str, object]) -> None:
    layout = derive_layout(PlanPlus)
    assert set(_leaves(PlanPlus)) == _columns(layout)
    tables = {table.sheet: table for table in layout.tables}
    budget = tables["Initiatives"].column(("budget",))
    assert budget is not None and budget.kind is Kind.NUMBER
    funding = tables["Initiatives"].column(("funding",))
    assert funding is not None and [c.value for c in funding.choices] == ["title_i", "local"]
    assert [p.header for p in tables["Partners"].parents] == ["Initiative ID"]
    assert "Slogans" in tables and "Site visits" in tables

    data = PlanPlus.model_validate(minimal_data).model_dump(mode="json", by_alias=True)
    initiative = data["objectives"][0]["initiatives"][0]
    initiative.update(budget=12500.5, funding="local", partners=[{"name": "Reading Corps"}])
    data["foundation"]["slogans"] = ["Read every day", "=Kindness counts"]
    data["site_visits"] = [{"name": "State review team", "contact": "Ms. Diaz"}]
    plan = PlanPlus.model_validate(data)

    content = workbook_bytes(plan.model_dump(mode="json", by_alias=True, exclude_none=True), layout)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book["Initiatives"]["A1"].value == "Objective ID"
    headers = [cell.value for cell in book["Initiatives"][1]]
    assert "Budget" in headers and "Funding" in headers
    source = read_workbook_bytes(content, "plus.xlsx", layout)
    assert source.problems == []
    assert PlanPlus.model_validate(source.data) == plan


def test_a_nested_list_without_ids_is_numbered() -> None:
    class Step(BaseModel):
        what: Text = Field(description="What is done.")

    class PartnerSteps(Partner):
        steps: list[Step] = Field(default_factory=list, description="Steps agreed.")

    class Plan2(Plan):
        partners: list[PartnerSteps] | None = Field(None, description="Partners.")

    layout = derive_layout(Plan2)
    steps = next(t for t in layout.tables if t.steps == (("partners",), ("steps",)))
    assert [(p.header, p.id_key) for p in steps.parents] == [("Partner steps number", None)]
    partners = next(t for t in layout.tables if t.steps == (("partners",),))
    assert partners.number_header == "Partner steps number"  # the numbers nested rows use
    data = {
        "partners": [
            {"name": "A", "steps": [{"what": "one"}]},
            {"name": "B", "steps": [{"what": "two"}, {"what": "three"}]},
        ]
    }
    source = read_workbook_bytes(workbook_bytes(data, layout), "p.xlsx", layout)
    assert source.data["partners"] == data["partners"]


def test_only_single_values_and_lists_of_records_or_values_are_laid_out() -> None:
    class Odd(BaseModel):
        value: int | str = Field(description="Either.")

    with pytest.raises(TypeError, match="union"):
        derive_layout(Odd)


def test_the_workbook_page_names_every_sheet() -> None:
    page = (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    for table in plan_layout().sheets:
        assert table.sheet in page, table.sheet
