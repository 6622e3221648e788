"""The bounds of a template render: no value, and no part of a document, may grow past a size
a real document could have, however the template tries (repeating text, format widths,
filters, joins, nested lists, recursion).

`BoundedSandbox` is Jinja's immutable sandbox with those bounds; `read_template` refuses, with
a clear message, a file that is not a Word document before anything parses it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable
from functools import update_wrapper, wraps
from pathlib import Path
from typing import Any

from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.nodes import Concat, FilterBlock
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedFormatter
from markupsafe import EscapeFormatter, Markup

from pipeline.documents.filters import plain_nobreak
from pipeline.errors import TemplateProblemError

MAX_TEXT = 10_000_000
"""The longest text one expression may make (characters)."""
MAX_WIDTH = 10_000
"""The widest padding a template may ask for (`center`, `indent`, format widths)."""
MAX_OUTPUT = 32_000_000
"""The longest a rendered part of a document (its XML) may be (characters)."""
MAX_ITEMS = 1_000_000
"""The longest list a template may build by repeating or adding lists."""
MAX_BITS = 100_000
"""The largest integer (in bits) a template may compute."""


def _refuse(what: str, limit: int, unit: str = "characters") -> SecurityError:
    return SecurityError(f"{what} would be too large (the limit is {limit:,} {unit})")


def weight(value: Any, limit: int = MAX_TEXT) -> int:
    """About how long `str(value)` is, counting no further than just past `limit`."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 + 2 * len(item)
            if total > limit:
                return total
            stack.extend(item)
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)
            if total > limit:
                return total
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        else:
            total += 8
        if total > limit:
            return total
    return total


def check_text(value: Any, what: str = "the text") -> None:
    if weight(value) > MAX_TEXT:
        raise _refuse(what, MAX_TEXT)


_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def check_percent(fmt: str, args: Any) -> None:
    """`fmt % args` within bounds: no width or precision past MAX_WIDTH."""
    values = args if isinstance(args, tuple) else (args,)
    for match in _PERCENT.finditer(fmt):
        for size in match.groups():
            if size == "*":
                if any(isinstance(v, int) and abs(v) > MAX_WIDTH for v in values):
                    raise _refuse("a '%' format width", MAX_WIDTH)
            elif size and int(size) > MAX_WIDTH:
                raise _refuse("a '%' format width", MAX_WIDTH)
    check_text(args, "the formatted text")


def _check_spec(spec: str) -> None:
    if any(int(number) > MAX_WIDTH for number in re.findall(r"\d+", spec)):
        raise _refuse("a format width", MAX_WIDTH)


class _Formatter(SandboxedFormatter):
    def format_field(self, value: Any, format_spec: str) -> Any:
        _check_spec(format_spec)
        check_text(value, "a formatted value")
        return super().format_field(value, format_spec)


class _EscapeFormatter(_Formatter, EscapeFormatter):
    pass


def _call_size(method: str, text: str, args: tuple[Any, ...]) -> int:
    """The size of what `text.<method>(*args)` would give, before it is made."""
    if method in ("center", "ljust", "rjust", "zfill"):
        width = args[0] if args and isinstance(args[0], int) else 0
        if width > MAX_WIDTH:
            raise _refuse(f"'{method}' width", MAX_WIDTH)
        return max(width, len(text))
    if method == "expandtabs":
        size = args[0] if args and isinstance(args[0], int) else 8
        if size > MAX_WIDTH:
            raise _refuse("a tab size", MAX_WIDTH)
        return len(text) * max(size, 1)
    if method == "replace" and len(args) >= 2:
        return _replaced_size(text, str(args[0]), str(args[1]), args[2] if len(args) > 2 else -1)
    if method == "translate" and args and isinstance(args[0], dict):
        return len(text) * max([1, *(weight(v) for v in args[0].values())])
    return len(text)


