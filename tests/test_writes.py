"""How a build's main process writes (`pipeline/batch/writes.py`): a plan's files at once, each
atomically and recorded as `Output.of` records it; the manifest's text; inputs recognized by
their size and times; the dashboard written again only when it would change."""

from __future__ import annotations

import json
import os
import pickle
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from pipeline import __version__
from pipeline.batch.manifest import Entry, Manifest, Output
from pipeline.batch.writes import (
    input_hash,
    manifest_text,
    stable_stat,
    write_dashboard,
    write_files,
)
from pipeline.files import sha256


def test_files_are_written_whole_and_recorded_as_output_of(tmp_path: Path) -> None:
    files = {tmp_path / "a" / f"{n}.docx": os.urandom(1000 * n) for n in range(1, 6)}
    files[tmp_path / "a" / "made.json"] = b'{"made": true}'
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "1.docx").write_bytes(b"old")
    written = write_files(files)
    assert list(written) == list(files)
    for path, data in files.items():
        content = path.read_bytes()
        assert content == data
        assert Output(*written[path]) == Output.of(path, content)
        assert path.stat().st_mode & 0o777 == 0o644
    assert not [p for p in (tmp_path / "a").iterdir() if p.name.endswith(".tmp")]


def test_a_file_that_cannot_be_written_is_named_after_the_others_are(tmp_path: Path) -> None:
    (tmp_path / "blocked").write_text("a file where a folder should be")
    files = {tmp_path / "ok.docx": b"1", tmp_path / "blocked" / "x.docx": b"2"}
    with pytest.raises(OSError) as raised:
        write_files(files)
    assert "blocked" in str(raised.value.filename)
    assert (tmp_path / "ok.docx").read_bytes() == b"1"


def test_the_manifest_text_is_json_of_every_record(tmp_path: Path) -> None:
    entry = Entry("plan-1", "a" * 64, {"roadmap": {"path": "p", "sha256": "b"}}, {"pdf": True}, "1")
    entry.outputs["roadmap.docx"] = Output("c" * 64, 3, 4)
    entries = {"in/ü.json": entry, "in/a.json": Entry("plan-2", "d" * 64, {}, {}, "1")}
    text = manifest_text({"format": 2, "pipeline_version": "1"}, entries)
    data = json.loads(text)
    assert list(data) == ["format", "pipeline_version", "plans"]
    assert list(data["plans"]) == ["in/a.json", "in/ü.json"]
    assert data["plans"] == {key: asdict(value) for key, value in entries.items()}
    assert json.loads(manifest_text({"format": 2}, {})) == {"format": 2, "plans": {}}


def test_an_unchanged_manifest_is_not_written_again(tmp_path: Path) -> None:
    manifest = Manifest({"in/a.json": Entry("plan-1", "a" * 64, {}, {}, "1")})
    manifest.save(tmp_path)
    path = tmp_path / "manifest.json"
    before = path.stat().st_mtime_ns
    time.sleep(0.01)
    loaded = Manifest.load(tmp_path)
    loaded.save(tmp_path)
    assert path.stat().st_mtime_ns == before
    loaded.entries["in/a.json"].status = "draft"
    loaded.save(tmp_path)
    assert Manifest.load(tmp_path).entries["in/a.json"].status == "draft"


