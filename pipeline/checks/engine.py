"""Running the rules: a plan's profiles decide which rules apply and at which severity; each
rule's issues become findings with a location a person can open (through `source.locate`, so
a workbook input reports sheet › row › column)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.checks.hints import workbook_hint
from pipeline.checks.profiles import applicable, ordered, plan_profiles
from pipeline.checks.rules import REGISTRY, Case, Issue, Rule, ordered_rules
from pipeline.errors import DataPath, Problem, Severity, json_path
from pipeline.inputs.integrity import check_references
from pipeline.inputs.read import read_inputs
from pipeline.inputs.source import Source
from pipeline.model.documents import ACTION_PLAN, DOCUMENTS, IMPROVEMENT_PLAN, ROADMAP
from pipeline.model.plan import Plan
from pipeline.model.vocabulary import Profile


@dataclass(frozen=True)
class Finding:
    """One place where a plan does not meet a rule."""

    rule: Rule
    severity: Severity
    location: str
    """Where in the input, as the input's kind names it: a JSON path, or sheet › row › column."""
    message: str
    hint: str | None = None
    path: DataPath | None = None
    """The data path (None for problems found before the input could be read as a plan)."""
    missing: str | None = None
    anchor: DataPath | None = None

    @property
    def placeholder(self) -> str:
        """What a draft shows in place of the missing element, or beside the wrong one."""
        if self.missing:
            return f"[MISSING: {self.missing} — required by {self.rule.id}]"
        return f"[TO FIX: {self.message} — {self.rule.id}]"

    @property
    def document(self) -> str:
        """The document the finding concerns: its rule's, or for a rule that reads the whole
        plan (INT-4) the document of the section where it was found."""
        if self.rule.family == "INT" and self.path and self.path[0] in _SECTION_DOCUMENTS:
            return _SECTION_DOCUMENTS[str(self.path[0])]
        return self.rule.document.name


_SECTION_DOCUMENTS = {"action_plan": ACTION_PLAN.name, "roadmap": ROADMAP.name}


@dataclass(frozen=True)
class Completeness:
    """How many of a document's required rules (those applied as errors) the plan meets."""

    document: str
    met: int
    required: int
    errors: int
    warnings: int

    @property
    def share(self) -> float:
        return self.met / self.required if self.required else 1.0


@dataclass
class PlanCheck:
    """The outcome of checking one input."""

    source: str
    plan: Plan | None
    """None when the input is not a valid plan: its findings are then the validation problems."""
    profiles: tuple[Profile, ...] = ()
    applied: dict[str, Severity] = field(default_factory=dict)
    """The rules applied, with the severity the profiles give each."""
    findings: list[Finding] = field(default_factory=list)

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity is severity)

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.count(Severity.WARNING)

    @property
    def valid(self) -> bool:
        return self.plan is not None

    @property
    def complete(self) -> bool:
        """Valid and without errors: its documents are final, not drafts."""
        return self.valid and self.errors == 0

    @property
    def status(self) -> str:
        return "invalid" if not self.valid else "complete" if self.complete else "incomplete"

    def documents(self) -> list[str]:
        """The documents the plan has: the parts it contains, and the improvement plan
        whenever a profile requires it (so a draft shows what is missing from it)."""
        if self.plan is None:
            return []
        needed = {  # the documents the profiles' own rules are about (not the INPUT and
            # INT rules, which read the whole input and require no document of their own)
            REGISTRY[rule_id].document.name
            for rule_id in self.applied
            if REGISTRY[rule_id].check is not None and REGISTRY[rule_id].family != "INT"
        }
        return [
            document.name
            for document in DOCUMENTS
            if document.included(self.plan)
            or (document is IMPROVEMENT_PLAN and document.name in needed)
        ]

    def completeness(self) -> list[Completeness]:
        """Per document the plan has, the share of its required rules that are met."""
        out = []
        for name in self.documents():
            required = {
                rule_id
                for rule_id, severity in self.applied.items()
                if severity is Severity.ERROR
                and REGISTRY[rule_id].document.name == name
                and REGISTRY[rule_id].check is not None
            }
            mine = [f for f in self.findings if f.document == name]
            failed = {f.rule.id for f in mine if f.severity is Severity.ERROR}
            out.append(
                Completeness(
                    name,
                    len(required - failed),
                    len(required),
                    sum(1 for f in mine if f.severity is Severity.ERROR),
                    sum(1 for f in mine if f.severity is Severity.WARNING),
                )
            )
        return out

    def findings_of(self, rule_id: str) -> list[Finding]:
        return [finding for finding in self.findings if finding.rule.id == rule_id]

    def requirement_status(self, rule_id: str) -> str:
        """How the crosswalk labels a requirement, following the evidence: 'Met' (no finding),
        'Not met' (an error; or a warning with nothing of it in the plan: no English learner
        programs, no engagement recorded) or 'Partly met' (a warning where the plan has
        something of it, e.g. approvals without the superintendent's)."""
        found = self.findings_of(rule_id)
        if not found:
            return "Met"
        if self.applied.get(rule_id) is Severity.ERROR or self.plan is None:
            return "Not met"
        data = self.plan.model_dump(mode="json", by_alias=True, exclude_none=True)
        present = any(f.path is not None and _present(data, f.path) for f in found)
        return "Partly met" if present else "Not met"


