"""Feeds, sitemap and data export of the golden project, read back by real parsers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import feedparser
import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import GOLDEN_PROJECT, GOLDEN_TODAY

from digest.build import BuildOptions, build


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build(BuildOptions(root=GOLDEN_PROJECT, out=out, cache=False,
                       today=dt.date.fromisoformat(GOLDEN_TODAY)))
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


def test_sitemap_splits_above_the_protocol_limit() -> None:
    """Above 50,000 URLs a sitemap is invalid: the URLs go into numbered files, each
    within the limit, and sitemap.xml becomes their index."""
    from digest.outputs import sitemap, sitemap_files, sitemap_index
    from digest.urls import Links

    links = Links("https://example.org/sub/", "/sub/")
    entries = [(f"/articles/{n}/", dt.date(2024, 1, 1 + n % 28) if n % 3 else None)
               for n in range(7)]
    assert sitemap_files(entries, limit=7) == [("sitemap.xml", entries)]
    files = sitemap_files(entries, limit=3)
    assert [name for name, _ in files] == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    found = []
    for _, chunk in files:
        root = ET.fromstring(sitemap(links, chunk))
        assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
        assert len(root) <= 3
        found += [(url.findtext("s:loc", namespaces=ns), url.findtext("s:lastmod", namespaces=ns))
                  for url in root]
    assert found == [("https://example.org/sub" + path, day.isoformat() if day else None)
                     for path, day in entries]
    index = ET.fromstring(sitemap_index(links, [name for name, _ in files]))
    assert [loc.text for loc in index.findall("s:sitemap/s:loc", ns)] == [
        "https://example.org/sub/sitemap-1.xml", "https://example.org/sub/sitemap-2.xml",
        "https://example.org/sub/sitemap-3.xml"]


def test_sitemap_text_escapes_like_an_xml_writer() -> None:
    from digest.outputs import sitemap
    from digest.urls import Links

    links = Links("https://example.org/", "/")
    data = sitemap(links, [("/a&b/<c>/", None)])
    assert ET.fromstring(data)[0][0].text == "https://example.org/a&b/<c>/"
    assert sitemap(links, []) == (b'<?xml version="1.0" encoding="utf-8"?>\n'
                                  b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" />\n')


@given(st.lists(st.dictionaries(
    st.text(min_size=1, max_size=5),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                 lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6),
    max_size=4), max_size=4))
def test_data_export_encoder_matches_json_dumps(rows: list[dict[str, Any]]) -> None:
    """The export is encoded a row at a time (memory at scale) but must be exactly the
    document json.dumps would write."""
    from digest.outputs import _json, _json_with_list

    head = {"schema": "digest/articles", "version": 1, "site": "https://example.org/"}
    assert _json_with_list(head, "articles", iter(rows)) == _json({**head, "articles": rows})
