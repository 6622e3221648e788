"""Write the first version of the Word templates (`make templates`).

The .docx files in templates/ are the source users edit in Word; this script exists so the
house versions can be regenerated and reviewed as code. Run it, then inspect the diff of the
rendered golden texts (`make test`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.document import Document
from docx.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))

import docxbuild as d
from council_section import council_section
from progress_section import FOOTER as progress_footer
from progress_section import progress_report as progress_body

ROOT = Path(__file__).resolve().parent.parent
HEADER = "{{ organization.name }}  ·  {{ document.title }}"
FOOTER = (
    "{% if plan.revision and plan.revision.number %}Revision {{ plan.revision.number }}, "
    "{{ plan.revision.date }}{% elif plan.revision %}Revised {{ plan.revision.date }}"
    "{% else %}{{ plan.document_date }}{% endif %}"
)
AUTHOR = "{{ organization.name }}"
NONE = "—"
FIELDS_OF_PHASE = ("done", "engagement", "still_to_do", "by_when", "responsible")
NEEDS_PARTS_MISSING = (
    "("
    + " + ".join(
        f"missing.needs_{part}"
        for part in (
            "completed_on",
            "student_group_gaps",
            "data_findings",
            "root_causes",
            "resource_inequities",
            "prioritized_needs",
        )
    )
    + ")"
)
"""Every placeholder of the needs assessment's parts, each shown in its own sub-section."""


DRAFT_HEADER = "DRAFT: NOT FOR SUBMISSION · {{ document.draft_note }}"
DRAFT_BANNER = (
    "DRAFT. This plan is not complete: {{ document.draft_note }} (the check report of "
    "{{ organization.name }}'s {{ plan.title }}). Each missing or wrong element is "
    "highlighted where it belongs."
)


def _title_block(doc: Document, title: str, subtitle: str, line: str) -> None:
    d.para(doc, title, style="Title")
    d.para(doc, subtitle, style="Subtitle")
    d.para(doc, line)
    d.tag(doc, "if document.draft")
    d.highlighted(doc.add_paragraph(), DRAFT_BANNER)
    d.tag(doc, "endif")
    d.placeholders(doc, "missing.general")


def _bullets(
    doc: Document,
    heading: str,
    items: str,
    text: str,
    condition: str,
    style: str = "List Bullet",
    missing: str | None = None,
) -> None:
    """A sub-section listing `items`, shown when `condition` holds; with `missing` (a list of
    placeholders), also when it has any, under the heading."""
    d.tag(doc, f"if {condition}" + (f" or {missing}" if missing else ""))
    d.para(doc, heading, style="Heading 3")
    if missing:
        d.placeholders(doc, missing)
    d.tag(doc, f"for item in {items}")
    d.para(doc, text, style=style)
    d.tag(doc, "endfor")
    d.tag(doc, "endif")


