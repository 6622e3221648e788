"""Batch builds: incremental, deterministic, sharded, locked and safe when killed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from pipeline.batch.build import BuildOptions, Status, build
from pipeline.batch.manifest import Manifest
from pipeline.batch.merge import merge
from pipeline.errors import OutputLockedError
from pipeline.files import OutputLock
from tests.conftest import INPUTS, MINIMAL, read_json, run_process, stop_process_group


def make_plans(folder: Path, count: int) -> list[Path]:
    """`count` distinct valid plans (the minimal one under other organization codes)."""
    folder.mkdir(parents=True, exist_ok=True)
    base = read_json(MINIMAL)
    paths = []
    for number in range(count):
        data = json.loads(json.dumps(base))
        data["organization"]["code"] = f"0099{number:04d}"
        data["organization"]["name"] = f"School Number {number}"
        path = folder / f"plan-{number:03d}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        paths.append(path)
    return paths


def statuses(report: Any) -> dict[str, str]:
    return {Path(r.source).name: str(r.status) for r in report.results}


def test_a_rebuild_renders_only_what_changed(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    paths = make_plans(inputs, 4)
    options = BuildOptions(out=tmp_path / "out", jobs=2)
    first = build([inputs], options)
    assert first.count(Status.BUILT) == 4

    again = build([inputs], options)
    assert again.count(Status.UNCHANGED) == 4 and again.count(Status.BUILT) == 0

    data = read_json(paths[2])
    data["foundation"]["mission"] = "A revised mission."
    paths[2].write_text(json.dumps(data), encoding="utf-8")
    changed = build([inputs], options)
    assert statuses(changed)["plan-002.json"] == "built"
    assert [r.reasons for r in changed.results if r.status is Status.BUILT] == [["input changed"]]
    assert changed.count(Status.UNCHANGED) == 3

    forced = build([inputs], BuildOptions(out=tmp_path / "out", force=True, jobs=1))
    assert forced.count(Status.BUILT) == 4
    assert {tuple(r.reasons) for r in forced.results} == {("forced",)}


def test_a_changed_template_or_version_rebuilds_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = tmp_path / "in"
    make_plans(inputs, 2)
    templates = tmp_path / "templates"
    shutil.copytree(Path(__file__).resolve().parent.parent / "templates", templates)
    options = BuildOptions(out=tmp_path / "out", templates=templates, jobs=1)
    build([inputs], options)
    roadmap = templates / "roadmap" / "roadmap.docx"
    with zipfile.ZipFile(roadmap, "a") as package:
        package.writestr("customXml/note.xml", "<note/>")  # any change to the file
    report = build([inputs], options)
    assert {tuple(r.reasons) for r in report.results} == {("template changed (roadmap)",)}

    monkeypatch.setattr("pipeline.batch.incremental.__version__", "99.0")
    report = build([inputs], options)
    assert {tuple(r.reasons) for r in report.results} == {
        ("pipeline version changed (0.1.0 → 99.0)",)
    }


def test_a_missing_or_altered_document_is_rebuilt(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    make_plans(inputs, 2)
    options = BuildOptions(out=tmp_path / "out", jobs=1)
    first = build([inputs], options)
    folder = first.results[0].folder
    assert folder is not None
    (folder / "roadmap.docx").unlink()
    (first.results[1].folder / "action-plan.docx").write_bytes(b"garbage")  # type: ignore[operator]
    report = build([inputs], options)
    assert {tuple(r.reasons) for r in report.results} == {("documents missing or changed",)}
    assert (folder / "roadmap.docx").exists()


def test_two_builds_give_byte_identical_documents(tmp_path: Path) -> None:
    build(INPUTS, BuildOptions(out=tmp_path / "a", jobs=2))
    build(INPUTS, BuildOptions(out=tmp_path / "b", jobs=1))
    documents = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.docx"))
    assert len(documents) == 4 * len(INPUTS)  # the examples have check-ins: progress reports
    for document in documents:
        assert (tmp_path / "a" / document).read_bytes() == (tmp_path / "b" / document).read_bytes()


def test_outputs_of_removed_inputs_are_kept_unless_pruned(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    paths = make_plans(inputs, 3)
    options = BuildOptions(out=tmp_path / "out", jobs=1)
    first = build([inputs], options)
    gone = first.results[1].folder
    paths[1].unlink()
    kept = build([inputs], options)
    assert kept.orphans == [paths[1].as_posix()] and gone is not None and gone.exists()
    pruned = build([inputs], BuildOptions(out=tmp_path / "out", prune=True, jobs=1))
    assert pruned.pruned == [paths[1].as_posix()]
    assert not gone.exists()
    assert paths[1].as_posix() not in Manifest.load(tmp_path / "out").entries


def test_shards_together_build_the_same_set_as_one_build(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    make_plans(inputs, 12)
    whole = build([inputs], BuildOptions(out=tmp_path / "whole", jobs=2))
    seen: list[str] = []
    for k in (1, 2, 3):
        report = build([inputs], BuildOptions(out=tmp_path / f"shard-{k}", shard=(k, 3), jobs=1))
        seen += [r.source for r in report.results]
    assert sorted(seen) == sorted(r.source for r in whole.results)
    assert len(set(seen)) == len(seen)

    merged = tmp_path / "merged"
    merge([tmp_path / f"shard-{k}" for k in (1, 2, 3)], merged)
    documents = sorted(
        p.relative_to(tmp_path / "whole") for p in (tmp_path / "whole").rglob("*.docx")
    )
    for document in documents:
        assert (merged / document).read_bytes() == (tmp_path / "whole" / document).read_bytes()
    assert set(Manifest.load(merged).entries) == set(Manifest.load(tmp_path / "whole").entries)
    # the merged folder is a valid incremental base: nothing to rebuild
    again = build([inputs], BuildOptions(out=merged, jobs=1))
    assert again.count(Status.UNCHANGED) == 12


def test_a_second_build_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with OutputLock(out), pytest.raises(OutputLockedError, match="is writing into"):
        build([MINIMAL], BuildOptions(out=out, jobs=1))
    assert build([MINIMAL], BuildOptions(out=out, jobs=1)).count(Status.BUILT) == 1


def test_cli_reports_a_locked_folder_with_its_own_exit_code(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pipeline.cli import cli

    out = tmp_path / "out"
    with OutputLock(out):
        result = CliRunner().invoke(cli, ["build", str(MINIMAL), "--out", str(out)])
    assert result.exit_code == 4
    assert result.stderr.startswith(f"Error: another build (pid {os.getpid()}) is writing into")


def test_a_killed_build_never_leaves_a_broken_document(tmp_path: Path) -> None:
    """SIGKILL at several moments: every document is complete (old or new), and the next
    build completes."""
    inputs = tmp_path / "in"
    make_plans(inputs, 30)
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "pipeline",
        "build",
        str(inputs),
        "--out",
        str(out),
        "--quiet",
        "--jobs",
        "2",
        "--force",
    ]
    for delay in (0.5, 0.9, 1.3):
        # Its own process group: the kill takes its worker processes along (they would wait
        # for work forever), as a SIGKILL of a whole job (a CI timeout, the OOM killer) does.
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait()
        finally:
            stop_process_group(process)
        for document in out.rglob("*.docx"):
            with zipfile.ZipFile(document) as package:
                assert package.testzip() is None, document
        if (out / "manifest.json").exists():
            json.loads((out / "manifest.json").read_text())  # always complete JSON
    result = run_process(command[:-1], timeout=120, check=False, text=True)
    assert result.returncode == 0, result.stderr
    assert len(list(out.rglob("*.docx"))) == 90
    assert list(out.rglob("*.tmp")) == []  # the next build cleans up after a killed one


def test_the_main_process_of_a_build_imports_no_renderer_model_or_checks(tmp_path: Path) -> None:
    """Its workers do that work; what the main process imports, every worker forked from it
    holds too (the memory target counts each process's resident memory)."""
    for source in INPUTS:
        shutil.copy(source, tmp_path / source.name)
    script = (
        "import sys\n"
        "from pipeline.cli import cli\n"
        f"args = ['build', {str(tmp_path)!r}, '--out', {str(tmp_path / 'out')!r}, '--jobs', '2',"
        " '--quiet']\n"
        "try:\n"
        "    cli(args, prog_name='pipeline', standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    )
    loaded = set(done.stdout.split())
    assert (tmp_path / "out" / "index.html").exists()
    heavy = {"pipeline.model.plan", "pipeline.documents", "pipeline.checks", "lxml", "jinja2"}
    assert not heavy & loaded, heavy & loaded
