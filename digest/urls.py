"""Where each page lives. One module owns the URL scheme (DESIGN.md's table).

Paths here are site paths ("/company/openai/"); `Links` turns them into links that
work under a subpath (https://org.github.io/repo/) and into absolute URLs.
"""

from __future__ import annotations

from dataclasses import dataclass


def home(page: int = 1) -> str:
    return "/" if page <= 1 else f"/page/{page}/"


def taxonomy(key: str) -> str:
    return f"/{key}/"


def term(key: str, slug: str, page: int = 1) -> str:
    return f"/{key}/{slug}/" if page <= 1 else f"/{key}/{slug}/page/{page}/"


def term_feed(key: str, slug: str) -> str:
    return f"/{key}/{slug}/feed.xml"


def timeline(year: int | None = None) -> str:
    return "/timeline/" if year is None else f"/timeline/{year:04d}/"


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
