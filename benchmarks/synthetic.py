"""Synthetic plans the size of the examples, for benchmarks: each a copy of an example with
its own organization, names and numbers, so every plan renders to different documents.

By default without monitoring data (no check-ins, no outcome results): plans of three
documents, so the figures stay comparable from one issue to the next. `monitoring=True`
keeps the examples' check-ins, which gives plans a fourth document (the progress report)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "inputs").glob("*.json"))

_PLACES = [
    "Maple",
    "Harbor",
    "Summit",
    "Riverside",
    "Oak Hill",
    "Lakeview",
    "Granite",
    "Pine Ridge",
    "Meadow",
    "Brookside",
    "Cedar",
    "Highland",
    "Willow",
    "Bayside",
]
_KINDS = ["Elementary School", "Middle School", "High School", "Academy", "K-8 School"]


def _nudge(data: Any, rng: random.Random) -> Any:
    """Vary percentages a little, keeping order (interim targets stay between baseline and
    final): add the same small offset to every value of an outcome or gap."""
    for outcome in data.get("outcomes") or []:
        offset = rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0])
        for row in [outcome, *outcome.get("measures", [])]:  # a measure table's rows too
            targets = [row.get("baseline"), *row.get("interim_targets", [])]
            for target in [*targets, row.get("final_target")]:
                if target:
                    target["value"] = round(min(max(target["value"] + offset, 0.0), 100.0), 1)
    for gap in (data.get("needs_assessment") or {}).get("student_group_gaps", []):
        offset = rng.choice([-1.0, 0.0, 1.0])
        for key in ("group_value", "comparison_value"):
            gap[key] = round(min(max(gap[key] + offset, 0.0), 100.0), 1)
    return data


def _without_monitoring(data: dict[str, Any]) -> dict[str, Any]:
    """The plan as it was before its first check-in: no check-ins, no outcome results."""
    if data.get("action_plan"):
        data["action_plan"].pop("check_ins", None)
    for outcome in data.get("outcomes") or []:
        outcome.pop("results", None)
    return data


def synthetic_plan(number: int, seed: int = 7, monitoring: bool = False) -> dict[str, Any]:
    rng = random.Random(seed * 100_003 + number)
    data = json.loads(EXAMPLES[number % len(EXAMPLES)].read_text(encoding="utf-8"))
    data.pop("$schema", None)
    if not monitoring:
        data = _without_monitoring(data)
    organization = data["organization"]
    organization["name"] = f"{rng.choice(_PLACES)} {rng.choice(_KINDS)} No. {number}"
    organization["code"] = f"{10_000_000 + number:08d}"
    # Each keeps its example's level: a district made a school would lack the school
    # council's plan a school needs, and every such plan would be a draft.
    organization["district"] = "Synthetic Public Schools"
    organization["district_code"] = "09990000"
    data["plan"]["revision"]["summary"] = f"Synthetic revision for plan {number}."
    return _nudge(data, rng)


def write_plans(folder: Path, count: int, monitoring: bool = False) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = folder / f"plan-{number:05d}.json"
        data = synthetic_plan(number, monitoring=monitoring)
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths
