"""The template authors' page documents every variable the templates see."""

from __future__ import annotations

from pipeline.documents.context import build_context
from pipeline.model.documents import DOCUMENTS
from tests.conftest import MINIMAL, ROOT, plan_of, read_json


def test_every_top_level_variable_is_documented() -> None:
    page = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    plan = plan_of(read_json(MINIMAL))
    for document in DOCUMENTS:
        for name in build_context(plan, document):
            assert f"`{name}`" in page, name


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.index("make build") < readme.index("make test") < readme.index("## Usage")
