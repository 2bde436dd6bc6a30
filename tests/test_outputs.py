"""Feeds, sitemap and data export of the golden project, read back by real parsers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import feedparser
import pytest
from support import GOLDEN_PROJECT, GOLDEN_TODAY

from digest.build import BuildOptions, build


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build(BuildOptions(root=GOLDEN_PROJECT, out=out, today=dt.date.fromisoformat(GOLDEN_TODAY)))
    return out


def test_atom_feeds_parse_without_error(site: Path) -> None:
    feeds = sorted(site.rglob("feed.xml"))
    assert len(feeds) > 5
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version == "atom10"
    main = feedparser.parse((site / "feed.xml").read_bytes())
    titles = [e.title for e in main.entries]
    assert titles[0] == "European Parliament adopts the AI Act"  # newest first
    assert "A draft that is not published" not in titles
    founding = next(e for e in main.entries if e.title.startswith("Mistral AI partners"))
    assert {t.term for t in founding.tags} >= {"company:mistral-ai", "deal:microsoft-mistral-2024"}
    assert founding.link == ("https://golden.example.org/digest/articles/2024/02/"
                             "mistral-microsoft-partnership/")
    assert "<script>" not in founding.content[0].value


def test_term_feed_has_only_the_terms_articles(site: Path) -> None:
    parsed = feedparser.parse((site / "company" / "mistral-ai" / "feed.xml").read_bytes())
    assert sorted(e.title for e in parsed.entries) == [
        "Des eurodéputés critiquent l'accord entre Mistral AI et Microsoft",
        "Mistral AI partners with Microsoft; Brussels takes a look",
    ]


def test_json_feed_1_1(site: Path) -> None:
    feed = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "https://golden.example.org/digest/feed.json"
    for item in feed["items"]:
        assert {"id", "url", "content_html", "date_published"} <= item.keys()
        dt.datetime.fromisoformat(item["date_published"].replace("Z", "+00:00"))
    french = next(i for i in feed["items"] if i["language"] == "fr")
    assert french["date_published"] == "2024-02-28T08:30:00Z"


def test_sitemap_lists_every_html_page(site: Path) -> None:
    root = ET.parse(site / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = {loc.text for loc in root.findall("s:url/s:loc", ns)}
    pages = set()
    for path in site.rglob("*.html"):
        relative = path.relative_to(site).as_posix()
        if relative == "404.html":
            continue
        pages.add("https://golden.example.org/digest/" + relative.removesuffix("index.html"))
    assert listed == pages
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: https://golden.example.org/digest/sitemap.xml" in robots


def test_data_export(site: Path) -> None:
    articles = json.loads((site / "data" / "articles.json").read_text(encoding="utf-8"))
    assert articles["schema"] == "digest/articles"
    founding = next(a for a in articles["articles"] if a["path"].endswith(
        "mistral-microsoft-partnership.md"))
    assert founding["terms"]["company"] == ["mistral-ai", "microsoft"]
    assert founding["mentions"] == {"company": ["openai"]}
    assert [s["lang"] for s in founding["sources"]] == ["fr", "en"]
    taxonomy = json.loads((site / "data" / "taxonomy.json").read_text(encoding="utf-8"))
    deals = next(t for t in taxonomy["taxonomies"] if t["key"] == "deal")["terms"]
    assert deals[0]["fields"]["amount"] == {"value": 15000000, "currency": "EUR",
                                            "basis": "reported"}