def improvement_plan() -> Document:
    doc = d.create(landscape=False)
    _title_block(
        doc,
        "{{ plan.title }}",
        "{{ organization.name }}",
        "{{ organization.level_label }} improvement plan for school years {{ plan.years.label }}",
    )
    d.facts(
        doc,
        [
            ("Organization code", "{{ organization.code }}", None),
            (
                "District",
                "{{ organization.district }}{% if organization.district_code %} "
                "({{ organization.district_code }}){% endif %}",
                "organization.district",
            ),
            ("Grades", "{{ organization.grades }}", None),
            (
                "Enrollment",
                "{{ organization.enrollment|number }} students",
                "organization.enrollment is not none",
            ),
            ("Address", "{{ organization.address }}", "organization.address"),
            (
                "Led by",
                "{% if organization.leader.name %}{{ organization.leader.name }}, {% endif %}"
                "{{ organization.leader.title }}",
                "organization.leader",
            ),
            ("Plan period", "{{ plan.years.start }} – {{ plan.years.end }}", None),
            ("ESSA designation", "{{ plan.essa_designation_label }}", None),
            (
                "Identified student groups",
                "{{ plan.identified_groups_labels }}",
                "plan.identified_groups",
            ),
            (
                "Reason for identification",
                "{{ plan.identification_reason }}",
                "plan.identification_reason",
            ),
            (
                "Stakeholders informed",
                "{{ plan.identification_communicated_on }}",
                "plan.identification_communicated_on",
            ),
            (
                "Revision",
                "{% if plan.revision.number %}{{ plan.revision.number }} "
                "({{ plan.revision.date }}){% else %}{{ plan.revision.date }}{% endif %}"
                "{% if plan.revision.summary %}: {{ plan.revision.summary }}{% endif %}",
                "plan.revision",
            ),
        ],
    )

    d.placeholders(doc, "missing.plan")
    # The contents page, after the cover; the body starts on the page after it.
    d.contents(doc)

    # I. Mission, vision, core values (the DESE outline's order: values, mission, vision).
    # Each section shows when the plan has it, or when a draft must show what it lacks.
    d.tag(doc, "if foundation or missing.foundation")
    d.para(
        doc, "I. {{ organization.level_label }} Mission, Vision and Core Values", style="Heading 1"
    )
    d.placeholders(doc, "missing.foundation")
    d.tag(doc, "if foundation")
    d.tag(doc, "if foundation.core_values")
    d.para(doc, "Core Values", style="Heading 2")
    d.tag(doc, "for value in foundation.core_values")
    item = doc.add_paragraph(style="List Bullet")
    item.add_run("{{ value.name }}").bold = True
    item.add_run("{% if value.description %}: {{ value.description }}{% endif %}")
    d.tag(doc, "endfor")
    d.tag(doc, "endif")
    d.para(doc, "Mission", style="Heading 2")
    d.para(doc, "{{ foundation.mission }}")
    d.para(doc, "Vision", style="Heading 2")
    d.para(doc, "{{ foundation.vision }}")
    d.tag(doc, "if foundation.portrait_of_graduate")
    d.para(doc, "Portrait of a Graduate", style="Heading 2")
    d.tag(doc, "for a in foundation.portrait_of_graduate")
    item = doc.add_paragraph(style="List Bullet")
    item.add_run("{{ a.name }}").bold = True
    item.add_run("{% if a.description %}: {{ a.description }}{% endif %}")
    d.tag(doc, "endfor")
    d.tag(doc, "endif")
    d.tag(doc, "endif")
    d.tag(doc, "endif")

    # II. Data analysis and theory of action.
    shown = "needs_assessment or theory_of_action"
    d.tag(doc, f"if {shown} or missing.needs_assessment or missing.theory_of_action")
    d.para(doc, "II. Data Analysis and Theory of Action", style="Heading 1")
    d.tag(doc, "endif")
    d.tag(doc, "if needs_assessment or missing.needs_assessment")
    d.para(doc, "Data Analysis", style="Heading 2")
    # The placeholders of the needs assessment's parts stand in their own sub-sections.
    d.placeholders(doc, f"missing.needs_assessment if m not in {NEEDS_PARTS_MISSING}")
    d.tag(doc, "endif")
    d.tag(doc, "if needs_assessment")
    na = "needs_assessment"
    d.para(doc, f"{{{{ {na}.summary }}}}")
    d.tag(doc, f"if {na}.completed_on or missing.needs_completed_on")
    completed = d.labelled(doc, "Needs assessment completed", f"{{{{ {na}.completed_on or '' }}}}")
    d.inline_placeholders(completed, "missing.needs_completed_on", f"{na}.completed_on")
    d.tag(doc, "endif")
    d.tag(doc, f"if {na}.student_group_gaps or missing.needs_student_group_gaps")
    d.para(doc, "Achievement gaps between student groups", style="Heading 3")
    d.placeholders(doc, "missing.needs_student_group_gaps")
    d.tag(doc, f"if {na}.student_group_gaps")
    d.table(
        doc,
        [
            "Subject",
            "Measure",
            "Student group",
            "Result",
            "Compared with",
            "Result",
            "Points behind",
            "Year",
        ],
        [
            "{{ g.subject_label }}",
            "{{ g.metric }}",
            "{{ g.student_group_label }}",
            "{{ g.group_value }}%",
            "{{ g.comparison_group_label }}",
            "{{ g.comparison_value }}%",
            "{{ g.gap }}",
            "{{ g.year }}",
        ],
        [1.1, 2.0, 1.3, 0.8, 1.2, 0.8, 0.8, 0.8],
        loop=f"g in {na}.student_group_gaps",
    )
    d.tag(doc, f"for g in {na}.student_group_gaps if g.note")
    d.labelled(doc, "{{ g.student_group_label }}, {{ g.subject_label }}", "{{ g.note }}")
    d.tag(doc, "endfor")
    d.tag(doc, "endif")
    d.tag(doc, "endif")
    d.tag(doc, f"if {na}.data_findings or missing.needs_data_findings")
    d.para(doc, "What the data show", style="Heading 3")
    d.placeholders(doc, "missing.needs_data_findings")
    d.tag(doc, f"if {na}.data_findings")
    d.table(
        doc,
        ["Data", "Finding", "Source"],
        ["{{ f.category_label }}", "{{ f.finding }}", "{{ f.source or '" + NONE + "' }}"],
        [1.1, 4.0, 1.6],
        loop=f"f in {na}.data_findings",
    )
    d.tag(doc, "endif")
    d.tag(doc, "endif")
    _bullets(doc, "Strengths", f"{na}.strengths", "{{ item }}", f"{na}.strengths")
    _bullets(doc, "Challenges", f"{na}.challenges", "{{ item }}", f"{na}.challenges")
    _bullets(
        doc,
        "Root causes",
        f"{na}.root_causes",
        "{{ item.id }}: {{ item.description }}",
        f"{na}.root_causes",
        missing="missing.needs_root_causes",
    )
    _bullets(
        doc,
        "Resource inequities",
        f"{na}.resource_inequities",
        "{{ item.description }}{% if item.evidence %} Evidence: {{ item.evidence }}"
        "{% if item.evidence[-1:] not in '.!?' %}.{% endif %}{% endif %}"
        "{% if item.addressed_by %} Addressed by initiative{% if item.addressed_by|length > 1 %}s"
        "{% endif %} {{ item.addressed_by|join_and }}.{% endif %}",
        f"{na}.resource_inequities",
        missing="missing.needs_resource_inequities",
    )
    _bullets(
        doc,
        "Prioritized needs",
        f"{na}.prioritized_needs",
        "{{ item }}",
        f"{na}.prioritized_needs",
        style="List Number",
        missing="missing.needs_prioritized_needs",
    )
    d.tag(doc, "endif")
    d.tag(doc, "if theory_of_action or missing.theory_of_action")
    d.para(doc, "Theory of Action", style="Heading 2")
    d.placeholders(doc, "missing.theory_of_action")
    d.tag(doc, "endif")
    d.tag(doc, "if theory_of_action")
    d.tag(doc, "if theory_of_action.statement")
    d.para(doc, "{{ theory_of_action.statement }}")
    d.tag(doc, "endif")
    d.tag(doc, "if theory_of_action.has_parts")
    d.facts(
        doc,
        [
            ("If", "{{ theory_of_action.if_ }}", None),
            ("Then", "{{ theory_of_action.then }}", "theory_of_action.then"),
            ("And", "{{ theory_of_action.and_ }}", "theory_of_action.and_"),
            ("So that", "{{ theory_of_action.so_that }}", "theory_of_action.so_that"),
            ("Thereby", "{{ theory_of_action.thereby }}", "theory_of_action.thereby"),
        ],
        widths=(0.8, 5.9),
    )
    d.tag(doc, "endif")
    d.tag(doc, "endif")

    # III. Strategic objectives and initiatives, and the supports the statute requires.
    d.tag(doc, "if objectives or supports or missing.objectives or missing.supports")
    d.para(doc, "III. Strategic Objectives and Initiatives", style="Heading 1")
    d.tag(doc, "endif")
    d.placeholders(doc, "missing.objectives")
    d.tag(doc, "for o in objectives or []")
    d.para(doc, "Strategic Objective {{ o.id }}: {{ o.title }}", style="Heading 2")
    d.tag(doc, "if o.goal")
    d.labelled(doc, "Goal", "{{ o.goal }}")
    d.tag(doc, "endif")
    d.tag(doc, "if o.rationale")
    d.labelled(doc, "Why", "{{ o.rationale }}")
    d.tag(doc, "endif")
    d.placeholders(doc, "o.missing_at.rationale")
    d.placeholders(doc, "o.missing_rest")
    d.tag(doc, "if o.root_cause_items")
    d.labelled(
        doc,
        "Root causes addressed",
        "{% for rc in o.root_cause_items %}{{ rc.id }} "
        "{{ rc.description }}{% if not loop.last %}; {% endif %}{% endfor %}",
    )
    d.tag(doc, "endif")
    d.tag(doc, "if o.outcomes")
    d.labelled(
        doc,
        "Measured by",
        "outcome{% if o.outcomes|length > 1 %}s{% endif %} "
        "{{ o.outcomes|map(attribute='id')|join_and }} (section IV).",
    )
    d.tag(doc, "endif")
    d.placeholders(doc, "o.missing_at.outcomes")
    _objective_goals(doc)
    d.placeholders(doc, "o.missing_at.initiatives")
    d.tag(doc, "for i in o.initiatives")
    d.para(doc, "Initiative {{ i.id }}: {{ i.title }}", style="Heading 3")
    d.para(doc, "{{ i.description }}")
    d.tag(doc, "if i.lead")
    d.labelled(doc, "Lead", "{{ i.lead }}")
    d.tag(doc, "endif")
    d.tag(doc, "if i.schools")
    d.labelled(doc, "Schools", "{{ i.schools|join(', ') }}")
    d.tag(doc, "endif")
    d.tag(doc, "if i.evidence")
    d.labelled(
        doc,
        "Evidence base",
        "{{ i.evidence.tier_label }}. {{ i.evidence.citation }}"
        "{% if i.evidence.funded_by_1003 %} Funded with ESSA §1003 school-improvement "
        "funds.{% endif %}",
    )
    d.tag(doc, "if i.evidence.evaluation")
    d.labelled(doc, "Examining its effects", "{{ i.evidence.evaluation }}")
    d.tag(doc, "endif")
    d.tag(doc, "endif")
    d.placeholders(doc, "i.missing_at.evidence")
    for label, field in (
        ("Professional development", "professional_development"),
        ("District Plan alignment", "district_objective"),
    ):
        d.tag(doc, f"if i.{field}")
        d.labelled(doc, label, f"{{{{ i.{field} }}}}")
        d.tag(doc, "endif")
        if field == "professional_development":
            d.placeholders(doc, f"i.missing_at.{field}")
    d.tag(doc, "if i.also_serves")
    d.labelled(
        doc,
        "Also advances",
        "strategic objective{% if i.also_serves|length > 1 %}s{% endif %} "
        "{{ i.also_serves|join_and }}.",
    )
    d.tag(doc, "endif")
    _theory_of_action(doc, "i.theory_of_action")
    _steps_timeline(doc)
    d.placeholders(doc, "i.missing_at.steps")
    d.placeholders(doc, "i.missing_rest")
    d.tag(doc, "endfor")
    d.tag(doc, "endfor")
    for heading, field in (
        ("Professional Development Supporting the Initiatives", "professional_development"),
        ("Teacher Induction and Mentoring", "induction_mentoring"),
        ("Program Models for English Learners", "english_learners"),
    ):
        d.tag(doc, f"if (supports and supports.{field}) or missing.{field}")
        d.para(doc, heading, style="Heading 2")
        d.placeholders(doc, f"missing.{field}")
        d.tag(doc, f"for s in (supports.{field} if supports else [])")
        d.para(doc, "{{ s.title }}", style="Heading 3")
        d.para(doc, "{{ s.description }}")
        d.tag(doc, "if s.initiatives")
        d.labelled(
            doc,
            "Supports initiative{% if s.initiatives|length > 1 %}s{% endif %}",
            "{{ s.initiatives|join_and }}.",
        )
        d.tag(doc, "endif")
        d.tag(doc, "endfor")
        d.tag(doc, "endif")
    d.placeholders(
        doc,
        "missing.supports if m not in missing.professional_development + "
        "missing.induction_mentoring + missing.english_learners",
    )

    # IV. Outcomes, on landscape pages: the targets table is wide.
    d.new_section(doc, landscape=True)
    d.tag(doc, "if outcomes or missing.outcomes")
    d.para(doc, "IV. Outcomes", style="Heading 1")
    d.para(
        doc,
        "Performance benchmarks (interim and final outcomes) and the processes for "
        "evaluating the effectiveness of the initiatives.",
    )
    d.placeholders(doc, "missing.outcomes")
    d.tag(doc, "endif")
    _measure_tables(doc)
    plain = "(outcomes or [])|rejectattr('measures')|list"
    d.tag(doc, f"if {plain}")
    d.tag(doc, "if outcomes|selectattr('measures')|list")
    d.para(
        doc,
        f"Outcome{{% if {plain}|length > 1 %}}s{{% endif %}} "
        f"{{{{ {plain}|map(attribute='id')|list|join_and }}}}",
        style="Heading 2",
    )
    d.tag(doc, "endif")
    outcomes = d.table(
        doc,
        [
            "Outcome",
            "Objective",
            "Student group and measure",
            "Baseline",
            "Interim targets",
            "Final target",
            "Data source and monitoring",
        ],
        [
            "{{ out.id }}: {{ out.statement }}",
            "{{ out.objectives|join(', ') }}",
            "{% if out.student_group_label %}{{ out.student_group_label }}: {% endif %}"
            "{{ out.metric or '" + NONE + "' }} ({{ out.direction_label|lower }})",
            "{% if out.baseline %}{{ out.baseline.text }} ({{ out.baseline.year }})"
            "{% elif not out.missing_at.baseline %}" + NONE + "{% endif %}",
            "{% for t in out.interim_targets %}{{ t.text }} by {{ t.short_date }}"
            "{% if not loop.last %}; {% endif %}{% endfor %}",
            "{% if out.final_target %}{{ out.final_target.text }} by "
            "{{ out.final_target.short_date }}"
            "{% elif not out.missing_at.final_target %}" + NONE + "{% endif %}",
            "{{ out.data_source }}{% if out.monitoring %}; reviewed "
            "{{ out.monitoring.frequency_label|lower }} by {{ out.monitoring.owner }}{% endif %}",
        ],
        [2.8, 0.8, 1.6, 0.9, 1.5, 1.2, 1.8],
        loop="out in outcomes or [] if not out.measures",
    )
    d.cell_placeholders(outcomes, 0, "out.missing_rest")
    for column, field in enumerate(
        ("objectives", "metric", "baseline", "interim_targets", "final_target", "data_source"),
        start=1,
    ):
        value = {"objectives": "out.objectives", "metric": "True", "data_source": "True"}
        d.cell_placeholders(
            outcomes, column, f"out.missing_at.{field}", value.get(field, f"out.{field}")
        )
    d.tag(doc, "endif")
    d.tag(doc, "if outcomes")
    evaluated = "out.evaluation or out.missing_at.evaluation"
    d.tag(
        doc,
        "if outcomes|selectattr('evaluation')|list or outcomes|map(attribute='missing_at')"
        "|selectattr('evaluation')|list",
    )
    d.para(doc, "Evaluating the Effectiveness of the Initiatives", style="Heading 2")
    d.tag(doc, f"for out in outcomes if {evaluated}")
    evaluation = d.labelled(doc, "Outcome {{ out.id }}", "{{ out.evaluation or '' }}")
    d.inline_placeholders(evaluation, "out.missing_at.evaluation", "out.evaluation")
    d.tag(doc, "endfor")
    d.tag(doc, "endif")
    d.tag(doc, "endif")

    # V–VI. Team, engagement, monitoring, approvals, revisions.
    d.new_section(doc, landscape=False)
    d.tag(
        doc,
        "if plan.team or plan.stakeholder_engagement or missing.engagement or plan.monitoring "
        "or plan.additional_action or missing.monitoring",
    )
    d.para(doc, "V. Planning Team and Stakeholder Engagement", style="Heading 1")
    d.tag(doc, "endif")
    d.tag(doc, "if plan.team")
    d.para(doc, "Planning Team", style="Heading 2")
    d.table(
        doc,
        ["Name", "Role", "Represents"],
        ["{{ m.name }}", "{{ m.role }}", "{{ m.group_label }}"],
        [2.0, 2.6, 2.0],
        loop="m in plan.team",
    )
    d.tag(doc, "endif")
    d.tag(doc, "if plan.stakeholder_engagement")
    d.para(doc, "Stakeholder Engagement", style="Heading 2")
    d.table(
        doc,
        ["Date", "Who took part", "How", "What we heard and how it shaped the plan"],
        [
            "{{ e.date }}",
            "{{ e.groups_labels }}{% if e.participants is not none %} "
            "({{ e.participants }} participants){% endif %}",
            "{{ e.method }}",
            "{{ e.summary }}",
        ],
        [1.3, 1.45, 1.2, 2.85],
        loop="e in plan.stakeholder_engagement",
    )
    d.tag(doc, "endif")
    d.placeholders(doc, "missing.engagement")
    d.tag(doc, "if plan.monitoring or plan.additional_action or missing.monitoring")
    d.para(doc, "Monitoring the Plan", style="Heading 2")
    d.tag(doc, "if plan.monitoring")
    d.para(doc, "{{ plan.monitoring.description }}")
    d.labelled(
        doc,
        "Progress reviews",
        "{{ plan.monitoring.frequency_label }}, led by {{ plan.monitoring.responsible }}",
    )
    d.tag(doc, "if plan.monitoring.reviewed_by")
    d.labelled(doc, "Reviewed by", "{{ plan.monitoring.reviewed_by_labels }}")
    d.tag(doc, "endif")
    d.tag(doc, "endif")
    d.tag(doc, "if plan.additional_action")
    d.labelled(doc, "If implementation is unsuccessful", "{{ plan.additional_action }}")
    d.tag(doc, "endif")
    d.placeholders(doc, "missing.monitoring")
    d.tag(doc, "endif")
    council_section(d, doc)
    _signatures(doc)
    _corrective_actions(doc)
    _crosswalk(doc)
    return doc


