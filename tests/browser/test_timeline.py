"""The timeline as a tool: filters by term (OR within a taxonomy, AND across taxonomies),
kept in the URL so a filtered view can be shared; jump to a year; today's marker."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser_support import Site
from support import GOLDEN_PROJECT, broken_internal_links

from digest.build import BuildOptions, build
from digest.model import build_model
from digest.project import Layout, load_content

VISIBLE = """() => [...document.querySelectorAll('#timeline .tl-entry')]
    .filter(li => !li.hidden && li.offsetParent !== null)
    .map(li => { const a = li.querySelector('.tl-title');
                 return [a.getAttribute('href'), a.textContent.trim()]; })"""


def expected(site: Site, selection: dict[str, list[str]]) -> list[list[str]]:
    """The model's entries for a selection: any term within a taxonomy, every taxonomy."""
    return [[site.link(entry.url), entry.title] for entry in site.model.timeline
            if all(any((tax, slug) in entry.terms for slug in slugs)
                   for tax, slugs in selection.items())]


def visible(page: Any) -> list[list[str]]:
    return list(page.evaluate(VISIBLE))


@pytest.mark.parametrize(("taxonomy", "slug", "name"), [
    ("company", "mistral-ai", "Mistral AI"),
    ("regulation", "eu-ai-act", "EU AI Act"),
])
def test_filter_by_one_term_and_share_the_url(site: Site, context_factory: Any, taxonomy: str,
                                               slug: str, name: str) -> None:
    page = context_factory().new_page()
    page.goto(site.url("timeline/"))
    everything = visible(page)
    assert len(everything) == len(site.model.timeline)
    want = expected(site, {taxonomy: [slug]})
    assert 0 < len(want) < len(everything)

    facet = page.locator(f'details.facet[data-taxonomy="{taxonomy}"]')
    if facet.get_attribute("open") is None:
        facet.locator("summary").click()
    facet.get_by_label(name, exact=False).first.check()
    assert visible(page) == want
    assert f"{taxonomy}={slug}" in urlsplit(page.url).query
    status = page.locator("#tl-status").inner_text()
    assert str(len(want)) in status and str(len(everything)) in status
    assert page.locator("#tl-chips").get_by_role("button", name=name).count() == 1

    # The shared URL reproduces the view in a fresh browser.
    shared = context_factory().new_page()
    shared.goto(page.url)
    assert visible(shared) == want
    box = shared.locator(f'input[name="{taxonomy}"][value="{slug}"]')
    assert box.is_checked() and box.is_visible()

    # Removing the chip brings everything back and cleans the URL.
    page.locator("#tl-chips button").first.click()
    assert visible(page) == everything
    assert urlsplit(page.url).query == ""


def test_any_within_a_taxonomy_all_across(site: Site, page: Any) -> None:
    both_companies = {"company": ["mistral-ai", "microsoft"]}
    page.goto(site.url("timeline/?company=mistral-ai&company=microsoft"))
    assert visible(page) == expected(site, both_companies)
    assert len(visible(page)) > len(expected(site, {"company": ["mistral-ai"]}))

    company_and_law = {"company": ["mistral-ai"], "regulation": ["eu-ai-act"]}
    page.goto(site.url("timeline/?company=mistral-ai&regulation=eu-ai-act"))
    shown = visible(page)
    assert shown == expected(site, company_and_law)
    assert 0 < len(shown) < len(expected(site, {"company": ["mistral-ai"]}))
    # Years without a matching entry leave the jump-to-year menu.
    years = {e.date.year for e in site.model.timeline
             if ("company", "mistral-ai") in e.terms and ("regulation", "eu-ai-act") in e.terms}
    menu = page.locator(".year-jump li[data-year]:visible")
    assert {int(menu.nth(i).get_attribute("data-year")) for i in range(menu.count())} == years


def test_unknown_term_in_the_url_shows_nothing_rather_than_everything(site: Site,
                                                                      page: Any) -> None:
    page.goto(site.url("timeline/?company=no-such-company"))
    assert visible(page) == []
    assert page.locator("#tl-chips button").count() == 1


