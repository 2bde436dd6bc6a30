"""The shipped digest: its site has every page of the URL table, the founding story,
and every internal link resolves under a subpath."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import REPO, broken_internal_links

from digest.build import BuildOptions, build

SUB = "https://example.org/sub/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shipped") / "site"
    build(BuildOptions(root=REPO, out=out, base_url=SUB))
    return out


def _text(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_page_of_the_url_table(site: Path) -> None:
    for relative in ["index.html", "page/2/index.html", "timeline/index.html", "feed.xml",
                     "feed.json", "sitemap.xml", "robots.txt", "404.html",
                     "data/articles.json", "data/taxonomy.json",
                     "company/index.html", "regulation/index.html", "deal/index.html",
                     "regulator/index.html", "company/mistral-ai/index.html",
                     "company/mistral-ai/feed.xml", "regulation/eu-ai-act/index.html",
                     "deal/microsoft-mistral-2024/index.html"]:
        assert (site / relative).is_file(), relative
    assert len(list((site / "articles").rglob("index.html"))) >= 30


def test_every_internal_link_resolves_under_a_subpath(site: Path) -> None:
    assert broken_internal_links(site, SUB) == []
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="/sub/timeline/"' in home
    assert 'href="/timeline/"' not in home


def test_founding_story_page(site: Path) -> None:
    pages = [p for p in (site / "articles" / "2024" / "02").rglob("index.html")
             if "microsoft" in p.parent.name and "mistral" in p.parent.name]
    assert pages, "the founding story (Mistral AI and Microsoft, February 2024) is missing"
    html = pages[0].read_text(encoding="utf-8")
    assert re.search(r'hreflang="fr"', html) and re.search(r'hreflang="en"', html)
    for link in ("/sub/company/mistral-ai/", "/sub/company/microsoft/",
                 "/sub/regulation/eu-ai-act/", "/sub/deal/microsoft-mistral-2024/"):
        assert f'href="{link}"' in html, link


def test_eu_ai_act_page(site: Path) -> None:
    text = _text(site / "regulation" / "eu-ai-act" / "index.html")
    assert "Status" in text and "Milestones" in text
    assert "August 1, 2024" in text or "1 August 2024" in text
    html = (site / "regulation" / "eu-ai-act" / "index.html").read_text(encoding="utf-8")
    assert html.count('class="card"') >= 5
    assert "source</a>" in html


def test_microsoft_mistral_deal_page(site: Path) -> None:
    text = _text(site / "deal" / "microsoft-mistral-2024" / "index.html")
    assert "Microsoft" in text and "Mistral AI" in text
    assert "EUR 15 million" in text.replace("\u00a0", " ")
    assert "(reported)" in text  # the amount's basis
    assert "February 26, 2024" in text
    html = (site / "deal" / "microsoft-mistral-2024" / "index.html").read_text(encoding="utf-8")
    assert "tag-regulator" in html  # the regulator reviews name who acted


def test_timeline_merges_articles_and_events_in_date_order(site: Path) -> None:
    html = (site / "timeline" / "index.html").read_text(encoding="utf-8")
    dates = re.findall(r'<li class="tl-entry[^"]*"[^>]*>\s*<span class="tl-date">'
                       r'<time datetime="([0-9-]+)"', html)
    assert len(dates) > 50
    starts = [d + "-01-01"[len(d) - 4:] if len(d) < 10 else d for d in dates]
    assert starts == sorted(starts)
    assert "tl-event" in html and "tl-article" in html