def test_an_input_is_recognized_by_its_size_and_times_unless_just_changed(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text("{}")
    assert stable_stat(path.stat()) is None  # just written: its times cannot be trusted
    old = time.time_ns() - 10 * 10**9
    os.utime(path, ns=(old, old))
    stats: dict[str, list[int]] = {}
    # ctime is now: still too recent to be trusted, so the input is read and hashed
    assert input_hash(path, "plan.json", sha256(b"{}"), stats) == sha256(b"{}")
    assert stats == {}


def test_a_recorded_stat_spares_the_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "plan.json"
    path.write_text("{}")
    info = path.stat()
    stats = {"plan.json": [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]}
    monkeypatch.setattr("pipeline.batch.writes.RECENT_NS", -(10**12))
    assert input_hash(path, "plan.json", "recorded", stats) == "recorded"  # not read
    path.write_text("{ }")
    assert input_hash(path, "plan.json", "recorded", stats) == sha256(b"{ }")
    assert stats == {}  # changed: its stat is forgotten


def test_the_dashboard_is_written_again_only_when_it_would_change(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "plan-1").mkdir(parents=True)
    (out / "plan-1" / "check.json").write_text('{"plans": []}')
    built = {"in/a.json": "plan-1"}
    recorded = write_dashboard(out, built, [])
    index = out / "index.html"
    first = index.stat().st_mtime_ns
    time.sleep(0.01)
    assert write_dashboard(out, built, [], recorded) == recorded
    assert index.stat().st_mtime_ns == first  # nothing changed
    (out / "plan-1" / "roadmap.pdf").write_bytes(b"%PDF")
    recorded = write_dashboard(out, built, [], recorded)
    assert index.stat().st_mtime_ns != first  # a PDF appeared: its link
    index.write_text("changed by hand")
    write_dashboard(out, built, [], recorded)
    assert index.read_text() != "changed by hand"  # the page itself is fingerprinted too
    index.unlink()
    write_dashboard(out, built, [], recorded)
    assert index.is_file()


def test_the_manifest_keeps_its_dashboard_and_input_stats(tmp_path: Path) -> None:
    entries = {"a.json": Entry("plan-1", "a" * 64, {}, {}, "1")}
    stats = {"a.json": [1, 2, 3, 4], "gone.json": [5, 6, 7, 8]}
    Manifest(entries, dashboard="abc 1 2 3 4", input_stats=stats).save(tmp_path)
    loaded = Manifest.load(tmp_path)
    assert loaded.dashboard == "abc 1 2 3 4"
    assert loaded.input_stats == {"a.json": [1, 2, 3, 4]}  # only the inputs recorded


# ---------------------------------------------------------------------------------------------
# files written together; records checked without pydantic; the records' folder index


def test_files_written_together_replace_nothing_before_all_are_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.files import together, write_atomic

    targets = [tmp_path / f"{n}.docx" for n in range(3)]
    for target in targets:
        target.write_bytes(b"old")
    flushed: list[str] = []
    real_fsync = os.fsync

    def fsync(handle: int) -> None:
        assert all(target.read_bytes() == b"old" for target in targets)  # none replaced yet
        flushed.append(os.readlink(f"/proc/self/fd/{handle}"))
        real_fsync(handle)

    monkeypatch.setattr(os, "fsync", fsync)
    with together() as batch:
        for target in targets:
            write_atomic(target, b"new " + target.name.encode())
        assert all(target.read_bytes() == b"old" for target in targets)
    assert len(flushed) == 3 and all(".tmp" in name for name in flushed)
    assert [target.read_bytes() for target in targets] == [
        b"new 0.docx",
        b"new 1.docx",
        b"new 2.docx",
    ]
    assert batch.failed == {}
    for target in targets:
        info = target.stat()
        assert (batch.stats[target].st_size, batch.stats[target].st_mtime_ns) == (
            info.st_size,
            info.st_mtime_ns,
        )
        assert info.st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.docx", "1.docx", "2.docx"]


def test_a_file_that_cannot_be_flushed_keeps_its_old_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {tmp_path / "a.docx": b"new a", tmp_path / "b.docx": b"new b"}
    for path in files:
        path.write_bytes(b"old")
    real_fsync, calls = os.fsync, []

    def failing(handle: int) -> None:
        calls.append(handle)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        real_fsync(handle)

    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(OSError, match="Input/output error"):
        write_files(files)
    assert (tmp_path / "a.docx").read_bytes() == b"new a"
    assert (tmp_path / "b.docx").read_bytes() == b"old"  # never half-written, nor replaced
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_block_that_raises_replaces_nothing(tmp_path: Path) -> None:
    from pipeline.files import together, write_atomic

    target = tmp_path / "a.docx"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), together():
        write_atomic(target, b"new")
        raise KeyboardInterrupt
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.docx"]
    write_atomic(target, b"alone")  # outside a block: written at once
    assert target.read_bytes() == b"alone"


def test_written_files_take_the_hashes_given(tmp_path: Path) -> None:
    files: dict[Path, bytes | Any] = {tmp_path / "a.docx": b"a", tmp_path / "b.docx": b"b"}
    written = write_files(files, {tmp_path / "a.docx": "f" * 64})
    assert written[tmp_path / "a.docx"][0] == "f" * 64  # as the worker hashed it
    assert written[tmp_path / "b.docx"][0] == sha256(b"b")


def _record() -> dict[str, Any]:
    return {
        "slug": "plan-1",
        "input_sha256": "a" * 64,
        "templates": {"roadmap": {"path": "built-in:roadmap.docx", "sha256": "b" * 64}},
        "options": {"pdf": False, "profiles": ["x"]},
        "pipeline_version": "1",
        "outputs": {"roadmap.docx": {"sha256": "c" * 64, "size": 3, "mtime_ns": 4}},
        "status": "draft",
        "revision": "d" * 64,
        "previous_revision": None,
    }


