"""The real-world corpus (../shared/corpus/feeds/): every file served from 127.0.0.1.

79 feed documents nobody here wrote: encodings, broken XML, hostile HTML, JSON Feed,
missing dates and GUIDs. Every feed must be reported ok or failed on one line, with no
traceback; no draft may carry active content or mojibake; links must be absolute; a
second run must write nothing; an edited draft must survive a re-run byte for byte;
the drafts must pass `digest check` and build with `--drafts`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from ingest_support import UNSAFE, Project
from pytest_httpserver import HTTPServer

from digest.cli import cli
from digest.ingest.parse import parse_document

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "feeds"
MOJIBAKE = re.compile("â‚¬|Ã©|Ã¨|Ã¼|Ã¶|â€™|â€œ|Ã\u00a0")
LINK = re.compile(r"\]\(([^)\s]+)\)")
EXPECTED_FAILURES = {
    "newsboat-empty.xml": "empty document",
    "miniflux-xml-iso88591_utf8_mismatch.xml": "not a feed: the document's root element is <note>",
    "gofeed-json-invalid-invalid.json": "not a feed: invalid JSON",
    # Broken XML from which feedparser recovers no entry at all:
    "feedparser-illformed-aaa_illformed.xml": "not well-formed, no entries recovered",
    "feedrs-rss_2.0_invalid_1.xml": "not well-formed, no entries recovered",
    "gofeed-rss-issue_320_legacy_entity_prefix.xml": "not well-formed, no entries recovered",
}

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix in (".xml", ".json", ".atom"))


def serve_corpus(project: Project, server: HTTPServer, keep_all: bool) -> dict[str, str]:
    feeds = []
    ids: dict[str, str] = {}
    for path in corpus_files():
        kind = "application/json" if path.suffix == ".json" else "application/xml"
        server.expect_request("/" + path.name).respond_with_data(path.read_bytes(), content_type=kind)
        feed_id = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")[:60]
        ids[feed_id] = path.name
        feeds.append({"id": feed_id, "url": server.url_for("/" + path.name), "name": path.stem,
                      "lang": "en", **({"keep": "all"} if keep_all else {})})
    project.write_feeds(*feeds)
    return ids


def test_every_corpus_feed_ingests_safely(project: Project, server: HTTPServer, tmp_path: Path) -> None:
    ids = serve_corpus(project, server, keep_all=True)
    report = project.ingest()
    assert len(report.results) == len(corpus_files()) == 79
    for result in report.results:
        assert result.status in ("ok", "failed")
        if result.status == "failed":
            assert result.reason and "\n" not in result.reason and len(result.reason) < 200
    failed = {ids[r.feed.id]: r.reason for r in report.results if r.status == "failed"}
    assert set(failed) == set(EXPECTED_FAILURES), failed
    for name, reason in EXPECTED_FAILURES.items():
        assert (failed[name] or "").startswith(reason)
    drafts = project.draft_files()
    assert len(drafts) > 1000

    for path in drafts:
        text = path.read_text(encoding="utf-8")
        assert not UNSAFE.search(text), (path, UNSAFE.search(text))
        assert not MOJIBAKE.search(text), (path, MOJIBAKE.search(text))
        for url in LINK.findall(text):
            assert url.startswith(("https://", "http://", "mailto:")), (path, url)

    # The mis-declared feeds read correctly (their titles are in the channel).
    for name in ("miniflux-encoding-windows-1252.xml", "miniflux-encoding-windows-1252-incorrect-prolog.xml"):
        assert parse_document((CORPUS / name).read_bytes(), "application/xml", BASE).title == "Euro €"

    before = project.snapshot()
    second = project.ingest()
    assert not second.drafts
    assert project.snapshot() == before

    edited = drafts[len(drafts) // 2]
    text = edited.read_text(encoding="utf-8").replace("status: draft", "status: draft\nextra: {checked: yes}")
    edited.write_text(text, encoding="utf-8")
    project.ingest()
    assert edited.read_bytes() == text.encode("utf-8")
    assert project.snapshot() == {**before, str(edited.relative_to(project.root / "content")): text.encode()}

    runner = CliRunner()
    checked = runner.invoke(cli, ["check", "--root", str(project.root), "--no-annotations"])
    assert checked.exit_code == 0, checked.output[-3000:]
    site = tmp_path / "site"
    built = runner.invoke(cli, ["build", "--root", str(project.root), "--drafts", "--no-search",
                                "--out", str(site)])
    assert built.exit_code == 0, built.output[-3000:]
    theme_scripts = (site / "404.html").read_text(encoding="utf-8").count("<script")
    pages = list((site / "articles").rglob("*.html"))
    assert len(pages) >= len(drafts) - 1
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert html.count("<script") == theme_scripts, page
        assert not re.search(r"<iframe|<object|<embed|javascript:|\son[a-z]+\s*=", html, re.I), page


BASE = "https://base.example/feeds/feed.xml"


def test_relevance_run_over_the_corpus(project: Project, server: HTTPServer) -> None:
    serve_corpus(project, server, keep_all=False)
    report = project.ingest()
    assert sum(r.status == "ok" for r in report.results) == 79 - len(EXPECTED_FAILURES)
    kept = {d.feed_id for d in report.drafts}
    # The AI newsrooms yield policy drafts; generic tech feeds mostly do not.
    assert {"ainewsdirect-openai-news-feed", "0xsmw-feed-mistral-news"} <= kept
    assert sum(r.irrelevant for r in report.results) > 900
    assert not project.ingest().drafts
