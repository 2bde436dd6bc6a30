"""Writing drafts: the format, idempotence, edited drafts left alone, dry runs, slugs."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path, PurePosixPath

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from ingest_support import NOW, Project, feed_entry, fixture_bytes, item, rss, serve
from pytest_httpserver import HTTPServer

from digest.ingest.drafts import (
    HASH_LINE,
    content_hash,
    draft_path,
    inside,
    make_slug,
    quoted,
    recorded_hash,
    untouched,
)


def founding(project: Project, server: HTTPServer) -> None:
    project.write_feeds(
        feed_entry("journaldugeek", serve(server, "/jdg.xml", fixture_bytes("founding-fr.xml")),
                   name="Journal du Geek", lang="fr"),
        feed_entry("wire", serve(server, "/wire.xml", fixture_bytes("founding-en.xml")),
                   name="Policy Wire"))


def test_the_founding_story_as_drafts(project: Project, server: HTTPServer) -> None:
    founding(project, server)
    project.ingest()
    french, english = sorted(project.drafts(), key=lambda d: d["lang"], reverse=True)
    assert french["title"] == "Mistral AI s’allie à Microsoft, Bruxelles s’interroge"
    assert french["date"] == dt.datetime(2024, 2, 27, 8, 30, tzinfo=dt.UTC)
    assert french["lang"] == "fr" and french["status"] == "draft"
    assert french["sources"] == [{"name": "Journal du Geek", "lang": "fr",
                                  "url": "https://www.journaldugeek.example/2024/02/27/mistral-ai-microsoft/"}]
    assert french["company"] == ["mistral-ai", "microsoft"]
    assert french["regulation"] == ["eu-ai-act"]
    assert french["deal"] == ["microsoft-mistral-2024"]
    # Named once, in the third sentence: a mention (the lead is two sentences).
    assert french["mentions"] == {"company": ["openai"], "regulator": ["european-commission"]}
    assert french["summary"].startswith("La start-up française Mistral AI")
    ingested = french["ingested"]
    assert ingested["feed"] == "journaldugeek"
    assert ingested["guid"] == "https://www.journaldugeek.example/?p=123456"
    assert ingested["url"].endswith("?utm_source=rss&utm_campaign=feed")  # the original link
    assert ingested["at"] == NOW and ingested["date_from"] == "feed"
    assert "regulation: eu-ai-act" in ingested["kept_because"]
    assert ingested["hash"] == content_hash(french["_path"].read_text(encoding="utf-8"))
    assert "le mistral souffle" in french["_body"]  # the wind stays in the text, untagged
    assert str(french["_path"].relative_to(project.root)) == \
        "content/articles/2024/02/mistral-ai-s-allie-a-microsoft-bruxelles-s-interroge.md"
    assert english["company"] == ["microsoft", "mistral-ai"]
    assert english["regulation"] == ["eu-ai-act"] and english["regulator"] == ["european-commission"]
    assert english["mentions"] == {"company": ["openai", "google"]}


def test_a_second_run_writes_nothing(project: Project, server: HTTPServer) -> None:
    founding(project, server)
    project.write_feeds(*project.feeds,
                        feed_entry("undated", serve(server, "/u.xml", fixture_bytes("undated.xml"))),
                        feed_entry("json", serve(server, "/j.json", fixture_bytes("jsonfeed-1.1.json"),
                                                 "application/feed+json")))
    first = project.ingest()
    assert len(first.drafts) == 5
    before = project.snapshot()
    stamps = {p: p.stat().st_mtime_ns for p in (project.root / "content").rglob("*") if p.is_file()}
    second = project.ingest(now=NOW + dt.timedelta(hours=1))
    assert not second.drafts
    assert project.snapshot() == before
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


def test_an_edited_draft_is_never_touched_again(project: Project, server: HTTPServer) -> None:
    body = rss(item("The AI Act in force", "First version of the text.", link="https://e.example.org/1",
                    guid="e1"))
    project.write_feeds(feed_entry("edit", serve(server, "/e.xml", body)))
    project.ingest()
    (path,) = project.draft_files()
    edited = path.read_text(encoding="utf-8").replace("First version", "An editor's version")
    path.write_text(edited, encoding="utf-8")
    assert not untouched(edited)
    server.clear()
    body2 = rss(item("The AI Act in force (updated)", "Second version.", link="https://e.example.org/1",
                     guid="e1"))
    project.write_feeds(feed_entry("edit", serve(server, "/e.xml", body2)))
    report = project.ingest()
    assert not report.drafts and report.results[0].duplicates == 1
    assert path.read_text(encoding="utf-8") == edited


def test_an_untouched_draft_follows_its_entry(project: Project, server: HTTPServer) -> None:
    body = rss(item("The AI Act in force", "First version.", link="https://u.example.org/1", guid="u1"))
    project.write_feeds(feed_entry("upd", serve(server, "/u1.xml", body)))
    project.ingest()
    (path,) = project.draft_files()
    server.clear()
    body2 = rss(item("The AI Act in force", "Second version.", link="https://u.example.org/1", guid="u1"))
    project.write_feeds(feed_entry("upd", serve(server, "/u2.xml", body2)))
    report = project.ingest(now=NOW + dt.timedelta(days=1))
    assert [d.action for d in report.drafts] == ["update"]
    (draft,) = project.drafts()
    assert draft["_path"] == path and "Second version." in draft["_body"]
    assert draft["ingested"]["at"] == NOW  # the first ingestion time is kept
    assert untouched(path.read_text(encoding="utf-8"))
    assert not project.ingest(now=NOW + dt.timedelta(days=2)).drafts


def test_dry_run_writes_nothing_and_says_what_it_would_write(project: Project, server: HTTPServer) -> None:
    founding(project, server)
    before = project.snapshot()
    result = project.cli("--dry-run")
    assert result.exit_code == 0, result.output
    assert project.snapshot() == before
    assert "would write content/articles/2024/02/mistral-ai-s-allie-a-microsoft-bruxelles-s-interroge.md" \
        in result.output
    assert "would write 2 new drafts" in result.output


def test_hash_covers_the_file_without_its_own_line() -> None:
    text = ("---\ntitle: x\ningested:\n  kept_because: []\n  hash: sha256:" + "0" * 64 + "\n---\nBody\n")
    fixed = HASH_LINE.sub(f"  hash: {content_hash(text)}\n", text)
    assert untouched(fixed) and recorded_hash(fixed) == content_hash(text)
    assert not untouched(fixed.replace("Body", "Edited"))


@pytest.mark.parametrize(("title", "slug"), [
    ("Übernahme: Microsoft & Mistral", "ubernahme-microsoft-mistral"),
    ("Как пережить новогоднюю ночь", "kak-perezhit-novogodniuiu-noch"),
    ("../../../etc/passwd", "etc-passwd"),
    ("", "entry-"),
    ("🤖🤖", "entry-"),
])
def test_slugs_are_transliterated_and_safe(title: str, slug: str) -> None:
    assert make_slug(title, "key").startswith(slug)
    assert set(make_slug(title, "key")) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")


def test_slugs_are_capped_and_numbered_when_taken() -> None:
    slug = make_slug("word " * 60, "k")
    assert len(slug) <= 72 and not slug.endswith("-")
    when = dt.datetime(2024, 2, 27, tzinfo=dt.UTC)
    articles = PurePosixPath("content/articles")
    taken = {"content/articles/2024/02/same.md", "content/articles/2024/02/same-2.md"}
    assert draft_path(articles, when, "same", taken) == articles / "2024/02/same-3.md"


def test_no_path_outside_the_articles_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        inside(tmp_path, PurePosixPath("content/articles/../../outside.md"),
               PurePosixPath("content/articles"))


def test_titles_with_the_same_slug_get_numbered_files(project: Project, server: HTTPServer) -> None:
    long = "The AI Act and " + "the long road of European rules " * 3
    body = rss(item(long + "part one", "The AI Act.", link="https://s.example.org/1", guid="s1"),
               item(long + "part two", "The AI Act.", link="https://s.example.org/2", guid="s2"))
    project.write_feeds(feed_entry("same", serve(server, "/s.xml", body)))
    project.ingest()
    names = [p.name for p in project.draft_files()]
    slug = make_slug(long, "k")
    assert sorted(names) == [f"{slug}-2.md", f"{slug}.md"]


def test_a_file_that_appeared_meanwhile_is_not_overwritten(project: Project, server: HTTPServer) -> None:
    body = rss(item("The AI Act in force", "Text.", link="https://r.example.org/1", guid="r1"))
    project.write_feeds(feed_entry("race", serve(server, "/r.xml", body)))
    report = project.ingest(dry_run=True)
    target = project.root / report.drafts[0].path
    target.parent.mkdir(parents=True)
    target.write_text("a person's file\n", encoding="utf-8")
    os.utime(target, (0, 0))
    project.ingest()  # the scan now sees the file: the draft gets the next free name
    assert target.read_text(encoding="utf-8") == "a person's file\n"


@given(st.text())
def test_quoted_strings_read_back_unchanged(text: str) -> None:
    assert yaml.safe_load("key: " + quoted(text))["key"] == text
