"""How a build's main process puts files on disk quickly: a plan's files written at once, and
the manifest serialized by json's C encoder.

Every file is written atomically and flushed to the disk before it replaces the old one
(`pipeline.files.write_atomic`); the flush is what takes the time, and flushes of several files
at once cost about what one does (the file system commits them together). So a plan's files
are written by a few threads at the same time, while the build waits for all of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields, is_dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.files import sha256, write_atomic

WRITERS = 8
"""Files written at the same time."""


@cache
def _writers() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(WRITERS, thread_name_prefix="pipeline-write")


Written = tuple[str, int, int]
"""A file written: the SHA-256 of its content, its size and modification time (the fields of
the manifest's `Output`)."""


def _write(path: Path, data: bytes) -> Written:
    write_atomic(path, data)
    info = path.stat()
    return sha256(data), info.st_size, info.st_mtime_ns


def write_files(files: Mapping[Path, bytes]) -> dict[Path, Written]:
    """Write every file of `files` atomically, at the same time; return what `Output.of`
    records of each. When a file cannot be written, every other is still tried, then the
    first error (in the order of `files`) is raised."""
    if len(files) <= 1:
        return {path: _write(path, data) for path, data in files.items()}
    futures = {path: _writers().submit(_write, path, data) for path, data in files.items()}
    errors = [future.exception() for future in futures.values()]
    for error in errors:
        if error is not None:
            raise error
    return {path: future.result() for path, future in futures.items()}


def _plain(value: Any) -> Any:
    """A dataclass (a manifest record, an output) as the dict json writes."""
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: getattr(value, field.name) for field in fields(value)}
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def manifest_text(header: Mapping[str, Any], entries: Mapping[str, Any]) -> str:
    """The manifest as JSON: `header`'s keys, then `plans`, one record (a dataclass) a line,
    keys sorted (json's C encoder: a pretty-printed manifest of thousands of plans takes its
    pure-Python encoder a good part of a second, many times in a long build)."""
    lines = [
        json.dumps(key, ensure_ascii=False)
        + ": "
        + json.dumps(entries[key], ensure_ascii=False, sort_keys=True, default=_plain)
        for key in sorted(entries)
    ]
    head = [f"{json.dumps(key)}: {json.dumps(header[key])}" for key in sorted(header)]
    plans = "{\n" + ",\n".join(lines) + "\n}" if lines else "{}"
    return "{" + ", ".join([*head, f'"plans": {plans}']) + "}\n"
