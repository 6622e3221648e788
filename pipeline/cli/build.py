"""`pipeline build` and `pipeline manifest merge`: the batch commands, with their progress."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from pipeline.batch.build import BuildOptions, PlanResult, Status, build
from pipeline.batch.config import CONFIG_NAME, load_config
from pipeline.batch.merge import merge
from pipeline.cli.base import (
    as_of_option,
    cli,
    paths_argument,
    profiles_option,
    report,
    reports_errors,
)
from pipeline.model.vocabulary import Profile
from pipeline.reports.outputs import INDEX, REPORT_HTML


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
    """Reports each plan as it finishes: a bar on a terminal, plain lines otherwise. The build
    says how many plans it selected (`start`) before the first one finishes."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.done = 0
        self.total = 0
        self.terminal = sys.stderr.isatty()

    def start(self, total: int) -> None:
        self.total = total

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


@cli.command("build")
@paths_argument
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
@click.option(
    "--pdf-ua",
    "pdf_ua",
    is_flag=True,
    help="Make the PDFs and packets declare PDF/UA-1, accessible PDF (implies --pdf).",
)
@click.option(
    "--redline",
    is_flag=True,
    help="Also write, beside each changed plan's documents, <document>-redline.docx (the "
    "changes since the previous revision built into OUT, as Word tracked changes) and the "
    "change summary, changes.html and changes.json.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only problems and the summary.")
@profiles_option
@as_of_option
@click.option(
    "--draft",
    "drafts_ok",
    is_flag=True,
    help="Exit 0 even when plans are incomplete (their documents are marked DRAFT).",
)
@reports_errors
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
    pdf_ua: bool,
    redline: bool,
    quiet: bool,
    profiles: tuple[str, ...],
    as_of: dt.date | None,
    drafts_ok: bool,
) -> None:
    """Build every plan's documents (and PDFs with --pdf).

    Each plan's documents go to OUT/<organization>/<document>.docx; a plan with check-ins
    also gets progress-report.docx, of its latest check-in (on or before --as-of DATE).

    Only plans whose input, templates or options changed since the last build into OUT are
    rebuilt (OUT/manifest.json records them); --force rebuilds all. With --pdf, each document
    is also OUT/<organization>/<document>.pdf, and packet.pdf joins them (needs LibreOffice).

    OUT keeps every revision of a plan it built (OUT/.revisions): a plan built again after a
    change says what changed since in its improvement plan's Summary of changes, its check
    report and the dashboard; --redline also writes the redlined documents.

    Every plan is checked first (see `pipeline check`). An incomplete plan is still built, as
    a draft: each page is marked DRAFT and each missing element is shown in place; the build
    then exits 1 unless --draft is given. Each plan's folder gets check.json and check.html,
    and OUT/index.html shows every plan's status.

    Example: pipeline build inputs/ --out build/ --jobs 4 --pdf
    """
    config = load_config(config_path)
    out = out or config.out or Path("build")
    sources = list(paths) or [Path("inputs")]
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
        pdf_ua=pdf_ua,
        as_of=as_of,
        redline=redline,
    )
    progress = _Progress(quiet)
    built = build(sources, options, on_result=progress, on_start=progress.start)
    counts = ", ".join(f"{built.count(status)} {status}" for status in Status)
    kept_drafts = len(built.drafts) - built.count(Status.DRAFT)
    if kept_drafts:  # unchanged since a build that made them drafts
        counts += f" (and {kept_drafts} unchanged draft{'s' if kept_drafts != 1 else ''})"
    click.echo(f"{len(built.results)} plan(s) into {out}/: {counts} ({built.seconds:.1f}s)")
    for key in built.pruned:
        click.echo(f"pruned the documents of {key} (input gone)")
    if built.orphans:
        click.echo(
            f"kept the documents of {len(built.orphans)} plan(s) whose input is gone "
            "(--prune removes them)"
        )
    click.echo(f"status of every plan: {out / INDEX}")
    for warning in built.warnings:
        click.echo(f"Warning: {warning}", err=True)
    for result in built.results:
        report(result.problems)  # a valid plan's are warnings
    for result in built.drafts:
        where = f"{result.folder / REPORT_HTML}" if result.folder else "its check report"
        click.echo(
            f"{'Draft' if drafts_ok else 'Error'}: {result.source} is incomplete: its "
            f"documents are drafts (see {where})",
            err=True,
        )
    if built.drafts and not drafts_ok:
        click.echo(
            "Error: fix the errors of the plans above, or build with --draft to accept drafts",
            err=True,
        )
    sys.exit(built.exit_code(accept_drafts=drafts_ok))


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
@reports_errors
def manifest_merge(shards: tuple[Path, ...], target: Path) -> None:
    """Combine the output folders of sharded builds into one.

    Each shard is the output folder of a build with --shard K/N.

    Example: pipeline manifest merge shard-1/ shard-2/ shard-3/ --into build/
    """
    keys = merge(list(shards), target)
    click.echo(f"merged {len(keys)} plan(s) from {len(shards)} folder(s) into {target}/")
