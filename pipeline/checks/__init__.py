"""Stage 3 of a build: completeness and compliance checks of a validated plan.

One module per rule family registers its rules (`rules.py` says what a rule is):

- `integrity.py` INPUT, INT: the input is a valid plan, its parts connected
- `placeholders.py` INT-4: no stand-in ('TBD', 'N/A') passes as content (`placeholders.toml`)
- `structure.py` MA: the Massachusetts multi-year plan (M.G.L. c.69 §1I, Planning for Success)
- `stated.py` MA: what a real plan may leave unstated: leader, revision, objectives' rationale
- `steps.py` MA: the initiatives' action steps over the plan's years, their timelines
- `theory.py` TOA: the shape of each theory of action (the plan's, objectives', initiatives')
- `smart.py` SMART: outcomes are SMART, row by row of a measure table (`measures.py`)
- `numbers.py` SMART: an outcome's numbers are what its words say; no percentages as fractions
- `subject.py` what an outcome's metric measures: students, or adult practice (SMART-R2)
- `goals.py` SMART: an objective's goal statement, where it states a measured target
- `action_plan.py` AP: the annual action plan
- `monitoring.py` MON: the plan's year: check-ins, benchmark statuses, adjustments, results
- `roadmap.py` R: the continuous-improvement roadmap
- `council.py` SC: the school council's plan (M.G.L. c.71 §59C)
- `essa.py` ESSA: CSI, TSI and ATSI plans (ESEA §1111(d))
- `idea.py` IDEA: special-education improvement and corrective action plans

`profiles.toml` says which rules apply under which profile, at which severity (`profiles.py`
reads it and derives a plan's own profiles); `engine.py` runs the rules. Reports of a check
are `pipeline.reports`; what a draft shows, `pipeline.documents.draft`.

Imports the foundation, `pipeline.model` and `pipeline.inputs`.
"""

from pipeline.checks import (  # noqa: F401  (imported to register their rules)
    action_plan,
    council,
    essa,
    goals,
    idea,
    integrity,
    monitoring,
    numbers,
    placeholders,
    roadmap,
    smart,
    stated,
    steps,
    structure,
    theory,
)
from pipeline.checks.engine import (
    Completeness,
    Finding,
    PlanCheck,
    check_paths,
    check_plan,
    failed,
    invalid,
)
from pipeline.checks.rules import REGISTRY, Rule, ordered_rules

__all__ = [
    "REGISTRY",
    "Completeness",
    "Finding",
    "PlanCheck",
    "Rule",
    "check_paths",
    "check_plan",
    "failed",
    "invalid",
    "ordered_rules",
]
