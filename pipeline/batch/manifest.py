"""`OUT/manifest.json`: what each plan's documents were built from, so a rebuild renders only
the plans whose recorded inputs changed.

For each input the manifest records the hash of the input file, of each template used, the
pipeline's version, the options that affect output, and each output's hash (with its size and
modification time, so an unchanged output is recognized without reading it). It is written
atomically, so it is always a complete file; after a kill it may be older than the documents,
which only makes the next build redo that work.

Everything in it is checked before it is used (`Entry.from_json`): a record that is not what this
module writes (wrong types, a folder name that is not one plain name, an unknown output) is
ignored with a warning, and its plan is rebuilt. Inputs are named by their path relative to the
output folder (`input_key`), so the same inputs named another way, or from another working
directory, have the same record.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pipeline import __version__
from pipeline.batch.writes import Records, manifest_text, plain_record
from pipeline.files import (
    is_plain_name,
    remove_owned,
    sha256,
    write_atomic,
)
from pipeline.model.documents import CHANGES_HTML, CHANGES_JSON, DOCUMENTS, PACKET

FORMAT = 2
"""2: inputs named relative to the output folder. 1: as the build was given them, relative to
where it ran (still read: each record is found from the current directory, or forgotten)."""
NAME = "manifest.json"

OUTPUT_NAMES = frozenset(
    [PACKET, "check.json", "check.html"]  # pipeline.reports.outputs.REPORT_JSON, REPORT_HTML
    + [CHANGES_HTML, CHANGES_JSON]
    + [document.filename for document in DOCUMENTS]
    + [document.pdf_filename for document in DOCUMENTS]
    + [document.redline_filename for document in DOCUMENTS]
)
"""Every file a build writes in a plan's folder: the only names a record may hold, and the
only files removed with a plan's folder."""
MAX_BYTES = 32 << 20
"""The largest manifest read (32 MiB, some 15,000 plans with their PDFs): a larger one is
ignored with a warning (its plans are rebuilt), not parsed into gigabytes of memory."""
RESERVED = frozenset([NAME, "index.html", "logs", ".revisions"])
"""The output folder's own files: never a plan's folder name."""


@dataclass
class Output:
    sha256: str
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path, data: bytes) -> Output:
        stat = path.stat()
        return cls(sha256(data), stat.st_size, stat.st_mtime_ns)

    def matches(self, path: Path) -> bool:
        """Whether `path` still holds this output (stat first; read only when stat differs).
        A symbolic link, or anything but a regular file, never does."""
        try:
            info = path.lstat()
        except OSError:
            return False
        if not stat.S_ISREG(info.st_mode) or info.st_size != self.size:
            return False
        return info.st_mtime_ns == self.mtime_ns or sha256(path.read_bytes()) == self.sha256


@dataclass
class Entry:
    """One input's record."""

    slug: str
    input_sha256: str
    templates: dict[str, dict[str, str]]
    """Per document: the template's path and content hash."""
    options: dict[str, Any]
    pipeline_version: str
    outputs: dict[str, Output] = field(default_factory=dict)
    status: str = "built"
    revision: str | None = None
    """The revision built (the id of its canonical input in OUT/.revisions; batch/revisions.py)."""
    previous_revision: str | None = None
    """The revision built into this folder before it, when known."""

    def revisions(self) -> set[str]:
        """The stored revisions this record names."""
        return {r for r in (self.revision, self.previous_revision) if r is not None}

    def changes(self, other: Entry) -> list[str]:
        """Why `other` (what a build would use now) differs from this record."""
        reasons = []
        if self.input_sha256 != other.input_sha256:
            reasons.append("input changed")
        if self.templates != other.templates:
            changed = sorted(
                name
                for name in set(self.templates) | set(other.templates)
                if self.templates.get(name) != other.templates.get(name)
            )
            reasons.append(f"template changed ({', '.join(changed)})")
        if self.options != other.options:
            reasons += _option_changes(self.options, other.options)
        if self.pipeline_version != other.pipeline_version:
            reasons.append(
                f"pipeline version changed ({self.pipeline_version} → {other.pipeline_version})"
            )
        return reasons

    def same_build(self, other: Entry) -> bool:
        """Same sources and the same documents (wherever and whenever they were written)."""
        outputs = {name: output.sha256 for name, output in self.outputs.items()}
        theirs = {name: output.sha256 for name, output in other.outputs.items()}
        return self.slug == other.slug and not self.changes(other) and outputs == theirs

    @property
    def code(self) -> str:
        """The organization's code: the end of its folder's name (see worker.slug)."""
        return self.slug.rpartition("-")[2]

    @classmethod
    def from_json(cls, data: Any) -> Entry:
        """The record `data`, checked. Raises ValueError saying what is wrong with it."""
        fields = plain_record(data, OUTPUT_NAMES, RESERVED)  # the usual record, at once
        if fields is not None:
            outputs = {name: Output(**value) for name, value in fields.pop("outputs").items()}
            return cls(**fields, outputs=outputs)
        from pydantic import ValidationError

        try:
            record = _record_model().model_validate(data)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "the record"
            message = str(first["msg"]).removeprefix("Value error, ")  # pydantic's own prefix
            raise ValueError(f"{where}: {message}") from None
        outputs = {name: Output(**value.model_dump()) for name, value in record.outputs.items()}
        return cls(**{**record.model_dump(), "outputs": outputs})


