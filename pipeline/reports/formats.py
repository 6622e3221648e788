"""Check reports: JSON (documented in docs/checks.md, stable, versioned), text and Markdown,
and the list of rules. The HTML pages are `html.py`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from pipeline import __version__
from pipeline.checks.engine import Finding, PlanCheck
from pipeline.checks.profiles import profile_rules
from pipeline.checks.rules import FAMILIES, Rule, ordered_rules
from pipeline.errors import Severity
from pipeline.reports.html import report_html, rules_html
from pipeline.reports.monitoring import monitoring_json

FORMAT = "pipeline-check"
VERSION = 1
"""The JSON report's version: raised only when a field changes meaning or disappears (new
fields may be added within a version)."""

FAMILY_NAMES = {
    "INPUT": "The input",
    "INT": "Integrity",
    "MA": "Massachusetts multi-year plan",
    "TOA": "Theory of action",
    "SMART": "SMART outcomes",
    "AP": "Annual action plan",
    "MON": "Monitoring: check-ins, adjustments and results",
    "R": "Continuous-improvement roadmap",
    "SC": "Massachusetts school council plan (M.G.L. c.71 §59C)",
    "ESSA": "ESSA school improvement (CSI, TSI, ATSI)",
    "IDEA": "IDEA improvement and corrective action",
}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule.id,
        "title": finding.rule.title,
        "severity": finding.severity.value,
        "citation": finding.rule.citation,
        "document": finding.document,
        "location": finding.location,
        "path": list(finding.path) if finding.path is not None else None,
        "message": finding.message,
        "hint": finding.hint,
        "missing": finding.missing,
    }


def plan_json(check: PlanCheck, as_of: dt.date | None = None) -> dict[str, Any]:
    """One plan's part of the report; its `monitoring` is the plan as of its latest check-in
    on or before `as_of` (by default its latest)."""
    plan = check.plan
    return {
        "source": check.source,
        "organization": (
            {"name": plan.organization.name, "code": plan.organization.code} if plan else None
        ),
        "status": check.status,
        "profiles": [profile.value for profile in check.profiles],
        "counts": {"errors": check.errors, "warnings": check.warnings},
        "documents": [
            {
                "name": part.document,
                "met": part.met,
                "required": part.required,
                "completeness": round(part.share, 4),
                "errors": part.errors,
                "warnings": part.warnings,
            }
            for part in check.completeness()
        ],
        "findings": [finding_json(finding) for finding in check.findings],
        "monitoring": monitoring_json(plan, as_of),
    }


def report_json(checks: Sequence[PlanCheck], as_of: dt.date | None = None) -> dict[str, Any]:
    """The whole report as JSON-ready data (each plan's monitoring as of `as_of`, by default
    at its latest check-in)."""
    statuses = [check.status for check in checks]
    return {
        "format": FORMAT,
        "version": VERSION,
        "pipeline_version": __version__,
        "summary": {
            "plans": len(checks),
            "complete": statuses.count("complete"),
            "incomplete": statuses.count("incomplete"),
            "invalid": statuses.count("invalid"),
            "errors": sum(check.errors for check in checks),
            "warnings": sum(check.warnings for check in checks),
        },
        "plans": [plan_json(check, as_of) for check in checks],
    }


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _headline(check: PlanCheck) -> str:
    counts = f"{_plural(check.errors, 'error')}, {_plural(check.warnings, 'warning')}"
    if check.plan is None:
        return f"{check.source}: invalid input, {counts}"
    profiles = ", ".join(profile.value for profile in check.profiles)
    return (
        f"{check.source}: {check.status}, {counts} "
        f"({check.plan.organization.name}; profiles {profiles})"
    )


def summary_line(checks: Sequence[PlanCheck]) -> str:
    data = report_json(checks)["summary"]
    return (
        f"Checked {_plural(data['plans'], 'plan')}: {data['complete']} complete, "
        f"{data['incomplete']} incomplete, {data['invalid']} invalid; "
        f"{_plural(data['errors'], 'error')}, {_plural(data['warnings'], 'warning')}"
    )


def report_text(checks: Sequence[PlanCheck]) -> str:
    """The report for a terminal: each plan's headline, then each finding: the rule, where
    and what, how to fix it, and (the first time a rule appears) the source it rests on."""
    lines = []
    for check in checks:
        lines.append(_headline(check))
        cited: set[str] = set()
        for finding in check.findings:
            lines.append(f"  {finding.severity.value} {finding.rule.id}: {finding.rule.title}")
            lines.append(f"    at {finding.location}: {finding.message}")
            if finding.hint:
                lines.append(f"    fix: {finding.hint}")
            if finding.rule.id not in cited:
                lines.append(f"    source: {finding.rule.citation}")
                cited.add(finding.rule.id)
        lines.append("")
    lines.append(summary_line(checks))
    return "\n".join(lines) + "\n"


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def report_markdown(checks: Sequence[PlanCheck]) -> str:
    """The report as Markdown, e.g. for a CI job summary or a pull request comment."""
    lines = ["# Plan check report", "", summary_line(checks), ""]
    for check in checks:
        lines += [f"## {_cell(_headline(check))}", ""]
        parts = check.completeness()
        if parts:
            lines.append(
                "Completeness: "
                + "; ".join(f"{p.document} {p.met}/{p.required} ({p.share:.0%})" for p in parts)
            )
            lines.append("")
        if not check.findings:
            lines += ["No findings.", ""]
            continue
        lines += [
            "| Severity | Rule | Location | Finding | How to fix |",
            "|---|---|---|---|---|",
        ]
        for finding in check.findings:
            lines.append(
                f"| {finding.severity.value} | {finding.rule.id} {_cell(finding.rule.title)} | "
                f"`{_cell(finding.location)}` | {_cell(finding.message)} | {_cell(finding.hint)} |"
            )
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The list of rules (`pipeline check --list-rules`)


def _applied_by(rule: Rule) -> list[str]:
    """'dese-sip', or 'essa-tsi (warning)' where a profile departs from the default."""
    data = profile_rules()
    if rule.id in data.always:
        return ["every plan"]
    out = []
    for profile, rules in data.rules.items():
        if rule.id in rules:
            severity = rules[rule.id]
            out.append(profile.value + ("" if severity is rule.severity else f" ({severity})"))
    return out


def rules_json() -> dict[str, Any]:
    return {
        "format": "pipeline-rules",
        "version": VERSION,
        "rules": [
            {
                "id": rule.id,
                "family": rule.family,
                "title": rule.title,
                "severity": rule.severity.value,
                "citation": rule.citation,
                "binding": rule.binding_citation,
                "references": rule.design_references,
                "document": rule.document.name,
                "section": rule.section,
                "profiles": _applied_by(rule),
                "explanation": rule.explanation,
            }
            for rule in ordered_rules()
        ],
    }


def rules_text() -> str:
    lines = []
    for rule in ordered_rules():
        lines.append(f"{rule.id:<10} {rule.severity.value:<8} {rule.title}")
        lines.append(f"{'':<20}profiles: {', '.join(_applied_by(rule))}")
        lines.append(f"{'':<20}binding: {rule.binding_citation or '(none: good practice)'}")
        if rule.design_references:
            lines.append(f"{'':<20}design references: {rule.design_references}")
    return "\n".join(lines) + "\n"


_NO_BINDING = "none (good practice; not cited in a submission's crosswalk)"


def rules_markdown() -> str:
    """The rules page of the docs (docs/rules.md is this output; a test keeps it current)."""
    lines = [
        "# Completeness and compliance rules",
        "",
        "Generated by `pipeline check --list-rules --format markdown`; do not edit by hand.",
        "Which rules apply, at which severity, is set per profile in "
        "`pipeline/checks/profiles.toml`.",
        "",
        "Each rule's sources are of two kinds. The **binding authority** (statutes, "
        "regulations, DESE and U.S. Department of Education guidance) is what a submission "
        "cites: the crosswalk appendix of a plan shows only these, and only those that bind "
        "the plan's level (M.G.L. c.71 §59C binds school plans). **Design references** (other "
        "states' and researchers' guidance) informed the rule's design and are not cited to a "
        "Massachusetts reviewer (`pipeline/checks/citations.py` classifies them).",
        "",
    ]
    by_family: dict[str, list[Rule]] = {}
    for rule in ordered_rules():
        by_family.setdefault(rule.family, []).append(rule)
    for family in FAMILIES:
        lines += [f"## {family}: {FAMILY_NAMES[family]}", ""]
        for rule in by_family.get(family, []):
            default = "error" if rule.severity is Severity.ERROR else "warning"
            lines += [
                f"### {rule.id} {rule.title}",
                "",
                rule.explanation,
                "",
                f"- Default severity: {default}",
                f"- Profiles: {', '.join(_applied_by(rule))}",
                f"- Document: {rule.document.name} ({rule.section})",
                f"- Binding authority: {rule.binding_citation or _NO_BINDING}",
                *(
                    [f"- Design references: {rule.design_references}"]
                    * bool(rule.design_references)
                ),
                "",
            ]
    return "\n".join(lines)


FORMATS = ("text", "json", "markdown", "html")


def render(checks: Sequence[PlanCheck], format: str) -> str:
    """The report of `checks` in one of `FORMATS`."""
    if format == "json":
        return dumps(report_json(checks))
    if format == "markdown":
        return report_markdown(checks)
    if format == "html":
        return report_html(report_json(checks))
    return report_text(checks)


def render_rules(format: str) -> str:
    """The list of rules in one of `FORMATS`."""
    if format == "json":
        return dumps(rules_json())
    if format == "markdown":
        return rules_markdown()
    if format == "html":
        return rules_html(rules_json())
    return rules_text()
