"""How a build's main process writes (`pipeline/batch/writes.py`): a plan's files at once, each
atomically and recorded as `Output.of` records it; the manifest's text; inputs recognized by
their size and times; the dashboard written again only when it would change."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict
from pathlib import Path

import pytest

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
    files[tmp_path / "a" / "made.json"] = lambda: b'{"made": true}'
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "1.docx").write_bytes(b"old")
    written = write_files(files)
    assert list(written) == list(files)
    for path, data in files.items():
        content = path.read_bytes()
        assert content == (data() if callable(data) else data)
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
