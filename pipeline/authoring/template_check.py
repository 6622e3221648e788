"""`pipeline templates check`: every mistake in a Word template, with where it is, before any
document is rendered from it.

The template is read paragraph by paragraph, in every part the renderer fills in (body, table
cells, text boxes, headers, footers, footnotes, document properties; see `template_parts.py`),
each with a location a person can find in Word ("body, table 2, row 3, cell 1") and its text.
A file that is not a Word document is one problem, never a traceback. Checks:

- tags not closed in their paragraph, or mangled (`{ {`, a stray `}}`);
- tags split across runs with different formatting (Word does this when part of a tag is
  re-formatted; the output takes one run's formatting);
- `{%tr %}`/`{%tc %}` tags outside a table, two paragraph or row tags in one paragraph or row,
  text sharing a paragraph with a `{%p %}` tag (docxtpl drops it);
- unbalanced blocks: an `{% if %}`/`{% for %}` never closed, a closing tag that closes nothing
  or the wrong block;
- Jinja syntax errors, at the paragraph they are in;
- variables and fields the plan context does not have (with a did-you-mean), and loops over
  values that are not lists, following Jinja's scoping (`set`, `with`, macros and their
  parameters, tuple loops, `loop`, globals such as `range`);
- `{{r …}}`/`{{p …}}` (rich text, which a plan never has: plain text would make invalid XML),
  `{% include %}`/`{% import %}`/`{% extends %}`, and tags in parts that are not filled in
  (endnotes, comments, the other document properties).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError

from pipeline.authoring.contract import ITEM, model_shape, walker
from pipeline.authoring.template_parts import Para, Part, read_parts
from pipeline.documents.render import environment
from pipeline.errors import Problem, Severity, TemplateProblemError, errors_in
from pipeline.model.documents import DOCUMENTS, Document

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_BLOCK = re.compile(r"\{%-?\s*(?P<level>p|tr|tc|r)?\s*(?P<word>[a-z_]+)")
_OPENERS = {"if", "for", "macro", "call", "filter", "with", "block", "raw", "set", "autoescape"}
_MIDDLES = {"else", "elif"}
_RICH = re.compile(r"\{\{(r|p|tr|tc)\s")
_REFUSED_HINT = "a Word template has no other templates to load; copy what you need into it"


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class _Checker:
    def __init__(self, path: Path, document: Document | None, parts: list[Part]) -> None:
        self.path = path
        self.document = document
        self.problems: list[Problem] = []
        self.parts = [part for part in parts if part.rendered]
        self.unrendered = [part for part in parts if not part.rendered]
        self.paras = [para for part in self.parts for para in part.paragraphs]

    def add(
        self,
        para: Para | None,
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
        """A printing tag split across runs takes one run's formatting: refused when the runs
        look different. Statement tags print nothing, and differences a reader cannot see (a
        language tag, an East-Asian font hint) do not matter."""
        for para in self.paras:
            if len(para.runs) < 2 or "{{" not in para.text:
                continue
            spans = []
            position = 0
            for text, look in para.runs:
                spans.append((position, position + len(text), look))
                position += len(text)
            for match in _TAG.finditer(para.text):
                if not match.group(0).startswith("{{"):
                    continue
                looks = {
                    look
                    for start, end, look in spans
                    if start < match.end() and end > match.start()
                }
                if len(looks) > 1:
                    self.add(
                        para,
                        f"the tag {match.group(0)!r} is split across runs with "
                        "different formatting",
                        "select the whole tag, clear its formatting, and format it as one",
                    )

    def rich_and_unrendered(self) -> None:
        for para in self.paras:
            match = _RICH.search(para.text)
            if match:
                self.add(
                    para,
                    f"{{{{{match[1]} …}}}} prints rich text, which a plan never has; with plain "
                    "text it writes invalid Word XML",
                    "write {{ … }} instead",
                )
        for part in self.unrendered:
            for para in part.paragraphs:
                if _TAG.search(para.text) or "{{" in para.text or "{%" in para.text:
                    self.add(
                        para,
                        f"tags in the {part.name.split(' (')[0]} are not filled in: the document "
                        "would show this tag as typed",
                        "put tags in the body, headers, footers, footnotes or the title, "
                        "subject, author, comments, identifier or language properties",
                    )

    def placement(self) -> None:
        rows: dict[str, list[Para]] = {}
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
        for part in self.parts:
            self._blocks(part.paragraphs)

    def _blocks(self, paras: list[Para]) -> None:
        stack: list[tuple[str, str | None, Para]] = []
        for para in paras:
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
        for part in self.parts:
            try:
                env.parse(part.source())
            except TemplateSyntaxError as error:
                self.add(part.at_line(error.lineno), f"Jinja syntax error: {error.message}")

    def contract(self) -> None:
        documents = [self.document] if self.document else list(DOCUMENTS)
        shapes = [model_shape(document) for document in documents]
        env = environment()
        for part in self.parts:
            try:
                found = walker(env.parse(part.source()))
            except TemplateSyntaxError:
                continue  # reported by syntax()
            for kind, line in found.refused:
                self.add(part.at_line(line), f"{{% {kind} %}} is not allowed", _REFUSED_HINT)
            for path, line in sorted(found.used.items()):
                missing_at = _missing_segment(path, shapes[0])
                if missing_at is not None and all(
                    _missing_segment(path, shape) is not None for shape in shapes[1:]
                ):
                    self._unknown(path, missing_at, shapes[0], part.at_line(line))
            for path, line in sorted(found.loops.items()):
                node = _resolve(path, shapes[0])
                if node is not _MISSING and not (isinstance(node, dict) and ITEM in node):
                    kind = "a group of fields" if isinstance(node, dict) else "a single value"
                    self.add(
                        part.at_line(line),
                        f"the loop goes over {_dotted(path)}, which is {kind}, not a list",
                        "loop over a list, e.g. objectives or o.initiatives",
                    )

    def _unknown(self, path: tuple[str, ...], index: int, shape: Any, para: Para | None) -> None:
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
        self.add(para, f"the plan has no '{_dotted(path[: index + 1])}'", hint)


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
    document's context (by default a template may use what any document sees). A file that is
    not a Word document is one problem, at "template"."""
    try:
        parts = read_parts(path)
    except TemplateProblemError as error:
        message = str(error).removeprefix(f"{path.name}: ")
        return [Problem(path.name, "template", message)]
    checker = _Checker(path, document, parts)
    checker.delimiters()
    checker.split_runs()
    checker.rich_and_unrendered()
    checker.placement()
    checker.blocks()
    if not errors_in(checker.problems):
        checker.syntax()  # the specific checks above explain most syntax errors better
    checker.contract()
    return checker.problems


def document_for(path: Path) -> Document | None:
    """The built-in document a template replaces, judged by its file name."""
    return next((d for d in DOCUMENTS if d.filename == path.name), None)
