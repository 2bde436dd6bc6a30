"""Helpers for the browser tests: the browser, the subpath server, the site built once."""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from support import GOLDEN_PROJECT, REPO

from digest.model import SiteModel

CHROMIUM = os.environ.get("DIGEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]
AXE = REPO / "tests" / "node" / "node_modules" / "axe-core" / "axe.min.js"
SUBPATH = "/sub/"


def require(condition: bool, reason: str) -> None:
    """Skip without a browser tool on a workstation; in CI its absence is a failure."""
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def content_root() -> Path:
    """The shipped content; the golden project while the shipped one has no articles."""
    if any((REPO / "content" / "articles").rglob("*.md")):
        return REPO
    return GOLDEN_PROJECT


class SubpathHandler(SimpleHTTPRequestHandler):
    """Serves the site only under /sub/; anything else is a 404, as on a project site."""

    def translate_path(self, path: str) -> str:
        bare = path.split("?", 1)[0].split("#", 1)[0]
        if not bare.startswith(SUBPATH):
            return str(Path(self.directory) / "__outside_the_subpath__")
        return super().translate_path("/" + bare[len(SUBPATH):])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def log_message(self, format: str, *args: Any) -> None:
        return


@dataclass
class Site:
    root: Path  # the project built
    out: Path  # the built site
    base: str  # http://127.0.0.1:PORT/sub/
    model: SiteModel

    def url(self, path: str = "") -> str:
        return self.base + path.lstrip("/")

    def link(self, site_path: str) -> str:
        """A site path as the pages link it: "/company/x/" -> "/sub/company/x/"."""
        return SUBPATH + site_path.lstrip("/")


@contextlib.contextmanager
def serving(out: Path) -> Iterator[str]:
    """`out` served from 127.0.0.1 under SUBPATH (it may be built after this starts);
    yields the base URL to build it with."""
    handler = functools.partial(SubpathHandler, directory=str(out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{SUBPATH}"
    finally:
        server.shutdown()
        server.server_close()
