"""INT-4: a stand-in ('TBD', 'N/A', '?', '[insert …]') never passes as content, wherever a
profile requires text; its patterns are data (`pipeline/checks/placeholders.toml`)."""

from __future__ import annotations

import random
import tomllib
from typing import Any

import pytest

from pipeline.checks.placeholders import DATA, _normal, patterns, placeholder
from tests.conftest import read_json
from tests.test_checks import EVERY_PROFILE, SCHOOL_PROFILES, changed, check_data

STAND_INS = [
    "TBD", "tbd.", "T.B.D.", "TBA", "N/A", "n/a", "NA", "None", "none.", "To be determined",
    "to be determined later", "?", "??", "xxx", "XXXXX", "Lorem ipsum",
    "Lorem ipsum dolor sit amet.",
    "[insert name]", "[Insert the mission here]", "<enter text>", "see above", "See above.",
    "—", "---", "-", "…", "Not applicable", "unknown", "Pending", "TBD by the team",
]  # fmt: skip
CONTENT = [
    "Every student reads by grade 3.",
    "Ms. Rivera, principal",
    "Nancy Tran",
    "NAEP",
    "None of our students should be left behind.",
    "See the data team's report of May 2025 for the details.",
    "Title I",
    "X-ray of the schedule",
    "ELA",
]


@pytest.mark.parametrize("text", STAND_INS)
def test_stand_ins_are_placeholders(text: str) -> None:
    assert placeholder(text)


@pytest.mark.parametrize("text", CONTENT)
def test_content_is_not(text: str) -> None:
    assert not placeholder(text)


def test_none_is_an_answer_where_the_field_asks_for_one() -> None:
    assert not placeholder("None", "still_to_do")
    assert not placeholder("N/A", "still_to_do")
    assert placeholder("TBD", "still_to_do")
    assert placeholder("None", "responsible")


def test_the_data_file_is_documented_and_every_entry_is_a_placeholder() -> None:
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    assert DATA.read_text(encoding="utf-8").startswith("# Placeholders")
    for word in data["words"]:
        assert placeholder(word), word
    for word in data["answers"]:
        assert placeholder(word, "mission"), word


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    data: dict[str, Any] = read_json(EVERY_PROFILE)
    return data


@pytest.mark.parametrize(
    ("path", "text", "location"),
    [
        ("foundation.mission", "TBD", "$.foundation.mission"),
        ("foundation.vision", "N/A", "$.foundation.vision"),
        ("foundation.core_values.0.name", "xxx", "$.foundation.core_values[0].name"),
        ("theory_of_action.then", "to be determined", "$.theory_of_action.then"),
        ("roadmap.phases.3.responsible", "TBA", "$.roadmap.phases[3].responsible"),
        ("plan.corrective_actions.0.responsible", "n/a",
         "$.plan.corrective_actions[0].responsible"),
        ("outcomes.0.evaluation", "[insert evaluation]", "$.outcomes[0].evaluation"),
        ("outcomes.0.data_source", "?", "$.outcomes[0].data_source"),
    ],
)  # fmt: skip
def test_a_placeholder_is_an_error_at_its_field(
    base: dict[str, Any], path: str, text: str, location: str
) -> None:
    check = check_data(changed(base, [(path, text)]), SCHOOL_PROFILES)
    found = check.findings_of("INT-4")
    assert [f.location for f in found] == [location]
    assert f"'{text}'" in found[0].message and found[0].hint
    assert not check.complete


def test_none_still_to_do_is_an_answer(base: dict[str, Any]) -> None:
    check = check_data(changed(base, [("roadmap.phases.3.still_to_do", "None")]), SCHOOL_PROFILES)
    assert check.findings_of("INT-4") == []


def test_a_benchmarks_who_and_what_stay_with_ap3(base: dict[str, Any]) -> None:
    check = check_data(
        changed(base, [("action_plan.benchmarks.0.responsible", "TBD")]), SCHOOL_PROFILES
    )
    assert check.findings_of("INT-4") == []
    assert len(check.findings_of("AP-3")) == 1


def test_only_the_sections_of_the_plans_profiles(base: dict[str, Any]) -> None:
    from pipeline.model.vocabulary import Profile

    data = changed(base, [("roadmap.phases.3.responsible", "TBD")])
    assert check_data(data, [Profile.ESSA_CSI]).findings_of("INT-4") == []
    assert len(check_data(data, [Profile.ROADMAP]).findings_of("INT-4")) == 1


def _every_way(text: str, field: str | None = None) -> bool:
    """`placeholder` as its rules say, with no shortcut: the normalized text against every
    word, answer and pattern."""
    known = patterns()
    normal = _normal(text)
    if not any(character.isalnum() for character in normal):
        return True
    if normal in known.words or (normal in known.answers and field not in known.answer_fields):
        return True
    if normal in known.answers:
        return False
    return any(pattern.fullmatch(text.strip().lower()) for pattern in known.patterns)


def test_the_shortcut_for_long_texts_decides_as_the_rules_do() -> None:
    """A text with more letters and digits than any listed word is decided by the patterns
    alone (the fast way); the same answers as comparing it with every word."""
    rng = random.Random(5)
    pieces = [
        *STAND_INS, *CONTENT, "to", "be", "determined", "x", "n", "a", ".", "-", " ", "  ",
        "_", "!", "?", "[", "]", "é", "İ", "ß", "١", "see", "above", "lorem", "ipsum", "\t",
    ]  # fmt: skip
    texts = [*STAND_INS, *CONTENT, "to be confirmed!!!!!!!!!!", "t.o. b.e. c.o.n.f.i.r.m.e.d"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))) for _ in range(3000)]
    for text in texts:
        for field in (None, "still_to_do"):
            assert placeholder(text, field) == _every_way(text, field), (text, field)