def _signatures(doc: Document) -> None:
    """VI. The approvals and signatures page: a line per signer with the name and date the
    plan records, blank lines to sign on; then the revision history."""
    heading = d.para(doc, "VI. Approvals and Signatures", style="Heading 1")
    d.page_break_before(heading)
    d.para(
        doc,
        "By signing, each signer approves the {{ plan.title }} of {{ organization.name }} for "
        "school years {{ plan.years.label }}.",
    )
    d.placeholders(doc, "missing.approvals")
    signatures = d.table(
        doc,
        ["Signer", "Name", "Signature", "Date"],
        [
            "{{ a.role_label }}",
            "{{ a.name or '' }}",
            "",
            "{{ a.date or '' }}",
        ],
        [1.9, 2.0, 2.0, 1.3],
        loop="a in plan.signatures",
    )
    height = signatures.rows[2]
    height.height = d.Inches(0.55)
    d.tag(doc, "if plan.revisions")
    d.para(doc, "Revision History", style="Heading 2")
    d.table(
        doc,
        ["Revision", "Date", "Summary of changes"],
        [
            "{{ r.number or '" + NONE + "' }}",
            "{{ r.date }}",
            "{{ r.summary or '" + NONE + "' }}",
        ],
        [0.9, 1.5, 4.3],
        loop="r in plan.revisions",
    )
    d.tag(doc, "endif")
    _summary_of_changes(doc)


