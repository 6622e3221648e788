"""Profiles: which rules apply to a plan, at which severity (the data is `profiles.toml`)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline.checks.rules import REGISTRY
from pipeline.errors import Severity
from pipeline.model.plan import Plan
from pipeline.model.vocabulary import EssaDesignation, Level, Profile

PROFILES_FILE = Path(__file__).with_name("profiles.toml")

_DESIGNATED = {
    EssaDesignation.CSI: Profile.ESSA_CSI,
    EssaDesignation.TSI: Profile.ESSA_TSI,
    EssaDesignation.ATSI: Profile.ESSA_ATSI,
}


@dataclass(frozen=True)
class ProfileRules:
    """What `profiles.toml` says: the rules of every plan, and each profile's rules."""

    always: tuple[str, ...]
    rules: dict[Profile, dict[str, Severity]]


@cache
def profile_rules() -> ProfileRules:
    """The profiles data, read once; every rule it names must exist (a test checks)."""
    data = tomllib.loads(PROFILES_FILE.read_text(encoding="utf-8"))
    rules: dict[Profile, dict[str, Severity]] = {}
    for name, table in data["profiles"].items():
        overrides = {key: Severity(value) for key, value in table.get("severity", {}).items()}
        rules[Profile(name)] = {
            rule_id: overrides.get(rule_id, REGISTRY[rule_id].severity)
            for rule_id in table["rules"]
        }
    return ProfileRules(tuple(data["always"]), rules)


def plan_profiles(plan: Plan) -> tuple[Profile, ...]:
    """The profiles a plan is checked under, from its own content: its level, the parts it
    has, its ESSA designation, and the profiles it lists."""
    school = plan.organization.level is Level.SCHOOL
    found = {Profile.DESE_SIP if school else Profile.DESE_DISTRICT}
    if school:  # every Massachusetts public school's council plan (M.G.L. c.71 §59C)
        found.add(Profile.MA_SCHOOL_COUNCIL)
    if plan.action_plan is not None:
        found.add(Profile.ACTION_PLAN)
    if plan.roadmap is not None:
        found.add(Profile.ROADMAP)
    if plan.plan.essa_designation in _DESIGNATED:
        found.add(_DESIGNATED[plan.plan.essa_designation])
    found.update(plan.plan.profiles)
    return ordered(found)


def ordered(profiles: Iterable[Profile]) -> tuple[Profile, ...]:
    """Profiles in the vocabulary's order, each once."""
    chosen = set(profiles)
    return tuple(profile for profile in Profile if profile in chosen)


def applicable(profiles: Iterable[Profile]) -> dict[str, Severity]:
    """{rule id: severity} for the rules that apply under `profiles`: the strictest severity
    any of them gives a rule."""
    data = profile_rules()
    result = {rule_id: REGISTRY[rule_id].severity for rule_id in data.always}
    for profile in ordered(profiles):
        for rule_id, severity in data.rules.get(profile, {}).items():
            if result.get(rule_id) is not Severity.ERROR:
                result[rule_id] = severity
    return result


def profiles_of_rule(rule_id: str) -> tuple[Profile, ...]:
    """The profiles that apply a rule (empty for the rules every plan is checked against)."""
    return tuple(profile for profile, rules in profile_rules().rules.items() if rule_id in rules)
