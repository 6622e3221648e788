"""How a build's main process works quickly: a plan's files written at once, the manifest
serialized by json's C encoder, an unchanged input recognized without reading it, and the
dashboard written only when it would change.

Every file is written atomically and flushed to the disk before it replaces the old one
(`pipeline.files.write_atomic`). A plan's files are written together (`pipeline.files.together`):
each to its temporary file, then all flushed, then each renamed, one after another in this
process (threads would cost this process more CPU than they save it); their SHA-256 is the one
the worker computed of what it made.

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
import re
import stat
import time
from collections.abc import Mapping, Sequence
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pipeline.errors import Problem
from pipeline.files import is_plain_name, sha256, together, write_atomic

Failed = tuple[str, list[Problem]]
"""An input that failed, and why (a row of the dashboard)."""

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


Written = tuple[str, int, int]
"""A file written: the SHA-256 of its content, its size and modification time (the fields of
the manifest's `Output`)."""


def write_files(
    files: Mapping[Path, bytes], hashes: Mapping[Path, str] | None = None
) -> dict[Path, Written]:
    """Write every file of `files` atomically and together (`pipeline.files.together`: all
    flushed to the disk, then each renamed over its target); return what `Output.of` records
    of each, its SHA-256 from `hashes` when known there (the worker that made it hashed it).
    When a file cannot be written, every other still is, then the first error (in the order
    of `files`) is raised."""
    contents: dict[Path, bytes] = {}
    errors: dict[Path, BaseException] = {}
    with together() as batch:
        for path, content in files.items():
            try:
                write_atomic(path, content)
                contents[path] = content
            except Exception as error:
                errors[path] = error
    errors |= batch.failed
    for path in files:
        if path in errors:
            raise errors[path]
    known = hashes or {}
    written = {}
    for path, content in contents.items():
        info = batch.stats.get(path) or path.stat()
        written[path] = (known.get(path) or sha256(content), info.st_size, info.st_mtime_ns)
    return written


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


class Slugged(Protocol):
    slug: str


R = TypeVar("R", bound=Slugged)


class Records(dict[str, R]):
    """A manifest's records by input key, knowing the keys recorded for each plan folder (the
    records' `slug`, never changed once recorded): `owner` answers at once, where a scan of
    the records, once per plan of a build, would take quadratic time."""

    def __init__(self, records: Mapping[str, R] | None = None) -> None:
        super().__init__()
        self._slugs: dict[str, dict[str, None]] = {}
        self.update(records or {})

    def __reduce__(self) -> Any:
        return type(self), (dict(self),)

    def __setitem__(self, key: str, record: R) -> None:
        if key in self:
            self._slugs[self[key].slug].pop(key, None)
        super().__setitem__(key, record)
        self._slugs.setdefault(record.slug, {})[key] = None

    def __delitem__(self, key: str) -> None:
        self._slugs[self[key].slug].pop(key, None)
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        if key in self:
            self._slugs[self[key].slug].pop(key, None)
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, R]:
        key, record = super().popitem()
        self._slugs[record.slug].pop(key, None)
        return key, record

    def clear(self) -> None:
        super().clear()
        self._slugs.clear()

    def setdefault(self, key: str, default: R) -> R:
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args: Any, **kwargs: R) -> None:
        for key, record in dict(*args, **kwargs).items():
            self[key] = record

    def __ior__(self, other: Any) -> Records[R]:  # type: ignore[override,misc]
        self.update(other)
        return self

    def owner(self, slug: str, besides: str) -> str | None:
        """The first key, other than `besides`, of a record of folder `slug`."""
        keys = [key for key in self._slugs.get(slug, ()) if key != besides]
        if len(keys) > 1:  # the first in the records' order
            keys = [key for key, record in self.items() if record.slug == slug and key in keys]
        return keys[0] if keys else None


_SHA256 = re.compile("[0-9a-f]{64}")
_INT64 = range(-(2**63), 2**63)


