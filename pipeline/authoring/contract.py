"""The template contract: which context variables a template uses, and whether they exist.

A template is read the way docxtpl reads it (body, headers, footers and core properties,
after docxtpl's tag patching), parsed with Jinja, and walked for dotted paths such as
`organization.name` or, inside `{% for i in o.initiatives %}`, `objectives[].initiatives[].lead`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import types
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from docx.oxml import parse_xml
from docxtpl import DocxTemplate
from jinja2 import nodes
from pydantic import BaseModel

from pipeline.documents.context import build_context
from pipeline.documents.render import environment
from pipeline.model.changes import Since
from pipeline.model.documents import Document
from pipeline.model.plan import Plan

VarPath = tuple[str, ...]
ITEM = "[]"
"""Path segment for 'an item of this list'."""

_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")


def _lines(source: str) -> str:
    # As docxtpl does before compiling: a paragraph per line, so errors have line numbers.
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", source)


def template_sources(path: Path) -> Iterator[tuple[str, str]]:
    """(part name, Jinja source) for every part docxtpl renders, one paragraph per line."""
    template = DocxTemplate(io.BytesIO(path.read_bytes()))
    template.init_docx()
    docx = template.docx
    yield "body", _lines(template.patch_xml(template.xml_to_string(docx._element.body)))
    for rel in docx._part.rels.values():
        if rel.reltype in (template.HEADER_URI, template.FOOTER_URI) and rel.target_part.blob:
            kind = "header" if rel.reltype == template.HEADER_URI else "footer"
            xml = template.xml_to_string(parse_xml(rel.target_part.blob))
            yield kind, _lines(template.patch_xml(xml))
    for name in _PROPERTIES:
        value = getattr(docx.core_properties, name)
        if value:
            yield f"property {name}", value


LOCAL: VarPath = ("?",)
"""A name the template binds itself (set, with, macro parameters, tuple loop targets)."""
REFUSED = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)
"""Tags that load other templates: a Word template has none to load."""


class _Walker:
    """Walks a parsed template following Jinja's own scoping: `for` and `with` bodies, macros
    and `{% call %}` blocks get their own scope, `set` binds for the rest of its scope, and
    names the template binds itself (or Jinja's globals such as `range`) are not context."""

    def __init__(self, globals_: set[str]) -> None:
        self.globals = globals_
        self.used: dict[VarPath, int] = {}
        self.loops: dict[VarPath, int] = {}
        self.refused: list[tuple[str, int]] = []

    def path(self, node: nodes.Node, scope: dict[str, VarPath]) -> VarPath | None:
        """The context path an expression refers to, if it is a plain variable path."""
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            return LOCAL if node.name == "loop" or node.name in self.globals else (node.name,)
        if isinstance(node, nodes.Getattr):
            base = self.path(node.node, scope)
            return None if base is None else base if base == LOCAL else (*base, node.attr)
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            base = self.path(node.node, scope)
            key = node.arg.value
            if base is None or base == LOCAL:
                return base
            return (*base, key) if isinstance(key, str) else (*base, ITEM)
        if isinstance(node, nodes.Or):
            return self.path(node.left, scope)
        if isinstance(node, nodes.Filter) and node.name in (
            "selectattr",
            "rejectattr",
            "list",
            "sort",
            "reverse",
            "unique",
        ):
            return self.path(node.node, scope) if node.node is not None else None
        return None

    def bind(self, target: nodes.Node, scope: dict[str, VarPath], value: VarPath | None) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = value if value is not None else LOCAL
        elif isinstance(target, nodes.Tuple | nodes.List):
            for item in target.items:
                self.bind(item, scope, None)

    def body(self, statements: list[nodes.Node], scope: dict[str, VarPath]) -> None:
        for statement in statements:
            self.visit(statement, scope)

    def _params(self, node: nodes.Macro | nodes.CallBlock, scope: dict[str, VarPath]) -> None:
        inner = dict(scope)
        for default in node.defaults:
            self.visit(default, scope)
        for arg in node.args:
            self.bind(arg, inner, None)
        for name in ("varargs", "kwargs", "caller"):
            inner[name] = LOCAL
        self.body(node.body, inner)

    def visit(self, node: nodes.Node, scope: dict[str, VarPath]) -> None:
        if isinstance(node, nodes.For):
            self.visit(node.iter, scope)
            source = self.path(node.iter, scope)
            if source is not None and source != LOCAL:
                self.loops.setdefault(source, node.lineno)
            inner = dict(scope, loop=LOCAL)
            item = (*source, ITEM) if source is not None and source != LOCAL else None
            self.bind(node.target, inner, item)
            if node.test:
                self.visit(node.test, inner)
            self.body(node.body, inner)
            self.body(node.else_, dict(scope))
        elif isinstance(node, nodes.Assign):
            self.visit(node.node, scope)
            self.bind(node.target, scope, self.path(node.node, scope))
        elif isinstance(node, nodes.AssignBlock):
            if node.filter is not None:
                self.visit(node.filter, scope)
            self.body(node.body, dict(scope))
            self.bind(node.target, scope, None)
        elif isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values, strict=False):
                self.visit(value, scope)
                self.bind(target, inner, self.path(value, scope))
            self.body(node.body, inner)
        elif isinstance(node, nodes.Macro):
            scope[node.name] = LOCAL
            self._params(node, scope)
        elif isinstance(node, nodes.CallBlock):
            self.visit(node.call, scope)
            self._params(node, scope)
        elif isinstance(node, nodes.Block | nodes.Scope | nodes.ScopedEvalContextModifier):
            for child in node.iter_child_nodes(exclude=("body",)):
                self.visit(child, scope)
            self.body(node.body, dict(scope))
        elif isinstance(node, REFUSED):
            self.refused.append((type(node).__name__.lower(), node.lineno))
            if isinstance(node, nodes.Import):
                scope[node.target] = LOCAL
            elif isinstance(node, nodes.FromImport):
                for name in node.names:
                    scope[name if isinstance(name, str) else name[1]] = LOCAL
        elif isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
            # A method call such as `d.items()`: the object must exist, not a field `items`.
            self.visit(node.node.node, scope)
            extra = [node.dyn_args, node.dyn_kwargs]
            for child in [*node.args, *node.kwargs, *(e for e in extra if e is not None)]:
                self.visit(child, scope)
        else:
            self._expression(node, scope)

    def _expression(self, node: nodes.Node, scope: dict[str, VarPath]) -> None:
        path = self.path(node, scope)
        if path == LOCAL:
            for child in node.iter_child_nodes():
                if not isinstance(child, nodes.Name):
                    self.visit(child, scope)
            return
        if path is not None:
            self.used.setdefault(path, node.lineno)
            if not isinstance(node, nodes.Name):
                # Record the base too (an object used as a condition must exist).
                self._visit_bases(node, scope)
            return
        for child in node.iter_child_nodes():
            self.visit(child, scope)

    def _visit_bases(self, node: nodes.Node, scope: dict[str, VarPath]) -> None:
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Filter | nodes.Or):
                self.visit(child, scope)