@cache
def _record_model() -> Any:
    """The full check of a record (pydantic, imported only when a record is unusual)."""
    from pydantic import BaseModel, ConfigDict, Field, field_validator

    class _OutputRecord(BaseModel):
        model_config = ConfigDict(strict=True, extra="ignore")

        sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
        size: int = Field(ge=0)
        mtime_ns: int

    class _EntryRecord(BaseModel):
        """One record of manifest.json as this module writes it."""

        model_config = ConfigDict(strict=True, extra="ignore")

        slug: str
        input_sha256: str
        templates: dict[str, dict[str, str]]
        options: dict[str, Any]
        pipeline_version: str
        outputs: dict[str, _OutputRecord] = Field(default_factory=dict)
        status: Literal["built", "draft", "failed"] = "built"
        revision: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")
        previous_revision: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")

        @field_validator("slug")
        @classmethod
        def _plain_folder_name(cls, value: str) -> str:
            if not is_plain_name(value) or value in RESERVED:
                raise ValueError(f"{value!r} is not a plan's folder name")
            return value

        @field_validator("outputs")
        @classmethod
        def _known_outputs(cls, value: dict[str, _OutputRecord]) -> dict[str, _OutputRecord]:
            unknown = sorted(set(value) - OUTPUT_NAMES)
            if unknown:
                raise ValueError(f"{unknown[0]!r} is not a file a build writes")
            return value

    return _EntryRecord


