"""Revisions remembered by the build: each plan revision built is kept under OUT/.revisions by
content; the next build of a changed plan says what changed (the improvement plan's Summary of
changes, check.json, the dashboard) and, with --redline, writes the redlined documents and the
change summary; the same history gives the same bytes; prune and merge keep what the manifest
names. Also `pipeline diff --redline`."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.batch.build import BuildOptions, build
from pipeline.batch.merge import merge
from pipeline.batch.revisions import STORE, canonical_bytes, load_revision, revision_id
from pipeline.cli import cli
from pipeline.inputs.read import read_input
from tests.conftest import ROOT, document_lines, read_json
from tests.test_redline import _assert_round_trip, _marks

HARBOR = ROOT / "inputs" / "harbor-view-elementary.json"
FOLDER = "harbor-view-elementary-school-02450015"


def _edited(data: dict[str, Any]) -> dict[str, Any]:
    """A second revision: mission reworded, a final target raised, a benchmark added."""
    data = copy.deepcopy(data)
    data["plan"]["revision"] = {"number": "3", "date": "2026-04-02", "summary": "Spring review"}
    data["plan"]["revision_history"].append(
        {"number": "2", "date": "2025-10-15", "summary": "Official 2024-25 results"}
    )
    data["foundation"]["mission"] += " Together."
    data["outcomes"][0]["final_target"]["value"] = 30
    benchmark = copy.deepcopy(data["action_plan"]["benchmarks"][0])
    benchmark.update(id="B1.1.9", description="Summer institute, second cohort")
    data["action_plan"]["benchmarks"].append(benchmark)
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def _build(inputs: Path, out: Path, **options: Any) -> None:
    report = build([inputs], BuildOptions(out=out, jobs=1, **options))
    assert all(r.ok for r in report.results), [p for r in report.results for p in r.problems]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    """An output folder that built the Harbor View example, then its second revision with
    --redline."""
    root = tmp_path_factory.mktemp("history")
    inputs, out = root / "inputs", root / "out"
    inputs.mkdir()
    first = read_json(HARBOR)
    _write(inputs / "harbor.json", first)
    _build(inputs, out)
    _write(inputs / "harbor.json", _edited(first))
    _build(inputs, out, redline=True)
    return inputs, out, first


def test_each_revision_built_is_kept_by_content(
    history: tuple[Path, Path, dict[str, Any]],
) -> None:
    inputs, out, first = history
    entry = json.loads((out / "manifest.json").read_text())["plans"]["../inputs/harbor.json"]
    stored = sorted(p.name for p in (out / STORE).iterdir())
    assert stored == sorted(f"{r}.json.gz" for r in (entry["revision"], entry["previous_revision"]))
    plan = read_input(inputs / "harbor.json").plan
    assert plan is not None and entry["revision"] == revision_id(canonical_bytes(plan))
    previous = load_revision(out, entry["previous_revision"])
    assert previous is not None and previous.foundation is not None
    assert previous.foundation.mission == first["foundation"]["mission"]
    raw = (out / STORE / stored[0]).read_bytes()
    assert raw[4:8] == b"\0\0\0\0"  # no time in the gzip header: the same bytes every build
    assert json.loads(gzip.decompress(raw))  # plain canonical JSON inside


def test_the_next_build_says_what_changed(history: tuple[Path, Path, dict[str, Any]]) -> None:
    _inputs, out, _first = history
    folder = out / FOLDER
    changes = json.loads((folder / "check.json").read_text())["plans"][0]["changes"]
    assert changes["since"] == {"number": "2", "date": "2025-10-15"}
    # the revision (number, date, summary, history), mission, final target, a benchmark
    assert changes["count"] == 7
    assert changes["summary"] == "changes.html"
    assert set(changes["redlines"]) == {
        "improvement-plan-redline.docx",
        "action-plan-redline.docx",
        "progress-report-redline.docx",
        "roadmap-redline.docx",
    }
    lines = document_lines((folder / "improvement-plan.docx").read_bytes())
    start = lines.index("[Heading 2] Summary of Changes")
    summary = lines[start : start + 16]
    assert any(
        line.startswith("Since revision 2 of October 15, 2025: 7 changes") for line in summary
    )
    assert "Outcome O1 › Final target: value 27% → 30%" in summary
    assert "Benchmark B1.1.9 added" in summary
    assert "Summary of changes" not in (folder / "action-plan.docx").read_text(errors="ignore")
    index = (out / "index.html").read_text()
    assert "7 changes since revision 2 (2025-10-15)" in index
    assert f'href="{FOLDER}/changes.html"' in index
    assert "Changes since the previous revision" in (folder / "check.html").read_text()
    diff = json.loads((folder / "changes.json").read_text())
    assert diff["format"] == "pipeline-diff" and len(diff["changes"]) == 7


def test_redlines_accept_to_the_new_and_reject_to_the_old(
    history: tuple[Path, Path, dict[str, Any]], tmp_path: Path, ooxml_errors: Any
) -> None:
    _inputs, out, first = history
    folder = out / FOLDER
    # The previous revision's documents, as a build of it alone gives them.
    alone = tmp_path / "alone"
    alone.mkdir()
    _write(alone / "harbor.json", first)
    _build(alone, tmp_path / "old")
    for name in ("improvement-plan", "action-plan", "roadmap"):
        red = folder / f"{name}-redline.docx"
        old = (tmp_path / "old" / FOLDER / f"{name}.docx").read_bytes()
        new = (folder / f"{name}.docx").read_bytes()
        _assert_round_trip(old, new, red.read_bytes())
        assert ooxml_errors(red) == []
    assert _marks((folder / "improvement-plan-redline.docx").read_bytes())


def test_the_same_history_gives_the_same_bytes(
    history: tuple[Path, Path, dict[str, Any]], tmp_path: Path
) -> None:
    _inputs, out, first = history
    again = tmp_path / "again"
    again.mkdir()
    _write(again / "harbor.json", first)
    _build(again, tmp_path / "out")
    _write(again / "harbor.json", _edited(first))
    _build(again, tmp_path / "out", redline=True)
    for path in sorted((out / FOLDER).iterdir()):
        if path.suffix == ".docx":  # (changes.json names the inputs, which differ here)
            assert (tmp_path / "out" / FOLDER / path.name).read_bytes() == path.read_bytes()
    # A forced rebuild of the same revision keeps its previous one, and the same bytes.
    _build(again, tmp_path / "out", redline=True, force=True)
    for name in ("improvement-plan.docx", "improvement-plan-redline.docx"):
        assert (tmp_path / "out" / FOLDER / name).read_bytes() == (out / FOLDER / name).read_bytes()


def test_unreferenced_revisions_go_and_revisions_are_never_inputs(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    out = inputs / "build"  # the output folder inside the inputs' folder
    inputs.mkdir()
    data = read_json(HARBOR)
    revisions = []
    for number in range(3):
        data["foundation"]["mission"] = f"Mission, version {number}."
        _write(inputs / "harbor.json", data)
        report = build([inputs], BuildOptions(out=out, jobs=1))
        assert [r.source for r in report.results] == [str(inputs / "harbor.json")]
        plan = read_input(inputs / "harbor.json").plan
        assert plan is not None
        revisions.append(revision_id(canonical_bytes(plan)))
    kept = sorted(p.name for p in (out / STORE).iterdir())
    assert kept == sorted(f"{r}.json.gz" for r in revisions[1:])  # the built one, the one before
    (out / STORE / "notes.txt").write_text("mine")
    build([inputs], BuildOptions(out=out, jobs=1, force=True))
    assert (out / STORE / "notes.txt").read_text() == "mine"  # not ours: never removed


def test_a_merge_keeps_the_revisions_its_plans_name(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for example in sorted((ROOT / "inputs").glob("*.json")):
        (inputs / example.name).write_bytes(example.read_bytes())
    shards = [tmp_path / f"shard-{k}" for k in (1, 2)]
    for k, shard in enumerate(shards, start=1):
        build([inputs], BuildOptions(out=shard, jobs=1, shard=(k, 2)))
    merge(shards, tmp_path / "merged")
    manifest = json.loads((tmp_path / "merged" / "manifest.json").read_text())
    named = {entry["revision"] for entry in manifest["plans"].values()}
    assert len(named) == 3
    assert {p.name for p in (tmp_path / "merged" / STORE).iterdir()} == {
        f"{r}.json.gz" for r in named
    }


def test_diff_redline_writes_each_document_both_revisions_have(tmp_path: Path) -> None:
    old, new = tmp_path / "v2.json", tmp_path / "v3.json"
    data = read_json(HARBOR)
    _write(old, data)
    _write(new, _edited(data))
    result = CliRunner().invoke(
        cli, ["diff", str(old), str(new), "--redline", str(tmp_path / "red")]
    )
    assert result.exit_code == 1, result.output
    written = sorted(p.name for p in (tmp_path / "red").iterdir())
    assert written == [
        "action-plan-redline.docx",
        "improvement-plan-redline.docx",
        "progress-report-redline.docx",
        "roadmap-redline.docx",
    ]
    refused = CliRunner().invoke(cli, ["diff", str(old), str(new), "--redline", str(old)])
    assert refused.exit_code == 2 and "is a file" in refused.output


def test_a_rebuild_without_redline_removes_the_earlier_redlines(tmp_path: Path) -> None:
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    data = read_json(HARBOR)
    _write(inputs / "harbor.json", data)
    _build(inputs, out)
    _write(inputs / "harbor.json", _edited(data))
    _build(inputs, out, redline=True)
    assert (out / FOLDER / "changes.html").is_file()
    third = _edited(data)
    third["foundation"]["vision"] += " Always."
    _write(inputs / "harbor.json", third)
    _build(inputs, out)
    left = sorted(p.name for p in (out / FOLDER).iterdir())
    assert not [name for name in left if "redline" in name or name.startswith("changes.")]
    changes = json.loads((out / FOLDER / "check.json").read_text())["plans"][0]["changes"]
    assert changes["count"] == 1 and changes["summary"] is None and changes["redlines"] == []


def test_a_reorder_names_what_moved() -> None:
    from pipeline.documents.changes import change_line
    from pipeline.model.changes import diff_plans
    from tests.conftest import plan_of

    data = read_json(HARBOR)
    moved = copy.deepcopy(data)
    benchmarks = moved["action_plan"]["benchmarks"]
    benchmarks[1], benchmarks[2] = benchmarks[2], benchmarks[1]
    lines = [change_line(c) for c in diff_plans(plan_of(data), plan_of(moved))]
    assert lines == ["Benchmarks reordered: B1.1.2 (now after B1.1.3)"]


@pytest.mark.parametrize("level", [1, 6, 9])
def test_a_revision_stored_at_any_gzip_level_reads(tmp_path: Path, level: int) -> None:
    """Stores written by earlier versions (gzip level 6) read as today's (level 1) do."""
    plan = read_input(ROOT / "inputs" / "harbor-view-elementary.json").plan
    assert plan is not None
    canonical = canonical_bytes(plan)
    revision = revision_id(canonical)
    (tmp_path / STORE).mkdir()
    packed = gzip.compress(canonical, compresslevel=level, mtime=0)
    (tmp_path / STORE / f"{revision}.json.gz").write_bytes(packed)
    loaded = load_revision(tmp_path, revision)
    assert loaded is not None and canonical_bytes(loaded) == canonical
