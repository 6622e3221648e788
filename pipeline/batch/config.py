"""The project configuration file, `pipeline.toml`: settings a batch must always build with.

    templates = "templates/district"   # a folder replacing built-in templates by file name
    out = "build"
    jobs = 2

Paths are relative to the file's folder. Options given on the command line win.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.errors import InvalidInputError, Problem

CONFIG_NAME = "pipeline.toml"


class ProjectConfig(BaseModel):
    """Settings read from `pipeline.toml`."""

    model_config = ConfigDict(extra="forbid")

    templates: Path | None = Field(
        None, description="Folder of templates replacing the built-in ones by file name."
    )
    out: Path | None = Field(None, description="Folder the documents go into.")
    jobs: int | None = Field(None, ge=1, description="Worker processes.")


def load_config(path: Path | None = None) -> ProjectConfig:
    """The configuration in `path`, or in ./pipeline.toml when it exists, else the defaults.

    Raises InvalidInputError naming the file and key of every problem.
    """
    explicit = path is not None
    path = path or Path(CONFIG_NAME)
    if not path.is_file():
        if explicit:
            raise InvalidInputError([Problem(str(path), "file", "file not found")])
        return ProjectConfig.model_validate({})
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InvalidInputError([Problem(str(path), "file", f"not valid TOML: {error}")]) from None
    try:
        config = ProjectConfig.model_validate(data)
    except ValidationError as error:
        problems = [
            Problem(str(path), ".".join(str(p) for p in detail["loc"]) or "file", detail["msg"])
            for detail in error.errors()
        ]
        raise InvalidInputError(problems) from None
    base = path.resolve().parent
    if base != Path.cwd().resolve():
        for field in ("templates", "out"):
            value = getattr(config, field)
            if value is not None and not value.is_absolute():
                setattr(config, field, base / value)
    if config.templates is not None and not config.templates.is_dir():
        raise InvalidInputError(
            [Problem(str(path), "templates", f"{config.templates} is not a folder")]
        )
    return config