def walker(template: nodes.Template) -> _Walker:
    """The walk of a parsed template: paths used and looped over, each with its first line,
    and the tags refused (include, import, extends)."""
    found = _Walker(set(environment().globals))
    found.body(template.body, {})
    return found


def walk(template: nodes.Template) -> tuple[set[VarPath], set[VarPath]]:
    """The context paths a parsed template uses, and those it loops over."""
    found = walker(template)
    return set(found.used), set(found.loops)


def used_paths(path: Path) -> dict[VarPath, str]:
    """Every context path the template uses, with the part it appears in."""
    env = environment()
    found: dict[VarPath, str] = {}
    for part, source in template_sources(path):
        for used in walker(env.parse(source)).used:
            found.setdefault(used, part)
    return found


def _sample(annotation: Any) -> Any:
    """A value of the annotated type with every optional part present and every list holding
    one item (all ids and references equal, so references resolve)."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return _sample(next(a for a in get_args(annotation) if a is not type(None)))
    if origin is list:
        return [_sample(get_args(annotation)[0])]
    if origin is Annotated:
        return _sample(get_args(annotation)[0])
    if origin is Literal:
        return get_args(annotation)[0]
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            fields = {
                name: _sample(info.annotation) for name, info in annotation.model_fields.items()
            }
            return annotation.model_construct(**fields)
        if issubclass(annotation, Enum):
            return next(iter(annotation))
        if issubclass(annotation, dt.date):
            return dt.date(2025, 9, 1)
        if annotation is bool:
            return True
        if issubclass(annotation, int | float):
            return annotation(1)
    return "2024-25"


def full_plan() -> Plan:
    """A plan with every optional part present, derived from the model (not validated)."""
    plan = _sample(Plan)
    assert isinstance(plan, Plan)
    return plan


MONITORING_DAYS = (dt.date(2025, 8, 1), dt.date(2026, 8, 1))
"""Check-in dates before and after every other date of the full plan: its progress as of
them has targets to come and targets in force, overdue benchmarks and results."""


def _checked_in_on(plan: Plan, *days: dt.date) -> Plan:
    """`plan` with a check-in (its first) on each of `days`."""
    action = plan.action_plan
    assert action is not None and action.check_ins
    moved = [action.check_ins[0].model_copy(update={"date": day}) for day in days]
    return plan.model_copy(update={"action_plan": action.model_copy(update={"check_ins": moved})})


def model_shape(document: Document) -> Any:
    """The structure of `document`'s context for a plan with every part filled in, derived
    from the model: what a template may use. (The progress as of a check-in holds some parts
    only on some dates: the plan is also taken with check-ins on `MONITORING_DAYS`.)"""
    plan = full_plan()
    samples = [
        plan,
        _checked_in_on(plan, MONITORING_DAYS[0]),
        _checked_in_on(plan, *MONITORING_DAYS),
    ]
    contexts = [build_context(sample, document) for sample in samples]
    # A plan whose previous revision is known: the summary of changes (a sample with a change
    # in every section's first field is enough for its shape: a section, its lines).
    earlier = plan.model_copy(update={"foundation": None})
    contexts.append(build_context(plan, document, since=Since.of(earlier, plan)))
    return shape(*contexts)


def shape(*contexts: Any) -> Any:
    """The union of the structure of sample contexts: dict keys, list items, leaves."""
    merged: Any = None
    for context in contexts:
        merged = _merge(merged, context)
    return merged


def _merge(left: Any, right: Any) -> Any:
    if isinstance(right, dict):
        out = dict(left) if isinstance(left, dict) else {}
        for key, value in right.items():
            out[key] = _merge(out.get(key), value)
        return out
    if isinstance(right, list):
        item = left.get(ITEM) if isinstance(left, dict) else None
        for value in right:
            item = _merge(item, value)
        return {ITEM: item}
    return left if left is not None else right


def missing(paths: dict[VarPath, str], context_shape: Any) -> list[str]:
    """The used paths the context does not provide, as `dotted.path (part)`."""
    problems = []
    for path, part in sorted(paths.items()):
        node = context_shape
        for segment in path:
            if isinstance(node, dict) and ITEM in node and segment != ITEM:
                node = node[ITEM]  # a list used as its items (e.g. `list|join`)
            if not isinstance(node, dict) or segment not in node:
                problems.append(f"{'.'.join(path).replace('.[]', '[]')} ({part})")
                break
            node = node[segment]
    return problems
