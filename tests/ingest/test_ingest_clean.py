"""Feed HTML is hostile: nothing active survives, links come out absolute and clean."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from ingest_support import UNSAFE, Project, feed_entry, fixture_bytes, serve
from pytest_httpserver import HTTPServer

from digest.ingest.clean import defang_text, html_to_markdown, html_to_text, summarise
from digest.ingest.links import clean_url, url_key

BASE = "https://hostile.example.org/feed/"


def test_hostile_feed_leaves_no_active_content_in_the_draft(project: Project, server: HTTPServer) -> None:
    url = serve(server, "/hostile.xml", fixture_bytes("hostile.xml"))
    project.write_feeds(feed_entry("hostile", url))
    report = project.ingest()
    assert report.results[0].status == "ok"
    (draft,) = project.drafts()
    text = draft["_path"].read_text(encoding="utf-8")
    assert not UNSAFE.search(text), UNSAFE.search(text)
    assert "evil.example" not in text and "data:image" not in text and "<svg" not in text
    assert draft["title"] == "EU AI Act: the vote"  # the script in the title is gone, text kept
    assert "[a safe link](https://safe.example.org/page?id=7)" in draft["_body"]
    assert "The **EU AI Act** passed." in draft["_body"]
    # The javascript: link is not the source: the feed's URL stands in for it.
    assert draft["sources"][0]["url"] == url
    assert "url" not in draft["ingested"]


def test_markup_written_as_text_stays_text() -> None:
    markdown = html_to_markdown("<p>Never trust &lt;script&gt; tags or &lt;iframe src=x&gt;.</p>", BASE)
    assert "&lt;script>" in markdown and "<script" not in markdown and "<iframe" not in markdown
    assert "<\u2060script>" in defang_text("about <script> tags")


def test_words_that_only_matter_in_markup_are_broken_up() -> None:
    markdown = html_to_markdown("<p>javascript: URLs, an onload= handler, expression(1), "
                                "position: absolute</p>", BASE)
    assert not UNSAFE.search(markdown)
    assert markdown.replace("\u2060", "") == ("javascript: URLs, an onload= handler, expression(1), "
                                              "position: absolute")


def test_relative_links_and_images_become_absolute() -> None:
    markdown = html_to_markdown('<p><a href="../docs/a b.html?utm_source=x&amp;k=1#s">doc</a> '
                                '<img src="/img/c.png" alt="chart [1]"></p>', BASE)
    assert "[doc](https://hostile.example.org/docs/a%20b.html?k=1#s)" in markdown
    assert r"![chart \[1\]](https://hostile.example.org/img/c.png)" in markdown


def test_deeply_nested_html_does_not_crash_the_converter() -> None:
    html = "<div>" * 3000 + "deep text" + "</div>" * 3000
    assert "deep text" in html_to_markdown(html, BASE)


def test_plain_text_and_summary() -> None:
    assert html_to_text("<p>One&nbsp;&amp; two</p><p>Three</p><script>x()</script>") == "One & two\nThree"
    long = "First sentence here. " * 30
    summary = summarise(long, 100)
    assert summary.endswith(".") and len(summary) <= 100
    assert summarise("word " * 100, 50).endswith("…")


def test_tracking_parameters_are_stripped_and_urls_keyed() -> None:
    assert clean_url("HTTPS://Example.org/a?utm_source=rss&id=3&fbclid=x&gclid=y#utm_campaign=z") == \
        "https://example.org/a?id=3"
    assert url_key("http://www.example.org/a/?b=2&a=1&utm_medium=rss") == url_key("https://example.org/a?a=1&b=2")
    assert url_key("https://example.org/a") != url_key("https://example.org/b")


HTML_PIECES = st.sampled_from([
    "<script>alert(1)</script>", "<iframe src=x>", "<object data=x>", "<embed src=x>",
    '<img src=x onerror="alert(1)">', '<a href="javascript:alert(1)">x</a>', "<svg onload=alert(1)>",
    '<a href="jav&#x09;ascript:alert(1)">x</a>', "<p style=\"position:absolute\">p</p>",
    "<div style=\"width:expression(alert(1))\">d</div>", "&lt;script&gt;", "javascript:", " onclick=",
    "<p>", "</p>", "<b>", "text", " ", "<a href=\"/rel\">r</a>", "<!--", "-->", "<![CDATA[", "]]>",
    "<", ">", "\"", "'", "=",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(HTML_PIECES, max_size=30))
def test_no_combination_of_hostile_pieces_survives(pieces: list[str]) -> None:
    html = "".join(pieces)
    assert not UNSAFE.search(html_to_markdown(html, BASE))
    assert not UNSAFE.search(defang_text(html_to_text(html)))


def test_control_characters_never_reach_a_draft() -> None:
    markdown = html_to_markdown("<p>Page 1\x0cPage 2\x07</p>", "https://example.org/")
    assert markdown == "Page 1Page 2"
