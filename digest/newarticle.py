"""`digest new`: an article skeleton at the right path, valid from the first save."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import yaml
from slugify import slugify

from .articles import LANG
from .config import load_site
from .errors import ProblemList
from .project import Layout
from .schema import is_http_url
from .taxonomy import load_taxonomy

SLUG_MAX = 80


class NewArticleError(Exception):
    pass


def article_path(articles_dir: Path, day: dt.date, title: str) -> Path:
    slug = slugify(title, max_length=SLUG_MAX, word_boundary=True) or "article"
    return articles_dir / f"{day.year:04d}" / f"{day.month:02d}" / f"{slug}.md"


def create_article(
    root: Path, title: str, *, terms: dict[str, list[str]], day: dt.date,
    lang: str | None = None, draft: bool = False, summary: str = "",
    sources: list[str] | None = None,
) -> Path:
    """Write the skeleton and return its path. Terms are resolved (names and aliases
    accepted) so the file holds slugs; an unknown term is refused before anything is
    written."""
    layout = Layout(root)
    problems = ProblemList()
    config = load_site(layout.site_config, root, problems)
    taxonomies = load_taxonomy(layout.taxonomy, root, config, problems)
    if problems.errors:
        raise NewArticleError("the project has errors; run `digest check` first:\n"
                              + "\n".join(p.format() for p in problems.errors))
    if not title.strip():
        raise NewArticleError("the title is empty")
    resolved: dict[str, list[str]] = {}
    for tax, values in terms.items():
        if tax not in config.taxonomy_keys:
            raise NewArticleError(f'unknown taxonomy "{tax}"; expected one of: '
                                  + ", ".join(config.taxonomy_keys))
        for value in values:
            slug = taxonomies.resolve(tax, value)
            if slug is None:
                close = taxonomies.closest(tax, value)
                hint = f" (closest: {', '.join(close)})" if close else ""
                raise NewArticleError(f'unknown {tax} "{value}"{hint}; add it to '
                                      "content/taxonomy.yaml first")
            resolved.setdefault(tax, []).append(slug)
    for url in sources or []:
        if not is_http_url(url):
            raise NewArticleError(f'--source must be an http(s) URL, got "{url}"')
    if lang is not None and not LANG.match(lang):
        raise NewArticleError(f'--lang must be a language code such as fr or de-CH, got "{lang}"')
    path = article_path(layout.articles, day, title)
    front: dict[str, object] = {"title": title.strip(), "date": day, "lang": lang or config.language,
                                "summary": summary or "One or two sentences in your own words."}
    front["sources"] = [{"name": _host(u), "url": u} for u in sources or []]
    for tax in config.taxonomy_keys:
        if tax in resolved:
            front[tax] = resolved[tax]
    if draft:
        front["status"] = "draft"
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False,
                                    default_flow_style=None, width=88) + "---\n"
    text += "\nYour notes in Markdown: context, what changed, why it matters.\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: refuse to overwrite, even if another process created the file meanwhile.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise NewArticleError(f"{path} already exists; choose another title or edit that "
                              "file") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0].removeprefix("www.")