def _summary_of_changes(doc: Document) -> None:
    """What changed since the previous revision the build knows (from the semantic diff),
    grouped by section; absent when that revision is not known."""
    d.tag(doc, "if changes")
    d.para(doc, "Summary of Changes", style="Heading 2")
    d.para(
        doc,
        "Since {{ changes.since }}: {{ changes.count }} change{{ 's' if changes.count != 1 }}, "
        "listed by section (the redlined documents show each one in place).",
    )
    d.tag(doc, "for group in changes.sections")
    heading = d.para(doc, "{{ group.section }}", bold=True)
    heading.paragraph_format.keep_with_next = True
    d.tag(doc, "for line in group.lines")
    d.para(doc, "{{ line }}", style="List Bullet")
    d.tag(doc, "endfor")
    d.tag(doc, "endfor")
    d.tag(doc, "endif")


def _theory_of_action(doc: Document, var: str) -> None:
    """An objective's or initiative's own theory of action: its statement, or its parts."""
    d.tag(doc, f"if {var}")
    d.tag(doc, f"if {var}.statement")
    d.labelled(doc, "Theory of action", f"{{{{ {var}.statement }}}}")
    d.tag(doc, "endif")
    d.tag(doc, f"if {var}.has_parts")
    heading = d.para(doc, "Theory of action", bold=True)
    heading.paragraph_format.keep_with_next = True
    heading.paragraph_format.space_before = d.Pt(6)
    d.facts(
        doc,
        [
            ("If", f"{{{{ {var}.if_ }}}}", None),
            ("Then", f"{{{{ {var}.then }}}}", f"{var}.then"),
            ("And", f"{{{{ {var}.and_ }}}}", f"{var}.and_"),
            ("So that", f"{{{{ {var}.so_that }}}}", f"{var}.so_that"),
            ("Thereby", f"{{{{ {var}.thereby }}}}", f"{var}.thereby"),
        ],
        widths=(0.8, 5.9),
    )
    d.tag(doc, "endif")
    d.tag(doc, "endif")


