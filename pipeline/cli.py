"""The command line: parses options, calls the library, reports, and maps errors to exit codes.

Exit codes: 0 success; 1 invalid input, an incomplete plan (its documents are drafts), a
template that cannot render, or a document LibreOffice cannot convert; 2 usage error; 3 PDFs
asked for but LibreOffice (or its Python bridge, or the documents' fonts) is not installed;
4 another build holds the output folder.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from pipeline import __version__
from pipeline.build import (
    BuildOptions,
    PlanResult,
    Status,
    build,
    read_plan,
    read_plans,
)
from pipeline.checks import check_paths, failed
from pipeline.checks.outputs import INDEX, REPORT_HTML, write_index
from pipeline.checks.report import FORMATS, render, render_rules
from pipeline.config import CONFIG_NAME, load_config
from pipeline.documents import BY_NAME
from pipeline.errors import InvalidInputError, PipelineError, Problem
from pipeline.load import find_inputs
from pipeline.manifest import Manifest, merge
from pipeline.schema import schema_text
from pipeline.vocabulary import Profile
from pipeline.write import OutputLock

F = TypeVar("F", bound=Callable[..., Any])


def _report(problems: list[Problem]) -> None:
    for problem in problems:
        label = "Warning" if problem.severity == "warning" else "Error"
        click.echo(f"{label}: {problem}", err=True)


def _reports_errors(command: F) -> F:
    """Turn the pipeline's own errors into a message and their exit code, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InvalidInputError as error:
            _report(error.problems)
            sys.exit(error.exit_code)
        except PipelineError as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(error.exit_code)

    return wrapper  # type: ignore[return-value]


def _summary(results: list[PlanResult]) -> int:
    failed = [r for r in results if not r.ok]
    for result in results:
        _report(result.problems)  # a valid plan's are warnings
    if not results:
        click.echo("Error: no inputs found (looked for .json and .xlsx files)", err=True)
        return 1
    return 1 if failed else 0


def _parse_shard(
    _: click.Context, __: click.Parameter, value: str | None
) -> tuple[int, int] | None:
    if value is None:
        return None
    k, _sep, n = value.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise click.BadParameter("write it as K/N with 1 ≤ K ≤ N, e.g. 2/8")
    return int(k), int(n)


