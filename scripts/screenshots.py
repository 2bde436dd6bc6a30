#!/usr/bin/env python3
"""Screenshots of the default theme for the README, made from the shipped content.

Builds content/ into a temporary folder, serves it on 127.0.0.1 and photographs the
front page, a term page and the timeline, in light and dark, at a desktop width, with
Playwright driving Debian's Chromium (DIGEST_CHROMIUM, default /usr/bin/chromium; no
browser is downloaded). Writes docs/screenshots/<page>-<scheme>.png.

    python scripts/screenshots.py [--out docs/screenshots] [--width 1280]
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from digest.build import BuildOptions, build  # noqa: E402

CHROMIUM = os.environ.get("DIGEST_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--font-render-hinting=none"]

# name, site path, viewport height, what to do before the photograph
SHOTS: list[tuple[str, str, int, str | None]] = [
    ("front", "", 1000, None),
    ("term", "deal/microsoft-mistral-2024/", 1000, None),
    # The timeline filtered by one company: the chips, the count, then the entries.
    ("timeline", "timeline/?company=mistral-ai", 1400, None),
]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--root", type=Path, default=REPO, help="the digest project")
    options = parser.parse_args()

    from playwright.sync_api import sync_playwright

    options.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        handler = functools.partial(_Quiet, directory=str(site))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        build(BuildOptions(root=options.root, out=site, base_url=base, cache=False))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                for scheme in ("light", "dark"):
                    for name, path, height, anchor in SHOTS:
                        context = browser.new_context(
                            viewport={"width": options.width, "height": height},
                            color_scheme=scheme, device_scale_factor=1)
                        page = context.new_page()
                        page.goto(base + path)
                        page.wait_for_load_state("networkidle")
                        if anchor:
                            page.evaluate(
                                "a => { document.documentElement.style.scrollBehavior = 'auto';"
                                " const el = document.querySelector(a);"
                                " window.scrollTo(0, el.getBoundingClientRect().top"
                                " + window.scrollY - 24); }", anchor)
                        target = options.out / f"{name}-{scheme}.png"
                        page.screenshot(path=str(target))
                        print(f"wrote {target.relative_to(REPO) if target.is_relative_to(REPO) else target}")
                        context.close()
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
