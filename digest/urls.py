"""Where each page lives. One module owns the URL scheme (DESIGN.md's table).

Paths here are site paths ("/company/openai/"); `Links` turns them into links that
work under a subpath (https://org.github.io/repo/) and into absolute URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def home(page: int = 1) -> str:
    return "/" if page <= 1 else f"/page/{page}/"


def taxonomy(key: str) -> str:
    return f"/{key}/"


def term(key: str, slug: str, page: int = 1) -> str:
    return f"/{key}/{slug}/" if page <= 1 else f"/{key}/{slug}/page/{page}/"


def term_feed(key: str, slug: str) -> str:
    return f"/{key}/{slug}/feed.xml"


def timeline(year: int | None = None, month: int | None = None) -> str:
    if year is None:
        return "/timeline/"
    return f"/timeline/{year:04d}/" if month is None else f"/timeline/{year:04d}/{month:02d}/"


def search() -> str:
    return "/search/"


def output_file(path: str) -> str:
    """The file a site path is written to: "/a/b/" -> "a/b/index.html"."""
    relative = path.lstrip("/")
    if relative == "" or relative.endswith("/"):
        return relative + "index.html"
    return relative


@dataclass(frozen=True, slots=True)
class Links:
    base_url: str  # ends with "/"
    base_path: str  # "/" or "/repo/"

    def url(self, path: str) -> str:
        """A root-relative link that includes the subpath: "/repo/timeline/"."""
        if "://" in path or path.startswith(("#", "mailto:")):
            return path
        return self.base_path + path.lstrip("/")

    def absolute(self, path: str) -> str:
        if "://" in path:
            return path
        return self.base_url + path.lstrip("/")


_ROOT_RELATIVE = re.compile(r'(\s(?:href|src))="/(?!/)')


def with_base_path(html_text: str, base_path: str) -> str:
    """Root-relative links written in Markdown ("/regulation/eu-ai-act/") made to work
    under the site's subpath. Rendered Markdown escapes quotes in text, so only
    attributes match."""
    if base_path == "/":
        return html_text
    return _ROOT_RELATIVE.sub(lambda m: f'{m.group(1)}="{base_path}', html_text)
