"""The revisions a build remembers: the canonical input of every plan revision it built, kept
under `OUT/.revisions/` by content, so the next build of a changed plan knows what it was.

A revision is the validated plan as canonical JSON (no `$schema`; the form the input was typed
in does not matter: a workbook and its JSON are one revision), gzipped without a timestamp, in
a file named by the SHA-256 of the JSON: `OUT/.revisions/<sha256>.json.gz`. The folder is
hidden and its files are not inputs (`.json.gz`), so a build never reads them as plans. The
manifest records, per plan, the revision built and the one before it (`revision`,
`previous_revision`); `--prune` and `manifest merge` keep exactly the revisions the manifest
names.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from pydantic_core import to_json

from pipeline.files import remove_owned, sha256, write_atomic

if TYPE_CHECKING:  # the model is imported where a revision is read: the main process of an
    from pipeline.model.plan import Plan  # incremental build only stores and prunes them

STORE = ".revisions"
_NAME = re.compile(r"^[0-9a-f]{64}\.json\.gz$")
MAX_REVISION_BYTES = 64 * 2**20
"""A stored revision larger than this (unpacked) is not read: it is not one we wrote."""


def canonical_bytes(plan: Plan) -> bytes:
    """The plan's canonical JSON: what a revision is, whatever form the input had."""
    data = plan.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"schema_ref"})
    if _fast_json_agrees():
        try:  # the same bytes, written by pydantic's `to_json` (in Rust, several times faster)
            return to_json(_sorted(data))
        except (_NotPlain, TypeError, ValueError):
            pass
    return _canonical_json(data)


def _canonical_json(data: Any) -> bytes:
    """The definition of the canonical JSON (`canonical_bytes` writes the same bytes faster)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


class _NotPlain(Exception):
    """A value `to_json` might not write as `_canonical_json` does."""


def _plain_float(value: float) -> bool:
    """Whether `to_json` writes `value` as Python does: not for NaN, the infinities, or a
    magnitude below 1e-4 (Python writes 1e-05, `to_json` 1e-5)."""
    return value == 0 or 1e-4 <= abs(value) < math.inf


_LEAVES = frozenset((str, int, float, bool, type(None)))
"""The classes of the values `_sorted` leaves as they are (exactly these: not a subclass)."""


def _sorted(data: dict[str, Any]) -> dict[str, Any]:
    """`data` (JSON values) with every object's keys in order, as `sort_keys` writes them;
    raises _NotPlain at a value `to_json` might write otherwise."""
    return {key: _plain(data[key]) for key in sorted(data)}


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind is str:  # most values
        return value
    if kind is dict:
        return _sorted(value)
    if kind is list:
        return [_plain(item) for item in value]
    if kind not in _LEAVES or (kind is float and not _plain_float(value)):
        raise _NotPlain
    return value


_PROBE = {
    "text": ["plain", 'quote " backslash \\ \n\t\r\b\f \x01\x1f\x7f', "é – “ ” \u2028 😀"],
    "floats": [0.0, -0.0, 1e-4, 0.5, 1.25, 45.0, 99.99, -3.75, 123456.78, 1e12, 1e15, 1.5e16],
    "ints": [0, -7, 100, 2**53, 10**20],
    "flags": [True, False, None],
    "b": {"z": 1, "a": {"y": [], "x": {}}, "\u00e9": 2, "A": 3},
}


@cache
def _fast_json_agrees() -> bool:
    """Whether pydantic's `to_json` writes, here, the bytes `_canonical_json` writes (it does
    with pydantic-core 2.x; checked once, so that another version can only be slower)."""
    try:
        return to_json(_sorted(_PROBE)) == _canonical_json(_PROBE)
    except (_NotPlain, TypeError, ValueError):
        return False


def revision_id(canonical: bytes) -> str:
    return sha256(canonical)


def is_revision_name(name: str) -> bool:
    return bool(_NAME.match(name))


def revision_path(out: Path, revision: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", revision):
        raise ValueError(f"not a revision id: {revision!r}")
    return out / STORE / f"{revision}.json.gz"


def packed(canonical: bytes) -> bytes:
    """The stored form: gzip without a name or time, so a revision is the same bytes in every
    build; its fastest level (a third of level 6's time, a fifth larger: 18 KB for a plan the
    size of the examples). Stores written at other levels read the same."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=1) as out:
        out.write(canonical)
    return buffer.getvalue()


def store(out: Path, canonical: bytes) -> str:
    """Keep a revision (once: the same content is the same file). Returns its id."""
    revision = revision_id(canonical)
    path = revision_path(out, revision)
    if not path.is_file() or path.is_symlink():
        write_atomic(path, packed(canonical))
    return revision


def load_revision(out: Path, revision: str) -> Plan | None:
    """The plan of a stored revision; None when it is not there or not one we wrote (a build
    then simply does not know the previous revision)."""
    from pipeline.model.plan import Plan

    try:
        path = revision_path(out, revision)
        if path.is_symlink() or not path.is_file():
            return None
        with gzip.open(path, "rb") as packed_file:
            canonical = packed_file.read(MAX_REVISION_BYTES + 1)
        if len(canonical) > MAX_REVISION_BYTES or revision_id(canonical) != revision:
            return None
        return Plan.model_validate(json.loads(canonical))
    except (OSError, ValueError, EOFError, ValidationError, gzip.BadGzipFile):
        return None


def prune_revisions(out: Path, keep: set[str]) -> None:
    """Remove the stored revisions the manifest no longer names (only files we write)."""
    wanted = {f"{revision}.json.gz" for revision in keep}
    remove_owned(out / STORE, lambda name: is_revision_name(name) and name not in wanted)


def copy_revisions(source: Path, target: Path, revisions: set[str]) -> None:
    """Copy the named revisions of a shard's folder into the merged folder (checked: a file
    whose content does not match its name is not copied)."""
    for revision in sorted(revisions):
        plan_path = revision_path(source, revision)
        try:
            if plan_path.is_symlink() or not plan_path.is_file():
                continue
            data = plan_path.read_bytes()
            with gzip.open(io.BytesIO(data), "rb") as packed_file:
                canonical = packed_file.read(MAX_REVISION_BYTES + 1)
        except (OSError, EOFError, gzip.BadGzipFile):
            continue
        if revision_id(canonical) == revision:
            store(target, canonical)
