"""`digest build`: load -> validate -> site model -> render -> write."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import outputs, urls
from .config import normalise_base_url
from .errors import DigestError, Problem
from .model import SiteModel, build_model
from .project import Layout, load_content, publishable
from .render import Renderer, pages
from .search import index_site
from .write import SiteWriter


@dataclass(frozen=True, slots=True)
class BuildOptions:
    root: Path
    out: Path | None = None
    drafts: bool = False
    base_url: str | None = None
    today: dt.date | None = None  # articles dated later are scheduled, not published
    search: bool = True  # index the site for /search/ (Pagefind)


@dataclass(slots=True)
class BuildResult:
    articles: int = 0
    pages: int = 0
    term_pages: int = 0
    feeds: int = 0
    files: int = 0
    scheduled: int = 0
    indexed: int = 0
    seconds: float = 0.0
    warnings: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"built {self.articles:,} articles, {self.pages:,} pages "
            f"({self.term_pages:,} term pages), {self.feeds:,} feeds in {self.seconds:.1f} s",
        ]
        if self.scheduled:
            parts.append(f"{self.scheduled} scheduled for later")
        parts.append(f"{len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}")
        return ", ".join(parts)


Progress = Callable[[str, int, int], None]


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build the site. Raises DigestError, leaving the previous output untouched."""
    started = time.perf_counter()
    layout = Layout(options.root)
    content = load_content(layout)
    errors = [p for p in content.problems if p.severity == "error"]
    if errors:
        raise DigestError(content.problems)
    config = content.config
    if options.base_url:
        from dataclasses import replace

        config = replace(config, base_url=normalise_base_url(options.base_url))
    today = options.today or dt.date.today()
    shown, scheduled = publishable(content.articles, options.drafts, today)
    model = build_model(config, content.taxonomies, shown)
    out = options.out or (options.root / "site")
    writer = SiteWriter(out)
    try:
        result = render_site(model, layout.templates, writer, progress)
        if options.search:
            result.indexed = index_site(writer.tmp, model)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    result.scheduled = scheduled
    result.warnings = [p for p in content.problems if p.severity == "warning"]
    result.seconds = time.perf_counter() - started
    return result


def render_site(
    model: SiteModel, templates: Path, writer: SiteWriter, progress: Progress | None = None
) -> BuildResult:
    renderer = Renderer(model, templates, model.config.base_url)
    links = renderer.links
    result = BuildResult(articles=len(model.articles))
    all_pages = list(pages(model))
    sitemap_entries: list[tuple[str, dt.date | None]] = []
    for index, page in enumerate(all_pages):
        writer.write(urls.output_file(page.path), renderer.render(page))
        if page.kind != "error":
            sitemap_entries.append((page.path, _lastmod(page)))
        if page.kind == "term":
            result.term_pages += 1
        if progress and index % 200 == 0:
            progress("render", index, len(all_pages))
    result.pages = len(all_pages)
    writer.write("feed.xml", outputs.atom_feed(
        model, links, model.articles[: model.config.feed_size], model.config.title,
        "/feed.xml", "/"))
    writer.write("feed.json", outputs.json_feed(model, links,
                                                model.articles[: model.config.feed_size]))
    result.feeds = 2
    for (tax, slug), info in model.terms.items():
        writer.write(urls.output_file(urls.term_feed(tax, slug)), outputs.atom_feed(
            model, links, info.articles[: model.config.feed_size],
            f"{info.term.name} — {model.config.title}", urls.term_feed(tax, slug),
            urls.term(tax, slug)))
        result.feeds += 1
    writer.write("sitemap.xml", outputs.sitemap(links, sitemap_entries))
    writer.write("robots.txt", outputs.robots(links))
    writer.write("data/articles.json", outputs.data_articles(model, links))
    writer.write("data/taxonomy.json", outputs.data_taxonomy(model, links))
    writer.copy_tree(templates / "static", "static")
    result.files = writer.count
    return result


def _lastmod(page: object) -> dt.date | None:
    context = getattr(page, "context", {})
    article = context.get("article")
    if article is not None:
        return (article.updated and _day(article.updated)) or article.day  # type: ignore[no-any-return]
    return None


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