def _objective_goals(doc: Document) -> None:
    """An objective's named goals and its own theory of action (its goal statement comes
    first, under its heading)."""
    d.tag(doc, "if o.named_goals")
    d.para(doc, "Goals", bold=True).paragraph_format.keep_with_next = True
    d.tag(doc, "for g in o.named_goals")
    item = doc.add_paragraph(style="List Bullet")
    item.add_run("{{ g.title }}").bold = True
    item.add_run(
        "{% if g.statement %}: {{ g.statement }}{% endif %}{% if g.initiative_items %} "
        "(initiative{% if g.initiative_items|length > 1 %}s{% endif %} "
        "{% for gi in g.initiative_items %}{{ gi.id }} {{ gi.title }}"
        "{% if not loop.last %}; {% endif %}{% endfor %}){% endif %}"
    )
    d.tag(doc, "endfor")
    d.tag(doc, "endif")
    _theory_of_action(doc, "o.theory_of_action")


def _steps_timeline(doc: Document) -> None:
    """An initiative's action steps over the plan's years: a table per school year."""
    d.tag(doc, "if i.steps_by_year")
    timeline = d.para(doc, "Implementation timeline", bold=True)
    timeline.paragraph_format.keep_with_next = True
    timeline.paragraph_format.space_before = d.Pt(8)
    d.tag(doc, "for y in i.steps_by_year")
    year = d.para(doc, "School year {{ y.school_year }}", italic=True)
    year.paragraph_format.keep_with_next = True
    year.paragraph_format.space_before = d.Pt(4)
    steps = d.table(
        doc,
        [
            "Action step",
            "Person(s) responsible",
            "Timeline",
            "Resources",
            "Evidence of effectiveness",
            "Status",
        ],
        [
            "{{ s.description }}",
            "{{ s.responsible or '" + NONE + "' }}",
            "{{ s.timeline or '" + NONE + "' }}",
            "{% for r in s.resources %}{{ r.kinds_labels }}: {{ r.description }}"
            "{% if r.funding_source or r.amount_text %} ("
            "{{ [r.funding_source, r.amount_text]|select|join(', ') }}){% endif %}"
            "{% if not loop.last %}\n{% endif %}{% else %}" + NONE + "{% endfor %}",
            "{{ s.evidence or '" + NONE + "' }}",
            "{{ s.status_label }}",
        ],
        [1.7, 0.95, 0.8, 1.2, 1.15, 0.9],
        loop="s in y.steps",
    )
    d.rows_kept_whole(steps)
    schools = (
        steps.rows[2]
        .cells[0]
        .paragraphs[0]
        .add_run("{% if s.schools %} ({{ s.schools|join(', ') }}){% endif %}")
    )
    schools.italic = True
    d.tag(doc, "endfor")
    d.tag(doc, "endif")


