"""The command line: exact output and exit codes (0 ok, 1 invalid input, 2 usage)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.model.schema import schema_text
from tests.conftest import MINIMAL

SLUG = "smith-jones-partners-q1-5-academy-00990001"


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_validate_valid_input() -> None:
    result = run("validate", str(MINIMAL))
    assert result.exit_code == 0
    assert result.stdout == f'valid: {MINIMAL} (Smith & Jones <Partners> "Q1" ≥ 5% Academy)\n'


def test_validate_reports_every_problem_and_exits_1(
    tmp_path: Path, minimal_data: dict[str, Any]
) -> None:
    minimal_data["action_plan"]["benchmarks"][0]["due"] = "next June"
    minimal_data["objectives"][0]["initiatives"][0]["evidence"]["tier"] = 7
    minimal_data["objectives"][0]["initiatives"][0]["also_serves"] = ["SO9"]
    bad = write(tmp_path / "bad.json", minimal_data)
    result = run("validate", str(bad))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {bad} › $.action_plan.benchmarks[0].due: 'next June' is not a date "
        "(write dates as YYYY-MM-DD, e.g. 2026-06-15)\n"
        f"Error: {bad} › $.objectives[0].initiatives[0].evidence.tier: 7 is not one of the "
        "allowed values (use one of: 1, 2, 3, 4)\n"
        f"Error: {bad} › $.objectives[0].initiatives[0].also_serves[0]: no strategic "
        "objective has the id 'SO9' (known ids: SO1)\n"
    )
    assert "Traceback" not in result.output


def test_validate_a_folder_checks_each_input(tmp_path: Path, minimal_data: dict[str, Any]) -> None:
    write(tmp_path / "a.json", minimal_data)
    minimal_data["organization"]["code"] = "00990002"
    del minimal_data["plan"]
    write(tmp_path / "b.json", minimal_data)
    (tmp_path / "notes.txt").write_text("ignored")
    result = run("validate", str(tmp_path))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"valid: {tmp_path / 'a.json'}")
    assert result.stderr == (
        f"Error: {tmp_path / 'b.json'} › $: the required field 'plan' is missing\n"
    )


def test_two_inputs_for_one_organization_conflict(
    tmp_path: Path, minimal_data: dict[str, Any]
) -> None:
    write(tmp_path / "a.json", minimal_data)
    write(tmp_path / "b.json", minimal_data)
    for args in (["validate"], ["build", "--out", str(tmp_path / "out")]):
        result = run(*args, str(tmp_path))
        assert result.exit_code == 1
        for name, other in (("a", "b"), ("b", "a")):
            assert (
                f"Error: {tmp_path / name}.json › $.organization.code: organization 00990001 "
                f"also has a plan in {tmp_path / other}.json (keep one input per organization)"
            ) in result.stderr, args


def test_build_writes_each_document(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("build", str(MINIMAL), "--out", str(out))
    assert result.exit_code == 0, result.output
    names = ["improvement-plan.docx", "action-plan.docx", "roadmap.docx"]
    assert result.stdout.startswith(
        f"1 plan(s) into {out}/: 1 built, 0 unchanged, 0 draft, 0 failed ("
    )
    assert result.stdout.endswith(f"status of every plan: {out / 'index.html'}\n")
    assert result.stderr == f"[1/1] built: {MINIMAL} (new)\n"
    reports = ["check.json", "check.html"]
    assert sorted(p.name for p in (out / SLUG).iterdir()) == sorted(names + reports)
    assert (out / "index.html").is_file()


def test_build_skips_bad_plans_but_builds_the_others(
    tmp_path: Path, minimal_data: dict[str, Any]
) -> None:
    shutil.copy(MINIMAL, tmp_path / "good.json")
    minimal_data["organization"]["code"] = "00990002"
    minimal_data["organization"]["level"] = "county"
    write(tmp_path / "bad.json", minimal_data)
    result = run("build", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert (tmp_path / "out" / SLUG / "roadmap.docx").exists()
    assert ": 1 built, 0 unchanged, 0 draft, 1 failed (" in result.stdout
    assert "bad.json › $.organization.level: 'county' is not one of the allowed values" in (
        result.stderr
    )


def test_build_only_the_documents_a_plan_has(tmp_path: Path, minimal_data: dict[str, Any]) -> None:
    out = tmp_path / "out"
    path = write(tmp_path / "plan.json", minimal_data)
    assert run("build", str(path), "--out", str(out)).exit_code == 0
    del minimal_data["roadmap"]
    del minimal_data["action_plan"]
    write(path, minimal_data)
    assert run("build", str(path), "--out", str(out)).exit_code == 0
    assert sorted(p.name for p in (out / SLUG).iterdir()) == [
        "check.html",
        "check.json",
        "improvement-plan.docx",
    ]


def test_build_defaults_to_inputs_and_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "inputs").mkdir()
    shutil.copy(MINIMAL, tmp_path / "inputs" / "minimal.json")
    monkeypatch.chdir(tmp_path)
    result = run("build")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "build" / SLUG / "action-plan.docx").exists()


@pytest.mark.parametrize("command", ["validate", "check", "build"])
def test_no_inputs_found(command: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(
        command, str(empty), *(["--out", str(tmp_path / "out")] if command == "build" else [])
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: no inputs found in {empty} (looked for .json and .xlsx files)\n"
    )
    assert not (tmp_path / "out").exists()  # no empty dashboard, no manifest


@pytest.mark.parametrize("command", ["validate", "check", "build"])
def test_no_inputs_folder_is_named(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # outside the project: no inputs/ here
    result = run(command)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: inputs/: no such file or folder (give the inputs to read, e.g. inputs/)\n"
    )
    assert not (tmp_path / "build").exists()


def test_schema_prints_the_published_schema() -> None:
    result = run("schema")
    assert result.exit_code == 0
    assert result.stdout == schema_text()


def test_context_prints_json() -> None:
    result = run("context", str(MINIMAL), "--document", "action-plan")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["document"]["title"] == "Annual Action Plan 2025-26"
    assert data["organization"]["name"] == 'Smith & Jones <Partners> "Q1" ≥ 5% Academy'
    benchmark = data["objectives"][0]["initiatives"][0]["benchmarks"][0]
    assert benchmark["type_label"] == "Process"
    assert benchmark["due"] == "January 30, 2026"
    assert benchmark["due_iso"] == "2026-01-30"


def test_context_of_an_invalid_plan(tmp_path: Path, minimal_data: dict[str, Any]) -> None:
    del minimal_data["organization"]["name"]
    path = write(tmp_path / "plan.json", minimal_data)
    result = run("context", str(path), "--document", "roadmap")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path} › $.organization: the required field 'name' is missing\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["build", "--nope"],
        ["validate", "missing-file.json"],
        ["context", "x"],
        ["context", str(MINIMAL), "--document", "memo"],
        ["frobnicate"],
    ],
    ids=["unknown option", "missing file", "missing option", "bad choice", "unknown command"],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            assert command.help, name
            found += _commands(command, (*prefix, name))
        else:
            assert command.help and "Example: pipeline" in command.help, name
            found.append((*prefix, name))
    return found


def test_every_command_has_help_with_an_example() -> None:
    assert isinstance(cli, click.Group)
    for path in _commands(cli):
        assert run(*path, "--help").exit_code == 0


def test_python_m_pipeline() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("pipeline, version ")


def _plans(folder: Path, count: int, minimal_data: dict[str, Any]) -> Path:
    folder.mkdir()
    for n in range(count):
        data = json.loads(json.dumps(minimal_data))
        data["organization"]["code"] = f"0099{n:04d}"
        data["organization"]["name"] = f"School {n}"
        write(folder / f"school-{n}.json", data)
    return folder


def test_progress_counts_the_plans_of_the_shard(
    tmp_path: Path, minimal_data: dict[str, Any]
) -> None:
    inputs = _plans(tmp_path / "in", 6, minimal_data)
    result = run("build", str(inputs), "--out", str(tmp_path / "out"), "--shard", "1/2", "-j", "1")
    lines = [line for line in result.stderr.splitlines() if line.startswith("[")]
    total = int(result.stdout.split(" plan(s)")[0])
    assert 0 < total < 6
    assert [line.split("]")[0] for line in lines] == [f"[{n}/{total}" for n in range(1, total + 1)]


def test_a_build_without_pdf_says_why_the_pdfs_go() -> None:
    from pipeline.batch.manifest import Entry

    before = Entry("s", "x", {}, {"pdf": True, "pdf_a": False}, "1")
    now = Entry("s", "x", {}, {}, "1")
    assert before.changes(now) == ["PDFs removed: this build has no --pdf"]
    assert now.changes(before) == ["PDFs asked for (--pdf)"]
    profiles = Entry("s", "x", {}, {"profiles": ["essa-csi"]}, "1")
    assert profiles.changes(now) == ["profiles changed (now the plan's own)"]


def test_every_command_has_a_whole_short_help() -> None:
    """`pipeline --help` lists each command with a first line short enough to show whole."""
    result = run("--help")
    listed = result.stdout.split("Commands:\n")[1].splitlines()
    assert listed and not [line for line in listed if line.endswith("...")]

    def commands(group: click.Group) -> list[click.Command]:
        found: list[click.Command] = []
        for command in group.commands.values():
            found.append(command)
            if isinstance(command, click.Group):
                found += commands(command)
        return found

    for command in commands(cli):  # type: ignore[arg-type]
        assert command.help, f"{command.name} has no help text"
        assert not command.get_short_help_str(limit=60).endswith("..."), command.name
