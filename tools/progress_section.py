"""The progress report's template (`templates/dese/progress-report.docx`), for make_templates.py.

The plan as of one check-in (the `progress` key of the context, docs/templates.md): the
check-in's facts, benchmarks counted by status per objective and per initiative, the overdue
benchmarks, each outcome's latest result against the target in force, the adjustments
decided, the team's summary and the next check-in. Landscape, in the action plan's style.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.table import Table

P = "progress"
FOOTER = "{% if progress %}As of the check-in of {{ progress.as_of }} · {% endif %}"
"""The start of the progress report's footer, before the house footer (the plan's revision)."""
NONE = "—"
COUNTS = (
    ("On track", "on_track"),
    ("At risk", "at_risk"),
    ("Off track", "off_track"),
    ("Complete", "complete"),
    ("Not started", "not_started"),
    ("Not recorded", "not_recorded"),
)


def _centered(table: Table, first: int, rows: list[int]) -> None:
    for row in rows:
        for cell in table.rows[row].cells[first:]:
            for paragraph in cell.paragraphs:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _lead_in(d: ModuleType, doc: Document, text: str) -> None:
    """A sentence introducing a table, kept on the table's page."""
    d.para(doc, text).paragraph_format.keep_with_next = True


def _share(var: str) -> str:
    return (
        f"{{{{ {var}.on_track_or_complete }}}}{{% if {var}.on_track_or_complete_text %}} "
        f"({{{{ {var}.on_track_or_complete_text }}}}){{% endif %}}"
    )


def _counts_table(d: ModuleType, doc: Document, heading: str, name: str, loop: str) -> None:
    """Benchmarks counted by status, a row per item of `loop` (`t`), then the plan's total."""
    headers = [heading, *(label for label, _ in COUNTS), "Total", "On track or complete"]
    cells = [
        name,
        *(f"{{{{ t.counts.{key} }}}}" for _, key in COUNTS),
        "{{ t.total }}",
        _share("t"),
    ]
    table = d.table(doc, headers, cells, [3.4, *([0.72] * len(COUNTS)), 0.6, 1.2], loop=loop)
    total = table.add_row()
    texts = [
        "All benchmarks",
        *(f"{{{{ {P}.total.counts.{key} }}}}" for _, key in COUNTS),
        f"{{{{ {P}.total.total }}}}",
        _share(f"{P}.total"),
    ]
    for cell, text in zip(total.cells, texts, strict=True):
        d._set_cell(cell, d.unbroken(text), "Table Label")
        d._shade(cell, d.BAND_FILL)
    d.rows_kept_whole(table)
    _centered(table, 1, [0, 2, 4])