def _measure_tables(doc: Document) -> None:
    """One table per outcome that has a measure table: a row per grade span, subject or
    student group, each with its baseline, interim targets and final target."""
    d.tag(doc, "for out in outcomes or [] if out.measures")
    d.para(doc, "Outcome {{ out.id }}", style="Heading 2")
    d.para(doc, "{{ out.statement }}")
    d.labelled(
        doc,
        "Objective and measure",
        "strategic objective {{ out.objectives|join(', ') }}; "
        "{% if out.student_group_label %}{{ out.student_group_label|lower }}: {% endif %}"
        "{% if out.metric %}{{ out.metric }} {% endif %}({{ out.direction_label|lower }})",
    )
    d.labelled(
        doc,
        "Data source and monitoring",
        "{{ out.data_source }}{% if out.monitoring %}; reviewed "
        "{{ out.monitoring.frequency_label|lower }} by {{ out.monitoring.owner }}{% endif %}",
    )
    d.placeholders(doc, "out.missing_rest")
    for field in ("objectives", "metric", "data_source", "baseline", "interim_targets"):
        d.placeholders(doc, f"out.missing_at.{field}")
    d.placeholders(doc, "out.missing_at.final_target")
    measures = d.table(
        doc,
        ["Measure", "Baseline", "Interim targets (benchmarks)", "Final target"],
        [
            "{{ m.name }}",
            "{% if m.baseline %}{{ m.baseline.text }} ({{ m.baseline.year }})"
            "{% else %}" + NONE + "{% endif %}",
            "{{ m.interim_text or '" + NONE + "' }}",
            "{% if m.final_target %}{{ m.final_target.text }} by "
            "{{ m.final_target.short_date }}{% else %}" + NONE + "{% endif %}",
        ],
        [3.4, 1.6, 2.6, 1.8],
        loop="m in out.measures",
    )
    d.rows_kept_whole(measures)
    d.tag(doc, "endfor")


def _corrective_actions(doc: Document) -> None:
    """VII. IDEA corrective actions, on landscape pages (a wide table)."""
    d.new_section(doc, landscape=True)
    d.tag(doc, "if plan.corrective_actions or missing.corrective_actions")
    d.para(doc, "VII. Corrective Actions (IDEA)", style="Heading 1")
    d.para(
        doc,
        "Findings of noncompliance and their correction, as soon as possible and in no case "
        "later than one year after identification (34 CFR 300.600(e)).",
    )
    d.placeholders(doc, "missing.corrective_actions")
    d.tag(doc, "endif")
    d.tag(doc, "if plan.corrective_actions")
    actions = d.table(
        doc,
        [
            "Finding",
            "Root cause",
            "Corrective action",
            "Person(s) responsible",
            "Identified",
            "Due",
            "Verification of correction",
        ],
        [
            "{{ c.finding }}",
            d.value_or_dash("c.root_cause", "c.missing_at.root_cause"),
            "{{ c.action }}",
            d.value_or_dash("c.responsible", "c.missing_at.responsible"),
            "{{ c.identified_on }}",
            d.value_or_dash("c.due", "c.missing_at.due"),
            d.value_or_dash("c.verification", "c.missing_at.verification"),
        ],
        [1.8, 1.4, 1.9, 1.1, 1.4, 1.4, 1.6],
        loop="c in plan.corrective_actions",
    )
    d.cell_placeholders(actions, 0, "c.missing_rest")
    for column, field in ((1, "root_cause"), (3, "responsible"), (5, "due"), (6, "verification")):
        d.cell_placeholders(actions, column, f"c.missing_at.{field}", f"c.{field}")
    d.tag(doc, "endif")


def _crosswalk(doc: Document) -> None:
    """The appendix state reviewers expect: each requirement, and where the plan meets it."""
    d.para(doc, "Appendix: Crosswalk of State and Federal Requirements", style="Heading 1")
    d.para(
        doc,
        "Each requirement of the profiles this plan is checked under "
        "({{ document.profiles_labels }}), the law or guidance it comes from, and where in "
        "this plan (or its action plan and roadmap) it is met.",
    )
    d.table(
        doc,
        ["Requirement", "Source", "Where it is met", "Status"],
        [
            "{{ x.id }}: {{ x.title }}",
            "{{ x.citation }}",
            "{{ x.section }}",
            "{{ x.status }}",
        ],
        [2.4, 4.0, 2.6, 0.9],
        loop="x in crosswalk",
    )


