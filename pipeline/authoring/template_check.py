"""`pipeline templates check`: every mistake in a Word template, with where it is, before any
document is rendered from it.

The template is read paragraph by paragraph (body, table cells, headers, footers), each with a
location a person can find in Word ("body, table 2, row 3, cell 1") and its text. Checks:

- tags not closed in their paragraph, or mangled (`{ {`, a stray `}}`);
- tags split across runs with different formatting (Word does this when part of a tag is
  re-formatted; the output takes one run's formatting);
- `{%tr %}`/`{%tc %}` tags outside a table, two paragraph or row tags in one paragraph or row,
  text sharing a paragraph with a `{%p %}` tag (docxtpl drops it);
- unbalanced blocks: an `{% if %}`/`{% for %}` never closed, a closing tag that closes nothing
  or the wrong block;
- Jinja syntax errors;
- variables and fields the plan context does not have (with a did-you-mean), and loops over
  values that are not lists.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document as open_docx
from docx.table import Table
from docx.text.paragraph import Paragraph
from jinja2 import TemplateSyntaxError

from pipeline.authoring.contract import ITEM, model_shape, template_sources, walk
from pipeline.documents.render import environment
from pipeline.errors import Problem, Severity, errors_in
from pipeline.model.documents import DOCUMENTS, Document

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_BLOCK = re.compile(r"\{%-?\s*(?P<level>p|tr|tc|r)?\s*(?P<word>[a-z_]+)")
_OPENERS = {"if", "for", "macro", "call", "filter", "with", "block", "raw", "set"}
_MIDDLES = {"else", "elif"}


@dataclass(frozen=True)
class _Para:
    location: str
    text: str
    paragraph: Paragraph
    in_table: bool
    row_key: str | None


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _table_paragraphs(table: Table, where: str, number: int) -> Iterator[_Para]:
    for r, row in enumerate(table.rows, start=1):
        seen: set[int] = set()
        for c, cell in enumerate(row.cells, start=1):
            if id(cell._tc) in seen:  # a merged cell appears once per spanned column
                continue
            seen.add(id(cell._tc))
            place = f"{where}table {number}, row {r}, cell {c}"
            for paragraph in cell.paragraphs:
                yield _Para(place, paragraph.text, paragraph, True, f"{place.rsplit(',', 1)[0]}")
            for n, inner in enumerate(cell.tables, start=1):
                yield from _table_paragraphs(inner, f"{place}, ", n)


def paragraphs(path: Path) -> Iterator[_Para]:
    """Every paragraph of the template, in document order, with its location."""
    document = open_docx(str(path))
    body_paragraph = table_number = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            table_number += 1
            yield from _table_paragraphs(block, "body, ", table_number)
        else:
            body_paragraph += 1
            yield _Para(f"body, paragraph {body_paragraph}", block.text, block, False, None)
    for number, section in enumerate(document.sections, start=1):
        for kind, part in (("header", section.header), ("footer", section.footer)):
            if part.is_linked_to_previous and number > 1:
                continue
            for p_number, paragraph in enumerate(part.paragraphs, start=1):
                yield _Para(
                    f"{kind} of section {number}, paragraph {p_number}",
                    paragraph.text,
                    paragraph,
                    False,
                    None,
                )
            for t_number, table in enumerate(part.tables, start=1):
                yield from _table_paragraphs(table, f"{kind} of section {number}, ", t_number)


class _Checker:
    def __init__(self, path: Path, document: Document | None) -> None:
        self.path = path
        self.document = document
        self.problems: list[Problem] = []
        self.paras = list(paragraphs(path))

    def add(
        self,
        para: _Para | None,
        message: str,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        location = para.location if para else "template"
        nearby = _short(para.text) if para else ""
        self.problems.append(Problem(self.path.name, location, message, hint, severity, nearby))

    def delimiters(self) -> None:
        for para in self.paras:
            text = para.text
            rest = _TAG.sub("", text)
            for opener, closer in (("{{", "}}"), ("{%", "%}"), ("{#", "#}")):
                if opener in rest:
                    self.add(
                        para,
                        f"'{opener}' is not closed in this paragraph",
                        f"close it with '{closer}'; a tag cannot span paragraphs",
                    )
                elif closer in rest:
                    self.add(
                        para,
                        f"'{closer}' closes no tag",
                        f"a tag starts with '{opener}', with no space between the braces",
                    )
            if re.search(r"\{\s+[{%]|[}%]\s+\}", rest):
                self.add(
                    para,
                    "a tag's braces are separated by a space",
                    "write '{{ … }}' or '{% … %}' with the braces together",
                )

    def split_runs(self) -> None:
        for para in self.paras:
            runs = para.paragraph.runs
            if len(runs) < 2 or "{" not in para.text:
                continue
            spans = []
            position = 0
            for run in runs:
                spans.append((position, position + len(run.text), run))
                position += len(run.text)
            for match in _TAG.finditer(para.text):
                inside = [
                    run
                    for start, end, run in spans
                    if start < match.end() and end > match.start() and run.text
                ]
                formats = {str(run._r.rPr.xml) if run._r.rPr is not None else "" for run in inside}
                if len(formats) > 1:
                    self.add(
                        para,
                        f"the tag {match.group(0)!r} is split across runs with "
                        "different formatting",
                        "select the whole tag, clear its formatting, and format it as one",
                    )

    def placement(self) -> None:
        rows: dict[str, list[_Para]] = {}
        for para in self.paras:
            levels = [m.group("level") for m in _BLOCK.finditer(para.text) if m.group("level")]
            for level in ("tr", "tc"):
                if level in levels and not para.in_table:
                    self.add(
                        para,
                        f"a {{%{level} … %}} tag only works inside a table",
                        "use {%p … %} for paragraphs outside tables",
                    )
            if levels.count("p") > 1:
                self.add(
                    para,
                    "two {%p … %} tags in one paragraph",
                    "put each paragraph tag in a paragraph of its own",
                )
            if "p" in levels and _TAG.sub("", para.text).strip():
                self.add(
                    para,
                    "text in the same paragraph as a {%p … %} tag is dropped",
                    "move the text to its own paragraph",
                    severity=Severity.WARNING,
                )
            if "tr" in levels and para.row_key:
                rows.setdefault(para.row_key, []).append(para)
        for row in rows.values():
            tags = sum(
                1 for para in row for m in _BLOCK.finditer(para.text) if m.group("level") == "tr"
            )
            if tags > 1:
                self.add(
                    row[0],
                    "two {%tr … %} tags in one table row",
                    "put each row tag in a row of its own",
                )

    def blocks(self) -> None:
        stack: list[tuple[str, str | None, _Para]] = []
        for para in self.paras:
            for match in _BLOCK.finditer(para.text):
                word, level = match.group("word"), match.group("level")
                if word == "set" and "=" in para.text[match.end() :].split("%}")[0]:
                    continue  # {% set x = … %} is not a block
                if word in _OPENERS:
                    stack.append((word, level, para))
                elif word in _MIDDLES:
                    if not stack or stack[-1][0] not in ("if", "for"):
                        self.add(para, f"{{% {word} %}} outside an {{% if %}} or {{% for %}}")
                elif word.startswith("end"):
                    opened = word[3:]
                    if not stack:
                        self.add(
                            para,
                            f"{{% {word} %}} closes no block",
                            f"remove it, or add the {{% {opened} … %}} it should close",
                        )
                        continue
                    top, top_level, top_para = stack.pop()
                    if top != opened:
                        self.add(
                            para,
                            f"{{% {word} %}} closes the {{% {top} %}} opened at "
                            f"{top_para.location}",
                            f"close that {top} first",
                        )
                    elif (top_level or "") != (level or ""):
                        self.add(
                            para,
                            f"a block opened with {{%{top_level or ''} {top} %}} "
                            f"is closed with {{%{level or ''} {word} %}}",
                            "use the same kind of tag (p, tr, tc or none) at both ends",
                        )
        for word, _, para in stack:
            self.add(
                para,
                f"this {{% {word} %}} is never closed",
                f"add {{% end{word} %}} where the block should end",
            )

    def syntax(self) -> None:
        env = environment()
        for part, source in template_sources(self.path):
            try:
                env.parse(source)
            except TemplateSyntaxError as error:
                line = source.splitlines()[(error.lineno or 1) - 1] if source else ""
                text = re.sub(r"<[^>]+>", "", line)
                para = self._find(text) or self._find_part(part)
                self.add(para, f"Jinja syntax error: {error.message}")

    def _find(self, text: str) -> _Para | None:
        wanted = re.sub(r"\{%-?\s*(p|tr|tc|r)\s", "{% ", text).strip()
        for para in self.paras:
            plain = re.sub(r"\{%-?\s*(p|tr|tc|r)\s", "{% ", para.text)
            if wanted and wanted[:40] in plain:
                return para
        return None

    def _find_part(self, part: str) -> _Para | None:
        kind = part.split()[0]
        return next((p for p in self.paras if p.location.startswith(kind)), None)

    def contract(self) -> None:
        documents = [self.document] if self.document else list(DOCUMENTS)
        shapes = [model_shape(document) for document in documents]
        for part, source in template_sources(self.path):
            try:
                used, loops = walk(environment().parse(source))
            except TemplateSyntaxError:
                continue  # reported by syntax()
            for path in sorted(used):
                missing_at = _missing_segment(path, shapes[0])
                if missing_at is not None and all(
                    _missing_segment(path, shape) is not None for shape in shapes[1:]
                ):
                    self._unknown(path, missing_at, shapes[0], part)
            for path in sorted(loops):
                node = _resolve(path, shapes[0])
                if node is not _MISSING and not (isinstance(node, dict) and ITEM in node):
                    dotted = _dotted(path)
                    para = self._find_word(path[-1], part)
                    kind = "a group of fields" if isinstance(node, dict) else "a single value"
                    self.add(
                        para,
                        f"the loop goes over {dotted}, which is {kind}, not a list",
                        "loop over a list, e.g. objectives or o.initiatives",
                    )

    def _unknown(self, path: tuple[str, ...], index: int, shape: Any, part: str) -> None:
        known = _resolve(path[:index], shape)
        options = sorted(k for k in known if k != ITEM) if isinstance(known, dict) else []
        if isinstance(known, dict) and ITEM in known and isinstance(known[ITEM], dict):
            options = sorted(known[ITEM])
        wrong = path[index]
        close = difflib.get_close_matches(wrong, options, n=1, cutoff=0.6)
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else (f"available: {', '.join(options[:12])}" if options else None)
        )
        where = _dotted(path[: index + 1])
        self.add(self._find_word(wrong, part), f"the plan has no '{where}'", hint)

    def _find_word(self, word: str, part: str) -> _Para | None:
        pattern = re.compile(rf"\b{re.escape(word)}\b")
        for para in self.paras:
            for tag in _TAG.findall(para.text):
                if pattern.search(tag):
                    return para
        return self._find_part(part)


_MISSING = object()


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(path).replace(".[]", "[]")


def _resolve(path: tuple[str, ...], shape: Any) -> Any:
    node = shape
    for segment in path:
        if isinstance(node, dict) and ITEM in node and segment != ITEM:
            node = node[ITEM]
        if not isinstance(node, dict) or segment not in node:
            return _MISSING
        node = node[segment]
    return node


def _missing_segment(path: tuple[str, ...], shape: Any) -> int | None:
    for index in range(len(path)):
        if _resolve(path[: index + 1], shape) is _MISSING:
            return index
    return None


def check_template(path: Path, document: Document | None = None) -> list[Problem]:
    """Every problem in the template at `path`. `document` narrows the variable check to that
    document's context (by default a template may use what any document sees)."""
    checker = _Checker(path, document)
    checker.delimiters()
    checker.split_runs()
    checker.placement()
    checker.blocks()
    if not errors_in(checker.problems):
        checker.syntax()  # the specific checks above explain most syntax errors better
    checker.contract()
    return checker.problems


def document_for(path: Path) -> Document | None:
    """The built-in document a template replaces, judged by its file name."""
    return next((d for d in DOCUMENTS if d.filename == path.name), None)