def reading_hint(problem: Problem, source: Source | None = None) -> str:
    """A problem's hint; where reading gave none, how to fix it in the input's own terms."""
    if _workbook(source):
        hint = problem.hint or (
            "correct the cell as the message says (its column's header note and dropdown "
            "list show what it takes)"
        )
        return workbook_hint(hint, None, location=problem.location)
    if problem.hint:
        return problem.hint
    if problem.location.startswith("$"):
        return (
            f"correct {problem.location} as the message says (schema/plan.schema.json "
            "describes every key, and `pipeline validate` checks it again)"
        )
    return (
        f"correct the cell at {problem.location} as the message says (the column's header "
        "note and its dropdown list show what it takes)"
    )


def _workbook(source: Source | None) -> bool:
    """Whether hints speak of sheets and columns: the input is a workbook (whose places
    include the cells of fields left empty)."""
    return source is not None and source.locates_missing


def _finding(rule: Rule, severity: Severity, issue: Issue, source: Source | None) -> Finding:
    """A rule's issue as a finding, located and with its hint in the input's own terms."""
    location = source.locate(issue.path) if source is not None else json_path(issue.path)
    anchor = issue.anchor if issue.anchor is not None else issue.path
    if _workbook(source):
        hint = workbook_hint(issue.hint, issue.path, anchor, location)
    else:
        hint = issue.hint or f"correct {location} as the message says"
    return Finding(rule, severity, location, issue.message, hint, issue.path, issue.missing, anchor)


def _present(data: Any, path: DataPath) -> bool:
    """Whether the plan's data has something (not absent, not empty) at `path`."""
    for key in path:
        listed = isinstance(key, int) and isinstance(data, list) and 0 <= key < len(data)
        if not (listed or (isinstance(key, str) and isinstance(data, dict) and key in data)):
            return False
        data = data[key]
    return data not in (None, "", [], {})


