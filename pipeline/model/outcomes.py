"""Outcomes: SMART results for students, each with a baseline and targets, or a measure table
of rows (grade spans, subjects, student groups) with their own."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from pipeline.model.fields import Grades, Id, IdText, Measure, Record, Ref, SchoolYear, Text
from pipeline.model.vocabulary import Direction, Frequency, StudentGroup, Subject, Unit


class Baseline(Record):
    value: Measure = Field(description="The starting value, in the outcome's unit.")
    year: SchoolYear = Field(description="School year of the baseline, e.g. '2024-25'.")


class Target(Record):
    value: Measure = Field(description="The value to reach, in the outcome's unit.")
    date: dt.date = Field(description="When it is to be reached (YYYY-MM-DD).")


class MeasureRow(Record):
    """One row of an outcome's measure table: a grade span, subject or student group with its
    own baseline and targets."""

    label: Text | None = Field(None, description="How the row is named, e.g. 'Grades 3-5 ELA'.")
    grades: Grades | None = Field(None, description="Grade span, e.g. '3-5'.")
    subject: Subject | None = Field(None, description="Subject or indicator.")
    student_group: StudentGroup | None = Field(
        None, description="The students measured (the outcome's own group when empty)."
    )
    metric: Text | None = Field(None, description="What is measured, when it differs by row.")
    baseline: Baseline | None = Field(None, description="The starting point.")
    interim_targets: list[Target] = Field(
        default_factory=list,
        title="Measure interim targets",
        description="Targets during the plan, in date order.",
    )
    final_target: Target | None = Field(None, description="The target at the end of the plan.")

    @property
    def name(self) -> str:
        """How documents and results name the row: its label, else its grades, subject, group
        and metric ('Grade 5 · Science · All students'); empty when it states none of them."""
        if self.label:
            return self.label
        grades = None
        if self.grades:
            grades = ("Grades " if "-" in self.grades else "Grade ") + self.grades
        parts = [
            grades,
            self.subject.label if self.subject else None,
            self.student_group.label if self.student_group else None,
            self.metric,
        ]
        return " · ".join(p for p in parts if p)


class Result(Record):
    """A measured value of the outcome (or of one row of its measure table)."""

    date: dt.date = Field(description="When it was measured (YYYY-MM-DD).")
    value: Measure = Field(description="The value measured, in the outcome's unit.")
    unit: Unit | None = Field(
        None, title="Result unit", description="The unit it was reported in, when stated."
    )
    measure: Text | None = Field(
        None,
        description="The measure-table row it is for, named as the plan's documents name it (its "
        "label, e.g. 'Grades 3-5 ELA'); empty: the outcome's own measure.",
    )
    source: Text | None = Field(None, description="Where the value comes from.")
    note: Text | None = Field(None, description="What the value means, or what is unusual.")


class OutcomeMonitoring(Record):
    frequency: Frequency = Field(description="How often progress is checked.")
    owner: Text = Field(description="Who tracks this outcome.")


class Outcome(Record):
    id: Annotated[IdText, Id("outcome")] = Field(description="Unique id, e.g. 'O1'.")
    statement: Text = Field(description="The SMART outcome in one sentence.")
    objectives: list[Annotated[IdText, Ref("objective")]] = Field(
        min_length=1, description="Ids of the strategic objectives it measures."
    )
    metric: Text | None = Field(
        None, description="What is measured, e.g. 'Chronic absenteeism rate'."
    )
    student_group: StudentGroup | None = Field(
        None, description="The students whose result is measured."
    )
    unit: Unit = Field(description="Unit of the baseline and targets.")
    direction: Direction = Field(description="Whether success means the value goes up or down.")
    baseline: Baseline | None = Field(None, description="The starting point.")
    interim_targets: list[Target] = Field(
        default_factory=list, description="Targets during the plan, in date order."
    )
    final_target: Target | None = Field(None, description="The target at the end of the plan.")
    measures: list[MeasureRow] = Field(
        default_factory=list,
        title="Outcome measures",
        description="A measure table: rows by grade span, subject or student group, each with "
        "its own baseline and targets (instead of the outcome's own).",
    )
    data_source: Text = Field(description="Where the measure comes from, e.g. 'DESE profiles'.")
    monitoring: OutcomeMonitoring | None = Field(None, description="How it is tracked.")
    evaluation: Text | None = Field(
        None, description="How the initiatives' effectiveness is evaluated against it."
    )
    results: list[Result] = Field(
        default_factory=list,
        description="Measured results during the plan, each set against the targets.",
    )