def test_clear_filters(site: Site, page: Any) -> None:
    page.goto(site.url("timeline/?regulation=eu-ai-act"))
    assert visible(page) == expected(site, {"regulation": ["eu-ai-act"]})
    page.get_by_role("button", name="Clear filters").click()
    assert len(visible(page)) == len(site.model.timeline)
    assert urlsplit(page.url).query == ""


def test_jump_to_a_year_and_today(site: Site, page: Any) -> None:
    page.goto(site.url("timeline/"))
    years = sorted({e.date.year for e in site.model.timeline})
    menu = page.get_by_role("navigation", name="Jump to a year")
    for year in (years[0], years[-1]):
        menu.get_by_role("link", name=str(year), exact=True).click()
        assert page.evaluate("location.hash") == f"#y{year}"
        heading = page.locator(f"#y{year}-h")
        assert heading.is_visible()
    marker = page.locator("#today")
    assert marker.count() == 1 and marker.is_visible()
    assert marker.locator("time").get_attribute("datetime") == page.evaluate(
        "(() => { const d = new Date(); const p = n => String(n).padStart(2, '0');"
        " return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()); })()")
    # The marker sits between the past and the future.
    order = page.evaluate("""() => {
        const all = [...document.querySelectorAll('#timeline .tl-entry, #today')];
        const at = all.findIndex(e => e.id === 'today');
        const today = document.querySelector('#today time').getAttribute('datetime');
        return [all.slice(0, at).every(e => e.dataset.date <= today),
                all.slice(at + 1).every(e => e.dataset.date > today)];
    }""")
    assert order == [True, True]


def test_articles_and_events_differ_not_only_by_colour(site: Site, page: Any) -> None:
    page.goto(site.url("timeline/"))
    article = page.locator("#timeline .tl-article").first
    event = page.locator("#timeline .tl-event").first
    assert article.locator(".tl-kind").inner_text().lower() == "article"
    assert event.locator(".tl-kind").inner_text().lower() == "milestone"
    shape = "el => getComputedStyle(el, '::before').transform + getComputedStyle(el, '::before').borderRadius"
    assert article.locator(".tl-body").evaluate(shape) != event.locator(".tl-body").evaluate(shape)
    weight = "el => getComputedStyle(el).fontWeight"
    assert article.locator(".tl-title").evaluate(weight) != event.locator(".tl-title").evaluate(weight)


def test_partial_and_uncertain_dates_are_shown_as_such(site: Site, page: Any) -> None:
    page.goto(site.url("timeline/"))
    partial = [e for e in site.model.timeline if e.date.precision != "day"]
    uncertain = [e for e in site.model.timeline if e.uncertain]
    assert partial and uncertain, "the shipped content has partial and uncertain dates"
    entries = page.locator("#timeline .tl-entry.is-partial")
    assert entries.count() == len(partial)
    first = entries.first
    assert first.locator("time").get_attribute("datetime") == partial[0].date.iso()
    assert "not known" in first.locator(".tl-precision").inner_text()
    flagged = page.locator("#timeline .tl-entry.is-uncertain")
    assert flagged.count() == len(uncertain)
    assert "uncertain" in flagged.first.locator(".flag-uncertain").inner_text()


def test_year_pages_filter_too(site: Site, page: Any) -> None:
    page.goto(site.url("timeline/2024/?company=mistral-ai"))
    want = [row for row, entry in zip(expected(site, {}), site.model.timeline, strict=True)
            if entry.date.year == 2024 and ("company", "mistral-ai") in entry.terms]
    assert visible(page) == want
    # The year menu keeps the filter when moving to another year.
    link = page.get_by_role("navigation", name="Jump to a year").get_by_role(
        "link", name="2023", exact=True)
    assert link.get_attribute("href") == site.link("/timeline/2023/") + "?company=mistral-ai"


