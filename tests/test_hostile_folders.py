"""Damaged and hostile output folders, manifests and shards (issue 11, classes 1, 2, 6, 7 and
part of 8): never a traceback, never a file created, changed or deleted outside the output
folder, shards only read, exit codes as documented."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pipeline.batch.build import BuildOptions, Status, build, in_shard
from pipeline.batch.manifest import OUTPUT_NAMES, Manifest, input_key
from pipeline.cli import cli
from pipeline.files import OutputLock
from tests.conftest import MINIMAL, read_json


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    # a PipelineError ends in sys.exit; anything else is a traceback
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def make_plans(folder: Path, count: int, name: str = "School Number", start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(start, start + count):
        data = read_json(MINIMAL)
        data["organization"]["code"] = f"0099{number:04d}"
        data["organization"]["name"] = f"{name} {number}"
        path = folder / f"plan-{number}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        paths.append(path)
    return paths


def snapshot(folder: Path) -> dict[str, Any]:
    """Every entry under `folder` (links not followed): its kind, bytes or target, mtime."""
    seen: dict[str, Any] = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        if path.is_symlink():
            seen[str(path)] = ("link", os.readlink(path))
        elif path.is_dir():
            seen[str(path)] = ("dir",)
        else:
            seen[str(path)] = ("file", path.read_bytes(), info.st_mtime_ns)
    return seen


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Path]:
    """Two built plans in tmp/out, and a sibling folder tmp/victim that must never change."""
    victim = tmp_path / "victim"
    (victim / "deep").mkdir(parents=True)
    (victim / "precious.txt").write_text("keep me")
    (victim / ".x.tmp").write_text("not a temporary of ours")
    (victim / "deep" / "action-plan.docx").write_bytes(b"the user's own")
    inputs = tmp_path / "in"
    make_plans(inputs, 2)
    out = tmp_path / "out"
    assert run("build", str(inputs), "--out", str(out), "-j", "1").exit_code == 0
    (out / "my-notes.txt").write_text("the user's file in OUT")
    return {"tmp": tmp_path, "victim": victim, "in": inputs, "out": out}


def tamper(out: Path, change: Any) -> None:
    data = json.loads((out / "manifest.json").read_text())
    change(data)
    (out / "manifest.json").write_text(json.dumps(data))


def set_all(field: str, value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        for entry in data["plans"].values():
            entry[field] = value

    return change


ATTACKS = {
    "slug ../victim": set_all("slug", "../victim"),
    "slug ../victim/deep": set_all("slug", "../victim/deep"),
    "slug empty": set_all("slug", ""),
    "slug .": set_all("slug", "."),
    "slug ..": set_all("slug", ".."),
    "slug a/b": set_all("slug", "a/b"),
    "slug absolute": set_all("slug", "/tmp"),
    "slug number": set_all("slug", 5),
    "slug null": set_all("slug", None),
    "slug manifest.json": set_all("slug", "manifest.json"),
    "outputs list": set_all("outputs", ["action-plan.docx"]),
    "outputs escaping name": set_all(
        "outputs", {"../../victim/precious.txt": {"sha256": "0" * 64, "size": 7, "mtime_ns": 1}}
    ),
    "outputs bad record": set_all("outputs", {"action-plan.docx": {"sha256": 5}}),
    "status unknown": set_all("status", "exploded"),
    "templates wrong": set_all("templates", "x"),
    "plans list": lambda data: data.update(plans=[1, 2]),
    "entry not object": lambda data: data["plans"].update({k: 3 for k in data["plans"]}),
    "format text": lambda data: data.update(format="2"),
    "format true": lambda data: data.update(format=True),
    "not an object": lambda data: data.clear() or data.update(plans=None),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_damaged_manifest_is_ignored_with_a_warning_and_nothing_outside_out_changes(
    world: dict[str, Path], attack: str
) -> None:
    out, victim = world["out"], world["victim"]
    before = snapshot(victim)
    tamper(out, ATTACKS[attack])
    (world["in"] / "plan-1.json").unlink()  # so --prune has an input gone to act on
    result = run("build", str(world["in"]), "--out", str(out), "--prune", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "Warning: " in result.stderr and "manifest.json" in result.stderr
    assert snapshot(victim) == before
    assert (out / "my-notes.txt").read_text() == "the user's file in OUT"
    assert (out / "manifest.json").is_file() and (out / "index.html").is_file()
    assert "pruned" not in result.stdout  # nothing recorded that can be trusted to delete
    again = run("build", str(world["in"]), "--out", str(out), "-j", "1")
    assert again.exit_code == 0 and "1 unchanged" in again.stdout
    assert "Warning" not in again.stderr


@pytest.mark.parametrize(
    "content",
    [b'{"format": 2, "plans": {"a": {"slug": "x"', b"\xff\xfe\x00garbage", b"[" * 100000, b""],
    ids=["truncated", "not utf-8", "nested", "empty"],
)
def test_an_unreadable_manifest_is_ignored_with_a_warning(
    world: dict[str, Path], content: bytes
) -> None:
    out = world["out"]
    (out / "manifest.json").write_bytes(content)
    result = run("build", str(world["in"]), "--out", str(out), "--prune", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "cannot be read" in result.stderr
    assert "2 built" in result.stdout
    assert Manifest.load(out).warnings == []


def test_a_manifest_that_is_a_link_is_not_read(world: dict[str, Path]) -> None:
    out, victim = world["out"], world["victim"]
    fake = victim / "fake-manifest.json"
    fake.write_text((out / "manifest.json").read_text())
    (out / "manifest.json").unlink()
    (out / "manifest.json").symlink_to(fake)
    before = snapshot(victim)
    result = run("build", str(world["in"]), "--out", str(out), "-j", "1")
    assert result.exit_code == 0, result.output
    assert "is not a regular file" in result.stderr
    assert snapshot(victim) == before  # the link is replaced, not written through
    assert not (out / "manifest.json").is_symlink()


def test_a_valid_record_pointing_at_a_shared_slug_never_deletes_the_users_files(
    world: dict[str, Path],
) -> None:
    """A record whose folder holds files of the user's: --prune removes only our files."""
    out = world["out"]
    folders = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    for folder in folders:
        (folder / "user-notes.txt").write_text("mine")
    for path in world["in"].iterdir():
        path.unlink()
    make_plans(world["tmp"] / "other", 1, start=7)
    result = run("build", str(world["tmp"] / "other"), "--out", str(out), "--prune", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "kept" in result.stderr and "pruned" in result.stdout
    for folder in folders:
        assert (folder / "user-notes.txt").read_text() == "mine"
        assert sorted(p.name for p in folder.iterdir()) == ["user-notes.txt"]


def test_a_plan_folder_that_is_a_link_receives_nothing(world: dict[str, Path]) -> None:
    out, victim = world["out"], world["victim"]
    folder = next(p for p in sorted(out.iterdir()) if p.is_dir() and not p.name.startswith("."))
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
    folder.symlink_to(victim / "deep", target_is_directory=True)
    before = snapshot(victim)
    result = run("build", str(world["in"]), "--out", str(out), "-j", "1", "--force")
    assert result.exit_code == 1
    assert "is a symbolic link" in result.stderr
    assert "1 built" in result.stdout and "1 failed" in result.stdout
    assert snapshot(victim) == before
    # pruning its record removes the link's target's files neither
    (world["in"] / "plan-0.json").unlink()
    (world["in"] / "plan-1.json").unlink()
    make_plans(world["tmp"] / "other", 1, start=7)
    run("build", str(world["tmp"] / "other"), "--out", str(out), "--prune", "-j", "1")
    assert snapshot(victim) == before


def test_a_document_that_is_a_link_is_replaced_not_written_through(
    world: dict[str, Path],
) -> None:
    out, victim = world["out"], world["victim"]
    folder = next(p for p in sorted(out.iterdir()) if p.is_dir() and not p.name.startswith("."))
    (folder / "action-plan.docx").unlink()
    (folder / "action-plan.docx").symlink_to(victim / "precious.txt")
    before = snapshot(victim)
    result = run("build", str(world["in"]), "--out", str(out), "-j", "1")
    assert result.exit_code == 0, result.output
    assert "documents missing or changed" in result.stderr
    assert not (folder / "action-plan.docx").is_symlink()
    assert snapshot(victim) == before


def test_a_lock_file_that_is_a_link_is_refused(world: dict[str, Path]) -> None:
    out, victim = world["out"], world["victim"]
    (out / ".pipeline.lock").unlink()
    (out / ".pipeline.lock").symlink_to(victim / "precious.txt")
    before = snapshot(victim)
    result = run("build", str(world["in"]), "--out", str(out), "-j", "1")
    assert result.exit_code == 1
    assert "lock" in result.stderr and "symbolic link" in result.stderr
    assert snapshot(victim) == before
    merged = run("manifest", "merge", str(out), "--into", str(out))
    assert merged.exit_code == 1 and snapshot(victim) == before


def test_a_lock_file_that_is_a_folder_is_refused(world: dict[str, Path]) -> None:
    out = world["out"]
    (out / ".pipeline.lock").unlink()
    (out / ".pipeline.lock").mkdir()
    result = run("build", str(world["in"]), "--out", str(out), "-j", "1")
    assert result.exit_code == 1 and "lock" in result.stderr


def test_leftover_temporaries_are_removed_only_in_our_own_folders(
    world: dict[str, Path],
) -> None:
    out, victim = world["out"], world["victim"]
    (out / "linked").symlink_to(victim, target_is_directory=True)
    (out / ".linked.tmp").symlink_to(victim / "precious.txt")
    folder = next(
        p for p in sorted(out.iterdir()) if p.is_dir() and not p.is_symlink() and p.name[0] != "."
    )
    (folder / ".action-plan.docx.abc.tmp").write_bytes(b"half")
    (out / ".manifest.json.xyz.tmp").write_bytes(b"half")
    before = snapshot(victim)
    assert run("build", str(world["in"]), "--out", str(out), "-j", "1").exit_code == 0
    assert snapshot(victim) == before
    assert not (folder / ".action-plan.docx.abc.tmp").exists()
    assert not (out / ".manifest.json.xyz.tmp").exists()
    assert not (out / ".linked.tmp").is_symlink()  # the link itself goes, not its target


# --- manifest keys ---------------------------------------------------------------------


def test_the_same_inputs_named_any_way_have_the_same_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = tmp_path / "project" / "in"
    make_plans(inputs, 3)
    out = tmp_path / "project" / "out"
    first = build([inputs], BuildOptions(out=out, jobs=1))
    assert first.count(Status.BUILT) == 3
    monkeypatch.chdir(tmp_path / "project")
    relative = build([Path("in")], BuildOptions(out=Path("out"), jobs=1, prune=True))
    assert relative.count(Status.UNCHANGED) == 3 and relative.pruned == []
    monkeypatch.chdir(inputs)
    here = build([Path(".")], BuildOptions(out=Path("../out"), jobs=1, prune=True))
    assert here.count(Status.UNCHANGED) == 3 and here.pruned == []
    (tmp_path / "link").symlink_to(tmp_path / "project", target_is_directory=True)
    linked = build([tmp_path / "link" / "in"], BuildOptions(out=out, jobs=1, prune=True))
    assert linked.count(Status.UNCHANGED) == 3 and linked.pruned == []
    assert set(Manifest.load(out).entries) == {f"../in/plan-{n}.json" for n in range(3)}


def test_a_project_moved_whole_keeps_its_records(tmp_path: Path) -> None:
    make_plans(tmp_path / "a" / "in", 2)
    build([tmp_path / "a" / "in"], BuildOptions(out=tmp_path / "a" / "out", jobs=1))
    (tmp_path / "a").rename(tmp_path / "b")
    again = build([tmp_path / "b" / "in"], BuildOptions(out=tmp_path / "b" / "out", jobs=1))
    assert again.count(Status.UNCHANGED) == 2


def _as_format_1(out: Path, cwd: Path) -> None:
    """Rewrite a manifest as the previous version wrote it: keys relative to `cwd`."""
    data = json.loads((out / "manifest.json").read_text())
    data["format"] = 1
    data["plans"] = {
        os.path.relpath((out / key).resolve(), cwd): entry for key, entry in data["plans"].items()
    }
    (out / "manifest.json").write_text(json.dumps(data))


def test_an_old_manifest_is_used_from_its_folder_and_never_prunes_from_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    make_plans(project / "inputs", 2)
    out = project / "build"
    build([project / "inputs"], BuildOptions(out=out, jobs=1))
    _as_format_1(out, project)
    monkeypatch.chdir(project)
    report = build([Path("inputs")], BuildOptions(out=Path("build"), jobs=1, prune=True))
    assert report.count(Status.UNCHANGED) == 2 and report.pruned == []
    assert set(Manifest.load(out).entries) == {"../inputs/plan-0.json", "../inputs/plan-1.json"}

    _as_format_1(out, project)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    before = sorted(p.relative_to(out) for p in out.rglob("*.docx"))
    report = build([project / "inputs" / "plan-0.json"], BuildOptions(out=out, prune=True))
    assert report.pruned == [] and report.warnings  # forgotten, said so, nothing deleted
    assert sorted(p.relative_to(out) for p in out.rglob("*.docx")) == before


def test_shards_are_chosen_by_file_name_the_same_from_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = make_plans(tmp_path / "in", 8)
    chosen = {path.name for path in paths if in_shard(path.name, (1, 2))}
    report = build([tmp_path / "in"], BuildOptions(out=tmp_path / "a", shard=(1, 2), jobs=1))
    assert {Path(r.source).name for r in report.results} == chosen
    monkeypatch.chdir(tmp_path / "in")
    report = build([Path(".")], BuildOptions(out=tmp_path / "b", shard=(1, 2), jobs=1))
    assert {Path(r.source).name for r in report.results} == chosen
    assert input_key(Path("plan-0.json"), tmp_path / "b") == "../in/plan-0.json"


# --- manifest merge --------------------------------------------------------------------


@pytest.fixture
def shards(tmp_path: Path) -> list[Path]:
    make_plans(tmp_path / "in", 6)
    folders = [tmp_path / f"shard-{k}" for k in (1, 2)]
    for k, folder in enumerate(folders, start=1):
        build([tmp_path / "in"], BuildOptions(out=folder, shard=(k, 2), jobs=1))
    assert all(Manifest.load(folder).entries for folder in folders)
    return folders


def _merge(shards: list[Path], target: Path) -> Result:
    return run("manifest", "merge", *map(str, shards), "--into", str(target))


def test_a_merge_of_good_shards_reads_them_only(shards: list[Path], tmp_path: Path) -> None:
    before = [snapshot(shard) for shard in shards]
    result = _merge(shards, tmp_path / "merged")
    assert result.exit_code == 0, result.output
    assert [snapshot(shard) for shard in shards] == before
    again = build([tmp_path / "in"], BuildOptions(out=tmp_path / "merged", jobs=1))
    assert again.count(Status.UNCHANGED) == 6


def test_a_shard_missing_a_document_is_refused_before_anything_is_merged(
    shards: list[Path], tmp_path: Path
) -> None:
    target = tmp_path / "merged"
    assert _merge(shards[:1], target).exit_code == 0
    before = snapshot(target)
    victim = next(shards[1].glob("*/roadmap.docx"))
    victim.unlink()
    result = _merge(shards, target)
    assert result.exit_code == 1
    assert f"{victim} is missing" in result.stderr
    assert snapshot(target) == before
    fresh = tmp_path / "fresh"
    assert _merge(shards, fresh).exit_code == 1 and not fresh.exists()


@pytest.mark.parametrize(
    "damage",
    [
        lambda m: m.write_bytes(m.read_bytes()[:40]),
        lambda m: m.unlink(),
        lambda m: m.write_text(json.dumps({"format": 2, "plans": {"x": {"slug": "../x"}}})),
        lambda m: tamper(m.parent, set_all("slug", "../../victim")),
        lambda m: tamper(m.parent, set_all("outputs", {"../../../etc/passwd": {}})),
    ],
    ids=["truncated", "missing", "bad record", "slug escapes", "output escapes"],
)
def test_a_shard_with_a_damaged_manifest_is_named_and_nothing_is_merged(
    shards: list[Path], tmp_path: Path, damage: Any
) -> None:
    damage(shards[1] / "manifest.json")
    target = tmp_path / "merged"
    result = _merge(shards, target)
    assert result.exit_code == 1
    assert str(shards[1]) in result.stderr
    assert not target.exists()


def test_a_shard_with_a_linked_folder_or_file_is_refused(
    shards: list[Path], tmp_path: Path
) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    folder = next(p for p in shards[1].iterdir() if p.is_dir())
    (folder / "roadmap.docx").rename(victim / "roadmap.docx")
    (folder / "roadmap.docx").symlink_to(victim / "roadmap.docx")
    result = _merge(shards, tmp_path / "merged")
    assert result.exit_code == 1 and "not a regular file" in result.stderr
    (folder / "roadmap.docx").unlink()
    (victim / "roadmap.docx").rename(folder / "roadmap.docx")
    moved = victim / folder.name
    folder.rename(moved)
    folder.symlink_to(moved, target_is_directory=True)
    result = _merge(shards, tmp_path / "merged")
    assert result.exit_code == 1 and "symbolic link" in result.stderr
    assert not (tmp_path / "merged").exists()


def test_a_merge_into_a_linked_plan_folder_writes_nothing_outside(
    shards: list[Path], tmp_path: Path
) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    target = tmp_path / "merged"
    target.mkdir()
    slug = next(p.name for p in shards[0].iterdir() if p.is_dir())
    (target / slug).symlink_to(victim, target_is_directory=True)
    result = _merge(shards, target)
    assert result.exit_code == 1 and "symbolic link" in result.stderr
    assert list(victim.iterdir()) == []


def test_a_merge_into_a_locked_folder_exits_4(shards: list[Path], tmp_path: Path) -> None:
    target = tmp_path / "merged"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from pipeline.files import OutputLock\n"
            f"with OutputLock(Path({str(target)!r})):\n"
            "    print('locked', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        command = [sys.executable, "-m", "pipeline", "manifest", "merge"]
        result = subprocess.run(
            [*command, *map(str, shards), "--into", str(target)], capture_output=True, text=True
        )
        assert result.returncode == 4, result.stderr
        assert "Traceback" not in result.stderr and "is writing into" in result.stderr
        with pytest.raises(Exception, match="is writing into"), OutputLock(target):
            pass
    finally:
        holder.kill()
        holder.communicate()
    assert list(target.iterdir()) == [target / ".pipeline.lock"]


# --- inputs and outputs in one folder; two inputs for one organization ------------------


def test_out_in_the_inputs_folder_never_reads_its_own_files(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    make_plans(inputs, 2)
    for _ in range(2):
        result = run("build", str(inputs), "--out", str(inputs), "-j", "1")
        assert result.exit_code == 0, result.output
        assert "manifest.json" not in result.stderr
    assert "2 unchanged" in result.stdout
    slug = next(p for p in inputs.iterdir() if p.is_dir())
    result = run("build", str(slug), "--out", str(inputs))
    assert result.exit_code == 1 and "no inputs found" in result.stderr


def _assert_nothing_left(out: Path) -> None:
    assert Manifest.load(out).entries == {}
    left = [p for p in out.rglob("*") if p.name in OUTPUT_NAMES]
    assert left == []


@pytest.mark.parametrize("second_name", ["School Number 0", "school number 0!", "Another Name"])
def test_two_inputs_for_one_code_both_fail_and_leave_nothing(
    tmp_path: Path, second_name: str
) -> None:
    inputs = tmp_path / "in"
    make_plans(inputs, 1)
    data = read_json(inputs / "plan-0.json")
    data["organization"]["name"] = second_name
    (inputs / "plan-9.json").write_text(json.dumps(data))
    validated = run("validate", str(inputs))
    built = run("build", str(inputs), "--out", str(tmp_path / "out"), "-j", "1")
    assert validated.exit_code == built.exit_code == 1
    for name, other in (("plan-0", "plan-9"), ("plan-9", "plan-0")):
        message = (
            f"Error: {inputs / name}.json › $.organization.code: organization 00990000 "
            f"also has a plan in {inputs / other}.json (keep one input per organization)"
        )
        assert message in validated.stderr and message in built.stderr
    _assert_nothing_left(tmp_path / "out")


def test_a_new_input_for_a_built_organization_fails_both(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    make_plans(inputs, 2)
    out = tmp_path / "out"
    assert build([inputs], BuildOptions(out=out, jobs=1)).count(Status.BUILT) == 2
    data = read_json(inputs / "plan-0.json")
    data["organization"]["name"] = "Renamed Elsewhere"
    (inputs / "plan-5.json").write_text(json.dumps(data))
    report = build([inputs], BuildOptions(out=out, jobs=1))
    assert statuses(report) == {
        "plan-0.json": "failed",
        "plan-1.json": "unchanged",
        "plan-5.json": "failed",
    }
    assert set(Manifest.load(out).entries) == {"../in/plan-1.json"}
    assert len([p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]) == 1
    (inputs / "plan-5.json").unlink()
    assert build([inputs], BuildOptions(out=out, jobs=1)).count(Status.BUILT) == 1


def statuses(report: Any) -> dict[str, str]:
    return {Path(r.source).name: str(r.status) for r in report.results}


def test_outside_of_out_nothing_is_written_by_a_normal_build(tmp_path: Path) -> None:
    make_plans(tmp_path / "in", 2)
    before = snapshot(tmp_path / "in")
    assert run("build", str(tmp_path / "in"), "--out", str(tmp_path / "out")).exit_code == 0
    assert snapshot(tmp_path / "in") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]


def test_output_names_include_the_check_reports() -> None:
    from pipeline.reports.outputs import REPORT_HTML, REPORT_JSON

    assert {REPORT_JSON, REPORT_HTML} <= OUTPUT_NAMES


def test_a_huge_manifest_is_ignored_with_a_warning_not_parsed(
    world: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.batch import manifest

    monkeypatch.setattr(manifest, "MAX_BYTES", 1_000)  # the real one is 32 MiB
    out, before = world["out"], snapshot(world["victim"])
    result = run("build", str(world["in"]), "--out", str(out), "-j", "1", "--prune")
    assert result.exit_code == 0, result.output
    assert "over the limit of 1,000" in result.output
    assert "2 built" in result.output and (out / "my-notes.txt").exists()
    assert snapshot(world["victim"]) == before


def test_pruning_many_gone_inputs_takes_linear_time(world: dict[str, Path]) -> None:
    out = world["out"]

    def orphans(data: dict[str, Any]) -> None:
        record = next(iter(data["plans"].values()))
        for index in range(6_000):
            data["plans"][f"gone-{index}.json"] = dict(record, slug=f"gone-{index}")

    tamper(out, orphans)
    (out / "gone-7").mkdir()
    (out / "gone-7" / "action-plan.docx").write_bytes(b"ours")
    (out / "gone-8").mkdir()
    (out / "gone-8" / "notes.txt").write_text("the user's")
    result = run("build", str(world["in"]), "--out", str(out), "-j", "1", "--prune")
    assert result.exit_code == 0, result.output
    assert not (out / "gone-7").exists() and (out / "gone-8" / "notes.txt").exists()
    assert len(Manifest.load(out).entries) == 2
