"""A render worker that dies (killed, out of memory) fails the plans it held, never the build;
an input that is a pipe or a device is refused, never read."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import pipeline.batch.build
from pipeline.batch.build import BuildOptions, Status, build
from pipeline.batch.worker import Rendered, render_input
from pipeline.inputs.read import read_input
from tests.test_batch import make_plans


def _dies_on_the_third(path: Path, *args: Any) -> Rendered:
    if path.name == "plan-002.json":
        os._exit(9)  # as the kernel's out-of-memory killer would leave it
    return render_input(path, *args)


def test_a_dead_worker_fails_its_plans_and_the_rest_are_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_plans(tmp_path / "in", 12)
    monkeypatch.setattr(pipeline.batch.build, "render_input", _dies_on_the_third)
    report = build([tmp_path / "in"], BuildOptions(out=tmp_path / "out", jobs=2))
    failed = [r for r in report.results if r.status is Status.FAILED]
    assert len(report.results) == 12
    assert any(r.source.endswith("plan-002.json") for r in failed)
    assert len(failed) <= 2 * 4  # at most what was in flight beside it
    assert report.count(Status.BUILT) == 12 - len(failed) >= 4
    for result in failed:
        assert "stopped unexpectedly" in result.problems[0].message
    assert (tmp_path / "out" / "manifest.json").is_file()
    assert (tmp_path / "out" / "index.html").is_file()


def test_a_pipe_named_as_an_input_is_refused_not_read(tmp_path: Path) -> None:
    pipe = tmp_path / "plan.json"
    os.mkfifo(pipe)
    reading = read_input(pipe)
    assert [p.message for p in reading.problems] == ["not a regular file"]
