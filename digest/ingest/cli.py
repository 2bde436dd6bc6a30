"""`digest ingest` and `digest feeds import|export`: options in, one call, results out.

The work happens in pipeline.py and opml.py; heavy modules are imported inside the
commands so that `digest --help` stays fast.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import DigestError, ProblemList

if TYPE_CHECKING:
    from rich.console import Console

    from .fetch import Fetched

ROOT_HELP = "Project root (the folder that holds content/)."
LISTED_DRAFTS = 50


def _root_option(function: Any) -> Any:
    return click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
                        show_default=True, help=ROOT_HELP)(function)


def _fail(problems: list[Any]) -> None:
    for problem in problems:
        click.echo(problem.format(), err=True)
    errors = sum(1 for p in problems if p.severity == "error")
    click.echo(f"{errors} error{'s' if errors != 1 else ''}: nothing was fetched or written",
               err=True)
    sys.exit(1)


class _ProgressListener:
    """Shows a rich progress bar while feeds are fetched (only on a terminal)."""

    def __init__(self, console: Console) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(TextColumn("fetching"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.description}"), console=console,
                                 transient=True, disable=not console.is_terminal)
        self.task: Any = None

    def fetching(self, total: int) -> None:
        self.progress.start()
        self.task = self.progress.add_task("", total=total)

    def fetched(self, fetched: Fetched) -> None:
        self.progress.update(self.task, advance=1, description=fetched.feed_id)

    def stop(self) -> None:
        self.progress.stop()


@contextmanager
def _listening(console: Console) -> Iterator[_ProgressListener]:
    listener = _ProgressListener(console)
    try:
        yield listener
    finally:
        listener.stop()


@click.command("ingest")
@_root_option
@click.option("--feed", "feed_ids", multiple=True, metavar="ID",
              help="Only this feed (repeatable).")
@click.option("--dry-run", is_flag=True, help="Write nothing; show what would be written.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Skip entries dated before this day.")
@click.option("--strict", is_flag=True, help="Exit non-zero if any feed failed.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a Markdown summary of the new drafts (a pull-request body).")
def ingest(root: Path, feed_ids: tuple[str, ...], dry_run: bool, since: dt.datetime | None,
           strict: bool, report_path: Path | None) -> None:
    """Fetch the feeds of content/feeds.yaml and write relevant entries as drafts."""
    from rich.console import Console

    from .drafts import write_atomic
    from .pipeline import IngestOptions, run_ingest
    from .report import notes, pull_request_body, summary_line, summary_table

    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = 160  # CI logs: room for the table and the failure reasons
    options = IngestOptions(feed_ids, dry_run, since.date() if since else None)
    try:
        with _listening(Console(stderr=True)) as listener:
            report = run_ingest(root, options, listener)
    except DigestError as exc:
        _fail(exc.problems)
        return
    console.print(summary_table(report))
    for note in notes(report):
        console.print(note, markup=False)
    drafts = report.drafts
    verb = "would write" if dry_run else "wrote"
    for draft in drafts[:LISTED_DRAFTS]:
        action = verb if draft.action == "new" else verb.replace("write", "update")
        console.print(f"{action} {draft.path}  ({draft.title})", markup=False)
    if len(drafts) > LISTED_DRAFTS:
        console.print(f"... and {len(drafts) - LISTED_DRAFTS} more", markup=False)
    if report_path is not None:
        write_atomic(report_path, pull_request_body(report))
    click.echo(summary_line(report))
    if report.all_failed or (strict and report.count("failed")):
        sys.exit(1)


@click.group("feeds")
def feeds() -> None:
    """Manage the feed list (content/feeds.yaml): OPML import and export."""


@feeds.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_root_option
def import_command(file: Path, root: Path) -> None:
    """Add the feeds of an OPML FILE to content/feeds.yaml."""
    from .. import yamlsrc
    from ..config import load_site
    from .drafts import write_atomic
    from .feedsconfig import load_feeds, parse_feeds
    from .opml import OpmlError, append_feeds, read_opml

    problems = ProblemList()
    config = load_site(root / "content" / "site.yaml", root, problems)
    path = root / "content" / "feeds.yaml"
    existing = load_feeds(path, root, config, problems) if path.exists() else ()
    if problems.errors:
        _fail(problems.items)
    try:
        imported = read_opml(file.read_bytes(), existing, config.language)
    except OpmlError as exc:
        click.echo(f"{file}: error: {exc}", err=True)
        sys.exit(1)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    updated = append_feeds(text, imported.feeds)
    check = ProblemList()
    parse_feeds(yamlsrc.load(updated), "content/feeds.yaml", config, check)
    if check.errors:  # pragma: no cover - a bug in append_feeds, not the user's input
        _fail(check.items)
    if imported.feeds:
        write_atomic(path, updated)
    for reason in imported.skipped:
        click.echo(f"skipped {reason}", err=True)
    click.echo(f"imported {len(imported.feeds)} feed{'s' if len(imported.feeds) != 1 else ''} "
               f"into content/feeds.yaml ({imported.already} already listed, "
               f"{len(imported.skipped)} skipped)")


@feeds.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@_root_option
def export_command(output: Path | None, root: Path) -> None:
    """Write the feeds of content/feeds.yaml as OPML."""
    from ..config import load_site
    from .drafts import write_atomic
    from .feedsconfig import load_feeds
    from .opml import write_opml

    problems = ProblemList()
    config = load_site(root / "content" / "site.yaml", root, problems)
    feeds_list = load_feeds(root / "content" / "feeds.yaml", root, config, problems)
    if problems.errors:
        _fail(problems.items)
    text = write_opml(feeds_list, f"{config.title}: feeds")
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomic(output, text)
    click.echo(f"exported {len(feeds_list)} feed{'s' if len(feeds_list) != 1 else ''} "
               f"to {output}", err=True)