def plain_record(data: Any, names: frozenset[str], reserved: frozenset[str]) -> Any:
    """A manifest record as read (`data`) as the fields of its `Entry` (outputs as dicts),
    when it is plainly what a build writes (`names`: the outputs a record may hold, `reserved`:
    never a folder's name), checked without pydantic (the main process need not import it);
    None when anything in it is unusual: `manifest.Entry.from_json`'s full check then says
    what. What this accepts, that check accepts alike."""
    if type(data) is not dict:
        return None
    slug, digest, templates = data.get("slug"), data.get("input_sha256"), data.get("templates")
    options, version = data.get("options"), data.get("pipeline_version")
    status = data.get("status", "built")
    revisions = [data.get("revision"), data.get("previous_revision")]
    found = data.get("outputs", {})
    if not (
        type(slug) is str
        and is_plain_name(slug)
        and slug not in reserved
        and type(digest) is str
        and type(version) is str
        and type(options) is dict
        and all(type(key) is str for key in options)
        and type(templates) is dict
        and all(_strings(key, value) for key, value in templates.items())
        and type(status) is str
        and status in ("built", "draft", "failed")
        and all(r is None or (type(r) is str and _SHA256.fullmatch(r)) for r in revisions)
        and type(found) is dict
    ):
        return None
    outputs = {}
    for name, output in found.items():
        if type(name) is not str or name not in names or type(output) is not dict:
            return None
        sha, size, mtime = output.get("sha256"), output.get("size"), output.get("mtime_ns")
        if not (type(sha) is str and _SHA256.fullmatch(sha)):
            return None
        if not (type(size) is int and size in _INT64 and size >= 0):
            return None
        if not (type(mtime) is int and mtime in _INT64):
            return None
        outputs[name] = {"sha256": sha, "size": size, "mtime_ns": mtime}
    return {
        "slug": slug,
        "input_sha256": digest,
        "templates": {name: dict(template) for name, template in templates.items()},
        "options": dict(options),
        "pipeline_version": version,
        "outputs": outputs,
        "status": status,
        "revision": revisions[0],
        "previous_revision": revisions[1],
    }


def _strings(key: object, value: object) -> bool:
    """Whether `key: value` is a str key to a dict of str to str."""
    if type(key) is not str or type(value) is not dict:
        return False
    return all(type(k) is str and type(v) is str for k, v in value.items())


def manifest_text(
    header: Mapping[str, Any],
    entries: Mapping[str, Any],
    lines: dict[str, tuple[Any, str]] | None = None,
) -> str:
    """The manifest as JSON: `header`'s keys, then `plans`, one record (a dataclass) a line,
    keys sorted (json's C encoder: a pretty-printed manifest of thousands of plans takes its
    pure-Python encoder a good part of a second, many times in a long build). With `lines`
    (record key → (record, its line)), a record that is the one (the same object) whose line
    is kept there is not encoded again: for a build's saves of its progress, whose records
    are replaced, never changed, once recorded."""
    text = []
    for key in sorted(entries):
        entry = entries[key]
        kept = lines.get(key) if lines is not None else None
        if kept is not None and kept[0] is entry:
            text.append(kept[1])
            continue
        line = (
            json.dumps(key, ensure_ascii=False)
            + ": "
            + json.dumps(_record(entry), ensure_ascii=False, sort_keys=True, default=_plain)
        )
        if lines is not None:
            lines[key] = (entry, line)
        text.append(line)
    head = [f"{json.dumps(key)}: {json.dumps(header[key])}" for key in sorted(header)]
    plans = "{\n" + ",\n".join(text) + "\n}" if text else "{}"
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
    pdfs: dict[str, list[str]] = {}  # per plan folder: the PDFs in it (`write_index`'s too)
    fingerprint = _dashboard_fingerprint(out, built, failed, pdfs)
    if recorded and recorded == _dashboard_state(out, fingerprint):
        return recorded
    from pipeline.reports.outputs import write_index

    write_index(out, built, failed, pdfs)
    return _dashboard_state(out, fingerprint)


def _dashboard_state(out: Path, fingerprint: str) -> str:
    try:
        index = (out / "index.html").lstat()
    except OSError:
        return ""
    if not stat.S_ISREG(index.st_mode):
        return ""
    return f"{fingerprint} {index.st_size} {index.st_mtime_ns} {index.st_ctime_ns} {index.st_ino}"


def _dashboard_fingerprint(
    out: Path, built: Mapping[str, str], failed: Sequence[Failed], listed: dict[str, list[str]]
) -> str:
    """(`listed`: filled with the PDFs found in each plan's folder.)"""
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
            listed[slug] = there
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
    stats = [(module, module.stat()) for module in modules]
    return [__version__, [[str(m), info.st_size, info.st_mtime_ns] for m, info in stats]]