class _Progress:
    """Reports each plan as it finishes: a bar on a terminal, plain lines otherwise."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.quiet = quiet
        self.done = 0
        self.total = total
        self.terminal = sys.stderr.isatty()

    def __call__(self, result: PlanResult) -> None:
        self.done += 1
        if self.quiet:
            return
        if self.terminal:
            width = 30
            filled = width * self.done // max(self.total, 1)
            bar = "#" * filled + "-" * (width - filled)
            click.echo(f"\r[{bar}] {self.done}/{self.total}", nl=False, err=True)
            if self.done == self.total:
                click.echo("", err=True)
            return
        why = f" ({', '.join(result.reasons)})" if result.reasons else ""
        click.echo(f"[{self.done}/{self.total}] {result.status}: {result.source}{why}", err=True)


_paths = click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
_profiles = click.option(
    "--profile",
    "profiles",
    multiple=True,
    type=click.Choice([profile.value for profile in Profile]),
    help="Check under this profile instead of the plan's own (repeat for several).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pipeline")
def cli() -> None:
    """Validate improvement plans and build their official Word documents.

    Inputs are JSON files (see `pipeline schema`) or Excel workbooks (see `pipeline init`);
    folders are searched for both.
    """


@cli.command()
@_paths
@_reports_errors
def validate(paths: tuple[Path, ...]) -> None:
    """Check inputs against the plan model and report every problem at once.

    Example: pipeline validate inputs/
    """
    results = read_plans(list(paths) or [Path("inputs")])
    for result in results:
        if result.ok and result.plan is not None:
            click.echo(f"valid: {result.source} ({result.plan.organization.name})")
    sys.exit(_summary(results))


@cli.command()
@_paths
@_profiles
@click.option(
    "--format",
    "format_",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--list-rules", is_flag=True, help="Print every rule with its citation, and exit.")
@_reports_errors
def check(
    paths: tuple[Path, ...], profiles: tuple[str, ...], format_: str, strict: bool, list_rules: bool
) -> None:
    """Check plans for completeness and compliance, and report every finding with its
    location, the rule, its citation and how to fix it.

    A plan is checked under its own profiles (its level, its parts, its ESSA designation and
    plan.profiles); --profile replaces them. Exits 0 when no plan has errors (warnings are
    allowed), 1 when one has, or with --strict when one has warnings.

    Example: pipeline check inputs/harbor-view-elementary.json --profile essa-csi
    """
    if list_rules:
        click.echo(render_rules(format_), nl=False)
        return
    checks = check_paths(list(paths) or [Path("inputs")], [Profile(p) for p in profiles])
    if not checks:
        click.echo("Error: no inputs found (looked for .json and .xlsx files)", err=True)
        sys.exit(1)
    click.echo(render(checks, format_), nl=False)
    sys.exit(1 if failed(checks, strict) else 0)


@cli.command("build")
@_paths
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder the documents go into [default: build].",
)
@click.option(
    "--templates",
    "templates_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder of templates replacing built-in ones by file name (action-plan.docx, …).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Project settings [default: ./{CONFIG_NAME} when it exists].",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes [default: one per core].",
)
@click.option("--force", is_flag=True, help="Rebuild every plan, changed or not.")
@click.option(
    "--prune", is_flag=True, help="Remove the documents of plans whose input no longer exists."
)
@click.option(
    "--shard",
    callback=_parse_shard,
    metavar="K/N",
    help="Build only the K-th of N stable parts of the inputs.",
)
@click.option(
    "--pdf",
    is_flag=True,
    help="Also convert every document to PDF (tagged, with bookmarks) with LibreOffice, and "
    "join each plan's into OUT/<organization>/packet.pdf.",
)
@click.option("--pdf-a", "pdf_a", is_flag=True, help="Make the PDFs PDF/A-2b (implies --pdf).")
@click.option("--quiet", "-q", is_flag=True, help="Print only problems and the summary.")
@_profiles
@click.option(
    "--draft",
    "drafts_ok",
    is_flag=True,
    help="Exit 0 even when plans are incomplete (their documents are marked DRAFT).",
)
@_reports_errors
def build_command(
    paths: tuple[Path, ...],
    out: Path | None,
    templates_dir: Path | None,
    config_path: Path | None,
    jobs: int | None,
    force: bool,
    prune: bool,
    shard: tuple[int, int] | None,
    pdf: bool,
    pdf_a: bool,
    quiet: bool,
    profiles: tuple[str, ...],
    drafts_ok: bool,
) -> None:
    """Build the Word documents of every plan: OUT/<organization>/<document>.docx.

    Only plans whose input, templates or options changed since the last build into OUT are
    rebuilt (OUT/manifest.json records them); --force rebuilds all. With --pdf, each document
    is also OUT/<organization>/<document>.pdf, and packet.pdf joins them (needs LibreOffice).

    Every plan is checked first (see `pipeline check`). An incomplete plan is still built, as
    a draft: each page is marked DRAFT and each missing element is shown in place; the build
    then exits 1 unless --draft is given. Each plan's folder gets check.json and check.html,
    and OUT/index.html shows every plan's status.

    Example: pipeline build inputs/ --out build/ --jobs 4 --pdf
    """
    config = load_config(config_path)
    out = out or config.out or Path("build")
    sources = list(paths) or [Path("inputs")]
    total = sum(1 for _ in find_inputs(sources))
    options = BuildOptions(
        out=out,
        templates=templates_dir or config.templates,
        jobs=jobs or config.jobs,
        force=force,
        prune=prune,
        shard=shard,
        profiles=tuple(Profile(p) for p in profiles),
        pdf=pdf,
        pdf_a=pdf_a,
    )
    report = build(sources, options, on_result=_Progress(total, quiet))
    counts = ", ".join(f"{report.count(status)} {status}" for status in Status)
    click.echo(f"{len(report.results)} plan(s) into {out}/: {counts} ({report.seconds:.1f}s)")
    for key in report.pruned:
        click.echo(f"pruned the documents of {key} (input gone)")
    if report.orphans:
        click.echo(
            f"kept the documents of {len(report.orphans)} plan(s) whose input is gone "
            "(--prune removes them)"
        )
    click.echo(f"status of every plan: {out / INDEX}")
    code = _summary(report.results)
    drafts = [result for result in report.results if result.draft and result.ok]
    for result in drafts:
        where = f"{result.folder / REPORT_HTML}" if result.folder else "its check report"
        click.echo(
            f"{'Draft' if drafts_ok else 'Error'}: {result.source} is incomplete: its "
            f"documents are drafts (see {where})",
            err=True,
        )
    if drafts and not drafts_ok:
        click.echo(
            "Error: fix the errors of the plans above, or build with --draft to accept drafts",
            err=True,
        )
        code = 1
    sys.exit(code)


@cli.group()
def manifest() -> None:
    """Work with build manifests (OUT/manifest.json)."""


@manifest.command("merge")
@click.argument(
    "shards", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--into",
    "target",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to combine the shards' documents and manifests into.",
)
@_reports_errors
def manifest_merge(shards: tuple[Path, ...], target: Path) -> None:
    """Combine the output folders of sharded builds (--shard K/N) into one.

    Example: pipeline manifest merge shard-1/ shard-2/ shard-3/ --into build/
    """
    with OutputLock(target):
        keys = merge(list(shards), target)
        entries = Manifest.load(target).entries
        write_index(target, {key: entry.slug for key, entry in entries.items()})
    click.echo(f"merged {len(keys)} plan(s) from {len(shards)} folder(s) into {target}/")


def _output(_: click.Context, __: click.Parameter, value: Path) -> Path:
    if value.suffix.lower() not in (".xlsx", ".json"):
        raise click.BadParameter(f"'{value}' must end in .xlsx or .json")
    return value


_force = click.option("--force", is_flag=True, help="Replace the file if it exists.")


@cli.command("init")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), callback=_output)
@_force
@_reports_errors
def init_command(path: Path, force: bool) -> None:
    """Write a blank plan to fill in: a workbook (.xlsx) or JSON with its $schema (.json).

    The workbook has a sheet per section or list, an input message on every header and
    dropdowns on the closed lists.

    Example: pipeline init plan.xlsx
    """
    from pipeline.interchange import init

    init(path, force)
    click.echo(f"wrote {path}")


@cli.command("convert")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path), callback=_output)
@_force
@_reports_errors
def convert_command(source: Path, target: Path, force: bool) -> None:
    """Convert a plan between JSON and workbook (.xlsx), without losing anything.

    SOURCE is checked first; TARGET is never the input, and is replaced only with --force.

    Example: pipeline convert inputs/harbor-view-elementary.json harbor-view.xlsx
    """
    from pipeline.interchange import convert

    _report(convert(source, target, force))
    click.echo(f"wrote {target}")


@cli.command()
@_reports_errors
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) that plan inputs follow.

    Example: pipeline schema > plan.schema.json
    """
    click.echo(schema_text(), nl=False)


