"""The state-wide rebuild as deployed: the Kubernetes Jobs (deploy/kubernetes/), the CI matrix
(.github/workflows/statewide.yml) and the container image (deploy/Containerfile).

The shard and merge commands are taken from the manifests and the workflow as they are
written, expanded by bash itself (`bash -c`, so `$((JOB_COMPLETION_INDEX+1))`, `{1..N}` and
`$(seq ...)` are bash's), parsed by the CLI's own click commands, then run: every shard at once,
as separate processes, on the four example inputs, then the merge. The merged folder must be
what one `pipeline build` of the same inputs writes. Only two things are changed to run them
here: the volume's /data is a temporary folder, and `--pdf` is left out (a PDF build takes a
second or more per plan; PDFs are covered by test_pdf.py). The image cannot be built here (no
container engine): its definition is checked for what the pipeline needs instead.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.inputs.interchange import SCHEMA_FILE
from pipeline.model.documents import TEMPLATES_DIR
from tests.conftest import stop_process_group

yaml = pytest.importorskip("yaml", reason="PyYAML reads the manifests (pip install -e '.[dev]')")

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BUILD_JOB = DEPLOY / "kubernetes" / "build-job.yaml"
MERGE_JOB = DEPLOY / "kubernetes" / "merge-job.yaml"
VOLUME = DEPLOY / "kubernetes" / "volume.yaml"
WORKFLOW = ROOT / ".github" / "workflows" / "statewide.yml"
CONTAINERFILE = DEPLOY / "Containerfile"
EXAMPLES = sorted((ROOT / "inputs").glob("*.json")) + sorted((ROOT / "inputs").glob("*.xlsx"))
VOLUME_ROOT = "/data"
BIN = str(Path(sys.executable).parent)  # where this environment's `pipeline` is
RUN_TIMEOUT = 60.0


@dataclass
class Command:
    """One shell command of a deployment, as bash runs it: its script and the variables it is
    given (JOB_COMPLETION_INDEX, the workflow's env)."""

    script: str
    env: dict[str, str] = field(default_factory=dict)

    def here(self, root: Path) -> Command:
        """The command run with `root` standing for the volume's /data (Kubernetes) or the
        checkout (the workflow, whose paths are relative)."""
        return Command(self.script.replace(f"{VOLUME_ROOT}/", f"{root}/"), self.env)

    def without_pdf(self) -> Command:
        script, count = re.subn(r" --pdf(?![-\w])", "", self.script)
        assert count == 1, f"the deployed command should build PDFs: {self.script}"
        return Command(script, self.env)


@dataclass
class Deployment:
    name: str
    shards: int
    shard_commands: list[Command]
    """Shard K's command at index K-1."""
    merge: Command


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def _only_container(job: dict[str, Any]) -> dict[str, Any]:
    containers = job["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return dict(containers[0])


def _bash_script(container: dict[str, Any]) -> str:
    """The script of a container run as `bash -c SCRIPT` (its args, after the image's tini)."""
    assert "command" not in container, "`command` would replace the image's tini entry point"
    args = container["args"]
    assert args[:2] == ["bash", "-c"] and len(args) == 3, args
    return str(args[2])


def kubernetes() -> Deployment:
    (build_job,) = _documents(BUILD_JOB)
    (merge_job,) = _documents(MERGE_JOB)
    spec = build_job["spec"]
    assert spec["completionMode"] == "Indexed"
    shards = int(spec["completions"])
    assert spec["parallelism"] == shards, "every shard at once"
    for job in (build_job, merge_job):
        container = _only_container(job)
        assert container["workingDir"] == VOLUME_ROOT
        assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    script = _bash_script(_only_container(build_job))
    shard_commands = [
        Command(script, {"JOB_COMPLETION_INDEX": str(index)}) for index in range(shards)
    ]
    return Deployment(
        "kubernetes", shards, shard_commands, Command(_bash_script(_only_container(merge_job)))
    )


def _expand(text: str, values: dict[str, str]) -> str:
    """GitHub's `${{ expression }}` for the expressions the workflow's commands use."""

    def value(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        assert expression in values, f"an expression the test does not know: {expression}"
        return values[expression]

    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def _step_running(job: dict[str, Any], command: str) -> dict[str, Any]:
    (step,) = [step for step in job["steps"] if command in step.get("run", "")]
    return dict(step)


def github_actions() -> Deployment:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    env = {key: str(value) for key, value in workflow.get("env", {}).items()}
    build_job, merge_job = workflow["jobs"]["build"], workflow["jobs"]["merge"]
    assert merge_job["needs"] == "build"
    matrix = build_job["strategy"]["matrix"]["shard"]
    shards = int(env["SHARDS"])
    assert matrix == list(range(1, shards + 1)), "the matrix's shards are 1..SHARDS"
    assert build_job["strategy"]["fail-fast"] is False, "one shard's failure stops no other"

    def command(job: dict[str, Any], run: str, shard: int | None) -> Command:
        step = _step_running(job, run)
        values = {f"env.{key}": value for key, value in env.items()}
        if shard is not None:
            values["matrix.shard"] = str(shard)
        step_env = {**env, **job.get("env", {}), **step.get("env", {})}
        return Command(_expand(step["run"], values), {k: str(v) for k, v in step_env.items()})

    shard_commands = [command(build_job, "pipeline build", k) for k in matrix]
    return Deployment(
        "github-actions", shards, shard_commands, command(merge_job, "pipeline manifest", None)
    )


DEPLOYMENTS = {"kubernetes": kubernetes, "github-actions": github_actions}


@pytest.fixture(params=sorted(DEPLOYMENTS))
def deployment(request: pytest.FixtureRequest) -> Deployment:
    return DEPLOYMENTS[request.param]()


def _environment(command: Command, path: str) -> dict[str, str]:
    return {**os.environ, **command.env, "PATH": f"{path}{os.pathsep}{os.environ['PATH']}"}


def _inputs(root: Path) -> Path:
    """`root`/inputs: the examples, where the deployments read their inputs."""
    (root / "inputs").mkdir(parents=True)
    for example in EXAMPLES:
        shutil.copy(example, root / "inputs" / example.name)
    return root / "inputs"


# --- The commands are the CLI's --------------------------------------------------------------


def argv(command: Command, root: Path, fake_bin: Path) -> list[str]:
    """The arguments bash gives `pipeline` when it runs `command` (a stand-in `pipeline` on
    PATH prints them)."""
    completed = subprocess.run(
        ["bash", "-c", command.here(root).script],
        env=_environment(command, str(fake_bin)),
        cwd=root,
        capture_output=True,
        timeout=RUN_TIMEOUT,
        check=True,
    )
    return completed.stdout.decode().split("\0")[:-1]


@pytest.fixture
def fake_bin(tmp_path: Path) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    stand_in = folder / "pipeline"
    stand_in.write_text("#!/bin/sh\nprintf '%s\\0' \"$@\"\n", encoding="utf-8")
    stand_in.chmod(0o755)
    return folder


def parse(arguments: list[str], root: Path) -> tuple[str, dict[str, Any]]:
    """The command `pipeline ARGUMENTS` names, and its parameters as click parses them run
    from `root` (every option must exist, every value be valid, or click raises a usage error);
    relative paths made absolute."""
    command: click.Command = cli
    path = []
    while isinstance(command, click.Group):
        name, *arguments = arguments
        found = command.get_command(click.Context(command), name)
        assert found is not None, f"no command {name} in pipeline {' '.join(path)}"
        command, path = found, [*path, name]
    before = Path.cwd()
    os.chdir(root)  # where the command runs: relative paths are checked from there
    try:
        params = command.make_context(" ".join(["pipeline", *path]), list(arguments)).params
    finally:
        os.chdir(before)
    return " ".join(path), {key: _absolute(value, root) for key, value in params.items()}


def _absolute(value: Any, root: Path) -> Any:
    if isinstance(value, Path):
        return root / value
    if isinstance(value, tuple):
        return tuple(_absolute(item, root) for item in value)
    return value


def test_every_deployed_command_is_a_pipeline_command_with_real_options(
    deployment: Deployment, tmp_path: Path, fake_bin: Path
) -> None:
    _inputs(tmp_path)
    shard_folders = []
    for k, shard in enumerate(deployment.shard_commands, start=1):
        name, params = parse(argv(shard, tmp_path, fake_bin), tmp_path)
        assert name == "build"
        assert params["shard"] == (k, deployment.shards)
        assert params["paths"] == (tmp_path / "inputs",)
        assert params["pdf"] and params["drafts_ok"]
        assert params["jobs"] is not None, "--jobs as the CPUs given, not the node's cores"
        assert params["out"].name == f"shard-{k}"
        assert params["out"].is_relative_to(tmp_path), "every path on the volume (/data)"
        shard_folders.append(params["out"])
        params["out"].mkdir(parents=True)  # for the merge's own check that its shards exist
    name, params = parse(argv(deployment.merge, tmp_path, fake_bin), tmp_path)
    assert name == "manifest merge"
    assert list(params["shards"]) == shard_folders, "the merge takes every shard, once"
    assert params["target"] not in shard_folders
    assert params["target"].is_relative_to(tmp_path)


# --- The commands build what one build does --------------------------------------------------


def _run_all(commands: list[Command], root: Path) -> list[subprocess.CompletedProcess[str]]:
    """Run `commands` at once, each `bash -c` in its own process group, and wait for all."""
    processes = [
        subprocess.Popen(
            ["bash", "-c", command.here(root).script],
            env=_environment(command, BIN),
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        for command in commands
    ]
    results = []
    try:
        for process, command in zip(processes, commands, strict=True):
            output, _ = process.communicate(timeout=RUN_TIMEOUT)
            results.append(subprocess.CompletedProcess(command.script, process.returncode, output))
    finally:
        for process in processes:
            stop_process_group(process)  # whatever a command left behind, or all on a timeout
    return results


def _files(folder: Path) -> dict[str, bytes]:
    """Every file of a build folder but its manifest (compared apart) and its lock."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name not in ("manifest.json", ".pipeline.lock")
    }


def _entries(folder: Path) -> dict[str, Any]:
    """The manifest's records, without what legitimately differs between two folders holding
    the same files: when each file was written (mtime_ns)."""
    plans = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["plans"]
    for entry in plans.values():
        for output in entry["outputs"].values():
            del output["mtime_ns"]
    return dict(plans)


def _build_in_process(root: Path, *arguments: str) -> str:
    """`pipeline build ARGUMENTS` run from `root`, in this process (the same command, without
    an interpreter's start); its output."""
    before = Path.cwd()
    os.chdir(root)  # the dashboard names inputs from the working folder
    try:
        result = CliRunner().invoke(cli, ["build", *arguments])
    finally:
        os.chdir(before)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(
    "name",
    # Both under the deep profile; by default the Kubernetes Job's (the workflow's commands
    # are parsed option by option, and their shards and merge checked, by the tests above).
    sorted(DEPLOYMENTS) if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else ["kubernetes"],
)
def test_the_deployed_shards_and_merge_build_what_one_build_does(
    name: str, tmp_path: Path, fake_bin: Path
) -> None:
    deployment = DEPLOYMENTS[name]()
    _inputs(tmp_path)
    shards = [command.without_pdf() for command in deployment.shard_commands]
    for result in _run_all(shards, tmp_path):
        assert result.returncode == 0, f"{result.args}\n{result.stdout}"
    _, merge_params = parse(argv(deployment.merge, tmp_path, fake_bin), tmp_path)
    (merge,) = _run_all([deployment.merge], tmp_path)
    assert merge.returncode == 0, merge.stdout
    assert f"merged {len(EXAMPLES)} plan(s) from {deployment.shards} folder(s)" in merge.stdout
    merged = merge_params["target"]

    # One build of the same inputs, named as the shards name them (check reports show the
    # input as the command was given it), into a folder beside the merged one (manifests name
    # inputs relative to their folder).
    command, inputs, *_ = argv(deployment.shard_commands[0], tmp_path, fake_bin)
    assert command == "build" and not inputs.startswith("-")
    whole = merged.parent / "whole"
    _build_in_process(tmp_path, inputs, "--out", str(whole), "--jobs", "1")

    # The documents, check reports and dashboard byte for byte; the records alike.
    assert _files(merged) == _files(whole)
    assert _entries(merged) == _entries(whole)
    # The merged folder is the base of the next build: nothing to rebuild.
    again = _build_in_process(tmp_path, inputs, "--out", str(merged), "--jobs", "1")
    assert f"0 built, {len(EXAMPLES)} unchanged" in again


# --- The image ---------------------------------------------------------------------------------


def _instructions(text: str) -> Iterator[tuple[str, str]]:
    """(INSTRUCTION, its arguments) of a Containerfile, continuation lines joined."""
    logical = re.sub(r"\\\n", " ", text)
    for line in logical.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            yield keyword.upper(), rest.strip()


def _apt_packages(script: str) -> set[str]:
    """The packages of every `apt-get install` in a shell script."""
    packages: set[str] = set()
    for command in re.split(r"&&|;|\n", script.replace("\\\n", " ")):
        if not re.search(r"\bapt-get\b.*\binstall\b", command):
            continue
        words = shlex.split(command, comments=True)
        if "apt-get" in words and "install" in words:
            after = words[words.index("install") + 1 :]
            packages |= {w for w in after if not w.startswith(("-", "$", '"$'))}
    return packages


NEEDED = {
    "libreoffice-writer-nogui",  # LibreOffice Writer, headless
    "python3-uno",  # its Python bridge, for the long-lived converter
    "fonts-crosextra-carlito",  # Calibri's metrics, which the templates use
    "fonts-crosextra-caladea",  # Cambria's
}
"""What PDFs need on Debian or Ubuntu (pipeline.pdf.office.INSTALL_HINT), as .ci/run installs."""


def test_what_pdfs_need_is_what_the_project_installs() -> None:
    from pipeline.pdf.office import INSTALL_HINT

    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for package in NEEDED:
        assert package in INSTALL_HINT and package in ci


def test_the_image_installs_what_the_pipeline_and_its_pdfs_need() -> None:
    instructions = list(_instructions(CONTAINERFILE.read_text(encoding="utf-8")))
    runs = "\n".join(rest for keyword, rest in instructions if keyword == "RUN")
    packages = _apt_packages(runs)
    assert packages >= NEEDED
    assert "libreoffice-writer-nogui" in packages  # headless, no GUI
    assert not any(
        p.startswith("libreoffice") and p != "libreoffice-writer-nogui" for p in packages
    )
    assert "--no-install-recommends" in runs

    # Installed in place (editable), with what the package reads beside itself.
    assert "pip install --no-cache-dir -e /opt/pipeline" in runs
    copied = {
        source.rstrip("/")
        for keyword, rest in instructions
        if keyword == "COPY"
        for source in rest.split()[:-1]  # the last is the destination
        if not source.startswith("--")
    }
    beside = {TEMPLATES_DIR.relative_to(ROOT).parts[0], SCHEMA_FILE.relative_to(ROOT).parts[0]}
    assert {"pipeline", "pyproject.toml", "README.md"} | beside <= copied
    for name in copied:
        assert (ROOT / name).exists(), name

    users = [rest for keyword, rest in instructions if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    (entrypoint,) = [json.loads(rest) for keyword, rest in instructions if keyword == "ENTRYPOINT"]
    assert entrypoint[0].endswith("tini")


def test_the_jobs_run_the_image_as_its_user_on_the_shared_volume() -> None:
    (claim, _pod) = _documents(VOLUME)
    assert claim["kind"] == "PersistentVolumeClaim"
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    user = next(
        rest.split(":")[0]
        for keyword, rest in reversed(list(_instructions(CONTAINERFILE.read_text("utf-8"))))
        if keyword == "USER"
    )
    images = set()
    for path in (BUILD_JOB, MERGE_JOB, VOLUME):
        for document in _documents(path):
            if document["kind"] not in ("Job", "Pod"):
                continue
            spec = (
                document["spec"]["template"]["spec"]
                if document["kind"] == "Job"
                else document["spec"]
            )
            assert spec["securityContext"]["runAsUser"] == int(user)
            assert spec["securityContext"]["runAsNonRoot"] is True
            (container,) = spec["containers"]
            images.add(container["image"])
            (mount,) = container["volumeMounts"]
            assert mount["mountPath"] == VOLUME_ROOT
            (volume,) = spec["volumes"]
            assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert len(images) == 1, "one image for every pod: the same pipeline at the same paths"


def test_the_workflow_installs_what_the_image_does() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    runs = "\n".join(step.get("run", "") for step in workflow["jobs"]["build"]["steps"])
    assert _apt_packages(runs) >= NEEDED
    assert "pip install --quiet -e ." in runs


def test_the_workflow_carries_each_shard_to_the_merge(tmp_path: Path, fake_bin: Path) -> None:
    """Shard K's folder is uploaded as the artifact shard-K, and the merge job downloads every
    artifact into a folder of its own (download-artifact with a pattern: PATH/NAME) where the
    merge command looks for the shards."""
    deployment = github_actions()
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    (upload,) = [
        step
        for step in workflow["jobs"]["build"]["steps"]
        if step.get("uses", "").startswith("actions/upload-artifact@")
    ]
    (download,) = [
        step
        for step in workflow["jobs"]["merge"]["steps"]
        if step.get("uses", "").startswith("actions/download-artifact@")
    ]
    _inputs(tmp_path)
    downloaded = []
    for k, shard in enumerate(deployment.shard_commands, start=1):
        _, params = parse(argv(shard, tmp_path, fake_bin), tmp_path)
        values = {"matrix.shard": str(k)}
        name = _expand(upload["with"]["name"], values)
        assert tmp_path / _expand(upload["with"]["path"], values) == params["out"]
        assert download["with"]["pattern"].endswith("*")
        assert name.startswith(download["with"]["pattern"].removesuffix("*"))
        assert "merge-multiple" not in download["with"]
        downloaded.append(tmp_path / download["with"]["path"] / name)
        downloaded[-1].mkdir(parents=True)
    _, params = parse(argv(deployment.merge, tmp_path, fake_bin), tmp_path)
    assert list(params["shards"]) == downloaded