def test_timeline_pages_by_year_above_the_limit(tmp_path: Path) -> None:
    """(No browser.) Every year has its page; /timeline/ keeps every entry up to
    timeline_page_limit, then only the latest year of news, so it stays bounded."""
    root = tmp_path / "project"
    shutil.copytree(GOLDEN_PROJECT, root)
    base = "https://example.org/sub/"

    def entries(page: Path) -> int:
        return page.read_text(encoding="utf-8").count('<li class="tl-entry')

    small = tmp_path / "small"
    build(BuildOptions(root=root, out=small, base_url=base, search=False, cache=False))
    years = sorted(p.parent.name for p in (small / "timeline").glob("*/index.html"))
    assert years == ["2021", "2023", "2024"]
    total = entries(small / "timeline" / "index.html")
    assert total == sum(entries(small / "timeline" / y / "index.html") for y in years)

    config = root / "content" / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "timeline_page_limit: 7\n",
                      encoding="utf-8")
    large = tmp_path / "large"
    build(BuildOptions(root=root, out=large, base_url=base, search=False, cache=False))
    main = (large / "timeline" / "index.html").read_text(encoding="utf-8")
    assert entries(large / "timeline" / "index.html") == entries(
        large / "timeline" / "2024" / "index.html") < total
    assert 'id="y2024"' in main and 'id="y2021"' not in main
    assert 'href="/sub/timeline/2021/"' in main
    assert "earlier years have their own pages" in main
    assert broken_internal_links(large, base) == []


def test_timeline_years_above_the_limit_are_split_by_month(tmp_path: Path) -> None:
    """(No browser.) A year with more than timeline_page_limit entries gets a page per
    month; its year page (and /timeline/, when it is the latest year) shows the entries
    dated only to the year and the latest month, with a month menu. Nothing is lost."""
    root = tmp_path / "project"
    shutil.copytree(GOLDEN_PROJECT, root)
    base = "https://example.org/sub/"

    def entries(page: Path) -> list[str]:
        return re.findall(r'<li class="tl-entry[^"]*"[^>]*data-date="([^"]+)"',
                          page.read_text(encoding="utf-8"))

    whole = tmp_path / "whole"
    build(BuildOptions(root=root, out=whole, base_url=base, search=False, cache=False))
    config = root / "content" / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "timeline_page_limit: 1\n",
                      encoding="utf-8")
    split = tmp_path / "split"
    build(BuildOptions(root=root, out=split, base_url=base, search=False, cache=False))
    timeline = split / "timeline"
    for year in ("2021", "2023", "2024"):
        everything = entries(whole / "timeline" / year / "index.html")
        assert len(everything) > 1  # above the limit: split
        months = sorted(p.parent.name for p in (timeline / year).glob("*/index.html"))
        assert months and all(re.fullmatch(r"\d\d", m) for m in months)
        by_month = {m: entries(timeline / year / m / "index.html") for m in months}
        assert all(dates and all(d[5:7] == m for d in dates) for m, dates in by_month.items())
        year_page = entries(timeline / year / "index.html")
        only_year = [d for d in year_page if d not in by_month[months[-1]]]
        # Every entry is on exactly one month page, or (dated only to the year) the year page.
        assert sorted(only_year + [d for m in months for d in by_month[m]]) == sorted(everything)
        assert sorted(year_page) == sorted(only_year + by_month[months[-1]])
        page = (timeline / year / months[0] / "index.html").read_text(encoding="utf-8")
        menu = page.split('class="year-jump month-jump"', 1)[1].split("</nav>", 1)[0]
        assert menu.count("<li") == len(months)
        assert f'href="/sub/timeline/{year}/{months[0]}/" aria-current="page"' in menu
        assert f'href="/sub/timeline/{year}/" aria-current="true"' in page
    assert "Timeline: December 2023" in (timeline / "2023" / "12" / "index.html").read_text(
        encoding="utf-8")
    assert "During 2023" in (timeline / "2023" / "index.html").read_text(encoding="utf-8")
    main = (timeline / "index.html").read_text(encoding="utf-8")
    assert entries(timeline / "index.html") == entries(timeline / "2024" / "index.html")
    assert "earlier months have their own pages" in main
    assert broken_internal_links(split, base) == []