def _variants() -> list[Any]:
    """Records as a build writes them, and ways each can be wrong or unusual."""
    found: list[Any] = [_record(), [], None, "plan"]
    replacements: dict[str, list[Any]] = {
        "slug": ["", ".hidden", "a/b", "index.html", 3, None, "x" * 300],
        "input_sha256": [3, None, ""],
        "templates": [[], {"roadmap": []}, {"roadmap": {"path": 3}}, {}],
        "options": [[], None, {}],
        "pipeline_version": [1, None],
        "outputs": [
            None,
            [],
            {},
            {"notes.txt": {"sha256": "c" * 64, "size": 3, "mtime_ns": 4}},
            {"roadmap.docx": {"sha256": "C" * 64, "size": 3, "mtime_ns": 4}},
            {"roadmap.docx": {"sha256": "c" * 64 + "\n", "size": 3, "mtime_ns": 4}},
            {"roadmap.docx": {"sha256": "c" * 64, "size": -1, "mtime_ns": 4}},
            {"roadmap.docx": {"sha256": "c" * 64, "size": True, "mtime_ns": 4}},
            {"roadmap.docx": {"sha256": "c" * 64, "size": 3.0, "mtime_ns": 4}},
            {"roadmap.docx": {"sha256": "c" * 64, "size": 3, "mtime_ns": 2**70}},
            {"roadmap.docx": {"sha256": "c" * 64, "size": 3}},
            {"roadmap.docx": {"sha256": "c" * 64, "size": 3, "mtime_ns": 4, "more": 1}},
            {"roadmap.docx": []},
        ],
        "status": ["built", "failed", "other", None, 1],
        "revision": [None, "e" * 63, "E" * 64, 3],
        "previous_revision": ["f" * 64, "x"],
    }
    for name, values in replacements.items():
        for value in values:
            found.append({**_record(), name: value})
        found.append({key: value for key, value in _record().items() if key != name})
    found.append({**_record(), "extra": "ignored"})
    return found


@pytest.mark.parametrize("data", _variants())
def test_a_record_checked_quickly_is_what_the_full_check_makes_of_it(data: Any) -> None:
    from pipeline.batch import manifest
    from pipeline.batch.writes import plain_record

    try:
        record = manifest._record_model().model_validate(data)
        full: Entry | None = Entry(
            **{
                **record.model_dump(),
                "outputs": {n: Output(**o.model_dump()) for n, o in record.outputs.items()},
            }
        )
    except ValueError:
        full = None
    if plain_record(data, manifest.OUTPUT_NAMES, manifest.RESERVED) is not None:
        assert full is not None and Entry.from_json(data) == full  # never accepts more
    elif full is not None:
        assert Entry.from_json(data) == full  # the full check decides
    else:
        with pytest.raises(ValueError):
            Entry.from_json(data)
    if json.dumps(data) == json.dumps(_record()):
        assert plain_record(data, manifest.OUTPUT_NAMES, manifest.RESERVED) is not None


def test_the_owner_of_a_folder_is_found_as_a_scan_would_find_it() -> None:
    import random

    from pipeline.batch.writes import Records

    generator = random.Random(7)
    records: Records[Entry] = Records()
    plain: dict[str, Entry] = {}
    for _ in range(2000):
        key, slug = f"in/{generator.randrange(30)}.json", f"plan-{generator.randrange(8)}"
        operation = generator.randrange(5)
        if operation <= 1:
            entry = Entry(slug, "a" * 64, {}, {}, "1")
            records[key] = plain[key] = entry
        elif operation == 2:
            assert records.pop(key, None) is plain.pop(key, None)
        elif operation == 3 and key in plain:
            del records[key], plain[key]
        besides = f"in/{generator.randrange(30)}.json"
        scan = next((k for k, e in plain.items() if e.slug == slug and k != besides), None)
        assert records.owner(slug, besides) == scan
        assert records == plain and list(records) == list(plain)
    manifest = Manifest(dict(plain))
    assert isinstance(manifest.entries, Records)
    copied = pickle.loads(pickle.dumps(manifest.entries))
    assert copied == plain and copied.owner("plan-1", "") == records.owner("plan-1", "")


def test_progress_saves_encode_a_replaced_record_again(tmp_path: Path) -> None:
    manifest = Manifest({"in/a.json": Entry("plan-1", "a" * 64, {}, {}, "1")})
    manifest.save(tmp_path, progress=True)
    manifest.entries["in/b.json"] = Entry("plan-2", "b" * 64, {}, {}, "1")
    manifest.entries["in/a.json"] = Entry("plan-1", "c" * 64, {}, {}, "1")
    manifest.save(tmp_path, progress=True)
    text = (tmp_path / "manifest.json").read_text()
    assert text == manifest_text({"format": 2, "pipeline_version": __version__}, manifest.entries)
    assert Manifest.load(tmp_path).entries["in/a.json"].input_sha256 == "c" * 64
