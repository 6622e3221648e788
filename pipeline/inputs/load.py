"""Stage 1: read an input file into plain data, with a way to name locations inside it.

Nothing here judges the content: `validate.py` does. A file that cannot be read at all gives
`InvalidInputError` with the reason and, for JSON syntax errors, the line and column. A workbook
(`pipeline/workbook/`) is read into the same data as a JSON input, with places such as
`Benchmarks › row 14 › Due (F14)`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.errors import InvalidInputError, NoInputsError, Problem
from pipeline.inputs.source import Source

INPUT_SUFFIXES = (".json", ".xlsx", ".xlsm")
"""What `find_inputs` picks up in a folder (an .xlsm is picked up to be refused, not skipped)."""


class _DuplicateKeyError(ValueError):
    pass


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


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
    try:
        data = json.loads(text, object_pairs_hook=_reject_duplicates)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise InvalidInputError([Problem(shown, where, f"not valid JSON: {exc.msg}")]) from None
    except _DuplicateKeyError as exc:
        problem = Problem(
            shown,
            "file",
            f"the key {str(exc)!r} appears twice in one object",
            "keep one; JSON readers silently drop all but the last",
        )
        raise InvalidInputError([problem]) from None
    return Source(shown, data)


def load(path: Path, name: str | None = None) -> Source:
    """Read one input file of any supported kind: JSON, or an Excel workbook."""
    # Imported here: openpyxl is slow to import, and most builds read no workbook.
    from pipeline.inputs.workbook import WORKBOOK_SUFFIXES, read_workbook

    if path.suffix.lower() == ".json":
        return load_json(path, name)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return read_workbook(path, name)
    shown = name or str(path)
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
