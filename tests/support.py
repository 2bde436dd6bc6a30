"""Helpers for tests that read a built site."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
GOLDEN_PROJECT = GOLDEN / "project"
GOLDEN_TODAY = "2026-11-29"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src"):
                self.links.append(value)
            if name == "id":
                self.ids.add(value)


def page_links(path: Path) -> tuple[list[str], set[str]]:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.links, parser.ids


def broken_internal_links(site: Path, base_url: str) -> list[str]:
    """Every internal href/src (absolute under base_url, root-relative or relative) of
    every HTML page must resolve to a file of the build (and a fragment to an id)."""
    base = urlsplit(base_url)
    base_path = base.path if base.path.endswith("/") else base.path + "/"
    ids: dict[Path, set[str]] = {}
    broken: list[str] = []
    pages = sorted(site.rglob("*.html"))
    for page in pages:
        ids[page] = page_links(page)[1]
    for page in pages:
        links, _ = page_links(page)
        page_dir_url = "/" + page.parent.relative_to(site).as_posix() + "/"
        for link in links:
            parts = urlsplit(link)
            if parts.scheme in ("mailto", "tel", "javascript", "data"):
                continue
            if parts.scheme or parts.netloc:
                if parts.netloc != base.netloc:
                    continue  # external
                path = parts.path
            elif link.startswith("#"):
                if link[1:] and link[1:] not in ids[page]:
                    broken.append(f"{page.relative_to(site)}: {link} (no such id)")
                continue
            elif parts.path.startswith("/"):
                path = parts.path
            else:
                path = base_path + page_dir_url.lstrip("/") + parts.path
            if not path.startswith(base_path):
                broken.append(f"{page.relative_to(site)}: {link} (outside {base_path})")
                continue
            relative = unquote(path[len(base_path):])
            target = site / relative
            if relative == "" or relative.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {link}")
                continue
            if parts.fragment and target.suffix == ".html":
                target_ids = ids.get(target) or page_links(target)[1]
                if parts.fragment not in target_ids:
                    broken.append(f"{page.relative_to(site)}: {link} (no such id)")
    return broken
