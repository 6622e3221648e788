"""The annual action plan: the year's benchmarks and resources, its check-ins, and the past
years it has been rolled over from."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from pipeline.model.fields import Amount, Id, IdText, Record, Ref, SchoolYear, Text
from pipeline.model.monitoring import CheckIn, PastCheckIn
from pipeline.model.vocabulary import BenchmarkType, ResourceKind, Status


class Benchmark(Record):
    id: Annotated[IdText, Id("benchmark")] = Field(description="Unique id, e.g. 'B1.1.1'.")
    initiative: Annotated[IdText, Ref("initiative")] = Field(
        description="Id of the initiative this benchmark serves."
    )
    type: BenchmarkType = Field(description="Process, or early evidence of change.")
    description: Text = Field(description="Who will do what (process) or what change is seen.")
    responsible: Text = Field(description="Person(s) responsible.")
    start: dt.date | None = Field(None, description="When the work starts (YYYY-MM-DD).")
    due: dt.date | None = Field(
        None,
        description="When it is due (YYYY-MM-DD). Empty only while the team sets it (a carried "
        "benchmark): the plan is a draft until then.",
    )
    evidence: Text | None = Field(None, description="Evidence of completion or of the change.")
    status: Status | None = Field(
        None,
        description="Status during the year, when recorded without check-ins (a check-in's "
        "status, when there is one, is the benchmark's current status).",
    )
    carried_over_from: SchoolYear | None = Field(
        None,
        description="The school year it was carried over from, unfinished (set by rollover).",
    )


class PastBenchmark(Benchmark):
    """A benchmark of a past year, as it stood when the plan was rolled over."""

    id: IdText = Field(description="Its id, as it was that year.")
    initiative: IdText = Field(description="Id of the initiative it served.")


class Resource(Record):
    initiative: Annotated[IdText, Ref("initiative")] = Field(
        description="Id of the initiative the resource supports."
    )
    kind: ResourceKind = Field(description="Staff, funding, materials, time or partner.")
    description: Text = Field(description="What the resource is.")
    funding_source: Text | None = Field(
        None, description="Funding source, e.g. 'Title I' or 'ESSA §1003 school improvement'."
    )
    amount: Amount | None = Field(None, description="Amount in US dollars.")


class PastYear(Record):
    """A school year of the action plan that has ended: its benchmarks and check-ins as they
    stood when the plan was rolled over to the next year."""

    school_year: SchoolYear = Field(description="The school year, e.g. '2024-25'.")
    start: dt.date = Field(description="Its first day (YYYY-MM-DD).")
    end: dt.date = Field(description="Its last day (YYYY-MM-DD).")
    benchmarks: list[PastBenchmark] = Field(
        default_factory=list,
        title="Past benchmarks",
        description="Every benchmark of that year with its last status (the unfinished ones "
        "were carried over).",
    )
    check_ins: list[PastCheckIn] = Field(
        default_factory=list, title="Past check-ins", description="That year's check-ins."
    )


class ActionPlan(Record):
    """The annual action plan: implementation benchmarks and resources for one school year,
    and the year's check-ins."""

    school_year: SchoolYear = Field(description="The school year covered, e.g. '2025-26'.")
    start: dt.date = Field(description="First day of the school year (YYYY-MM-DD).")
    end: dt.date = Field(description="Last day of the school year (YYYY-MM-DD).")
    benchmarks: list[Benchmark] = Field(
        default_factory=list, description="Process and early-evidence benchmarks."
    )
    resources: list[Resource] = Field(
        default_factory=list, description="Staff and financial resources per initiative."
    )
    check_ins: list[CheckIn] = Field(
        default_factory=list,
        title="Check-ins",
        description="The year's progress reviews, each with its benchmark statuses and the "
        "adjustments decided.",
    )
    history: list[PastYear] = Field(
        default_factory=list,
        title="Past years",
        description="Earlier school years of the action plan, oldest first (kept by rollover).",
    )
