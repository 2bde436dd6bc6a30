"""Parsing: bozo feeds, JSON Feed, relative links, missing dates and GUIDs."""

from __future__ import annotations

import datetime as dt

import pytest
from ingest_support import NOW, Project, feed_entry, fixture_bytes, item, rss, serve
from pytest_httpserver import HTTPServer

from digest.ingest.entries import Entry, assign_keys
from digest.ingest.parse import parse_document

BASE = "https://relative.example.org/feeds/atom.xml"


def test_bozo_feed_still_yields_its_entries_with_a_warning() -> None:
    parsed = parse_document(fixture_bytes("bozo.xml"), "application/rss+xml", BASE)
    assert parsed.error is None
    assert [e.title for e in parsed.entries][:1] == ["Lawmakers vote on the AI Act today"]
    assert len(parsed.entries) == 2
    assert any("not well-formed" in w and "2 entries recovered" in w for w in parsed.warnings)


@pytest.mark.parametrize(("body", "reason"), [
    (b"", "empty document"),
    (b"   \n", "empty document"),
    (b'<?xml version="1.0"?><note><to>A</to></note>', "root element is <note>"),
    (b"<html><body><p>Not a feed</p></body></html>", "not a feed"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "invalid JSON"),
    (b'{"hello": "world"}', "without a jsonfeed.org version"),
    (b"<rss><channel><title>Broken", "not well-formed, no entries recovered"),
])
def test_documents_that_are_not_feeds_fail_with_one_line(body: bytes, reason: str) -> None:
    parsed = parse_document(body, "application/xml", BASE)
    assert parsed.error is not None and reason in parsed.error
    assert "\n" not in parsed.error and not parsed.entries


def test_relative_links_resolve_against_the_final_url_and_xml_base() -> None:
    parsed = parse_document(fixture_bytes("relative.xml"), "application/atom+xml", BASE)
    first, second = parsed.entries
    assert first.link == ("https://relative.example.org/blog/2024/ai-act-explained"
                          "?utm_source=rss&utm_medium=feed&page=2")
    assert first.enclosures == ("https://relative.example.org/media/ai-act.mp3",)
    assert second.link == "https://other.example.net/eu/ai-act-timeline"
    assert second.content_base == "https://other.example.net/eu/"


def test_json_feed_1_1() -> None:
    parsed = parse_document(fixture_bytes("jsonfeed-1.1.json"), "application/feed+json",
                            "https://json.example.org/feed.json")
    assert parsed.error is None and parsed.format == "json1.1"
    assert [e.title for e in parsed.entries] == ["The AI Act passes its final vote",
                                                 "Ten soup recipes", ""]
    first = parsed.entries[0]
    assert first.link == "https://json.example.org/2024/03/ai-act-final-vote"
    assert first.published == dt.datetime(2024, 3, 13, 11, 0, tzinfo=dt.UTC)
    assert first.enclosures == ("https://json.example.org/audio/vote.mp3",)
    assert first.categories == ("AI Act", "EU")
    assert parsed.entries[1].guid == "2"  # a number as id, as JSON Feed 1.0 allowed
    assert any("not JSON objects" in w for w in parsed.warnings)


def test_json_feed_1_0_detected_without_a_json_content_type() -> None:
    parsed = parse_document(fixture_bytes("jsonfeed-1.0.json"), "text/plain", "https://x.example.org/")
    assert parsed.format == "json1.0"
    assert parsed.entries[0].title == "Meta fined under the GDPR"


def test_keys_guid_then_link_then_hash_and_duplicate_guids_told_apart() -> None:
    entries = assign_keys([
        Entry(guid="g1", link="https://e.example.org/1", title="One"),
        Entry(guid="dup", link="https://e.example.org/2", title="Two"),
        Entry(guid="dup", link="https://e.example.org/3", title="Three"),
        Entry(guid=None, link="https://e.example.org/4", title="Four"),
        Entry(guid=None, link=None, title="Five", summary_html="text"),
        Entry(guid=None, link=None, title="Five", summary_html="text"),
    ])
    keys = [e.key for e in entries]
    assert keys[0] == "g1"
    assert keys[1] == "dup|https://e.example.org/2" and keys[2] == "dup|https://e.example.org/3"
    assert keys[3] == "https://e.example.org/4"
    assert keys[4].startswith("sha1:") and keys[5] == keys[4] + "|2"
    assert len(set(keys)) == len(keys)


def test_links_unwrap_redirectors_and_prefer_http() -> None:
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>x</title>
      <link rel="alternate" href="gemini://example.org/x"/>
      <link rel="alternate" href="https://www.google.com/url?rct=j&amp;url=https://news.example.org/story&amp;ct=ga"/>
      <id>x</id></entry></feed>"""
    parsed = parse_document(atom, "application/atom+xml", BASE)
    assert parsed.entries[0].link == "https://news.example.org/story"


def test_future_dates_become_the_fetch_time_and_undated_entries_first_seen(
        project: Project, server: HTTPServer) -> None:
    body = rss(item("AI Act enters into force", "The EU AI Act applies.", link="https://f.example.org/1",
                    guid="f1", date="Fri, 01 Jan 2100 00:00:00 GMT"),
               item("AI Act guidance", "The AI Act guidance.", link="https://f.example.org/2",
                    guid="f2", date=None))
    project.write_feeds(feed_entry("future", serve(server, "/f.xml", body)))
    project.ingest()
    dated = {d["ingested"]["guid"]: d for d in project.drafts()}
    assert dated["f1"]["date"] == NOW and dated["f1"]["ingested"]["date_from"] == "feed"
    assert dated["f2"]["date"] == NOW and dated["f2"]["ingested"]["date_from"] == "first-seen"


def test_first_seen_time_does_not_move_on_later_runs(project: Project, server: HTTPServer) -> None:
    url = serve(server, "/undated.xml", fixture_bytes("undated.xml"))
    project.write_feeds(feed_entry("undated", url))
    project.ingest(dry_run=False, now=NOW)
    first = {d["title"]: d["date"] for d in project.drafts()}
    assert len(first) == 2 and set(first.values()) == {NOW}
    for path in project.draft_files():
        path.unlink()  # an editor dismisses them; the state still knows when they were seen
    state = (project.root / "content" / ".ingest-state.json").read_text()
    later = NOW + dt.timedelta(days=3)
    project.ingest(now=later)
    assert not project.draft_files()  # dismissed drafts are not written again
    assert (project.root / "content" / ".ingest-state.json").read_text() == state


def test_first_seen_is_kept_when_a_draft_is_written_later(project: Project, server: HTTPServer) -> None:
    body = rss(item("Weekly notes", "Nothing to see.", link="https://w.example.org/1", date=None))
    url = serve(server, "/w.xml", body)
    project.write_feeds(feed_entry("weekly", url))
    project.ingest(now=NOW)
    assert not project.draft_files()
    project.write_feeds(feed_entry("weekly", url, include=["weekly"]))
    project.ingest(now=NOW + dt.timedelta(days=2))
    (draft,) = project.drafts()
    assert draft["date"] == NOW and draft["ingested"]["date_from"] == "first-seen"