@cli.command()
@click.argument("plan", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--document",
    "-d",
    type=click.Choice(sorted(BY_NAME)),
    required=True,
    help="Which document's context to print.",
)
@_reports_errors
def context(plan: Path, document: str) -> None:
    """Print, as JSON, every variable a document's template sees for PLAN.

    Example: pipeline context inputs/harbor-view-elementary.json --document action-plan
    """
    _, result = read_plan(plan)
    if result.plan is None:
        raise InvalidInputError(result.problems)
    from pipeline.context import build_context

    data = build_context(result.plan, BY_NAME[document])
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@cli.group()
def templates() -> None:
    """Check and preview Word templates (yours or the built-in ones)."""


@templates.command("check")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format; json is for tools.",
)
@_reports_errors
def templates_check(files: tuple[Path, ...], fmt: str) -> None:
    """Report every mistake in templates, with its place in the document, before rendering.

    Exit 0 when no template has an error (warnings are shown), 1 otherwise.

    Example: pipeline templates check templates/custom/action-plan.docx
    """
    from pipeline.template_check import check_template, document_for

    found = {str(path): check_template(path, document_for(path)) for path in files}
    if fmt == "json":
        report = {name: [p.to_json() for p in problems] for name, problems in found.items()}
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for name, problems in found.items():
            for problem in problems:
                click.echo(f"{problem.severity.capitalize()}: {problem}")
            if not problems:
                click.echo(f"ok: {name}")
    errors = any(p.severity == "error" for problems in found.values() for p in problems)
    sys.exit(1 if errors else 0)


@templates.command("preview")
@click.argument("template", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--plan",
    "plan_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Plan to fill it with [default: the first in inputs/].",
)
@click.option(
    "--out",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the preview [default: build/previews/NAME].",
)
@_reports_errors
def templates_preview(template: Path, plan_path: Path | None, target: Path | None) -> None:
    """Render a template with an example plan, every value a tag filled in highlighted.

    Example: pipeline templates preview templates/custom/action-plan.docx --plan inputs/x.json
    """
    target = target or Path("build") / "previews" / template.name
    from pipeline.preview import preview

    written = preview(template, plan_path, target)
    click.echo(f"wrote {written}")


def main() -> None:
    cli(prog_name="pipeline")
