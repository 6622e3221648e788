"""The command line, a thin skin over the library: each command parses its options, calls one
library function, reports, and exits with the code its answer or error carries (the codes are
listed in `pipeline.errors`).

- `base.py`: the `pipeline` group, reporting, errors to exit codes, the shared arguments;
- `commands.py`: validate, check, init, convert, schema, context, templates check/preview;
- `build.py`: build and manifest merge, with the progress of a batch.

Imports any stage.
"""

# Each command's module registers it when the command is asked for (base.COMMAND_MODULES).
from pipeline.cli.base import cli


def main() -> None:
    cli(prog_name="pipeline")


__all__ = ["cli", "main"]
