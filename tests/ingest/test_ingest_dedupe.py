"""Deduplication against the articles themselves, across feeds and across runs."""

from __future__ import annotations

import datetime as dt
import shutil

from ingest_support import NOW, Project, feed_entry, fixture_bytes, item, rss, serve
from pytest_httpserver import HTTPServer


def test_the_same_story_from_two_feeds_is_written_once(project: Project, server: HTTPServer) -> None:
    project.write_feeds(feed_entry("a", serve(server, "/a.xml", fixture_bytes("story-a.xml"))),
                        feed_entry("b", serve(server, "/b.xml", fixture_bytes("story-b.xml"))))
    report = project.ingest()
    a, b = report.results
    assert len(a.new) == 2 and not b.new
    assert b.duplicates == 2  # same page (tracking parameters, host case), then same title
    assert len(project.draft_files()) == 2


def test_title_duplicates_only_within_the_window(project: Project, server: HTTPServer) -> None:
    body_a = rss(item("Brussels opens an AI Act probe into Meta Platforms", "The AI Act probe.",
                      link="https://x.example.org/1", guid="x1", date="Mon, 01 Jan 2024 10:00:00 GMT"))
    body_b = rss(item("Brussels opens an AI Act probe into Meta Platforms", "Again, a year later.",
                      link="https://y.example.org/1", guid="y1", date="Wed, 01 Jan 2025 10:00:00 GMT"))
    project.write_feeds(feed_entry("x", serve(server, "/x.xml", body_a)),
                        feed_entry("y", serve(server, "/y.xml", body_b)))
    report = project.ingest(now=dt.datetime(2025, 1, 2, tzinfo=dt.UTC))
    assert len(report.drafts) == 2


def test_changed_guids_do_not_make_duplicates(project: Project, server: HTTPServer) -> None:
    v1 = serve(server, "/v1.xml", fixture_bytes("guids-v1.xml"))
    project.write_feeds(feed_entry("wp", v1))
    assert len(project.ingest().drafts) == 2
    v2 = serve(server, "/v2.xml", fixture_bytes("guids-v2.xml"))
    project.write_feeds(feed_entry("wp", v2))
    report = project.ingest()
    assert not report.drafts and report.results[0].duplicates == 2


def test_feeds_without_guids_are_stable(project: Project, server: HTTPServer) -> None:
    project.write_feeds(feed_entry("undated", serve(server, "/u.xml", fixture_bytes("undated.xml"))))
    assert len(project.ingest().drafts) == 2
    second = project.ingest(now=NOW + dt.timedelta(hours=6))
    assert not second.drafts and second.results[0].duplicates == 2


def test_deduplication_reads_content_not_only_the_state(project: Project, server: HTTPServer) -> None:
    project.write_feeds(feed_entry("a", serve(server, "/a.xml", fixture_bytes("story-a.xml"))))
    project.ingest()
    (project.root / "content" / ".ingest-state.json").unlink()  # a CI cache that was lost
    report = project.ingest()
    assert not report.drafts and report.results[0].duplicates == 2


def test_an_article_written_by_hand_counts(project: Project, server: HTTPServer) -> None:
    folder = project.articles / "2024" / "02"
    folder.mkdir(parents=True)
    (folder / "by-hand.md").write_text(
        "---\ntitle: Our own take\ndate: 2024-02-27\nsummary: By hand.\nsources:\n"
        "  - name: News\n    url: https://news.example.com/2024/02/27/eu-mistral-microsoft\n"
        "---\nText.\n", encoding="utf-8")
    project.write_feeds(feed_entry("a", serve(server, "/a.xml", fixture_bytes("story-a.xml"))))
    report = project.ingest()
    titles = [d.title for d in report.drafts]
    assert titles == ["Brussels opens an antitrust probe into Microsoft and Mistral AI"]


def test_duplicate_guids_inside_one_document(project: Project, server: HTTPServer) -> None:
    body = rss(item("The AI Act, part one", "AI Act.", link="https://d.example.org/1", guid="same"),
               item("The AI Act, part two", "AI Act.", link="https://d.example.org/2", guid="same"))
    project.write_feeds(feed_entry("dups", serve(server, "/d.xml", body)))
    assert len(project.ingest().drafts) == 2
    assert not project.ingest().drafts


def test_feeds_copied_to_a_new_id_do_not_duplicate(project: Project, server: HTTPServer) -> None:
    url = serve(server, "/a.xml", fixture_bytes("story-a.xml"))
    project.write_feeds(feed_entry("a", url))
    project.ingest()
    project.write_feeds(feed_entry("a", url), feed_entry("a-mirror", url))
    report = project.ingest()
    assert not report.drafts and report.results[1].duplicates == 2


def test_drafts_an_editor_deleted_stay_deleted(project: Project, server: HTTPServer) -> None:
    project.write_feeds(feed_entry("a", serve(server, "/a.xml", fixture_bytes("story-a.xml"))))
    project.ingest()
    shutil.rmtree(project.articles)
    report = project.ingest()
    assert not report.drafts and report.results[0].duplicates == 2