def test_term_page_timeline_is_bounded(tmp_path: Path) -> None:
    """(No browser.) A term page's timeline keeps every milestone and the latest
    `term_timeline_limit` articles, says how many older ones it left out, and the term's
    article list still carries them all."""
    root = tmp_path / "project"
    shutil.copytree(GOLDEN_PROJECT, root)
    config = root / "content" / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "term_timeline_limit: 1\n",
                      encoding="utf-8")
    out = tmp_path / "site"
    build(BuildOptions(root=root, out=out, search=False, cache=False))
    content = load_content(Layout(root))
    model = build_model(content.config, content.taxonomies,
                        [a for a in content.articles if not a.is_draft])
    info = model.terms[("company", "mistral-ai")]
    articles = [e for e in info.timeline if e.article is not None]
    events = [e for e in info.timeline if e.article is None]
    assert len(articles) > 1 and events  # the case is exercised
    page = (out / "company" / "mistral-ai" / "index.html").read_text(encoding="utf-8")
    timeline = page.split('class="term-timeline"', 1)[1].split('class="term-articles"', 1)[0]
    assert timeline.count('class="tl-entry tl-article') == 1
    assert timeline.count('class="tl-entry tl-event') == len(events)
    assert articles[-1].url in timeline and articles[0].url not in timeline
    assert f"{len(articles) - 1} older articles are listed below" in timeline
    listed = page.split('class="term-articles"', 1)[1]
    assert all(a.article is not None and a.url in listed for a in articles)


def test_term_page_mentions_are_bounded(tmp_path: Path) -> None:
    """(No browser.) "Also mentioned in" lists the latest `term_timeline_limit` of the
    articles that mention a term, newest first, and says how many there are."""
    root = tmp_path / "project"
    shutil.copytree(GOLDEN_PROJECT, root)
    config = root / "content" / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "term_timeline_limit: 1\n",
                      encoding="utf-8")
    later = root / "content" / "articles" / "2024" / "03" / "openai-in-passing.md"
    later.parent.mkdir(parents=True, exist_ok=True)
    later.write_text('---\ntitle: "A later article that mentions OpenAI"\ndate: 2024-03-20\n'
                     "sources:\n  - name: Example\n    url: https://news.example.com/later\n"
                     "company: [mistral-ai]\nmentions:\n  company: [openai]\n---\nText.\n",
                     encoding="utf-8")
    out = tmp_path / "site"
    build(BuildOptions(root=root, out=out, search=False, cache=False))
    page = (out / "company" / "openai" / "index.html").read_text(encoding="utf-8")
    mentioned = page.split('class="mentioned-block"', 1)[1].split("</section>", 1)[0]
    assert mentioned.count("<li>") == 1
    assert "/articles/2024/03/openai-in-passing/" in mentioned  # the latest one
    assert "/articles/2024/02/mistral-microsoft-partnership/" not in mentioned
    assert "The latest 1 of 2 articles." in mentioned


@pytest.fixture(scope="module")
def split_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The shipped digest with timeline_page_limit: 1, so every year is split by month."""
    from browser_support import content_root, serving

    root = tmp_path_factory.mktemp("split") / "project"
    shutil.copytree(content_root(), root, ignore=shutil.ignore_patterns(".digest-cache", "site"))
    config = root / "content" / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\ntimeline_page_limit: 1\n",
                      encoding="utf-8")
    out = root.parent / "site"
    with serving(out) as base:
        build(BuildOptions(root=root, out=out, base_url=base, search=False, cache=False))
        content = load_content(Layout(root))
        model = build_model(content.config, content.taxonomies,
                            [a for a in content.articles if not a.is_draft])
        yield Site(root, out, base, model)


def test_month_pages_filter_and_keep_the_filter(split_site: Site, page: Any,
                                                axe_script: Path) -> None:
    from test_accessibility import audit

    mistral = [e for e in split_site.model.timeline
               if ("company", "mistral-ai") in e.terms and e.date.precision == "day"]
    year, month = mistral[0].date.year, mistral[0].date.month
    page.goto(split_site.url(f"timeline/{year}/{month:02d}/?company=mistral-ai"))
    want = [[split_site.link(e.url), e.title] for e in mistral
            if (e.date.year, e.date.month) == (year, month)]
    assert visible(page) == want
    menu = page.get_by_role("navigation", name="Jump to a month")
    current = menu.locator('a[aria-current="page"]')
    assert current.get_attribute("href") == (split_site.link(f"/timeline/{year}/{month:02d}/")
                                              + "?company=mistral-ai")
    assert menu.get_by_role("link").count() == len(
        {e.date.month for e in split_site.model.timeline
         if e.date.year == year and e.date.precision != "year"})
    assert audit(page, axe_script) == []