def _steps_this_year(doc: Document) -> None:
    """In the annual action plan, the initiative's action steps of its school year (the
    multi-year timeline of the improvement plan, this year's part)."""
    d.tag(doc, "if i.steps_this_year")
    heading = d.para(doc, "Action steps for {{ action_plan.school_year }}", bold=True)
    heading.paragraph_format.space_before = d.Pt(8)
    heading.paragraph_format.keep_with_next = True
    steps = d.table(
        doc,
        ["Action step", "Person(s) responsible", "Timeline", "Evidence of effectiveness", "Status"],
        [
            "{{ s.description }}{% if s.schools %} ({{ s.schools|join(', ') }}){% endif %}",
            "{{ s.responsible or '" + NONE + "' }}",
            "{{ s.timeline or '" + NONE + "' }}",
            "{{ s.evidence or '" + NONE + "' }}",
            "{{ s.status_label }}",
        ],
        [3.6, 1.6, 1.5, 2.5, 1.1],
        loop="s in i.steps_this_year",
    )
    d.rows_kept_whole(steps)
    d.tag(doc, "endif")


def _carried_note(benchmarks: Table) -> None:
    """A carried-over benchmark says so in its row: 'Carried over from 2024-25', in italics on a
    line of its own under the description."""
    cell = benchmarks.rows[2].cells[1].paragraphs[0]
    note = '{% if b.carried_note %}{{ "\\n" ~ b.carried_note }}{% endif %}'
    cell.add_run(note).italic = True


def action_plan() -> Document:
    doc = d.create(landscape=True)
    _title_block(
        doc,
        "Annual Action Plan {{ action_plan.school_year }}",
        "{{ organization.name }}",
        "Implementation benchmarks and resources for the {{ action_plan.school_year }} school "
        "year ({{ action_plan.start }} – {{ action_plan.end }}), carrying out the "
        "{{ plan.title }} for {{ plan.years.label }}.",
    )
    d.placeholders(doc, "missing.action_plan")
    d.para(doc, "I. Implementation Benchmarks", style="Heading 1")
    d.para(
        doc,
        "Process benchmarks specify what will happen, who will do it, and when. Early "
        "evidence of change benchmarks identify changes in practice, attitude or behavior "
        "we should begin to see if the plan is having its desired impact.",
    )
    d.tag(doc, "for o in objectives or []")
    d.para(doc, "Strategic Objective {{ o.id }}: {{ o.title }}", style="Heading 2")
    d.tag(doc, "for i in o.initiatives")
    d.para(doc, "Initiative {{ i.id }}: {{ i.title }}", style="Heading 3")
    d.tag(doc, "if i.lead or i.missing_at.lead")
    lead = d.labelled(doc, "Initiative lead", "{{ i.lead or '' }}", keep_with_next=True)
    d.inline_placeholders(lead, "i.missing_at.lead", "i.lead")
    d.tag(doc, "endif")
    d.placeholders(doc, "i.missing_rest")
    d.tag(doc, "if i.benchmarks")
    benchmarks = d.table(
        doc,
        ["Type", "Benchmark", "Person(s) responsible", "Timeline", "Evidence", "Status"],
        [
            "{{ b.type_label }}",
            "{{ b.id }}: {{ b.description }}",
            "{{ b.responsible }}",
            "{{ b.timeline }}",
            d.value_or_dash("b.evidence", "b.missing_at.evidence"),
            "{{ b.status_label }}",
        ],
        [1.1, 3.2, 1.5, 1.5, 2.2, 0.8],
        loop="b in i.benchmarks",
    )
    _carried_note(benchmarks)
    d.cell_placeholders(benchmarks, 1, "b.missing_rest")
    for column, field in ((1, "description"), (2, "responsible"), (3, "timeline"), (4, "evidence")):
        d.cell_placeholders(benchmarks, column, f"b.missing_at.{field}", f"b.{field}")
    d.tag(doc, "endif")
    _steps_this_year(doc)
    d.tag(doc, "if i.resources or i.missing_at.resources")
    resources = d.para(doc, "Resources supporting this initiative", bold=True)
    resources.paragraph_format.space_before = d.Pt(8)
    resources.paragraph_format.keep_with_next = True
    d.placeholders(doc, "i.missing_at.resources")
    d.tag(doc, "endif")
    d.tag(doc, "if i.resources")
    d.table(
        doc,
        ["Resource", "Description", "Funding source", "Amount"],
        [
            "{{ r.kind_label }}",
            "{{ r.description }}",
            "{{ r.funding_source or '" + NONE + "' }}",
            "{{ r.amount_text or '" + NONE + "' }}",
        ],
        [1.1, 5.2, 2.5, 1.4],
        loop="r in i.resources",
    )
    d.tag(doc, "endif")
    d.tag(doc, "endfor")
    d.tag(doc, "endfor")
    d.para(doc, "II. Resources Supporting Implementation", style="Heading 1")
    d.para(
        doc,
        "The staff and financial resources allocated to the initiatives above, by funding source.",
    )
    d.tag(doc, "if action_plan.funding_summary")
    d.table(
        doc,
        ["Funding source", "Amount"],
        ["{{ f.source }}", "{{ f.amount_text }}"],
        [5.0, 2.0],
        loop="f in action_plan.funding_summary",
    )
    d.labelled(doc, "Total funding allocated", "{{ action_plan.total_amount_text }}")
    d.tag(doc, "else")
    d.para(doc, "No resource of this action plan has an amount recorded yet.")
    d.tag(doc, "endif")
    return doc


def progress_report() -> Document:
    doc = d.create(landscape=True)
    progress_body(d, doc, _title_block)
    return doc


