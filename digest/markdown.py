"""Markdown to HTML: CommonMark plus tables and footnotes, raw HTML escaped.

Raw HTML is escaped rather than passed through: an article is written by contributors
and by ingestion from hostile feeds, and the page must not run what they typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

RENDERER_VERSION = "2"  # bump when the output of render() changes, to invalidate caches


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    # Heading ids get a prefix so "## Main" cannot collide with the page's own ids.
    md.use(anchors_plugin, min_level=2, max_level=3, permalink=False,
           slug_func=lambda title: "h-" + _slug(title))
    md.validateLink = _safe_link  # type: ignore[method-assign]
    return md


def warm() -> None:
    """Build the parser now (before worker processes are forked)."""
    _parser()


def _slug(title: str) -> str:
    return re.sub(r"[^\w-]+", "", re.sub(r"\s+", "-", title.strip().lower())) or "section"


def _safe_link(url: str) -> bool:
    lowered = url.strip().lower()
    return not lowered.startswith(("javascript:", "vbscript:", "data:", "file:"))


# The build's cache of rendered Markdown, while one is in use (`digest.incremental`).
_store: ContextVar[Callable[[str], str] | None] = ContextVar("markdown_store", default=None)


def render(text: str) -> str:
    """Render an article body. Pure and deterministic, so it can be cached by text."""
    store = _store.get()
    if store is not None:
        return store(text)
    return render_uncached(text)


def render_uncached(text: str) -> str:
    """`render` without the build's cache."""
    return str(_parser().render(text))


@contextmanager
def cached(store: Callable[[str], str]) -> Iterator[None]:
    """Within the block, `render(text)` is `store(text)` (which calls render_uncached)."""
    token = _store.set(store)
    try:
        yield
    finally:
        _store.reset(token)
