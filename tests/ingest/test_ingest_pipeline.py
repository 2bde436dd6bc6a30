"""The run as a whole: worker processes change nothing, the state file stays small."""

from __future__ import annotations

import json

from ingest_support import FIXTURES, Project, feed_entry, fixture_bytes, serve
from pytest_httpserver import HTTPServer

from digest.ingest.work import POOL_MIN_FEEDS


def serve_fixtures(project: Project, server: HTTPServer) -> None:
    feeds = []
    for path in sorted(FIXTURES.iterdir()):
        kind = "application/json" if path.suffix == ".json" else "application/xml"
        url = serve(server, "/" + path.name, path.read_bytes(), kind)
        feeds.append(feed_entry(path.stem.replace(".", "-"), url, keep="all"))
    assert len(feeds) >= POOL_MIN_FEEDS
    project.write_feeds(*feeds)


def test_worker_processes_give_the_same_drafts(project: Project, server: HTTPServer) -> None:
    serve_fixtures(project, server)
    project.set_ingest("workers: 1\n")
    one = project.ingest()
    single = project.snapshot()
    for path in project.draft_files():
        path.unlink()
    (project.root / "content" / ".ingest-state.json").unlink()
    project.set_ingest("workers: 2\n")
    two = project.ingest()
    assert [r.status for r in one.results] == [r.status for r in two.results]
    assert len(two.drafts) > 20
    pooled = project.snapshot()
    pooled.pop("site.yaml"), single.pop("site.yaml")
    assert pooled == single


def test_state_file_is_small_and_survives_corruption(project: Project, server: HTTPServer) -> None:
    project.write_feeds(feed_entry("undated", serve(server, "/u.xml", fixture_bytes("undated.xml"),
                                                    headers={"ETag": '"abc"'})))
    project.ingest()
    state_path = project.root / "content" / ".ingest-state.json"
    state = json.loads(state_path.read_text(encoding="utf-8"))
    feed = state["feeds"]["undated"]
    assert state["version"] == 1 and feed["etag"] == '"abc"'
    assert len(feed["first_seen"]) == 2 and len(feed["drafted"]) == 2
    assert all(len(key) == 16 for key in feed["first_seen"])  # hashes, no feed text
    state_path.write_text("{not json", encoding="utf-8")
    report = project.ingest(dry_run=True)
    assert report.state_warning and "could not be read" in report.state_warning
    assert report.results[0].status == "ok"


def test_json_feed_drafts(project: Project, server: HTTPServer) -> None:
    url = serve(server, "/feed.json", fixture_bytes("jsonfeed-1.1.json"), "application/feed+json")
    project.write_feeds(feed_entry("json", url))
    report = project.ingest()
    assert report.results[0].status == "ok" and report.results[0].irrelevant == 2
    (draft,) = project.drafts()
    assert draft["title"] == "The AI Act passes its final vote"
    assert draft["regulation"] == ["eu-ai-act"]
    base = url.rsplit("/", 1)[0]
    assert draft["sources"][0]["url"] == f"{base}/2024/03/ai-act-final-vote"
    assert f"[AI Act]({base}/docs/ai-act.pdf)" in draft["_body"]
    assert f"- Attachment: [vote.mp3]({base}/audio/vote.mp3)" in draft["_body"]
    assert "alert" not in draft["_body"]
