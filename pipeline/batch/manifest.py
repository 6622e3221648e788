"""`OUT/manifest.json`: what each plan's documents were built from, so a rebuild renders only
the plans whose recorded inputs changed.

For each input the manifest records the hash of the input file, of each template used, the
pipeline's version, the options that affect output, and each output's hash (with its size and
modification time, so an unchanged output is recognized without reading it). It is written
atomically, so it is always a complete file; after a kill it may be older than the documents,
which only makes the next build redo that work.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.errors import ManifestError
from pipeline.files import OutputLock, sha256, write_atomic

FORMAT = 1
NAME = "manifest.json"


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
        """Whether `path` still holds this output (stat first; read only when stat differs)."""
        try:
            stat = path.stat()
        except FileNotFoundError:
            return False
        if stat.st_size != self.size:
            return False
        return stat.st_mtime_ns == self.mtime_ns or sha256(path.read_bytes()) == self.sha256


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

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        outputs = {name: Output(**value) for name, value in data.get("outputs", {}).items()}
        return cls(**{**data, "outputs": outputs})


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
    if before.get("profiles") != now.get("profiles"):
        shown = ", ".join(now.get("profiles") or []) or "the plan's own"
        reasons.append(f"profiles changed (now {shown})")
    rest = set(before) | set(now)
    rest -= {"pdf", "pdf_a", "profiles"}
    if any(before.get(key) != now.get(key) for key in rest):
        reasons.append("options changed")
    return reasons or ["options changed"]


@dataclass
class Manifest:
    entries: dict[str, Entry] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        """The manifest in `folder`; an absent or unreadable one is empty (all is rebuilt)."""
        try:
            data = json.loads((folder / NAME).read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                return cls()
            return cls({key: Entry.from_json(value) for key, value in data["plans"].items()})
        except (OSError, ValueError, KeyError, TypeError):
            return cls()

    def save(self, folder: Path) -> None:
        data = {
            "format": FORMAT,
            "pipeline_version": __version__,
            "plans": {key: asdict(entry) for key, entry in sorted(self.entries.items())},
        }
        text = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
        write_atomic(folder / NAME, text.encode("utf-8"))

    def slug_owner(self, slug: str, besides: str) -> str | None:
        """The input, other than `besides`, whose documents go to folder `slug`."""
        for key, entry in self.entries.items():
            if entry.slug == slug and key != besides:
                return key
        return None


def input_key(path: Path) -> str:
    """How an input is named in the manifest: its path as given, in POSIX form."""
    return Path(os.path.normpath(path)).as_posix()


def merge(sources: list[Path], target: Path) -> list[str]:
    """Combine shard build folders into `target`: each plan's documents and the manifests,
    then the dashboard of every plan in `target`.

    Raises ManifestError when two shards built the same input differently, OutputLockedError
    when a build holds `target`. Returns the keys of the inputs merged.
    """
    from pipeline.reports.outputs import write_index

    with OutputLock(target):
        keys = _merge_locked(sources, target)
        entries = Manifest.load(target).entries
        write_index(target, {key: entry.slug for key, entry in entries.items()})
    return keys


def _merge_locked(sources: list[Path], target: Path) -> list[str]:
    merged = Manifest.load(target)
    incoming: dict[str, tuple[Path, Entry]] = {}
    for source in sources:
        for key, entry in Manifest.load(source).entries.items():
            if key in incoming and not incoming[key][1].same_build(entry):
                raise ManifestError(
                    f"{key} was built differently in {incoming[key][0]} and {source}"
                )
            incoming[key] = (source, entry)
    for key, (source, entry) in sorted(incoming.items()):
        owner = merged.slug_owner(entry.slug, key)
        if owner is not None:
            raise ManifestError(f"{key} and {owner} both write {entry.slug}/")
        for name in entry.outputs:
            data = (source / entry.slug / name).read_bytes()
            write_atomic(target / entry.slug / name, data)
            entry.outputs[name] = Output.of(target / entry.slug / name, data)
        merged.entries[key] = entry
    merged.save(target)
    return sorted(incoming)
