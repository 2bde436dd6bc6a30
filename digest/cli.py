"""The `digest` command line: build, check, new, serve, and the ingestion commands."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from .errors import DigestError, Problem

ROOT_OPTION = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="The digest project (the folder holding content/).",
)
ANNOTATIONS_OPTION = click.option(
    "--annotations/--no-annotations", default=None,
    help="Also print problems as GitHub Actions annotations (on by default in Actions).",
)


def report_problems(problems: list[Problem], annotations: bool | None) -> None:
    """Print every problem as `path:line: severity: message` and its source line."""
    if annotations is None:
        annotations = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in problems:
        click.echo(problem.format(), err=True)
        if annotations:
            # Workflow commands are read from standard output.
            click.echo(problem.annotation())


def _check_base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from .schema import is_http_url

    if value is not None and not is_http_url(value):
        raise click.BadParameter(f'expected an absolute http(s) URL such as '
                                 f'https://org.github.io/repo/, got "{value}"')
    return value


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="digest")
def cli() -> None:
    """digest: a static-site generator for a curated AI-policy digest."""


@cli.command()
@ROOT_OPTION
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: ROOT/site).")
@click.option("--drafts", is_flag=True, help="Include draft articles.")
@click.option("--base-url", default=None, callback=_check_base_url,
              help="Override site.yaml's base_url (e.g. the Pages URL).")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Publish as of this day (articles dated later are scheduled).")
@click.option("--search/--no-search", default=True, show_default=True,
              help="Index the site for /search/ with Pagefind (--no-search: faster).")
@ANNOTATIONS_OPTION
def build(root: Path, out: Path | None, drafts: bool, base_url: str | None,
          today: dt.datetime | None, search: bool, annotations: bool | None) -> None:
    """Build the site into ROOT/site (or --out)."""
    from .build import BuildOptions
    from .build import build as run_build

    options = BuildOptions(root=root, out=out, drafts=drafts, base_url=base_url,
                           today=today.date() if today else None, search=search)
    try:
        result = run_build(options)
    except DigestError as exc:
        report_problems(exc.problems, annotations)
        errors = sum(1 for p in exc.problems if p.severity == "error")
        click.echo(f"build failed: {errors} error{'s' if errors != 1 else ''}; "
                   "the previous site was left as it was", err=True)
        sys.exit(1)
    report_problems(result.warnings, annotations)
    click.echo(result.summary())


@cli.command()
@ROOT_OPTION
@ANNOTATIONS_OPTION
def check(root: Path, annotations: bool | None) -> None:
    """Validate the content; list every problem and exit 1 if there are errors."""
    from .errors import ProblemList
    from .ingest.feedsconfig import load_feeds
    from .ingest.settings import load_settings
    from .project import Layout, load_content

    layout = Layout(root)
    content = load_content(layout)
    problems = ProblemList()
    problems.extend(content.problems)
    if content.config.loaded:
        # The ingestion side of the contract too: the feed list and the `ingest:` settings.
        load_settings(root, content.config, problems)
        if layout.feeds.is_file():
            load_feeds(layout.feeds, root, content.config, problems)
    found = sorted(problems.items, key=lambda p: (p.path, p.line, p.message))
    report_problems(found, annotations)
    errors = sum(1 for p in found if p.severity == "error")
    warnings = len(found) - errors
    click.echo(f"checked {len(content.articles):,} articles, "
               f"{sum(len(t) for t in content.taxonomies.terms.values()):,} terms: "
               f"{errors} error{'s' if errors != 1 else ''}, "
               f"{warnings} warning{'s' if warnings != 1 else ''}")
    if errors:
        sys.exit(1)


@cli.command()
@click.argument("title")
@ROOT_OPTION
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The article's date (default: today).")
@click.option("--lang", default=None, help="Article language (default: the site's).")
@click.option("--draft", is_flag=True, help="Mark the article as a draft.")
@click.option("--summary", default="", help="One or two sentences in your own words.")
@click.option("--source", "sources", multiple=True, metavar="URL", help="A source URL (repeatable).")
@click.option("--tag", "tags", multiple=True, metavar="TAXONOMY:TERM",
              help="A term of any taxonomy, e.g. regulator:cnil (repeatable).")
@click.option("--company", multiple=True, help="A company (slug, name or alias; repeatable).")
@click.option("--regulation", multiple=True, help="A regulation (repeatable).")
@click.option("--deal", multiple=True, help="A deal (repeatable).")
def new(title: str, root: Path, day: dt.datetime | None, lang: str | None, draft: bool,
        summary: str, sources: tuple[str, ...], tags: tuple[str, ...],
        company: tuple[str, ...], regulation: tuple[str, ...], deal: tuple[str, ...]) -> None:
    """Write a new article skeleton at the right path."""
    from .newarticle import NewArticleError, create_article

    terms: dict[str, list[str]] = {}
    for key, values in (("company", company), ("regulation", regulation), ("deal", deal)):
        if values:
            terms[key] = list(values)
    for tag in tags:
        key, sep, value = tag.partition(":")
        if not sep or not value:
            raise click.BadParameter(f'"{tag}" is not TAXONOMY:TERM', param_hint="--tag")
        terms.setdefault(key, []).append(value)
    try:
        path = create_article(root, title, terms=terms,
                              day=day.date() if day else dt.date.today(), lang=lang,
                              draft=draft, summary=summary, sources=list(sources))
    except NewArticleError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"wrote {path}")


@cli.command()
@ROOT_OPTION
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
@click.option("--drafts/--no-drafts", default=True, show_default=True, help="Show drafts.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: ROOT/.digest-cache/serve).")
@click.option("--search/--no-search", default=False, show_default=True,
              help="Also build the search index on every rebuild (slower).")
def serve(root: Path, port: int, drafts: bool, out: Path | None, search: bool) -> None:
    """Build, serve on 127.0.0.1, rebuild and reload the browser on save.

    Port 0 picks a free port. A build error shows in the browser; fix the file and
    the page recovers on the next save. Ctrl-C stops the server.
    """
    from .serve import serve as run_serve

    run_serve(root, port=port, drafts=drafts, out=out, search=search)


def _register_ingest() -> None:
    # Ingestion lives in its own package (and imports httpx and feedparser): its
    # commands are registered here, imported only once the CLI is loaded.
    from .ingest.cli import feeds, ingest

    cli.add_command(ingest)
    cli.add_command(feeds)


_register_ingest()


def main() -> None:
    try:
        cli()
    except DigestError as exc:  # a stage raised outside a command's own handling
        report_problems(exc.problems, None)
        sys.exit(1)