def progress_report(d: ModuleType, doc: Document, title_block: Callable[..., None]) -> None:
    """The progress report's body; `d` is the docxbuild helpers module, `title_block` the
    house title block (title, subtitle, line, draft banner)."""
    c = f"{P}.check_in"
    title_block(
        doc,
        "Progress Report",
        "{{ organization.name }}",
        "Annual action plan {{ action_plan.school_year }} of the {{ plan.title }}"
        "{% if " + P + " %}, as of the check-in of {{ " + c + ".date }}"
        "{% if " + c + ".period %} ({{ " + c + ".period }}){% endif %}{% endif %}.",
    )
    d.placeholders(doc, "missing.action_plan")
    d.tag(doc, f"if {P}")
    d.facts(
        doc,
        [
            ("Check-in", "{{ " + c + ".date }}", None),
            ("Period reviewed", "{{ " + c + ".period }}", f"{c}.period"),
            (
                "School year",
                "{{ action_plan.school_year }} ({{ action_plan.start }} – {{ action_plan.end }})"
                ", check-in {{ " + P + ".number }} of {{ " + P + ".count }}",
                None,
            ),
            ("Participants", "{{ " + c + ".participants }}", f"{c}.participants"),
            (
                "Earlier check-ins",
                "{% for e in " + P + ".earlier %}{{ e.date }}{% if e.period %} ({{ e.period }})"
                "{% endif %}{% if not loop.last %}; {% endif %}{% endfor %}",
                f"{P}.earlier",
            ),
        ],
        widths=(1.6, 7.6),
    )

    d.para(doc, "I. Benchmark Status Summary", style="Heading 1")
    d.para(
        doc,
        "Each benchmark's status as of {{ " + P + ".as_of }}: its status at the latest check-in "
        "that reviewed it, else the status the action plan records. "
        "{{ " + P + ".total.on_track_or_complete }} of {{ " + P + ".total.total }} benchmarks"
        "{% if " + P + ".total.on_track_or_complete_text %} ("
        "{{ " + P + ".total.on_track_or_complete_text }}){% endif %} are on track or complete.",
    )
    d.tag(doc, f"if {P}.by_objective")
    d.para(doc, "By Strategic Objective", style="Heading 2")
    _counts_table(
        d, doc, "Strategic objective", "{{ t.id }}: {{ t.title }}", f"t in {P}.by_objective"
    )
    d.para(doc, "By Initiative", style="Heading 2")
    _counts_table(d, doc, "Initiative", "{{ t.id }}: {{ t.title }}", f"t in {P}.by_initiative")
    d.tag(doc, "endif")

    d.para(doc, "II. Overdue Benchmarks", style="Heading 1")
    d.tag(doc, f"if {P}.overdue")
    _lead_in(
        d,
        doc,
        "The benchmarks due before {{ " + P + ".as_of }} that are not complete, with the "
        "person(s) responsible and their status at this check-in.",
    )
    d.table(
        doc,
        ["Benchmark", "Description", "Person(s) responsible", "Due", "Status"],
        [
            "{{ b.id }}",
            "{{ b.description }}{% if b.carried_note %} ({{ b.carried_note }}){% endif %}",
            "{{ b.responsible }}",
            "{{ b.due_iso|date('short') }}",
            "{{ b.status_label }}",
        ],
        [0.8, 4.8, 2.0, 1.0, 0.9],
        loop=f"b in {P}.overdue",
    )
    d.tag(doc, "else")
    d.para(doc, "No benchmark is overdue as of {{ " + P + ".as_of }}.")
    d.tag(doc, "endif")

    d.para(doc, "III. Outcomes: Results against Targets", style="Heading 1")
    d.tag(doc, f"if {P}.outcomes")
    _lead_in(
        d,
        doc,
        "Each outcome's latest result on or before {{ " + P + ".as_of }} set against the "
        "target it answers: the first interim or final target dated on or after the check-in. "
        "An outcome that should decrease meets its target at or below it.",
    )
    table = d.table(
        doc,
        ["Outcome", "Measure", "Target", "Latest result", "Verdict"],
        [
            "{{ l.outcome }}",
            "{{ l.measure_text }} · {{ l.direction_text }}",
            "{% if l.target %}{{ l.target.goal_text }} by {{ l.target.short_date }}"
            "{% if l.target.kind == 'final' %} (final target){% endif %}"
            "{% else %}" + NONE + "{% endif %}",
            "{% if l.result %}{{ l.result.text }} on {{ l.result.short_date }}"
            "{% if l.result.source %}{{ '\\n' }}{{ l.result.source }}{% endif %}"
            "{% else %}" + NONE + "{% endif %}",
            "{{ l.verdict_label }}",
        ],
        [0.8, 3.3, 2.0, 1.9, 1.2],
        loop=f"l in {P}.outcomes",
    )
    target = table.rows[2].cells[2].paragraphs[0]
    target.add_run(
        d.unbroken(
            "{% for t in l.unanswered %}{% if loop.first %}{{ '\\n' }}Passed with no result: "
            "{% endif %}{{ t.text }} by {{ t.short_date }}{% if not loop.last %}; {% endif %}"
            "{% endfor %}"
        )
    ).italic = True
    table.rows[2].cells[4].paragraphs[0].runs[0].bold = True
    d.tag(doc, "else")
    d.para(doc, "The plan has no outcomes to measure.")
    d.tag(doc, "endif")

    d.para(doc, "IV. Adjustments Decided", style="Heading 1")
    d.tag(doc, f"if {P}.adjustments")
    _lead_in(d, doc, "The changes to the action plan the team decided at this check-in.")
    d.table(
        doc,
        ["Change", "Reason", "Decided by", "What it changes"],
        [
            "{{ a.change }}",
            "{{ a.reason or '" + NONE + "' }}",
            "{{ a.decided_by or '" + NONE + "' }}",
            "{{ a.changes_text or '" + NONE + "' }}",
        ],
        [3.3, 2.8, 1.6, 1.6],
        loop=f"a in {P}.adjustments",
    )
    d.tag(doc, "else")
    d.para(doc, "No adjustment to the action plan was decided at this check-in.")
    d.tag(doc, "endif")

    d.para(doc, "V. Summary of the Check-in", style="Heading 1")
    d.tag(doc, f"if {P}.summary")
    d.para(doc, "{{ " + P + ".summary }}")
    d.tag(doc, "else")
    d.para(doc, "The team recorded no summary of this check-in.")
    d.tag(doc, "endif")
    reviewed = f"{c}.reviews|selectattr('note')|list"
    d.tag(doc, f"if {reviewed}")
    d.para(doc, "Notes on Benchmarks", style="Heading 2")
    d.table(
        doc,
        ["Benchmark", "Status", "Note", "Evidence seen"],
        ["{{ r.benchmark }}", "{{ r.status_label }}", "{{ r.note }}", "{{ r.evidence or '—' }}"],
        [0.9, 1.0, 4.4, 3.0],
        loop=f"r in {reviewed}",
    )
    d.tag(doc, "endif")

    d.para(doc, "VI. Next Check-in", style="Heading 1")
    d.para(
        doc,
        "{% if " + P + ".next_check_in %}The next check-in is planned for "
        "{{ " + P + ".next_check_in }}.{% else %}The next check-in is not scheduled yet."
        "{% endif %}",
    )
    d.tag(doc, "else")
    d.para(
        doc,
        "The plan records no check-in on or before this date: there is no progress to report.",
    )
    d.tag(doc, "endif")
