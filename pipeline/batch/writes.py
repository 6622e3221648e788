"""How a build's main process works quickly: a plan's files written at once, the manifest
serialized by json's C encoder, an unchanged input recognized without reading it, and the
dashboard written only when it would change.

Every file is written atomically and flushed to the disk before it replaces the old one
(`pipeline.files.write_atomic`); the flush is what takes the time, and flushes of several files
at once cost about what one does (the file system commits them together). So a plan's files
are written by a few threads at the same time, while the build waits for all of them.

An input is read and hashed when a build checks it, unless its size, modification and change
times and inode are those recorded when it was last read (`stable_stat`, as git and make
trust them): a change always changes its change time, which nothing can set back. Times within
two seconds of the read are not trusted (a change in the same tick of the file system's clock
could keep them): that input is hashed next time. Moved to another machine or folder, restored
from a backup, copied by a merge: its inode or change time differ, and it is hashed.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields, is_dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.errors import Problem
from pipeline.files import sha256, write_atomic

Failed = tuple[str, list[Problem]]
"""An input that failed, and why (a row of the dashboard)."""

WRITERS = 8
"""Files written at the same time."""
RECENT_NS = 2_000_000_000
"""A file changed this recently (2 s) is never recognized by its times alone: a change within
the file system's time resolution could keep the same times (git's "racy" files)."""


def input_hash(path: Path, key: str, recorded: str, stats: dict[str, list[int]]) -> str:
    """The hash of the input `path` (`key` in the manifest, `recorded` its recorded hash):
    the recorded one while its size and times are `stats[key]`, else read and hashed (and its
    size and times kept in `stats` when it is unchanged)."""
    seen = stable_stat(path.stat())
    if seen is not None and seen == stats.get(key):
        return recorded
    digest = sha256(path.read_bytes())
    if digest == recorded and seen is not None:
        stats[key] = seen  # read after the stat: the same content (else rebuilt)
    else:
        stats.pop(key, None)
    return digest


def stable_stat(info: os.stat_result) -> list[int] | None:
    """[size, modification time, change time, inode] of a file: equal next time, it is the
    same file, unchanged, without reading it (the change time cannot be set back; the inode
    tells a file replaced). None when it changed in the last RECENT_NS: its hash is needed."""
    if time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) < RECENT_NS:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


@cache
def _writers() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(WRITERS, thread_name_prefix="pipeline-write")


Data = bytes | Callable[[], bytes]
"""A file's content, or how to make it (made in the writer thread: compressing, say)."""
Written = tuple[str, int, int]
"""A file written: the SHA-256 of its content, its size and modification time (the fields of
the manifest's `Output`)."""


def _write(path: Path, data: Data) -> Written:
    if callable(data):
        data = data()
    write_atomic(path, data)
    info = path.stat()
    return sha256(data), info.st_size, info.st_mtime_ns


def write_files(files: Mapping[Path, Data]) -> dict[Path, Written]:
    """Write every file of `files` atomically (`pipeline.files.write_atomic`), a few at the
    same time (their flushes to the disk overlap; a content still to be made is made by the
    writer too); return what `Output.of` records of each. When a file cannot be written, every
    other is still tried, then the first error (in the order of `files`) is raised."""
    futures = {path: _writers().submit(_write, path, data) for path, data in files.items()}
    for future in futures.values():
        error = future.exception()
        if error is not None:
            raise error
    return {path: future.result() for path, future in futures.items()}


def _plain(value: Any) -> Any:
    """A dataclass (a manifest record, an output) as the dict json writes."""
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: getattr(value, field.name) for field in fields(value)}
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _record(entry: Any) -> Any:
    """A record (a dataclass) and its outputs as dicts, the quick way (`_plain` for others)."""
    if not is_dataclass(entry) or not hasattr(entry, "__dict__"):
        return entry
    record = dict(vars(entry))
    outputs = record.get("outputs")
    if isinstance(outputs, dict):
        record["outputs"] = {
            name: vars(output) if is_dataclass(output) and hasattr(output, "__dict__") else output
            for name, output in outputs.items()
        }
    return record


def manifest_text(header: Mapping[str, Any], entries: Mapping[str, Any]) -> str:
    """The manifest as JSON: `header`'s keys, then `plans`, one record (a dataclass) a line,
    keys sorted (json's C encoder: a pretty-printed manifest of thousands of plans takes its
    pure-Python encoder a good part of a second, many times in a long build)."""
    lines = [
        json.dumps(key, ensure_ascii=False)
        + ": "
        + json.dumps(_record(entries[key]), ensure_ascii=False, sort_keys=True, default=_plain)
        for key in sorted(entries)
    ]
    head = [f"{json.dumps(key)}: {json.dumps(header[key])}" for key in sorted(header)]
    plans = "{\n" + ",\n".join(lines) + "\n}" if lines else "{}"
    return "{" + ", ".join([*head, f'"plans": {plans}']) + "}\n"


def write_dashboard(
    out: Path, built: Mapping[str, str], failed: Sequence[Failed], recorded: str = ""
) -> str:
    """`pipeline.reports.outputs.write_index`, unless index.html is what it would write
    already; returns what the manifest records of it (`recorded`: what it recorded). A build
    that rebuilt nothing need not read every plan's check.json again. What the page is made of
    is fingerprinted: the plans listed (input and folder), each one's check.json (its size,
    times and inode) and the PDFs beside it, the failures, and the pipeline's code (its
    version, and its modules' sizes and times); with index.html's own size, time and inode
    (a page written or changed since, by a merge say, is written again)."""
    fingerprint = _dashboard_fingerprint(out, built, failed)
    if recorded and recorded == _dashboard_state(out, fingerprint):
        return recorded
    from pipeline.reports.outputs import write_index

    write_index(out, built, failed)
    return _dashboard_state(out, fingerprint)


def _dashboard_state(out: Path, fingerprint: str) -> str:
    try:
        index = (out / "index.html").lstat()
    except OSError:
        return ""
    if not stat.S_ISREG(index.st_mode):
        return ""
    return f"{fingerprint} {index.st_size} {index.st_mtime_ns} {index.st_ctime_ns} {index.st_ino}"


def _dashboard_fingerprint(out: Path, built: Mapping[str, str], failed: Sequence[Failed]) -> str:
    from pipeline.model.documents import DOCUMENTS, PACKET

    pdfs = {PACKET, *(document.pdf_filename for document in DOCUMENTS)}
    plans = []
    for source, slug in sorted(built.items()):
        folder = out / slug
        try:
            with os.scandir(folder) as entries:
                there = sorted(e.name for e in entries if e.name in pdfs and e.is_file())
            report = os.stat(folder / "check.json")
            seen: object = [report.st_size, report.st_mtime_ns, report.st_ctime_ns, report.st_ino]
        except OSError as error:
            there, seen = [], error.errno
        plans.append([source, slug, seen, there])
    problems = [
        [source, [[p.location, p.message, p.is_error] for p in found]] for source, found in failed
    ]
    return sha256(json.dumps([_code(), plans, problems], default=str).encode("utf-8"))


def _code() -> list[object]:
    """The pipeline's version and its modules' sizes and times: new code, a new dashboard."""
    from pipeline import __version__

    package = Path(__file__).resolve().parent.parent
    modules = sorted(package.rglob("*.py"))
    return [__version__, [[str(m), m.stat().st_size, m.stat().st_mtime_ns] for m in modules]]