def _replaced_size(text: str, old: str, new: str, count: Any) -> int:
    found = len(text) + 1 if old == "" else text.count(old)
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * (len(new) - len(old))


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with `~` going through the sandbox's size check."""

    def visit_Concat(self, node: Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            flag = "context.eval_ctx.volatile"
        else:
            flag = "True" if frame.eval_ctx.autoescape else "False"
        self.write(f"environment.bounded_join({flag}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")

    def visit_FilterBlock(self, node: FilterBlock, frame: Frame) -> None:
        """`{% filter nobreak %}` (every cell of the table templates): the body's text given to
        the filter as it is, where Jinja wraps it in Markup first, which `nobreak` makes text
        again. The same result, in half the time."""
        if not plain_nobreak(node.filter):
            super().visit_FilterBlock(node, frame)
            return
        filter_frame = frame.inner()
        filter_frame.symbols.analyze_node(node)
        self.enter_frame(filter_frame)
        self.buffer(filter_frame)
        self.blockvisit(node.body, filter_frame)
        self.start_write(frame, node)
        self.write(f"environment.nobreak_block({filter_frame.buffer})")
        self.end_write(frame)
        self.leave_frame(filter_frame)


def _bounded_concat(pieces: Iterable[str]) -> str:
    if type(pieces) is list:  # a block's output, already made: its size decides at once
        if sum(map(len, pieces)) > MAX_OUTPUT:
            raise _refuse("the rendered document part", MAX_OUTPUT)
        return "".join(pieces)
    out: list[str] = []
    append = out.append
    size = 0
    for piece in pieces:
        size += len(piece)
        if size > MAX_OUTPUT:
            raise _refuse("the rendered document part", MAX_OUTPUT)
        append(piece)
    return "".join(out)


def _filter_bound(name: str, value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a filter call whose output would be too large, before it is made."""
    check_text(value, f"the text given to '{name}'")
    for arg in (*args, *kwargs.values()):
        check_text(arg, f"an argument of '{name}'")
    text = value if isinstance(value, str) else ""
    first = args[0] if args else None
    if name == "center":
        width = first if first is not None else kwargs.get("width", 80)
        if isinstance(width, int) and width > MAX_WIDTH:
            raise _refuse("'center' width", MAX_WIDTH)
    elif name == "indent":
        width = first if first is not None else kwargs.get("width", 4)
        size = width if isinstance(width, int) else weight(width)
        if size > MAX_WIDTH:
            raise _refuse("'indent' width", MAX_WIDTH)
        if len(text) + (text.count("\n") + 1) * size > MAX_TEXT:
            raise _refuse("the indented text", MAX_TEXT)
    elif name == "replace" and len(args) >= 2:
        count = args[2] if len(args) > 2 else kwargs.get("count")
        if _replaced_size(str(value), str(args[0]), str(args[1]), count) > MAX_TEXT:
            raise _refuse("the text 'replace' makes", MAX_TEXT)
    elif name in ("join", "join_and"):
        separator = first if first is not None else kwargs.get("d", kwargs.get("separator", ""))
        items = len(value) if isinstance(value, list | tuple | dict | str) else 0
        if weight(separator) * items > MAX_TEXT:
            raise _refuse(f"the text '{name}' makes", MAX_TEXT)
    elif name == "format":
        check_percent(str(value), args or kwargs)
    elif name == "wordwrap":
        wrap = args[2] if len(args) > 2 else kwargs.get("wrapstring", "\n")
        if len(text) * (weight(wrap) + 1) > MAX_TEXT:
            raise _refuse("the wrapped text", MAX_TEXT)
    elif name in ("batch", "slice") and isinstance(first, int) and first > MAX_WIDTH:
        raise _refuse(f"'{name}' count", MAX_WIDTH, "items")
    elif name in ("tojson", "pprint") and any(
        isinstance(a, int) and a > 64 for a in (*args, *kwargs.values())
    ):
        raise _refuse(f"'{name}' indent", 64)


_BOUNDED_FILTERS = {
    *("center", "indent", "replace", "join", "join_and", "format", "wordwrap", "batch"),
    *("slice", "tojson", "pprint", "string", "striptags", "title", "capitalize", "upper"),
    *("lower", "trim", "truncate", "urlize", "xmlattr", "escape", "e", "forceescape"),
    "urlencode",
}


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        # Filters that take the environment or context get it first.
        skip = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0
        value = args[skip] if len(args) > skip else None
        _filter_bound(name, value, args[skip + 1 :], kwargs)
        result = function(*args, **kwargs)
        if isinstance(result, str) and len(result) > MAX_TEXT:
            raise _refuse(f"the text '{name}' makes", MAX_TEXT)
        return result

    bounded.pipeline_bounded = True  # type: ignore[attr-defined]
    return bounded


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, bounded: no expression can make text, lists or numbers past
    the limits above, and no rendered part can grow past MAX_OUTPUT."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    concat = staticmethod(_bounded_concat)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.bound_filters()

    def bound_filters(self) -> None:
        """Wrap the filters that make text in their size checks (again after adding any)."""
        for name in _BOUNDED_FILTERS:
            function = self.filters.get(name)
            if function is not None and not getattr(function, "pipeline_bounded", False):
                self.filters[name] = _bounded_filter(name, function)

    def nobreak_block(self, pieces: list[str]) -> Any:
        """What `{% filter nobreak %}` prints (see `_BoundedCodeGenerator.visit_FilterBlock`)."""
        if sum(map(len, pieces)) > MAX_OUTPUT:  # as `_bounded_concat`
            raise _refuse("the rendered document part", MAX_OUTPUT)
        return self.filters["nobreak"]("".join(pieces))

    def bounded_join(self, autoescape: bool, values: tuple[Any, ...]) -> str:
        for value in values:
            check_text(value, "text joined with '~'")
        if sum(weight(value) for value in values) > MAX_TEXT:
            raise _refuse("text joined with '~'", MAX_TEXT)
        return str(markup_join(values) if autoescape else str_join(values))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str):
            check_percent(left, right)
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if left.bit_length() * abs(right) > MAX_BITS:
                raise _refuse("a power", MAX_BITS, "bits")
        elif operator in ("*", "+"):
            _check_arithmetic(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and not isinstance(__obj, type):
            name = getattr(__obj, "__name__", "")
            if name == "join" and args:
                items = list(args[0])
                size = sum(weight(i) for i in items) + len(owner) * len(items)
                if size > MAX_TEXT:
                    raise _refuse("the joined text", MAX_TEXT)
                args = (items, *args[1:])
            elif _call_size(name, owner, args) > MAX_TEXT:
                raise _refuse(f"the text '{name}' makes", MAX_TEXT)
        result = super().call(__context, __obj, *args, **kwargs)
        if isinstance(result, str) and len(result) > MAX_TEXT:
            raise _refuse("the text a call makes", MAX_TEXT)
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        if super().wrap_str_format(value) is None:
            return None
        text: str = value.__self__
        kind = type(text)
        formatter: _Formatter = (
            _EscapeFormatter(self, escape=text.escape)
            if isinstance(text, Markup)
            else _Formatter(self)
        )
        is_map = value.__name__ == "format_map"

        def wrapper(*args: Any, **kwargs: Any) -> str:
            if is_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                kwargs = args[0]
                args = ()
            return kind(formatter.vformat(text, args, kwargs))

        return update_wrapper(wrapper, value)


def _check_arithmetic(operator: str, left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_BITS:
            raise _refuse("a number", MAX_BITS, "bits")
        return
    if operator == "+":
        if isinstance(left, list | tuple) and isinstance(right, list | tuple):
            if len(left) + len(right) > MAX_ITEMS:
                raise _refuse("a list", MAX_ITEMS, "items")
        if isinstance(left, str | list | tuple) and weight(left) + weight(right) > MAX_TEXT:
            raise _refuse("the text", MAX_TEXT)
        return
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and isinstance(count, int):
            if len(sequence) * count > MAX_ITEMS or weight(sequence) * count > MAX_TEXT:
                raise SecurityError(
                    "a template may not repeat text or lists that many times "
                    f"(the limit is {MAX_ITEMS:,} items)"
                )


_RICH = re.compile(r"\{\{(r|p|tr|tc)\s")


def refuse_rich_tags(xml: str) -> None:
    """Refuse `{{r …}}`, `{{p …}}`, `{{tr …}}` and `{{tc …}}`: they print rich text, which a
    plan never has, and given plain text they write invalid Word XML."""
    match = _RICH.search(re.sub(r"<[^>]*>", "", xml))
    if match:
        raise TemplateProblemError(
            f"{{{{{match[1]} …}}}} prints rich text, which a plan never has; use {{{{ … }}}} "
            "(the template must be changed)"
        )


def describe_error(error: BaseException, source: str | None = None) -> str:
    """What went wrong in a render, with the text near it when the line is known."""
    if isinstance(error, RecursionError | MemoryError):
        what = "calls itself too deeply" if isinstance(error, RecursionError) else "needs too much"
        return f"rendering was stopped: the template {what}" + (
            " memory" if isinstance(error, MemoryError) else ""
        )
    lines = list(getattr(error, "docx_context", None) or [])
    source = source or error.__dict__.get("pipeline_source")
    line = getattr(error, "lineno", None) or template_line(error)
    if not lines and source and line:
        lines = [re.sub(r"<[^>]+>", "", text) for text in source.splitlines()[line - 2 : line + 1]]
    nearby = " / ".join(text.strip() for text in lines if text.strip())
    message = getattr(error, "message", None) if isinstance(error, TemplateError) else None
    message = message or f"the template failed: {type(error).__name__}: {error}"
    return message + (f" near: {nearby}" if nearby else "")


def template_line(error: BaseException) -> int | None:
    """The template line an exception was raised at (Jinja adds frames for them)."""
    line, tb = None, error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def read_template(path: Path) -> bytes:
    """The bytes of the Word template at `path`, or TemplateProblemError saying, in words, why
    it is not one: missing or a link to nothing, empty, not a zip, a zip that is not a Word
    document (a workbook), a macro-enabled document or a Word template (.dotx)."""
    name = path.name
    if not path.exists():
        kind = "a link to a file that does not exist" if path.is_symlink() else "missing"
        raise TemplateProblemError(f"{name}: the template is {kind} ({path})")
    if not path.is_file():
        raise TemplateProblemError(f"{name}: the template is a folder, not a .docx file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise TemplateProblemError(
            f"{name}: the template cannot be read ({error.strerror})"
        ) from None
    if not data:
        raise TemplateProblemError(f"{name}: the template is an empty file, not a Word document")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            types = package.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError):
        raise TemplateProblemError(
            f"{name}: the template is not a Word document (.docx); save it from Word as "
            "'Word Document (*.docx)'"
        ) from None
    if "macroEnabled" in types:
        raise TemplateProblemError(
            f"{name}: the template is a macro-enabled document; save it as a plain .docx "
            "(templates may not carry macros)"
        )
    if _WORD not in types:
        what = "a Word template (.dotx)" if "template.main+xml" in types else "not a Word document"
        raise TemplateProblemError(
            f"{name}: the template is {what}; save it from Word as 'Word Document (*.docx)'"
        )
    return data
