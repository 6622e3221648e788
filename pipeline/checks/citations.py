"""A rule's sources, by kind: the binding authority a submission cites, and the design
references that informed the rule.

A Massachusetts plan is bound by statutes (M.G.L., ESEA/ESSA, IDEA), regulations (CFR, CMR)
and the guidance of the agencies that administer them (DESE; the U.S. Department of Education:
OESE, OSEP). Other states' and counties' guidance (Oregon, Colorado, Wisconsin, California
county offices) and research templates helped design some rules; docs/rules.md names them, a
submission's crosswalk appendix does not. Some binding sources bind only one level of plan:
M.G.L. c.71 §59C (school councils) binds school plans, not a district's.

A rule's `citation` lists its sources separated by semicolons; each source is classified by
the patterns below (a test fails for a source that matches neither list, so that a new rule's
citation is classified when it is written).
"""

from __future__ import annotations

import re
from functools import cache

from pipeline.model.vocabulary import Level

BINDING = re.compile(
    r"\bM\.G\.L\.|\bCFR\b|\bCMR\b|\bESEA\b|\bESSA\b|\bIDEA\b|\bDESE\b|"
    r"\bOESE\b|\bOSEP\b|U\.S\. Department of Education|\bUSED\b|Acts of \d{4}"
)
"""Statutes, regulations, and DESE and U.S. Department of Education guidance."""
DESIGN = re.compile(
    r"\bOregon\b|\bOAR\b|\bColorado\b|\bWisconsin\b|\bWISExplore\b|\bMarin\b|\bRiverside\b|"
    r"\bCalifornia\b|\bUMN\b|\bTIES\b|\bplan model\b",
    re.IGNORECASE,
)
"""Other states', counties' and researchers' guidance, and the pipeline's own model: they
informed a rule's design but do not bind a Massachusetts plan. Checked first: 'Colorado CDE
ESSA improvement planning requirements' is Colorado's reading of ESSA, not ESSA."""
SCHOOL_ONLY = re.compile(r"c\.\s?71 §\s?59C")
"""Sources that bind school plans only (the school council's plan)."""


def sources(citation: str) -> list[str]:
    """A citation's sources: split at semicolons outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in citation:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ";" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return [part for part in parts if part]


def is_binding(source: str) -> bool:
    return not DESIGN.search(source) and bool(BINDING.search(source))


@cache  # a pure function of a rule's citation, asked for every rule of every plan
def binding(citation: str, level: Level | None = None) -> str:
    """The binding sources of `citation`; for a plan of `level`, those that bind that level."""
    kept = [source for source in sources(citation) if is_binding(source)]
    if level is Level.DISTRICT:
        kept = [source for source in kept if not SCHOOL_ONLY.search(source)]
    return "; ".join(kept)


def design(citation: str) -> str:
    """The design references of `citation` (not cited to a Massachusetts reviewer)."""
    return "; ".join(source for source in sources(citation) if not is_binding(source))
