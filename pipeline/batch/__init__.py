"""The build: every input through every stage, in parallel, incrementally.

- `build.py`: the orchestrator, whose body is the data flow;
- `worker.py`: one plan's work in a worker process (read, check, render; nothing written);
- `incremental.py`: the main process's side: what to rebuild, writing, recording;
- `options.py`: the build's options, and those recorded because they change the output;
- `conversions.py`: the convert stage, scheduled beside rendering;
- `manifest.py`: `OUT/manifest.json`, and merging sharded builds;
- `writes.py`: a plan's files written at once, and the manifest's text;
- `config.py`: `pipeline.toml`, the settings a batch always builds with.

Imports every stage before it.
"""
