"""A digest project on disk: where its parts live, and loading them all with problems."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Problem, ProblemList, relpath

if TYPE_CHECKING:  # imported where used, so that `Layout` is cheap to import
    from .articles import Article
    from .config import SiteConfig
    from .taxonomy import Taxonomies

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True, slots=True)
class Layout:
    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def articles(self) -> Path:
        return self.content / "articles"

    @property
    def site_config(self) -> Path:
        return self.content / "site.yaml"

    @property
    def taxonomy(self) -> Path:
        return self.content / "taxonomy.yaml"

    @property
    def feeds(self) -> Path:
        return self.content / "feeds.yaml"

    @property
    def templates(self) -> Path:
        """The project's theme, or the default theme shipped beside the package."""
        own = self.root / "templates"
        return own if own.is_dir() else PACKAGE_TEMPLATES

    @property
    def cache(self) -> Path:
        return self.root / ".digest-cache"


@dataclass(slots=True)
class Content:
    config: SiteConfig
    taxonomies: Taxonomies
    articles: list[Article]
    problems: list[Problem] = field(default_factory=list)


def load_content(layout: Layout) -> Content:
    """Load and validate everything. Problems are collected across all files."""
    from .articles import article_files, parse_article
    from .config import load_site
    from .taxonomy import Taxonomies, load_taxonomy

    problems = ProblemList()
    config = load_site(layout.site_config, layout.root, problems)
    articles: list[Article] = []
    if not config.loaded:  # nothing else can be checked against a config we could not read
        return Content(config, Taxonomies(config.taxonomies, {}, available=False), articles,
                       problems.items)
    taxonomies = load_taxonomy(layout.taxonomy, layout.root, config, problems)
    for path in article_files(layout.articles):
        name = relpath(path, layout.root)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.add(name, 1, f"not valid UTF-8 ({exc.reason} at byte {exc.start}); "
                         "save the file as UTF-8")
            continue
        article, found = parse_article(text, name, config, taxonomies)
        problems.extend(found)
        if article is not None:
            articles.append(article)
    _check_duplicates(articles, problems)
    return Content(config, taxonomies, articles, problems.items)


def _check_duplicates(articles: list[Article], problems: ProblemList) -> None:
    by_url: dict[str, Article] = {}
    for article in articles:
        other = by_url.get(article.url)
        if other is not None:
            problems.add(article.path, 1, f'duplicate URL {article.url}: "{other.path}" has the '
                         "same slug in the same month; rename one of the files")
        else:
            by_url[article.url] = article


def publishable(articles: list[Article], drafts: bool, today: dt.date) -> tuple[list[Article], int]:
    """The articles a build shows, and how many are scheduled for a later day."""
    shown = [a for a in articles if drafts or not a.is_draft]
    scheduled = [a for a in shown if a.day > today]
    return [a for a in shown if a.day <= today], len(scheduled)
