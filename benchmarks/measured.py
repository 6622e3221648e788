"""Run `pipeline` with the given arguments, as `python -m pipeline` does, and write the CPU
time of this process and of its children (the build's workers) to the file named by
PIPELINE_BENCH_RUSAGE when it exits: how `bench.py` tells the main process's share."""

from __future__ import annotations

import atexit
import os
import resource
import runpy
import sys


def _report(path: str) -> None:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            f"{own.ru_utime + own.ru_stime} {children.ru_utime + children.ru_stime} "
            f"{own.ru_maxrss} {children.ru_maxrss}\n"
        )


if __name__ == "__main__":
    target = os.environ.pop("PIPELINE_BENCH_RUSAGE", None)
    if target:
        atexit.register(_report, target)
    sys.argv = ["pipeline", *sys.argv[1:]]
    del sys.path[0]  # this folder: nothing of it is the pipeline's
    runpy.run_module("pipeline", run_name="__main__", alter_sys=True)
