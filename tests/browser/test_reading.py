"""Reading the site in a browser: navigation, phones, the colour scheme, no JavaScript."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from browser_support import Site

# One page of each type (site paths); the article is the founding story.
PAGE_TYPES = {
    "front": "/",
    "front-page-2": "/page/2/",
    "article": None,  # filled from the model
    "taxonomy": "/company/",
    "term": "/company/mistral-ai/",
    "deal": "/deal/microsoft-mistral-2024/",
    "timeline": "/timeline/",
    "timeline-year": "/timeline/2024/",
    "search": "/search/",
    "404": "/no-such-page/",
}


def founding_story(site: Site) -> Any:
    candidates = [a for a in site.model.articles
                  if "mistral" in a.slug and "microsoft" in a.slug
                  and (a.day.year, a.day.month) == (2024, 2)]
    assert candidates, "the founding story (Mistral AI and Microsoft, February 2024) is missing"
    return min(candidates, key=lambda a: (a.moment, a.path))


def page_path(site: Site, kind: str) -> str:
    path = PAGE_TYPES[kind]
    if path is None:
        return str(founding_story(site).url)
    if kind == "front-page-2" and len(site.model.articles) <= site.model.config.page_size:
        pytest.skip("only one front page")
    return path


def test_front_page_to_term_page_to_article(site: Site, page: Any) -> None:
    story = founding_story(site)
    page.goto(site.url())
    assert page.title() == site.model.config.title
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Companies").click()
    page.wait_for_url(site.url("company/"))
    page.get_by_role("link", name="Mistral AI", exact=True).click()
    page.wait_for_url(site.url("company/mistral-ai/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Mistral AI"
    page.locator(".term-articles").get_by_role("link", name=story.title, exact=True).click()
    page.wait_for_url(site.url(story.url))
    assert page.get_by_role("heading", level=1).inner_text() == story.title
    # The article leads on to its deal, under the subpath.
    page.locator(".article-aside").get_by_role("link", name="Microsoft-Mistral partnership").click()
    page.wait_for_url(site.url("deal/microsoft-mistral-2024/"))
    assert "EUR" in page.locator(".term-facts").inner_text()


def test_landmarks_and_skip_link(site: Site, page: Any) -> None:
    page.goto(site.url())
    for role in ("banner", "main", "contentinfo"):
        assert page.get_by_role(role).count() == 1, role
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0, "the skip link shows when focused"
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "focus is visible"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_article_metadata(site: Site, page: Any) -> None:
    story = founding_story(site)
    page.goto(site.url(story.url))
    head = page.locator("head")
    assert head.locator('link[rel="canonical"]').get_attribute("href") == site.url(story.url)
    assert head.locator('meta[property="og:title"]').get_attribute("content") == story.title
    assert head.locator('meta[property="og:type"]').get_attribute("content") == "article"
    assert head.locator('meta[name="twitter:card"]').count() == 1
    assert head.locator('link[rel="icon"]').get_attribute("href") == site.link("/static/favicon.svg")
    assert head.locator('meta[name="theme-color"]').count() == 1
    assert head.locator('link[rel="alternate"][type="application/atom+xml"]').count() >= 1
    # A source in another language is marked, for screen readers too.
    french = page.locator(".sources li").filter(has=page.locator('a[hreflang="fr"]'))
    assert french.count() >= 1
    badge = french.first.locator(".lang-badge")
    assert badge.locator('[aria-hidden="true"]').inner_text() == "FR"
    assert "in French" in badge.text_content()


def test_term_page_has_its_feed(site: Site, page: Any) -> None:
    page.goto(site.url("company/mistral-ai/"))
    feeds = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    hrefs = [feeds.nth(i).get_attribute("href") for i in range(feeds.count())]
    assert site.link("/company/mistral-ai/feed.xml") in hrefs
    assert site.link("/feed.xml") in hrefs


@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_no_horizontal_scroll_on_a_phone(site: Site, context_factory: Any, kind: str) -> None:
    page = context_factory(viewport={"width": 375, "height": 812}, is_mobile=True,
                           has_touch=True).new_page()
    page.goto(site.url(page_path(site, kind)))
    page.wait_for_load_state("load")
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    wide = page.evaluate("""() => {
        const limit = document.documentElement.clientWidth;
        return [...document.querySelectorAll('body *')]
          .filter(e => e.getBoundingClientRect().right > limit + 1 && e.getClientRects().length)
          .slice(0, 5).map(e => e.tagName + '.' + e.className);
    }""")
    assert widths[0] <= widths[1], f"{kind}: {widths}, too wide: {wide}"


def background(page: Any) -> str:
    return str(page.evaluate("getComputedStyle(document.body).backgroundColor"))


def is_dark(color: str) -> bool:
    channels = [int(c) for c in color[color.index("(") + 1: color.index(")")].split(",")[:3]]
    return sum(channels) / 3 < 128


def test_dark_mode_toggle_is_remembered(site: Site, context_factory: Any) -> None:
    page = context_factory(color_scheme="light").new_page()
    page.goto(site.url())
    toggle = page.get_by_role("button", name="Dark theme")
    assert toggle.get_attribute("aria-pressed") == "false"
    assert not is_dark(background(page))
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert is_dark(background(page))
    theme_color = page.locator('meta[name="theme-color"]')
    assert theme_color.get_attribute("content") == theme_color.get_attribute("data-dark")
    # Remembered across pages and reloads, applied before the first paint.
    page.goto(site.url("timeline/"))
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert is_dark(background(page))
    page.reload()
    assert is_dark(background(page))
    page.get_by_role("button", name="Dark theme").click()
    page.reload()
    assert not is_dark(background(page))
    assert page.get_by_role("button", name="Dark theme").get_attribute("aria-pressed") == "false"


def test_dark_mode_follows_the_system(site: Site, context_factory: Any) -> None:
    page = context_factory(color_scheme="dark").new_page()
    page.goto(site.url())
    assert is_dark(background(page))
    assert page.get_by_role("button", name="Dark theme").get_attribute("aria-pressed") == "true"


@pytest.mark.parametrize("kind", ["front", "article", "term", "timeline"])
def test_pages_read_without_javascript(site: Site, context_factory: Any, kind: str) -> None:
    page = context_factory(java_script_enabled=False).new_page()
    page.goto(site.url(page_path(site, kind)))
    assert page.get_by_role("heading", level=1).count() == 1
    assert not page.get_by_role("button", name="Dark theme").is_visible()
    if kind == "timeline":
        entries = page.locator("#timeline .tl-entry")
        assert entries.count() == len(site.model.timeline)
        assert page.locator("#timeline .tl-entry:visible").count() == entries.count()
        assert not page.locator("#tl-filter").is_visible()
    if kind == "term":
        assert page.locator(".term-timeline .tl-entry:visible").count() == len(
            site.model.term_info("company", "mistral-ai").timeline)


def test_search_page_without_javascript(site: Site, context_factory: Any) -> None:
    page = context_factory(java_script_enabled=False).new_page()
    page.goto(site.url("search/"))
    fallback = page.locator("#search-fallback")
    assert fallback.is_visible()
    assert "JavaScript" in fallback.inner_text()
    for path in ["/timeline/"] + [f"/{spec.key}/" for spec in site.model.config.taxonomies]:
        assert fallback.locator(f'a[href="{site.link(path)}"]').count() == 1, path


def test_taxonomy_index_sorts_by_recent_activity(site: Site, page: Any) -> None:
    page.goto(site.url("company/"))
    header = page.get_by_role("columnheader", name="Latest activity")
    header.get_by_role("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    dates = page.locator("table.terms tbody tr td:nth-child(3)").evaluate_all(
        "cells => cells.map(c => c.getAttribute('data-sort'))")
    known = [d for d in dates if d]
    assert known == sorted(known, reverse=True) and dates[: len(known)] == known
    newest = max(site.model.terms[("company", slug)].last_activity or dt.date.min
                 for (tax, slug) in site.model.terms if tax == "company")
    assert known[0] == newest.isoformat()
    header.get_by_role("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
