"""INT-4: no placeholder passes as content.

"TBD", "N/A", "?", "[insert …]", "lorem ipsum" typed where a plan must say something would
otherwise be rendered as a final document. What counts as a placeholder is data,
`placeholders.toml` beside this module (documented there and in docs/checks.md); this module
reads it and walks the texts the plan's profiles require, list items included.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pipeline.checks.rules import Case, Issue, rule
from pipeline.errors import DataPath
from pipeline.model.vocabulary import Profile

DATA = Path(__file__).with_name("placeholders.toml")


@dataclass(frozen=True)
class Patterns:
    words: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    answers: frozenset[str]
    answer_fields: frozenset[str]
    any_pattern: re.Pattern[str] | None
    """The patterns as one, matching a whole text when one of them does (None when a
    pattern refers to its own groups, which joining would renumber)."""
    longer: re.Pattern[str]
    """Matches a text with more letters and digits than any word or answer: such a text is
    none of them, whatever its punctuation, and only `patterns` can make it a placeholder."""


_DOTTED = re.compile(r"(\w\.)+\w?\.?")
_PUNCTUATION = re.compile(r"[^\w\s]|_")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")


def _normal(text: str) -> str:
    """Lower-cased, without punctuation, spaces collapsed ('N/A.' → 'n a', 'T.B.D.' → 'tbd')."""
    lowered = text.strip().lower()
    if _DOTTED.fullmatch(lowered):  # T.B.D., N.A.
        lowered = lowered.replace(".", "")
    return " ".join(_PUNCTUATION.sub(" ", lowered).split())


@cache
def patterns() -> Patterns:
    """The placeholder patterns of `placeholders.toml`, normalized."""
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    words = frozenset(_normal(word) for word in data["words"])
    answers = frozenset(_normal(word) for word in data["answers"])
    # A normalized text keeps its letters and digits (`[^\W_]`) and only those, so one with
    # more of them than the longest word or answer is none of them.
    most = max(len(_LETTER_OR_DIGIT.findall(word)) for word in words | answers)
    flags = re.IGNORECASE | re.DOTALL
    compiled = tuple(re.compile(pattern, flags) for pattern in data["patterns"])
    referring = any(_REFERENCE.search(pattern) for pattern in data["patterns"])
    joined = "|".join(f"(?:{pattern})" for pattern in data["patterns"]) or "(?!)"
    return Patterns(
        words,
        compiled,
        answers,
        frozenset(data["answer_fields"]),
        None if referring else re.compile(joined, flags),
        re.compile(rf"(?:[\W_]*[^\W_]){{{most + 1}}}"),
    )


def placeholder(text: str | None, field: str | None = None) -> bool:
    """Whether `text` is a stand-in ('TBD', 'n/a', '?', '[insert name]'), not real content.

    None is a placeholder (nothing stated). `field` is the key the text is stored under: in
    the fields where 'none' is a real answer (`answer_fields`), 'none' and 'n/a' pass.
    """
    if text is None:
        return True
    known = patterns()
    trimmed = text.strip().lower()
    if known.longer.match(trimmed):  # most texts: too long to be a word, so only patterns
        return _patterned(known, trimmed)
    normal = _normal(text)
    if not normal or not (normal[0].isalnum() or any(ch.isalnum() for ch in normal)):
        return True  # "?", "---", "…"
    if normal in known.words:
        return True
    if normal in known.answers:
        return field not in known.answer_fields
    return _patterned(known, trimmed)


def _patterned(known: Patterns, trimmed: str) -> bool:
    if known.any_pattern is not None:
        return known.any_pattern.fullmatch(trimmed) is not None
    return any(pattern.fullmatch(trimmed) for pattern in known.patterns)


# The sections whose texts each profile requires (INT-4 walks those of the plan's profiles).
_SECTIONS: dict[Profile, tuple[str, ...]] = {
    Profile.DESE_SIP: (
        "organization", "plan", "foundation", "needs_assessment", "theory_of_action",
        "objectives", "supports", "outcomes",
    ),
    Profile.ACTION_PLAN: ("action_plan",),
    Profile.ROADMAP: ("roadmap",),
    Profile.MA_SCHOOL_COUNCIL: ("school_council",),
    Profile.ESSA_CSI: ("plan", "needs_assessment", "objectives", "outcomes"),
    Profile.IDEA: ("plan", "needs_assessment", "objectives", "outcomes"),
}  # fmt: skip
_SECTIONS[Profile.DESE_DISTRICT] = _SECTIONS[Profile.DESE_SIP]
_SECTIONS[Profile.ESSA_TSI] = _SECTIONS[Profile.ESSA_ATSI] = _SECTIONS[Profile.ESSA_CSI]

# Texts another rule already reports as placeholders (AP-3: a benchmark's who and what).
_ELSEWHERE = re.compile(r"^action_plan\.benchmarks\.\d+\.(responsible|description)$")
# Keys that hold codes, ids and addresses rather than text a person reads as content.
_NOT_TEXT = frozenset({"id", "code", "schema_ref", "url", "email", "year", "school_year"})


def stand_ins(value: object, path: DataPath, field: str | None) -> list[tuple[DataPath, str]]:
    """Every free text under `value` (a model, list or string) that is a placeholder, with its
    data path, in the order of the fields and items; `field` is the key `value` is stored
    under. Closed-list values (enums), ids and codes are not free text."""
    found: list[tuple[DataPath, str]] = []
    _walk(value, path, field, found)
    return found


def _walk(value: object, path: DataPath, field: str | None, found: list[Any]) -> None:
    # Depth first in the fields' order; a path is made only for containers and findings.
    if isinstance(value, Enum):
        return
    if isinstance(value, str):
        if placeholder(value, field):
            found.append((path, value))
    elif isinstance(value, BaseModel):
        for name in _text_fields(type(value)):
            item = getattr(value, name)
            if type(item) is str:
                if placeholder(item, name):
                    found.append(((*path, name), item))
            elif item is not None:
                _walk(item, (*path, name), name, found)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            if type(item) is str:
                if placeholder(item, field):
                    found.append(((*path, index), item))
            else:
                _walk(item, (*path, index), field, found)


@cache
def _text_fields(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(name for name in model.model_fields if name not in _NOT_TEXT)


def _label(path: DataPath) -> str:
    """How a message names a field: its last key, with the item it belongs to."""
    keys = [str(key).replace("_", " ") for key in path if isinstance(key, str)]
    indexes = [key for key in path if isinstance(key, int)]
    where = " › ".join(keys)
    return f"{where} (item {indexes[-1] + 1})" if indexes else where


@rule(
    "INT-4",
    "Required text is content, not a placeholder",
    citation="The plan model; DESE Planning for Success (every element of the plan stated): "
    "a plan submitted with 'TBD' or 'N/A' where an element belongs lacks that element",
    section="The whole plan",
    crosswalk=False,
)
def no_placeholders(case: Case) -> Iterator[Issue]:
    """Every text the plan's profiles require (the mission, a theory-of-action clause, a
    roadmap row's owner, a corrective action's person responsible, an outcome's evaluation…),
    and every item of a list of texts, states content: not a stand-in such as 'TBD', 'TBA',
    'N/A', 'none', 'to be determined', '?', 'xxx', 'lorem ipsum', '[insert …]', 'see above'
    or dashes (the list is `pipeline/checks/placeholders.toml`). 'None' is a real answer to
    a roadmap row's 'What do we still need to do?'."""
    sections: list[str] = []
    for profile in sorted(case.profiles):
        sections += [s for s in _SECTIONS.get(profile, ()) if s not in sections]
    for section in sections:
        for path, text in stand_ins(getattr(case.plan, section), (section,), section):
            if _ELSEWHERE.match(".".join(str(key) for key in path)):
                continue
            label = _label(path)
            yield Issue(
                path,
                f"{label} is a placeholder ('{text.strip()}'), not content",
                f"write the {label.split(' › ')[-1].split(' (')[0]} itself; if the plan has "
                "none yet, leave the field empty so the draft shows it missing",
            )
