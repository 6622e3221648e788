"""The improvement plan's School Council Plan section (M.G.L. c.71 §59C), for make_templates.py.

Shown only when the plan has a `school_council` section or a draft has placeholders for it
(`missing.school_council`), so plans without one render exactly as before.
"""

from __future__ import annotations

from types import ModuleType

from docx.document import Document

_TEXTS = (
    ("Parental Involvement", "parental_involvement"),
    ("Safety and Discipline", "safety_discipline"),
    ("A School Environment of Tolerance and Respect for All Groups", "tolerance_respect"),
    ("Extracurricular Activities", "extracurricular"),
    ("Meeting Diverse Learning Needs within Regular Education", "diverse_learning_needs"),
)


def council_section(d: ModuleType, doc: Document) -> None:
    """The council's members and approval path, class size and ratios, the allocation of
    professional development funds, and the other elements the statute names. `d` is the
    docxbuild helpers module."""
    c = "school_council"
    d.tag(doc, f"if {c} or missing.{c}")
    d.para(doc, "School Council Plan (M.G.L. c.71 §59C)", style="Heading 1")
    d.placeholders(doc, f"missing.{c}")
    d.tag(doc, f"if {c}")
    d.para(
        doc,
        "The principal formulated this plan with the school council"
        "{% if " + c + ".school_year %} for school year {{ " + c + ".school_year }}{% endif %}"
        "{% if " + c + ".formulated_on %} on {{ " + c + ".formulated_on }}{% endif %}"
        "{% if " + c + ".school_committee_consulted_on %}; the superintendent consulted the "
        "school committee on {{ " + c + ".school_committee_consulted_on }}{% endif %}.",
    )
    d.tag(doc, f"if {c}.members")
    d.para(doc, "School Council Members", style="Heading 2")
    d.table(
        doc,
        ["Name", "Member as", "Position"],
        ["{{ m.name }}", "{{ m.role_label }}", "{{ m.position or '' }}"],
        [2.2, 2.2, 2.6],
        loop=f"m in {c}.members",
    )
    d.tag(doc, "endif")
    d.tag(doc, f"if {c}.class_size")
    d.para(doc, "Class Size and Student-to-Adult Ratios", style="Heading 2")
    size = f"{c}.class_size"
    d.facts(
        doc,
        [
            (
                "Average class size",
                "{{ " + size + ".average_class_size }} students",
                f"{size}.average_class_size is not none",
            ),
            (
                "Students per teacher",
                "{{ " + size + ".students_per_teacher }}",
                f"{size}.students_per_teacher is not none",
            ),
            (
                "Students per other supportive adult",
                "{{ " + size + ".students_per_other_adult }}",
                f"{size}.students_per_other_adult is not none",
            ),
            (
                "Impact on student performance",
                "{{ " + size + ".impact }}",
                f"{size}.impact",
            ),
            (
                "Class size reduction",
                "{% if " + size + ".reduction_needed %}Deemed necessary"
                "{% if " + size + ".reduction_plan %}: {{ " + size + ".reduction_plan }}"
                "{% endif %}{% else %}Not deemed necessary{% endif %}",
                f"{size}.reduction_needed is not none",
            ),
        ],
        widths=(1.8, 4.6),
    )
    d.tag(doc, "endif")
    d.tag(doc, f"if {c}.professional_development_funds")
    d.para(doc, "Allocation of Professional Development Funds", style="Heading 2")
    d.table(
        doc,
        ["Purpose", "Funding source", "Amount"],
        [
            "{{ f.purpose }}",
            "{{ f.funding_source or '' }}",
            "{% if f.amount is not none %}{{ f.amount|dollars }}{% endif %}",
        ],
        [3.8, 1.8, 1.4],
        loop=f"f in {c}.professional_development_funds",
    )
    d.tag(doc, "endif")
    for heading, key in _TEXTS:
        d.tag(doc, f"if {c}.{key}")
        d.para(doc, heading, style="Heading 2")
        d.para(doc, "{{ " + f"{c}.{key}" + " }}")
        d.tag(doc, "endif")
    d.tag(doc, "endif")
    d.tag(doc, "endif")