def roadmap() -> Document:
    doc = d.create(landscape=True)
    _title_block(
        doc,
        "Continuous Improvement Process Roadmap",
        "{{ organization.name }}",
        "{{ plan.title }}, school years {{ plan.years.label }}",
    )
    d.placeholders(
        doc,
        "missing.roadmap if m not in (roadmap.phases if roadmap else [])"
        "|map(attribute='missing')|sum(start=[])",
    )
    d.tag(doc, "if roadmap")
    table = d.table(
        doc,
        [
            "Phases of the Continuous Improvement Process",
            "What have we done?",
            "How have we engaged stakeholders?",
            "What do we still need to do?",
            "By when?",
            "Who is responsible?",
        ],
        [
            "{{ p.phase_label }}",
            d.value_or_dash("p.done", "p.missing_at.done"),
            d.value_or_dash("p.engagement", "p.missing_at.engagement"),
            d.value_or_dash("p.still_to_do", "p.missing_at.still_to_do"),
            d.value_or_dash("p.by_when", "p.missing_at.by_when"),
            d.value_or_dash("p.responsible", "p.missing_at.responsible"),
        ],
        [2.0, 1.85, 1.85, 1.85, 1.45, 1.4],
        loop="p in roadmap.phases",
    )
    phase_cell = table.rows[2].cells[0]
    phase_cell.paragraphs[0].runs[0].bold = True
    d.inline_placeholders(phase_cell.paragraphs[0], "p.missing_rest")
    for column, field in enumerate(FIELDS_OF_PHASE, start=1):
        d.cell_placeholders(table, column, f"p.missing_at.{field}", f"p.{field}")
    purpose = phase_cell.add_paragraph()
    purpose.add_run("Purpose: ").italic = True
    purpose.add_run("{{ p.purpose }}").italic = True
    for run in purpose.runs:
        run.font.size = d.Pt(8.5)
    d.tag(doc, "endif")
    return doc


def custom_action_plan() -> Document:
    """The sample custom template (docs/templates.md): a consultant's restyled and reworded
    action plan, using the filters. Tests build every example plan with it."""
    doc = d.create(
        landscape=True, accent=d.RGBColor(0x1E, 0x5B, 0x3A), heading_font="Cambria", fill="1E5B3A"
    )
    d.para(doc, "Implementation Plan, School Year {{ action_plan.school_year }}", style="Title")
    d.para(doc, "{{ organization.name }} · prepared for the {{ plan.title }}", style="Subtitle")
    d.para(
        doc,
        "From {{ action_plan.start_iso|date('short') }} to "
        "{{ action_plan.end_iso|date('short') }}{% if plan.revision %}; plan revision "
        "{% if plan.revision.number %}{{ plan.revision.number }} {% endif %}"
        "of {{ plan.revision.date_iso|date('%B %Y') }}{% endif %}.",
    )
    # A draft shows what is missing where it belongs, in a custom template too.
    d.placeholders(doc, "missing.general")
    d.placeholders(doc, "missing.action_plan")
    d.para(doc, "What we will do, and how we will know it is working", style="Heading 1")
    d.tag(doc, "for o in objectives or []")
    d.para(doc, "Goal {{ loop.index }}: {{ o.title }}", style="Heading 2")
    d.tag(doc, "for i in o.initiatives")
    d.para(doc, "{{ i.title }}{% if i.lead %} (led by {{ i.lead }}){% endif %}", style="Heading 3")
    d.tag(doc, "if i.also_serves")
    d.labelled(doc, "Also supports goals", "{{ i.also_serves|join_and }}")
    d.tag(doc, "endif")
    d.placeholders(doc, "i.missing")
    milestones = d.table(
        doc,
        ["#", "Milestone", "Owner", "Due", "How we will know", "Where it stands"],
        [
            "{{ loop.index|ordinal }}",
            "{{ b.description }}",
            "{{ b.responsible }}",
            "{{ b.due_iso|date('numeric') }}",
            "{{ b.evidence or '" + NONE + "' }}",
            "{{ b.status_label }}",
        ],
        [0.5, 3.6, 1.5, 1.0, 2.2, 1.0],
        loop="b in i.benchmarks",
    )
    d.inline_placeholders(milestones.rows[2].cells[1].paragraphs[0], "b.missing")
    d.tag(doc, "endfor")
    d.tag(doc, "endfor")
    d.para(doc, "Budget", style="Heading 1")
    d.table(
        doc,
        ["Source of funds", "Amount"],
        ["{{ f.source }}", "{{ f.amount|money }}"],
        [5.0, 2.0],
        loop="f in action_plan.funding_summary",
    )
    return doc


def main() -> None:
    out = ROOT / "templates"
    for path, build in (
        ("dese/improvement-plan.docx", improvement_plan),
        ("dese/action-plan.docx", action_plan),
        ("dese/progress-report.docx", progress_report),
        ("roadmap/roadmap.docx", roadmap),
        ("custom/action-plan.docx", custom_action_plan),
    ):
        doc = build()
        footer = progress_footer + FOOTER if build is progress_report else FOOTER
        d.header_and_footer(doc, HEADER, footer)
        d.draft_header(doc, DRAFT_HEADER)
        d.properties(
            doc,
            "{% if document.draft %}DRAFT: {% endif %}"
            "{{ document.title }}: {{ organization.name }}",
            "{{ document.subject }}",
            AUTHOR,
        )
        if build is improvement_plan:
            d.update_fields_on_open(doc)
        d.without_styles_with_effects(doc)
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        doc.save(str(target))
        print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