def _option_changes(before: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Why the options recorded for a plan differ from this build's, in the user's terms."""
    reasons = []
    if before.get("pdf") and not now.get("pdf"):
        reasons.append("PDFs removed: this build has no --pdf")
    elif now.get("pdf") and not before.get("pdf"):
        reasons.append("PDFs asked for (--pdf)")
    elif before.get("pdf_a") != now.get("pdf_a"):
        reasons.append(
            "PDF/A asked for (--pdf-a)" if now.get("pdf_a") else "PDF/A no longer asked for"
        )
    if before.get("pdf") and now.get("pdf") and before.get("pdf_ua") != now.get("pdf_ua"):
        reasons.append(
            "PDF/UA asked for (--pdf-ua)" if now.get("pdf_ua") else "PDF/UA no longer asked for"
        )
    if before.get("profiles") != now.get("profiles"):
        shown = ", ".join(now.get("profiles") or []) or "the plan's own"
        reasons.append(f"profiles changed (now {shown})")
    if before.get("as_of") != now.get("as_of"):
        reasons.append(f"as-of date changed (now {now.get('as_of') or 'the latest check-in'})")
    if before.get("redline") != now.get("redline"):
        reasons.append(
            "redlines asked for (--redline)"
            if now.get("redline")
            else "redlines no longer asked for"
        )
    rest = set(before) | set(now)
    rest -= {"pdf", "pdf_a", "pdf_ua", "profiles", "as_of", "redline"}
    if any(before.get(key) != now.get(key) for key in rest):
        reasons.append("options changed")
    return reasons or ["options changed"]


@dataclass
class Manifest:
    entries: dict[str, Entry] = field(default_factory=Records)
    """By input key (a `writes.Records`: which records a plan folder has is known at once)."""
    warnings: list[str] = field(default_factory=list)
    """What was wrong with the file read, and was therefore left out."""
    dashboard: str = ""
    """What index.html was last written from (writes.write_dashboard): it is not written again
    while that is the same."""
    input_stats: dict[str, list[int]] = field(default_factory=dict)
    """Per input: its size and times when it was read for its record (writes.stable_stat):
    while they are the same, it is not read again to be hashed. Never a reason to build."""
    _saved: tuple[Path, str] | None = field(default=None, repr=False, compare=False)
    _lines: dict[str, tuple[Any, str]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.entries, Records):
            self.entries = Records(self.entries)

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        """The manifest in `folder`. An absent one is empty; an unreadable one is empty too,
        and a record that is not what a build writes is left out, each with a warning (the
        plans they recorded are rebuilt)."""
        path = folder / NAME
        manifest = cls()
        try:
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
                manifest.warnings.append(f"{path} is not a regular file")
                return manifest
            if info.st_size > MAX_BYTES:
                manifest.warnings.append(
                    f"{path} is {info.st_size:,} bytes, over the limit of {MAX_BYTES:,}"
                )
                return manifest
            text = path.read_text(encoding="utf-8")
            data = json.loads(text)
        except FileNotFoundError:
            return manifest
        except (OSError, ValueError, RecursionError) as error:
            manifest.warnings.append(f"{path} cannot be read: {reason_of(error)}")
            return manifest
        version = data.get("format") if isinstance(data, dict) else None
        if type(version) is not int or version not in (1, FORMAT):
            manifest.warnings.append(f"{path} is not a manifest of format {FORMAT} ({version!r})")
            return manifest
        plans = data.get("plans")
        if not isinstance(plans, dict):
            manifest.warnings.append(f"{path}: 'plans' is not an object")
            return manifest
        dashboard, stats = data.get("dashboard"), data.get("input_stats")
        manifest.dashboard = dashboard if isinstance(dashboard, str) else ""
        for key, seen in (stats or {}).items() if isinstance(stats, dict) else ():
            if isinstance(seen, list) and len(seen) == 4 and all(type(n) is int for n in seen):
                manifest.input_stats[key] = seen
        forgotten = []
        for key, value in plans.items():
            if not key or "\0" in key:
                manifest.warnings.append(f"{path}: {key!r} is not an input's name")
                continue
            try:
                entry = Entry.from_json(value)
            except ValueError as error:
                manifest.warnings.append(f"{path} › {key}: {error}")
                continue
            if version == 1:  # named relative to where that build ran
                found_here = _is_file(Path(key))
                if not found_here:
                    forgotten.append(key)
                    continue
                key = input_key(Path(key), folder)
            manifest.entries[key] = entry
        manifest._saved = (folder, sha256(text.encode("utf-8")))
        if forgotten:
            manifest.warnings.append(
                f"{path} was written by an older version, and {len(forgotten)} input(s) it "
                f"names are not found from this folder (e.g. {forgotten[0]}); their folders "
                "are kept, their plans rebuilt when built"
            )
        return manifest

    def save(self, folder: Path, progress: bool = False) -> None:
        """Write the manifest into `folder` (unless it is there already). `progress`: a save
        during a build, whose records are replaced, never changed, once recorded: a record's
        line is encoded once (`writes.manifest_text`)."""
        header: dict[str, object] = {"format": FORMAT, "pipeline_version": __version__}
        if self.dashboard:
            header["dashboard"] = self.dashboard
        seen = self.input_stats
        stats = {key: seen[key] for key in sorted(self.entries) if key in seen}
        if stats:
            header["input_stats"] = stats
        text = manifest_text(header, self.entries, self._lines if progress else None)
        saved = (folder, sha256(text.encode("utf-8")))
        if saved == self._saved and (folder / NAME).is_file():
            return  # what is there already (a build that rebuilt nothing)
        write_atomic(folder / NAME, text.encode("utf-8"))
        self._saved = saved

    def slug_owner(self, slug: str, besides: str) -> str | None:
        """The input, other than `besides`, whose documents go to folder `slug`."""
        if isinstance(self.entries, Records):
            return self.entries.owner(slug, besides)
        for key, entry in self.entries.items():
            if entry.slug == slug and key != besides:
                return key
        return None


def reason_of(error: BaseException) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    if isinstance(error, RecursionError):
        return "nested too deeply"
    return str(error) or type(error).__name__


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def input_key(path: Path, out: Path) -> str:
    """How an input is named in the manifest of output folder `out`: its path relative to
    `out`, both with their folders' links resolved, in POSIX form (an absolute path when there
    is none). The same wherever the build runs from and however the input is named."""
    where = path.parent.resolve() / path.name
    try:
        return Path(os.path.relpath(where, out.resolve())).as_posix()
    except ValueError:  # another drive
        return where.as_posix()


def input_keys(paths: list[Path], out: Path) -> dict[Path, str]:
    """`input_key` of each of `paths`, resolving `out` and each folder once."""
    base, folders, keys = out.resolve(), dict[Path, str | Path](), dict[Path, str]()
    for path in paths:
        folder = folders.get(path.parent)
        if folder is None:  # its path from `out` (relpath of a file is its folder's, joined)
            resolved = path.parent.resolve()
            try:
                folder = folders[path.parent] = os.path.relpath(resolved, base)
            except ValueError:  # another drive
                folder = folders[path.parent] = resolved
        keys[path] = Path(folder, path.name).as_posix()
    return keys


def input_path(key: str, out: Path) -> Path:
    """The input a key of the manifest of `out` names (the reverse of `input_key`)."""
    return Path(os.path.normpath(out.resolve() / key))


def shown_inputs(manifest: Manifest, out: Path) -> dict[str, str]:
    """{the input as a person names it: its path from the working folder when it lies under
    it, else its absolute path: its plan's folder}, for the dashboard."""
    here, base = Path.cwd().resolve(), out.resolve()
    shown = {}
    for key, entry in manifest.entries.items():
        path = Path(os.path.normpath(base / key))  # input_path, `out` resolved once
        shown[str(path.relative_to(here) if path.is_relative_to(here) else path)] = entry.slug
    return shown


def input_exists(key: str, out: Path) -> bool:
    """Whether the input of `key` is there; when that cannot be told, it is taken to be."""
    try:
        return input_path(key, out).exists()
    except (OSError, ValueError):
        return True


def remove_plan_folder(out: Path, slug: str) -> bool:
    """Remove the folder `out/slug` of a plan: the files a build writes there, then the folder
    when nothing else is left in it. Never follows a link, never leaves `out`. Returns whether
    the folder is gone."""
    if not is_plain_name(slug) or slug in RESERVED:
        return False
    return remove_owned(out / slug, OUTPUT_NAMES.__contains__)
