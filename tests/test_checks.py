"""Completeness and compliance rules: for every rule, a plan that breaks it, and the finding
that names the rule and the place to fix it.

The base is `scenarios/every-profile.json`, a school plan that meets every rule of every
profile; each case changes it in one place and checks it under all school profiles.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from pipeline.checks import REGISTRY, PlanCheck, check_plan, invalid
from pipeline.checks.profiles import PROFILES_FILE, applicable, plan_profiles, profile_rules
from pipeline.checks.subject import is_adult_activity
from pipeline.errors import Severity
from pipeline.inputs.source import Source
from pipeline.inputs.validate import validated
from pipeline.model.vocabulary import Profile
from tests.conftest import INPUTS, MINIMAL, SCENARIOS, plan_of, read_json

EVERY_PROFILE = SCENARIOS / "every-profile.json"
SCHOOL_PROFILES: list[Profile] = [p for p in Profile if p is not Profile.DESE_DISTRICT]
DELETE = object()

Change = tuple[str, Any]
"""A dotted path into the data (list indexes as numbers) and its new value: DELETE removes
it; a callable gets the data and returns the value."""


def changed(data: dict[str, Any], changes: list[Change]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for path, value in changes:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = data
        for part in parents:
            node = node[part]
        if value is DELETE:
            del node[last]
        else:
            node[last] = value(data) if callable(value) else value
    return data


def check_data(data: dict[str, Any], profiles: list[Profile] | None = None) -> PlanCheck:
    """Validate and check plan data as `pipeline check` does."""
    source = Source("plan.json", data)
    plan, problems = validated(source)
    if plan is None:
        return invalid("plan.json", problems, source, profiles)
    return check_plan(plan, source, profiles)


def _objective(id_: str) -> dict[str, Any]:
    return {"id": id_, "title": f"Objective {id_}", "rationale": "Because."}


def _with_objectives(*ids: str) -> Callable[[dict[str, Any]], list[Any]]:
    return lambda data: [*data["objectives"], *(_objective(i) for i in ids)]


def _without(section: str, index: int) -> Callable[[dict[str, Any]], list[Any]]:
    def value(data: dict[str, Any]) -> list[Any]:
        *parents, last = section.split(".")
        node: Any = data
        for part in [*parents, last]:
            node = node[part]
        return [item for i, item in enumerate(node) if i != index]

    return value


def _check_in(id_: str, date: str, *reviews: tuple[str, str], **more: Any) -> dict[str, Any]:
    """A check-in record: its benchmark reviews as (benchmark id, status) pairs."""
    listed = [{"benchmark": benchmark, "status": status} for benchmark, status in reviews]
    return {"id": id_, "date": date, "reviews": listed, **more}


def _check_ins(*check_ins: dict[str, Any]) -> Change:
    return ("action_plan.check_ins", list(check_ins))


# (rule, what is wrong, changes, location of the finding)
CASES: list[tuple[str, str, list[Change], str]] = [
    ("INPUT-1", "a blank person responsible", [("action_plan.benchmarks.0.responsible", "")],
     "$.action_plan.benchmarks[0].responsible"),
    ("INPUT-1", "no person responsible", [("action_plan.benchmarks.0.responsible", DELETE)],
     "$.action_plan.benchmarks[0]"),
    ("INT-1", "a benchmark id used twice", [("action_plan.benchmarks.1.id", "B1")],
     "$.action_plan.benchmarks[1].id"),
    ("INT-1", "an unknown initiative", [("action_plan.resources.0.initiative", "9.9")],
     "$.action_plan.resources[0].initiative"),
    ("INT-1", "a check-in reviewing an unknown benchmark",
     [_check_ins(_check_in("CI1", "2025-11-15", ("B9", "on_track")))],
     "$.action_plan.check_ins[0].reviews[0].benchmark"),
    ("INT-2", "a root cause no objective addresses", [("objectives.2.root_causes", [])],
     "$.needs_assessment.root_causes[2]"),
    ("INT-3", "an activity naming no initiative", [("supports.english_learners.0.initiatives", [])],
     "$.supports.english_learners[0].initiatives"),
    ("MA-1", "no foundation", [("foundation", DELETE)], "$.foundation"),
    ("MA-1", "no core value", [("foundation.core_values", [])], "$.foundation.core_values"),
    ("MA-2", "no needs assessment (and no root causes named)",
     [("needs_assessment", DELETE)] + [(f"objectives.{i}.root_causes", []) for i in range(3)],
     "$.needs_assessment"),
    ("MA-2", "no needs assessment (invalid: root causes named)", [("needs_assessment", DELETE)],
     "$.needs_assessment"),
    ("MA-2", "no student-group gap", [("needs_assessment.student_group_gaps", [])],
     "$.needs_assessment.student_group_gaps"),
    ("MA-3", "no theory of action", [("theory_of_action", DELETE)], "$.theory_of_action"),
    ("MA-3", "an empty theory of action", [("theory_of_action", {})], "$.theory_of_action"),
    ("MA-4", "no objectives", [("objectives", DELETE)], "$.objectives"),
    ("MA-5", "six objectives", [("objectives", _with_objectives("SO4", "SO5", "SO6"))],
     "$.objectives"),
    ("MA-6", "an objective without initiatives", [("objectives", _with_objectives("SO4"))],
     "$.objectives[3].initiatives"),
    ("MA-7", "an initiative without professional development",
     [("objectives.1.initiatives.0.professional_development", DELETE)],
     "$.objectives[1].initiatives[0].professional_development"),
    ("MA-8", "no induction and mentoring", [("supports.induction_mentoring", [])],
     "$.supports.induction_mentoring"),
    ("MA-8", "no supports", [("supports", DELETE)], "$.supports.induction_mentoring"),
    ("MA-9", "no outcomes", [("outcomes", DELETE)], "$.outcomes"),
    ("MA-9", "no interim target", [("outcomes.0.interim_targets", [])],
     "$.outcomes[0].interim_targets"),
    ("MA-10", "an objective no outcome measures", [("outcomes.2.objectives", ["SO1"])],
     "$.objectives[2]"),
    ("MA-11", "no evaluation", [("outcomes.0.evaluation", DELETE)], "$.outcomes[0].evaluation"),
    ("MA-12", "no English learner program", [("supports.english_learners", [])],
     "$.supports.english_learners"),
    ("MA-13", "two school years", [("plan.years.end", "2027-06-30")], "$.plan.years.end"),
    ("MA-14", "no engagement", [("plan.stakeholder_engagement", [])],
     "$.plan.stakeholder_engagement"),
    ("MA-14", "no family engagement", [("plan.stakeholder_engagement.0.groups", ["teacher"])],
     "$.plan.stakeholder_engagement"),
    ("MA-15", "no superintendent approval", [("plan.approvals", _without("plan.approvals", 1))],
     "$.plan.approvals"),
    ("MA-16", "no District Plan alignment",
     [("objectives.0.initiatives.0.district_objective", DELETE)],
     "$.objectives[0].initiatives[0].district_objective"),
    ("MA-17", "no leader", [("organization.leader", DELETE)], "$.organization.leader"),
    ("MA-17", "a leader without a name", [("organization.leader.name", DELETE)],
     "$.organization.leader.name"),
    ("MA-18", "no revision", [("plan.revision", DELETE)], "$.plan.revision"),
    ("MA-18", "a revision without a number", [("plan.revision.number", DELETE)],
     "$.plan.revision.number"),
    ("MA-18", "a second revision that does not say what changed",
     [("plan.revision.summary", DELETE),
      ("plan.revision_history", [{"number": "1", "date": "2025-08-01", "summary": "First."}])],
     "$.plan.revision.summary"),
    ("MA-19", "an objective without a rationale", [("objectives.1.rationale", DELETE)],
     "$.objectives[1].rationale"),
    ("MA-20", "a step after the plan years",
     [("objectives.0.initiatives.0.steps", [{"school_year": "2028-29", "description": "Go on."}])],
     "$.objectives[0].initiatives[0].steps[0].school_year"),
    ("MA-21", "a step timeline that cannot be placed",
     [("objectives.0.initiatives.0.steps",
       [{"school_year": "2026-27", "description": "Train.", "timeline": "May - January"}])],
     "$.objectives[0].initiatives[0].steps[0].timeline"),
    ("MA-21", "a step timeline outside the plan",
     [("objectives.0.initiatives.0.steps",
       [{"school_year": "2026-27", "description": "Train.", "timeline": "Spring 2029"}])],
     "$.objectives[0].initiatives[0].steps[0].timeline"),
    ("TOA-1", "no THEN", [("theory_of_action.then", DELETE)], "$.theory_of_action.then"),
    ("TOA-2", "no THEREBY", [("theory_of_action.thereby", DELETE)],
     "$.theory_of_action.thereby"),
    ("TOA-3", "a statement that is not if-then",
     [("theory_of_action", {"statement": "We will coach teachers."})],
     "$.theory_of_action.statement"),
    ("SMART-S1", "no student group", [("outcomes.1.student_group", DELETE)],
     "$.outcomes[1].student_group"),
    ("SMART-M1", "no metric", [("outcomes.1.metric", DELETE)], "$.outcomes[1].metric"),
    ("SMART-M1", "no baseline", [("outcomes.1.baseline", DELETE)], "$.outcomes[1].baseline"),
    ("SMART-M1", "no final target", [("outcomes.1.final_target", DELETE)],
     "$.outcomes[1].final_target"),
    ("SMART-M5", "a measured goal without a baseline",
     [("objectives.0.goal", "By June 2028, 40% of students will meet expectations in ELA.")],
     "$.objectives[0].goal"),
    ("SMART-M5", "a measured goal that moves the wrong way",
     [("objectives.0.goal", "By June 2028, increase ELA proficiency from 40% to 30%.")],
     "$.objectives[0].goal"),
    ("SMART-T5", "a measured goal without a date",
     [("objectives.0.goal", "Increase ELA proficiency from 40% to 50%.")], "$.objectives[0].goal"),
    ("SMART-T5", "a measured goal after the plan",
     [("objectives.0.goal", "By June 2031, increase ELA proficiency from 40% to 50%.")],
     "$.objectives[0].goal"),
    ("SMART-M2", "a negative count",
     [("outcomes.2.unit", "count"), ("outcomes.2.final_target.value", -1)],
     "$.outcomes[2].final_target.value"),
    ("SMART-M3", "a target that moves the wrong way", [("outcomes.0.final_target.value", 15)],
     "$.outcomes[0].final_target.value"),
    ("SMART-M3", "a decrease that rises", [("outcomes.2.final_target.value", 30)],
     "$.outcomes[2].final_target.value"),
    ("SMART-M4", "a statement without a number",
     [("outcomes.0.statement", "Increase reading proficiency.")], "$.outcomes[0].statement"),
    ("SMART-R1", "an unrealistic change",
     [("outcomes.0.final_target.value", 80), ("outcomes.0.interim_targets.0.value", 40),
      ("outcomes.0.interim_targets.1.value", 60)], "$.outcomes[0].final_target.value"),
    ("SMART-R1", "a change that is not rigorous",
     [("outcomes.0.final_target.value", 21), ("outcomes.0.interim_targets.0.value", 20.3),
      ("outcomes.0.interim_targets.1.value", 20.6)], "$.outcomes[0].final_target.value"),
    ("SMART-R2", "an adult activity",
     [("outcomes.0.metric", "% of teachers completing coaching cycles")], "$.outcomes[0].metric"),
    ("SMART-T1", "a final target after the plan",
     [("outcomes.0.final_target.date", "2028-08-30")], "$.outcomes[0].final_target.date"),
    ("SMART-T1", "an interim target before the plan",
     [("outcomes.0.interim_targets.0.date", "2025-06-01")],
     "$.outcomes[0].interim_targets[0].date"),
    ("SMART-T2", "interim targets out of order", [("outcomes.0.interim_targets.1.value", 22)],
     "$.outcomes[0].interim_targets[1].value"),
    ("SMART-T2", "an interim target beyond the final", [("outcomes.0.interim_targets.1.value", 35)],
     "$.outcomes[0].interim_targets[1].value"),
    ("SMART-T2", "interim dates out of order",
     [("outcomes.0.interim_targets.1.date", "2026-01-31")],
     "$.outcomes[0].interim_targets[1].date"),
    ("SMART-T2", "an interim date after the final one",
     [("outcomes.0.interim_targets.1.date", "2028-06-20")],
     "$.outcomes[0].interim_targets[1].date"),
    ("SMART-T3", "an untracked outcome", [("outcomes.0.monitoring", DELETE)],
     "$.outcomes[0].monitoring"),
    ("SMART-T4", "an old baseline", [("outcomes.0.baseline.year", "2020-21")],
     "$.outcomes[0].baseline.year"),
    ("SMART-T4", "a baseline after the first target", [("outcomes.0.baseline.year", "2026-27")],
     "$.outcomes[0].baseline.year"),
    ("INT-4", "a mission 'TBD'", [("foundation.mission", "TBD")], "$.foundation.mission"),
    ("SMART-M6", "percentages as fractions",
     [("outcomes.1.baseline.value", 0.4), ("outcomes.1.interim_targets.0.value", 0.45),
      ("outcomes.1.interim_targets.1.value", 0.5), ("outcomes.1.final_target.value", 0.55),
      ("outcomes.1.statement", "By June 2028, increase ELs making progress on ACCESS.")],
     "$.outcomes[1].baseline.value"),
    ("SMART-M7", "a statement's change that disagrees",
     [("outcomes.1.statement", "By June 2028, increase ELs making progress by 20%.")],
     "$.outcomes[1].statement"),
    ("AP-1", "no benchmarks", [("action_plan.benchmarks", [])], "$.action_plan.benchmarks"),
    ("AP-1", "no action plan (required by a profile)", [("action_plan", DELETE)],
     "$.action_plan"),
    ("AP-2", "no early evidence for 1.1",
     [("action_plan.benchmarks", _without("action_plan.benchmarks", 1))],
     "$.action_plan.benchmarks"),
    ("AP-3", "a person responsible 'TBD'", [("action_plan.benchmarks.0.responsible", "TBD")],
     "$.action_plan.benchmarks[0].responsible"),
    ("AP-3", "a description '?'", [("action_plan.benchmarks.2.description", "?")],
     "$.action_plan.benchmarks[2].description"),
    ("AP-4", "due after the school year", [("action_plan.benchmarks.0.due", "2026-07-15")],
     "$.action_plan.benchmarks[0].due"),
    ("AP-4", "starting before the school year", [("action_plan.benchmarks.0.start", "2025-08-01")],
     "$.action_plan.benchmarks[0].start"),
    ("AP-4", "due before it starts", [("action_plan.benchmarks.0.start", "2026-02-15")],
     "$.action_plan.benchmarks[0].due"),
    ("AP-5", "an initiative without resources",
     [("action_plan.resources", _without("action_plan.resources", 2))],
     "$.action_plan.resources"),
    ("AP-6", "funding without an amount", [("action_plan.resources.1.amount", DELETE)],
     "$.action_plan.resources[1].amount"),
    ("AP-7", "a mislabelled school year", [("action_plan.school_year", "2026-27")],
     "$.action_plan.school_year"),
    ("AP-7", "an action plan after the plan years",
     [("action_plan.end", "2028-08-30"), ("plan.years.end", "2028-06-30")], "$.action_plan.end"),
    ("AP-8", "an initiative without a lead", [("objectives.2.initiatives.0.lead", DELETE)],
     "$.objectives[2].initiatives[0].lead"),
    ("AP-9", "a benchmark without evidence", [("action_plan.benchmarks.3.evidence", DELETE)],
     "$.action_plan.benchmarks[3].evidence"),
    ("AP-10", "a carried-over benchmark without a due date",
     [("action_plan.benchmarks.0.due", DELETE),
      ("action_plan.benchmarks.0.carried_over_from", "2024-25")],
     "$.action_plan.benchmarks[0].due"),
    ("MON-1", "an interim target passed without a result",
     [("outcomes.0.interim_targets.0.date", "2026-01-31"),
      _check_ins(_check_in("CI1", "2026-03-15"))],
     "$.outcomes[0].interim_targets[0].date"),
    ("MON-2", "a benchmark at risk, then off track, not adjusted",
     [_check_ins(_check_in("CI1", "2025-11-15", ("B1", "at_risk")),
                 _check_in("CI2", "2026-01-20", ("B1", "off_track")))],
     "$.action_plan.check_ins[1].reviews[0].status"),
    ("MON-3", "a check-in after the school year",
     [_check_ins(_check_in("CI1", "2025-11-15"), _check_in("CI2", "2026-11-15"))],
     "$.action_plan.check_ins[1].date"),
    ("MON-4", "a result in another unit",
     [("outcomes.0.results", [{"date": "2026-05-15", "value": 2, "unit": "percentage_points"}])],
     "$.outcomes[0].results[0].unit"),
    ("MON-5", "a result for a measure row the outcome lacks",
     [("outcomes.0.results", [{"date": "2026-05-15", "value": 22, "measure": "Grade 3"}])],
     "$.outcomes[0].results[0].measure"),
    ("MON-6", "two check-ins on one date",
     [_check_ins(_check_in("CI1", "2025-11-15"), _check_in("CI2", "2025-11-15"))],
     "$.action_plan.check_ins[1].date"),
    ("MON-7", "the next check-in before the check-in",
     [_check_ins(_check_in("CI1", "2025-11-15", next_check_in="2025-10-01"))],
     "$.action_plan.check_ins[0].next_check_in"),
    ("MON-8", "a benchmark reviewed twice at one check-in",
     [_check_ins(_check_in("CI1", "2025-11-15", ("B1", "at_risk"), ("B1", "on_track")))],
     "$.action_plan.check_ins[0].reviews[1].benchmark"),
    ("R-1", "a phase missing", [("roadmap.phases", _without("roadmap.phases", 4))],
     "$.roadmap.phases"),
    ("R-1", "a phase twice", [("roadmap.phases.4.phase", "implement_plan")],
     "$.roadmap.phases[4].phase"),
    ("R-1", "no roadmap (required by a profile)", [("roadmap", DELETE)], "$.roadmap"),
    ("R-2", "open work without a date", [("roadmap.phases.3.by_when", DELETE)],
     "$.roadmap.phases[3].by_when"),
    ("R-2", "open work without an owner", [("roadmap.phases.4.responsible", DELETE)],
     "$.roadmap.phases[4].responsible"),
    ("R-3", "phases out of order",
     [("roadmap.phases", lambda d: [d["roadmap"]["phases"][1], d["roadmap"]["phases"][0],
                                    *d["roadmap"]["phases"][2:]])],
     "$.roadmap.phases[1]"),
    ("R-4", "no engagement in setting the vision", [("roadmap.phases.0.engagement", DELETE)],
     "$.roadmap.phases[0].engagement"),
    ("R-5", "an empty phase", [("roadmap.phases.2.done", DELETE)], "$.roadmap.phases[2]"),
    ("ESSA-1", "no parents",
     [("plan.team", _without("plan.team", 2)),
      ("plan.stakeholder_engagement.0.groups", ["teacher"])],
     "$.plan.stakeholder_engagement"),
    ("ESSA-2", "no reason for identification", [("plan.identification_reason", DELETE)],
     "$.plan.identification_reason"),
    ("ESSA-2", "not told when", [("plan.identification_communicated_on", DELETE)],
     "$.plan.identification_communicated_on"),
    ("ESSA-3", "science not considered (grade 5)", [("organization.grades", "K-5")],
     "$.needs_assessment.student_group_gaps"),
    ("ESSA-4", "an undated needs assessment", [("needs_assessment.completed_on", DELETE)],
     "$.needs_assessment.completed_on"),
    ("ESSA-4", "no prioritized needs", [("needs_assessment.prioritized_needs", [])],
     "$.needs_assessment.prioritized_needs"),
    ("ESSA-5", "no evidence tier", [("objectives.2.initiatives.0.evidence", DELETE)],
     "$.objectives[2].initiatives[0].evidence"),
    ("ESSA-5", "§1003 funds for tier 4",
     [("objectives.0.initiatives.0.evidence.tier", 4),
      ("objectives.0.initiatives.0.evidence.evaluation", "Compared with last year.")],
     "$.objectives[0].initiatives[0].evidence.tier"),
    ("ESSA-5", "a §1003 resource for a tier 4 initiative",
     [("action_plan.resources.1.funding_source", "ESSA §1003 school improvement")],
     "$.objectives[1].initiatives[0].evidence.tier"),
    ("ESSA-5", "tier 4 without an evaluation",
     [("objectives.1.initiatives.0.evidence.evaluation", DELETE)],
     "$.objectives[1].initiatives[0].evidence.evaluation"),
    ("ESSA-6", "no resource inequities", [("needs_assessment.resource_inequities", [])],
     "$.needs_assessment.resource_inequities"),
    ("ESSA-6", "an inequity nothing addresses",
     [("needs_assessment.resource_inequities.0.addressed_by", [])],
     "$.needs_assessment.resource_inequities[0].addressed_by"),
    ("ESSA-7", "no state approval", [("plan.approvals", _without("plan.approvals", 2))],
     "$.plan.approvals"),
    ("ESSA-8", "no monitoring", [("plan.monitoring", DELETE)], "$.plan.monitoring"),
    ("ESSA-8", "no state review", [("plan.monitoring.reviewed_by", ["superintendent"])],
     "$.plan.monitoring.reviewed_by"),
    ("ESSA-9", "no additional action", [("plan.additional_action", DELETE)],
     "$.plan.additional_action"),
    ("ESSA-10", "no identified groups", [("plan.identified_groups", [])],
     "$.plan.identified_groups"),
    ("ESSA-10", "an identified group without an outcome",
     [("plan.identified_groups", ["students_with_disabilities", "hispanic_latino"])],
     "$.plan.identified_groups[1]"),
    ("IDEA-1", "no results for students with disabilities",
     [("needs_assessment.student_group_gaps", _without("needs_assessment.student_group_gaps", 0)),
      ("needs_assessment.student_group_gaps.1.student_group", "english_learners")],
     "$.needs_assessment.student_group_gaps"),
    ("IDEA-2", "no percent result for students with disabilities",
     [("outcomes.0.unit", "scale_score"), ("outcomes.2.unit", "rate")], "$.outcomes"),
    ("IDEA-3", "no strategy for the result",
     [("objectives", _with_objectives("SO4")), ("outcomes.0.objectives", ["SO4"])],
     "$.outcomes[0].objectives"),
    ("IDEA-4", "no evaluation plan", [("outcomes.2.evaluation", DELETE)],
     "$.outcomes[2].evaluation"),
    ("IDEA-5", "no root cause", [("plan.corrective_actions.0.root_cause", DELETE)],
     "$.plan.corrective_actions[0].root_cause"),
    ("IDEA-5", "nobody responsible", [("plan.corrective_actions.0.responsible", DELETE)],
     "$.plan.corrective_actions[0].responsible"),
    ("IDEA-6", "due more than a year after identification",
     [("plan.corrective_actions.0.due", "2026-03-02")], "$.plan.corrective_actions[0].due"),
    ("IDEA-6", "no due date", [("plan.corrective_actions.0.due", DELETE)],
     "$.plan.corrective_actions[0].due"),
    ("IDEA-7", "no verification", [("plan.corrective_actions.0.verification", DELETE)],
     "$.plan.corrective_actions[0].verification"),
    ("SC-1", "no school council", [("school_council", DELETE)], "$.school_council"),
    ("SC-2", "no teacher on the council", [("school_council.members.3.role", "parent")],
     "$.school_council.members"),
    ("SC-2", "no student in a 9-12 school", [("organization.grades", "9-12")],
     "$.school_council.members"),
    ("SC-3", "fewer parents than professionals", [("school_council.members.2.role", "teacher")],
     "$.school_council.members"),
    ("SC-4", "mostly community members",
     [("school_council.members", lambda d: [*d["school_council"]["members"],
       *({"name": f"C{i}", "role": "community"} for i in range(5))])],
     "$.school_council.members"),
    ("SC-5", "no class size assessment", [("school_council.class_size", DELETE)],
     "$.school_council.class_size"),
    ("SC-5", "no student-to-teacher ratio",
     [("school_council.class_size.students_per_teacher", DELETE)],
     "$.school_council.class_size.students_per_teacher"),
    ("SC-6", "a reduction needed, not scheduled",
     [("school_council.class_size.reduction_needed", True)],
     "$.school_council.class_size.reduction_plan"),
    ("SC-7", "no PD funds allocation", [("school_council.professional_development_funds", [])],
     "$.school_council.professional_development_funds"),
    ("SC-8", "no parental involvement", [("school_council.parental_involvement", DELETE)],
     "$.school_council.parental_involvement"),
    ("SC-9", "no safety and discipline", [("school_council.safety_discipline", DELETE)],
     "$.school_council.safety_discipline"),
    ("SC-10", "no tolerance and respect", [("school_council.tolerance_respect", DELETE)],
     "$.school_council.tolerance_respect"),
    ("SC-11", "no extracurricular activities", [("school_council.extracurricular", DELETE)],
     "$.school_council.extracurricular"),
    ("SC-12", "no diverse learning needs", [("school_council.diverse_learning_needs", DELETE)],
     "$.school_council.diverse_learning_needs"),
    ("SC-13", "not formulated with the council", [("school_council.formulated_on", DELETE)],
     "$.school_council.formulated_on"),
    ("SC-14", "the school committee not consulted",
     [("school_council.school_committee_consulted_on", DELETE)],
     "$.school_council.school_committee_consulted_on"),
    ("SC-14", "approved before the council formulated it",
     [("school_council.formulated_on", "2025-08-25")], "$.plan.approvals"),
]  # fmt: skip


@pytest.fixture(scope="module")
def every_profile() -> dict[str, Any]:
    data: dict[str, Any] = read_json(EVERY_PROFILE)
    return data


def test_the_base_meets_every_rule_of_every_profile(every_profile: dict[str, Any]) -> None:
    for profiles in (None, SCHOOL_PROFILES):
        check = check_data(every_profile, profiles)
        assert check.findings == [], [f.message for f in check.findings]


@pytest.mark.parametrize(
    ("rule", "case", "changes", "location"), CASES, ids=[f"{c[0]} {c[1]}" for c in CASES]
)
def test_a_broken_rule_names_itself_and_the_place(
    every_profile: dict[str, Any], rule: str, case: str, changes: list[Change], location: str
) -> None:
    check = check_data(changed(every_profile, changes), SCHOOL_PROFILES)
    found = [(f.rule.id, f.location) for f in check.findings]
    assert (rule, location) in found, found
    finding = next(f for f in check.findings if (f.rule.id, f.location) == (rule, location))
    assert finding.message and finding.rule.citation
    assert finding.severity is applicable(SCHOOL_PROFILES)[rule]


def test_every_rule_has_a_case() -> None:
    assert set(REGISTRY) == {case[0] for case in CASES}


def test_a_district_plan_needs_the_school_committee(every_profile: dict[str, Any]) -> None:
    data = changed(every_profile, [("organization.level", "district")])
    check = check_data(data)
    assert check.profiles[0] is Profile.DESE_DISTRICT
    (finding,) = check.findings_of("MA-15")
    assert finding.message == "the school committee's approval is not recorded"
    assert "MA-16" not in check.applied  # District Plan alignment is for schools


# ---------------------------------------------------------------------------------------------
# Profiles


def test_profiles_name_only_existing_rules_and_every_rule_is_in_one() -> None:
    data = profile_rules()
    named = set(data.always) | {rule for rules in data.rules.values() for rule in rules}
    assert named == set(REGISTRY)
    assert set(data.rules) == set(Profile)
    assert PROFILES_FILE.name == "profiles.toml"


def test_a_plans_profiles_come_from_its_content(every_profile: dict[str, Any]) -> None:
    assert plan_profiles(plan_of(every_profile)) == (
        Profile.DESE_SIP,
        Profile.MA_SCHOOL_COUNCIL,
        Profile.ACTION_PLAN,
        Profile.ROADMAP,
        Profile.ESSA_CSI,
        Profile.IDEA,
    )
    data = changed(
        every_profile,
        [
            ("organization.level", "district"),
            ("plan.essa_designation", "tsi"),
            ("plan.profiles", []),
            ("roadmap", DELETE),
        ],
    )
    assert plan_profiles(plan_of(data)) == (
        Profile.DESE_DISTRICT,
        Profile.ACTION_PLAN,
        Profile.ESSA_TSI,
    )


def test_a_profile_may_apply_a_rule_at_another_severity() -> None:
    assert applicable([Profile.ESSA_CSI])["ESSA-4"] is Severity.ERROR
    assert applicable([Profile.ESSA_TSI])["ESSA-4"] is Severity.WARNING
    # The strictest severity wins when several profiles apply a rule.
    assert applicable([Profile.ESSA_TSI, Profile.ESSA_CSI])["ESSA-4"] is Severity.ERROR


def test_the_profile_option_replaces_the_plans_own(every_profile: dict[str, Any]) -> None:
    data = changed(every_profile, [("plan.approvals", _without("plan.approvals", 2))])
    assert check_data(data, [Profile.ESSA_TSI]).errors == 0  # TSI: the district approves
    check = check_data(data, [Profile.ESSA_CSI])
    assert [f.rule.id for f in check.findings] == ["ESSA-7"]
    assert check.profiles == (Profile.ESSA_CSI,)


# ---------------------------------------------------------------------------------------------
# The complete examples


@pytest.mark.parametrize("example", [*INPUTS, MINIMAL, EVERY_PROFILE], ids=lambda p: p.stem)
def test_complete_plans_have_no_errors(example: Any) -> None:
    check = check_data(read_json(example))
    assert check.complete, [f"{f.rule.id} {f.location}: {f.message}" for f in check.findings]


@pytest.mark.parametrize(
    ("metric", "adult"),
    [
        ("MCAS ELA, grades 3–5: % meeting or exceeding expectations", False),
        ("Chronic absenteeism: % of students absent 10% or more of days enrolled", False),
        (
            "Ninth-grade on-track rate: % of first-time ninth graders passing all core courses",
            False,
        ),
        ("ACCESS for ELLs: % of English learners making progress", False),
        ("% of teachers completing the ESL course", True),
        ("Number of PD sessions held", True),
        ("Share of classrooms where teachers are observed using structured talk", True),
    ],
)
def test_outcomes_about_adults_are_told_apart(metric: str, adult: bool) -> None:
    assert is_adult_activity(metric) is adult


def test_a_reading_warning_stays_a_warning_in_an_invalid_input() -> None:
    from pipeline.errors import Problem

    problems = [
        Problem("plan.xlsx", "Outcomes › row 3 › Baseline (E3)", "0.45 read as 45%", "type 45",
                Severity.WARNING),
        Problem("plan.xlsx", "Plan › row 2 › Value (B2)", "a name is required", "type it"),
    ]  # fmt: skip
    check = invalid("plan.xlsx", problems)
    assert [(f.rule.id, f.severity) for f in check.findings] == [
        ("INPUT-1", Severity.ERROR),
        ("INPUT-1", Severity.WARNING),
    ]
    assert (check.errors, check.warnings) == (1, 1)


def test_a_valid_plans_reading_problems_keep_their_severity(every_profile: dict[str, Any]) -> None:
    from pipeline.errors import Problem

    plan, _ = validated(Source("plan.json", every_profile))
    assert plan is not None
    warning = Problem("plan.json", "$.x", "ignored column", "remove it", Severity.WARNING)
    check = check_plan(plan, None, None, [warning])
    assert [(f.rule.id, f.severity, f.location) for f in check.findings] == [
        ("INPUT-1", Severity.WARNING, "$.x")
    ]
    assert check.complete


# ---------------------------------------------------------------------------------------------
# Citations by kind; the crosswalk's labels follow the evidence


def test_every_source_of_every_rule_is_classified() -> None:
    from pipeline.checks.citations import BINDING, DESIGN, sources

    for rule in REGISTRY.values():
        for source in sources(rule.citation):
            assert BINDING.search(source) or DESIGN.search(source), (rule.id, source)


def test_the_crosswalk_cites_only_what_binds_the_plans_level() -> None:
    from pipeline.model.vocabulary import Level

    other_states = ("Oregon", "Colorado", "Marin", "Riverside", "Wisconsin", "OAR", "UMN")
    for rule in REGISTRY.values():
        for level in Level:
            cited = rule.crosswalk_citation(level)
            if cited is None:
                continue
            assert not any(name in cited for name in other_states), (rule.id, cited)
            if level is Level.DISTRICT:
                assert "59C" not in cited, rule.id
    essa = REGISTRY["ESSA-1"]
    assert "Colorado" in essa.design_references and "Colorado" not in essa.binding_citation
    assert REGISTRY["R-1"].crosswalk_citation(Level.SCHOOL) is None  # Oregon's cycle only
    assert "59C" in (REGISTRY["MA-15"].crosswalk_citation(Level.SCHOOL) or "")
    assert REGISTRY["SMART-M1"].crosswalk_citation(Level.SCHOOL) is None  # a quality check


@pytest.mark.parametrize(
    ("rule", "changes", "status"),
    [
        ("MA-12", [], "Met"),
        ("MA-12", [("supports.english_learners", DELETE)], "Not met"),
        ("MA-14", [("plan.stakeholder_engagement", [])], "Not met"),
        ("ESSA-1", [("plan.team", _without("plan.team", 2)),
                    ("plan.stakeholder_engagement.0.groups", ["teacher"])], "Not met"),
        ("MA-15", [("plan.approvals", _without("plan.approvals", 1))], "Partly met"),
        ("MA-15", [("plan.approvals", [])], "Not met"),
        ("ESSA-2", [("plan.identification_reason", DELETE)], "Not met"),
    ],
)  # fmt: skip
def test_the_crosswalk_label_follows_the_evidence(
    every_profile: dict[str, Any], rule: str, changes: list[Change], status: str
) -> None:
    check = check_data(changed(every_profile, changes), SCHOOL_PROFILES)
    assert check.requirement_status(rule) == status, [f.message for f in check.findings]


def test_every_input_finding_has_a_hint_in_the_inputs_terms() -> None:
    from pipeline.errors import Problem

    check = invalid(
        "plan.xlsx",
        [Problem("plan.json", "$.plan.years", "not a range"),
         Problem("plan.xlsx", "Plan › row 9 › Value (B9)", "not a date")],
    )  # fmt: skip
    json_hint, sheet_hint = (f.hint or "" for f in check.findings)
    assert "$.plan.years" in json_hint
    assert "Plan › row 9 › Value (B9)" in sheet_hint and "$" not in sheet_hint
