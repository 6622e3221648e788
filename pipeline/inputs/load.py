"""Stage 1: read an input file into plain data, with a way to name locations inside it.

Nothing here judges the content: `validate.py` does. A file that cannot be read at all gives
`InvalidInputError` with the reason and, for JSON syntax errors, the line and column. A workbook
(`pipeline/workbook/`) is read into the same data as a JSON input, with places such as
`Benchmarks › row 14 › Due (F14)`.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.errors import DataPath, InvalidInputError, NoInputsError, Problem, json_path
from pipeline.inputs.source import Source

INPUT_SUFFIXES = (".json", ".xlsx", ".xlsm")
"""What `find_inputs` picks up in a folder (an .xlsm is picked up to be refused, not skipped)."""


class _DuplicateKeyError(ValueError):
    pass


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):  # a key twice: the first one repeated is named
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKeyError(key)
            seen.add(key)
    return result


_MAX_DIGITS = sys.get_int_max_str_digits() or 4300
MAX_DEPTH = 32
"""The deepest nesting of objects and lists a JSON input may have; a plan needs 6."""

_NESTING = re.compile(r'"[^"]*"|[\[\]{}]')
"""A string (its escapes blanked out first, see `_too_deep`) or a bracket. One repeat of one
character class: the regex engine keeps no state per character, however long the string."""
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
"""Where a lone surrogate can come from: a UTF-8 text holds none, so only an escape can."""
_OTHER_BYTES = bytes(sorted(set(range(256)) - set(b'[]{}"')))
_STRING = re.compile(rb'"[^"]*"')
_INNERMOST = re.compile(rb"\[\]|\{\}")


def _too_deep(text: str) -> tuple[int, int] | None:
    """(line, column) of the first object or list nested deeper than MAX_DEPTH, found before
    parsing (the parser would run out of stack first); None when the text nests less."""
    # Escaped backslashes, then escaped quotes, blanked out with as many characters, so
    # offsets stay true and every '"' left delimits a string.
    text = text.replace("\\\\", "__").replace('\\"', "__")
    # The brackets `_NESTING` finds, in order: when removing the innermost pairs MAX_DEPTH
    # times leaves none, they nest no deeper than that (a fast answer for every plan; else
    # the scan below finds where).
    kept = text.encode("utf-8", "surrogatepass").translate(None, _OTHER_BYTES)  # [ ] { } "
    brackets = _STRING.sub(b"", kept).replace(b'"', b"")
    for _ in range(MAX_DEPTH):
        if not brackets:
            return None
        brackets = _INNERMOST.sub(b"", brackets)  # one level, in one pass
    if not brackets:
        return None
    depth = 0
    for match in _NESTING.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                start = match.start()
                line = text.count("\n", 0, start) + 1
                return line, start - (text.rfind("\n", 0, start) + 1) + 1
        elif token in "]}":
            depth -= 1
    return None


def _surrogates(data: Any, name: str) -> list[Problem]:
    """Every key and string holding an escaped lone surrogate (such as "\\ud800"): half of a
    character, which no file or document can hold."""
    problems: list[Problem] = []
    stack: list[tuple[DataPath, Any]] = [((), data)]
    while stack and len(problems) < 20:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                here = (*path, _SURROGATE.sub("\ufffd", key))
                if _SURROGATE.search(key):
                    problems.append(_surrogate_problem(name, here))
                stack.append((here, item))
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in enumerate(value))
        elif isinstance(value, str) and _SURROGATE.search(value):
            problems.append(_surrogate_problem(name, path))
    return sorted(problems, key=lambda problem: problem.location)


def _surrogate_problem(name: str, path: DataPath) -> Problem:
    return Problem(
        name,
        json_path(path),
        "holds an escaped lone surrogate (\\ud800-\\udfff), half of a character",
        "write the character itself, or both halves of its escaped pair",
    )


def _nests_deeper(data: Any, limit: int) -> bool:
    """Whether objects and lists nest deeper than `limit` in data `json.loads` gave (its
    objects and lists are exactly `dict` and `list`): in valid JSON, as deep as `_too_deep`
    finds them in its text. One level at a time: every value of a level, then its containers."""
    level = [data] if type(data) in _CONTAINERS else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        values: list[Any] = []
        for container in level:
            values += container.values() if type(container) is dict else container
        level = [value for value in values if type(value) in _CONTAINERS]
    return False


_CONTAINERS = frozenset((dict, list))


def _refuse_deep(text: str, shown: str) -> None:
    """Raise the problem of `text` nesting too deep, when it does."""
    deep = _too_deep(text)
    if deep is not None:
        problem = Problem(
            shown,
            f"line {deep[0]}, column {deep[1]}",
            f"objects and lists are nested more than {MAX_DEPTH} deep here (the limit)",
            "a plan nests about 6 deep; check the brackets",
        )
        raise InvalidInputError([problem]) from None


def _unparsed(exc: ValueError | RecursionError, shown: str) -> Problem:
    """Why `json.loads` refused a text (not nested too deep)."""
    if isinstance(exc, json.JSONDecodeError):
        where = f"line {exc.lineno}, column {exc.colno}"
        return Problem(shown, where, f"not valid JSON: {exc.msg}")
    if isinstance(exc, RecursionError):
        message = f"objects and lists are nested too deep (the limit is {MAX_DEPTH})"
        return Problem(shown, "file", message)
    if isinstance(exc, _DuplicateKeyError):
        return Problem(
            shown,
            "file",
            f"the key {str(exc)!r} appears twice in one object",
            "keep one; JSON readers silently drop all but the last",
        )
    # A number of more digits than Python converts.
    message = f"not valid JSON: {str(exc)[:200]}"
    if "digits" in str(exc):
        message = f"a number has more than {_MAX_DIGITS:,} digits (the limit)"
    return Problem(shown, "file", message)


def load_json(path: Path, name: str | None = None) -> Source:
    """Read a JSON plan. Raises InvalidInputError when it is not readable JSON."""
    shown = name or str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInputError([Problem(shown, "file", "file not found")]) from None
    except UnicodeDecodeError as exc:
        problem = Problem(shown, f"byte {exc.start}", "not UTF-8 text", "save the file as UTF-8")
        raise InvalidInputError([problem]) from None
    except OSError as exc:
        raise InvalidInputError([Problem(shown, "file", exc.strerror or str(exc))]) from None
    # Parsed first: the parser stops at its own depth limit (RecursionError), and a plan that
    # parses is looked at for its depth in the data, far faster than in the text. Whatever
    # goes wrong, an input nested too deep is refused for that, as it was before parsing.
    try:
        data = json.loads(text, object_pairs_hook=_reject_duplicates)
    except (ValueError, RecursionError) as exc:
        _refuse_deep(text, shown)
        raise InvalidInputError([_unparsed(exc, shown)]) from None
    if _nests_deeper(data, MAX_DEPTH):
        _refuse_deep(text, shown)
    escaped = "\\u" in text and _ESCAPED_SURROGATE.search(text)  # `in`: fast, most say no
    problems = _surrogates(data, shown) if escaped else []
    if problems:
        raise InvalidInputError(problems)
    return Source(shown, data)


def load(path: Path, name: str | None = None) -> Source:
    """Read one input file of any supported kind: JSON, or an Excel workbook."""
    # Imported here: the workbook package is large, and most builds read no workbook (and
    # `read_workbook`, with openpyxl, only for a workbook).
    from pipeline.inputs.workbook import WORKBOOK_SUFFIXES

    shown = name or str(path)
    if path.exists() and not path.is_file():
        # A folder, a pipe or a device: reading a pipe would wait for ever.
        raise InvalidInputError([Problem(shown, "file", "not a regular file", "name a file")])
    if path.suffix.lower() == ".json":
        return load_json(path, name)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        from pipeline.inputs.workbook import read_workbook

        return read_workbook(path, name)
    kinds = ", ".join((".json", ".xlsx"))
    raise InvalidInputError(
        [Problem(shown, "file", f"unsupported input type '{path.suffix}'", f"use {kinds}")]
    )


def find_inputs(paths: list[Path]) -> Iterator[Path]:
    """Yield input files: each file given, and the inputs inside each folder given, sorted."""
    for path in paths:
        if not path.exists():
            raise NoInputsError([path])
        if path.is_dir():
            for child in sorted(path.iterdir()):
                is_input = child.suffix.lower() in INPUT_SUFFIXES
                if child.is_file() and is_input and not child.name.startswith((".", "~$")):
                    yield child
        else:
            yield path


def select_inputs(paths: list[Path]) -> list[Path]:
    """The input files under `paths` (see `find_inputs`). Raises NoInputsError when a path
    does not exist or when there is no input at all."""
    found = list(find_inputs(paths))
    if not found:
        raise NoInputsError(paths)
    return found
