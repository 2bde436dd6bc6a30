"""Search: Pagefind's index, built by `digest build`, served and queried under /sub/."""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import Site
from test_reading import founding_story

# Every result's URL for a query, straight from the Pagefind index (no UI paging).
QUERY = """async ([bundle, term, filters]) => {
    const pagefind = await import(bundle + "pagefind.js");
    await pagefind.options({ baseUrl: %r });
    const search = await pagefind.search(term, filters ? { filters } : {});
    const data = await Promise.all(search.results.map(r => r.data()));
    return data.map(d => d.url);
}"""


def query(site: Site, page: Any, term: str | None, filters: dict[str, Any] | None = None
          ) -> list[str]:
    page.goto(site.url("search/"))
    return list(page.evaluate(QUERY % site.link("/"), [site.link("/pagefind/"), term, filters]))


@pytest.mark.parametrize("term", ["Mistral", "Microsoft"])
def test_search_finds_the_founding_story(site: Site, page: Any, term: str) -> None:
    story = founding_story(site)
    urls = query(site, page, term)
    assert site.link(story.url) in urls, urls
    assert all(url.startswith("/sub/") for url in urls)


def test_search_page_shows_the_story_and_keeps_the_query(site: Site, page: Any) -> None:
    story = founding_story(site)
    page.goto(site.url("search/"))
    page.get_by_role("searchbox").or_(page.locator(".pagefind-ui__search-input")).first.fill(
        "Mistral Microsoft Azure")
    link = page.locator(f'.pagefind-ui__result-link[href="{site.link(story.url)}"]')
    for _ in range(10):  # "Load more" until the story shows (it is near the top)
        if link.count():
            break
        more = page.locator(".pagefind-ui__button")
        if not more.count():
            page.wait_for_timeout(300)
            continue
        more.first.click()
    link.first.wait_for()
    assert "q=Mistral" in page.url
    # The query in the URL runs on load: a search can be shared.
    page.goto(page.url)
    page.locator(".pagefind-ui__result-link").first.wait_for()
    assert page.locator(".pagefind-ui__search-input").input_value() == "Mistral Microsoft Azure"
    assert not page.locator("#search-fallback").is_visible()


def test_filters_by_term_and_year(site: Site, page: Any) -> None:
    page.goto(site.url("search/"))
    filters = page.evaluate("""async (bundle) => {
        const pagefind = await import(bundle + "pagefind.js");
        return await pagefind.filters();
    }""", site.link("/pagefind/"))
    for key in ("Company", "Regulation", "Deal", "Year"):
        assert key in filters, filters.keys()
    assert "Mistral AI" in filters["Company"]
    assert "EU AI Act" in filters["Regulation"]
    assert "Microsoft-Mistral partnership" in filters["Deal"]
    story = founding_story(site)
    urls = query(site, page, "Microsoft", {"Deal": "Microsoft-Mistral partnership",
                                           "Year": str(story.day.year)})
    assert site.link(story.url) in urls
    articles = [site.link(a.url) for a in site.model.articles
                if ("deal", "microsoft-mistral-2024") in a.all_terms()]
    assert {u for u in urls if "/articles/" in u} <= set(articles)
    # The filters are offered in the UI.
    page.goto(site.url("search/?q=Mistral"))
    page.locator(".pagefind-ui__result-link").first.wait_for()
    panel = page.locator(".pagefind-ui__filter-panel")
    for key in ("Company", "Regulation", "Deal", "Year"):
        assert panel.get_by_text(key, exact=True).count() >= 1, key
