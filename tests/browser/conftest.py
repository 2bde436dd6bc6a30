"""Browser tests: the shipped digest, built once, served from 127.0.0.1 under a subpath
(/sub/, as on a GitHub Pages project site), driven by Playwright with Debian's Chromium.

Nothing is downloaded: the browser is the system's (`DIGEST_CHROMIUM`, default
/usr/bin/chromium) and axe-core comes from tests/node (npm install). Without them the
tests are skipped on a workstation and fail in CI (CI=true), where `.ci/run` installs
both.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    AXE,
    CHROMIUM,
    CHROMIUM_ARGS,
    Site,
    content_root,
    require,
    serving,
)

from digest.build import BuildOptions, build
from digest.model import build_model
from digest.project import Layout, load_content, publishable


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = content_root()
    out = tmp_path_factory.mktemp("browser") / "site"
    with serving(out) as base:
        build(BuildOptions(root=root, out=out, base_url=base, search=True, cache=False))
        content = load_content(Layout(root))
        shown, _ = publishable(content.articles, False, dt.date.today())
        model = build_model(content.config, content.taxonomies, shown)
        yield Site(root, out, base, model)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "playwright is not installed")
    require(Path(CHROMIUM).is_file() or shutil.which(CHROMIUM) is not None,
            f"no Chromium at {CHROMIUM} (apt-get install chromium, or set DIGEST_CHROMIUM)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context_factory(browser: Any) -> Iterator[Any]:
    """New, isolated browser contexts (fresh storage), closed after the test. Script
    errors in any page fail the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def make(**options: Any) -> Any:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        options.setdefault("color_scheme", "light")
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        context.on("weberror", lambda error: errors.append(str(error.error)))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture
def page(context_factory: Any) -> Any:
    return context_factory().new_page()


@pytest.fixture(scope="session")
def axe_script() -> Path:
    require(AXE.is_file(), f"axe-core is not installed ({AXE}); run npm install in tests/node")
    return AXE
