"""The plan's year: check-ins (progress reviews) with each benchmark's status and the
adjustments decided, and the past years of the action plan kept when it is rolled over.

A check-in reviews the current action plan's benchmarks; a past year keeps a school year's
benchmarks and check-ins as they stood when the plan moved on (`pipeline rollover`). Past years
are a record: their ids are not checked against today's (the team may number next year's
benchmarks afresh), and what they name need not exist any more.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from pipeline.model.fields import Id, IdText, Record, Ref, Text
from pipeline.model.vocabulary import Status


class BenchmarkReview(Record):
    """One benchmark as a check-in found it."""

    benchmark: Annotated[IdText, Ref("benchmark")] = Field(
        description="Id of the benchmark reviewed, e.g. 'B1.1.1'."
    )
    status: Status = Field(description="Its status at this check-in.")
    note: Text | None = Field(None, description="What the team noted about it.")
    evidence: Text | None = Field(
        None, title="Evidence seen", description="The evidence the team looked at."
    )


class Adjustment(Record):
    """A change to the action plan decided at a check-in."""

    change: Text = Field(description="What changes in the action plan.")
    reason: Text | None = Field(None, description="Why: what the data showed.")
    decided_by: Text | None = Field(None, description="Who decided it.")
    benchmarks: list[Annotated[IdText, Ref("benchmark")]] = Field(
        default_factory=list,
        title="Adjusted benchmarks",
        description="Ids of the benchmarks it changes.",
    )
    initiatives: list[Annotated[IdText, Ref("initiative")]] = Field(
        default_factory=list,
        title="Adjusted initiatives",
        description="Ids of the initiatives it changes.",
    )


class CheckIn(Record):
    """A progress review of the action plan: when, who took part, what was found and decided."""

    id: Annotated[IdText, Id("check_in")] = Field(description="Unique id, e.g. 'CI1'.")
    date: dt.date = Field(description="The date of the review (YYYY-MM-DD).")
    period: Text | None = Field(
        None, description="The period it reviews, as the team names it, e.g. 'Q2 2025-26'."
    )
    participants: Text | None = Field(None, description="Who took part.")
    summary: Text | None = Field(None, description="What the team concluded, in a few lines.")
    reviews: list[BenchmarkReview] = Field(
        default_factory=list,
        title="Benchmark statuses",
        description="Each benchmark reviewed, with its status, a note and the evidence seen.",
    )
    adjustments: list[Adjustment] = Field(
        default_factory=list, description="Changes to the action plan decided at this check-in."
    )
    next_check_in: dt.date | None = Field(
        None, title="Next check-in", description="When the next check-in is planned (YYYY-MM-DD)."
    )


# ---------------------------------------------------------------------------------------------
# past years: the same records, as a record (no ids checked, no references resolved)


class PastReview(BenchmarkReview):
    benchmark: IdText = Field(description="Id of the benchmark reviewed, as it was that year.")


class PastAdjustment(Adjustment):
    benchmarks: list[IdText] = Field(
        default_factory=list,
        title="Past adjusted benchmarks",
        description="Ids of the benchmarks it changed.",
    )
    initiatives: list[IdText] = Field(
        default_factory=list,
        title="Past adjusted initiatives",
        description="Ids of the initiatives it changed.",
    )


class PastCheckIn(CheckIn):
    id: IdText = Field(description="The check-in's id, as it was that year.")
    reviews: list[PastReview] = Field(  # type: ignore[assignment]
        default_factory=list,
        title="Past benchmark statuses",
        description="Each benchmark reviewed, with its status, a note and the evidence seen.",
    )
    adjustments: list[PastAdjustment] = Field(  # type: ignore[assignment]
        default_factory=list,
        title="Past adjustments",
        description="Changes to the action plan decided at this check-in.",
    )