def _order(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then warnings; within each, in rule order, then as the rule found them."""
    indexed = list(enumerate(findings))
    indexed.sort(
        key=lambda pair: (pair[1].severity is not Severity.ERROR, pair[1].rule.sort_key(), pair[0])
    )
    return [finding for _, finding in indexed]


def check_plan(
    plan: Plan,
    source: Source | None = None,
    profiles: Sequence[Profile] | None = None,
    problems: Sequence[Problem] = (),
) -> PlanCheck:
    """Check a validated plan under `profiles` (default: the plan's own profiles).

    `problems`: what reading the input noticed about it (a valid plan's are warnings: a
    value read as a percentage, an ignored column); they are reported as INPUT-1 findings at
    their own severity, so that `check` and `build` report the same findings."""
    chosen = ordered(profiles) if profiles else plan_profiles(plan)
    applied = applicable(chosen)
    case = Case(plan, frozenset(chosen))
    findings = []
    for rule in ordered_rules():
        if rule.id not in applied or rule.check is None:
            continue
        for issue in rule.check(case):
            findings.append(_finding(rule, applied[rule.id], issue, source))
    findings += [
        Finding(REGISTRY["INPUT-1"], p.severity, p.location, p.message, reading_hint(p, source))
        for p in problems
    ]
    name = source.name if source is not None else "plan"
    return PlanCheck(name, plan, chosen, applied, _order(findings))


# The sections every plan of a DESE profile has, and the rule that requires each.
_SECTION_RULES = {
    "foundation": "MA-1",
    "needs_assessment": "MA-2",
    "theory_of_action": "MA-3",
    "objectives": "MA-4",
    "outcomes": "MA-9",
}


def _absent_sections(source: Source, profiles: Sequence[Profile] | None) -> list[Finding]:
    """Findings for the required sections an invalid input lacks.

    An invalid input cannot be checked, but a missing section is often why it is invalid
    (objectives name the needs assessment's root causes, benchmarks the initiatives), and
    the reference errors alone would not say so. The section rules read nothing but the
    section, so they run on a stand-in plan that has only those sections, all absent.
    """
    data = source.data
    if not isinstance(data, dict):
        return []
    if not profiles:
        organization = data.get("organization")
        level = organization.get("level") if isinstance(organization, dict) else None
        profiles = (Profile.DESE_DISTRICT if level == "district" else Profile.DESE_SIP,)
    applied = applicable(profiles)
    absent = {key: None for key in _SECTION_RULES if data.get(key) is None}
    if "theory_of_action" in absent and _has_own_theories(data.get("objectives")):
        del absent["theory_of_action"]  # objectives or initiatives give theirs (MA-3)
    case = Case(Plan.model_construct(**absent), frozenset(profiles))
    findings = []
    for key in absent:
        rule = REGISTRY[_SECTION_RULES[key]]
        if rule.id in applied and rule.check is not None:
            findings += [_finding(rule, applied[rule.id], i, source) for i in rule.check(case)]
    return findings


def _has_own_theories(objectives: object) -> bool:
    """Whether raw objectives data gives a theory of action of an objective or initiative."""
    if not isinstance(objectives, list):
        return False
    for objective in objectives:
        if not isinstance(objective, dict):
            continue
        if objective.get("theory_of_action"):
            return True
        initiatives = objective.get("initiatives")
        if isinstance(initiatives, list) and any(
            isinstance(i, dict) and i.get("theory_of_action") for i in initiatives
        ):
            return True
    return False


def invalid(
    name: str,
    problems: Sequence[Problem],
    source: Source | None = None,
    profiles: Sequence[Profile] | None = None,
) -> PlanCheck:
    """The check of an input that is not a valid plan: the required sections it lacks, then
    its problems, as INPUT-1 findings (INT-1 for ids and references), each at the severity
    reading gave it (a value read as a percentage is a warning in `validate`, `check` and
    `build` alike)."""
    references: set[Problem] = set()
    sections: list[Finding] = []
    if source is not None and isinstance(source.data, dict):
        references = set(check_references(source))
        sections = _absent_sections(source, profiles)
    # The missing sections first: they explain the problems that follow.
    findings = sections + [
        Finding(
            REGISTRY["INT-1" if problem in references else "INPUT-1"],
            problem.severity,  # a warning of reading stays a warning, as `validate` says
            problem.location,
            problem.message,
            reading_hint(problem, source),
        )
        for problem in problems
    ]
    findings.sort(key=lambda finding: finding.severity is not Severity.ERROR)  # stable
    return PlanCheck(name, None, findings=findings)


def check_paths(paths: list[Path], profiles: Sequence[Profile] | None = None) -> list[PlanCheck]:
    """Read, validate and check every input under `paths` (files, or folders searched for
    inputs), exactly as a build reads them. Raises NoInputsError when there is none."""
    checks = []
    for result in read_inputs(paths):
        if result.ok and result.plan is not None:
            checked = check_plan(result.plan, result.input, profiles, result.problems)
            checked.source = result.source
        else:
            checked = invalid(result.source, result.problems, result.input, profiles)
        checks.append(checked)
    return checks


def failed(checks: Sequence[PlanCheck], strict: bool = False) -> bool:
    """Whether a run fails: any error, or under `strict` any warning too."""
    return any(c.errors or not c.valid or (strict and c.warnings) for c in checks)
