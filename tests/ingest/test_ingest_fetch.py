"""Fetching over real HTTP on 127.0.0.1: conditional GET, redirects, limits, retries."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator

from ingest_support import Project, feed_entry, fixture_bytes, serve
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

FEED = fixture_bytes("founding-en.xml")


def test_conditional_get_gives_not_modified(project: Project, server: HTTPServer) -> None:
    seen: list[dict[str, str | None]] = []

    def handler(request: Request) -> Response:
        seen.append({"etag": request.headers.get("If-None-Match"),
                     "since": request.headers.get("If-Modified-Since")})
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(FEED, content_type="application/rss+xml",
                        headers={"ETag": '"v1"', "Last-Modified": "Tue, 27 Feb 2024 14:00:00 GMT"})

    server.expect_request("/feed.xml").respond_with_handler(handler)
    project.write_feeds(feed_entry("wire", server.url_for("/feed.xml")))
    first = project.ingest()
    second = project.ingest()
    assert first.results[0].status == "ok" and len(first.drafts) == 1
    assert second.results[0].status == "not modified" and not second.drafts
    assert seen == [{"etag": None, "since": None},
                    {"etag": '"v1"', "since": "Tue, 27 Feb 2024 14:00:00 GMT"}]


def test_permanent_redirect_is_reported_temporary_is_not(project: Project, server: HTTPServer) -> None:
    serve(server, "/new.xml", FEED)
    server.expect_request("/moved.xml").respond_with_response(
        Response(status=301, headers={"Location": server.url_for("/new.xml")}))
    server.expect_request("/temporary.xml").respond_with_response(
        Response(status=302, headers={"Location": server.url_for("/new.xml")}))
    server.expect_request("/chain.xml").respond_with_response(
        Response(status=308, headers={"Location": server.url_for("/temporary.xml")}))
    project.write_feeds(feed_entry("moved", server.url_for("/moved.xml")),
                        feed_entry("temporary", server.url_for("/temporary.xml")),
                        feed_entry("chain", server.url_for("/chain.xml")))
    report = project.ingest(dry_run=True)
    moved, temporary, chain = report.results
    assert moved.status == "ok" and moved.moved_to == server.url_for("/new.xml")
    assert temporary.status == "ok" and temporary.moved_to is None
    # Only the leading run of permanent hops moves a feed.
    assert chain.moved_to == server.url_for("/temporary.xml")
    result = project.cli("--dry-run")
    assert f"moved: moved permanently to {server.url_for('/new.xml')}" in result.output


def test_slow_server_hits_the_timeout_and_other_feeds_go_on(project: Project, server: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response(FEED, content_type="application/rss+xml")

    server.expect_request("/slow.xml").respond_with_handler(slow)
    project.set_ingest("timeout: 0.2\n")
    project.write_feeds(feed_entry("slow", server.url_for("/slow.xml")),
                        feed_entry("fast", serve(server, "/fast.xml", FEED)))
    slow_result, fast_result = project.ingest().results
    assert slow_result.status == "failed"
    assert slow_result.reason == "timed out waiting for the server (0.2 s)"
    assert fast_result.status == "ok"


def test_oversized_body_is_refused_with_and_without_content_length(project: Project,
                                                                   server: HTTPServer) -> None:
    big = FEED + b"<!--" + b"x" * 5000 + b"-->"

    def chunked(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            for start in range(0, len(big), 512):
                yield big[start:start + 512]
        return Response(body(), content_type="application/rss+xml")  # no Content-Length

    server.expect_request("/chunked.xml").respond_with_handler(chunked)
    project.set_ingest("max_bytes: 2048\n")
    project.write_feeds(feed_entry("declared", serve(server, "/big.xml", big)),
                        feed_entry("streamed", server.url_for("/chunked.xml")),
                        feed_entry("small", serve(server, "/small.xml", FEED)))
    declared, streamed, small = project.ingest().results
    assert declared.status == "failed" and declared.reason is not None
    assert declared.reason.startswith(f"body of {len(big):,} bytes is over the 2,048 bytes cap")
    assert streamed.reason == "body is over the 2,048 bytes cap"
    assert small.status == "ok"


def test_gzip_bodies_are_decoded(project: Project, server: HTTPServer) -> None:
    serve(server, "/gz.xml", gzip.compress(FEED), headers={"Content-Encoding": "gzip"})
    project.write_feeds(feed_entry("gz", server.url_for("/gz.xml")))
    report = project.ingest()
    assert report.results[0].status == "ok" and len(report.drafts) == 1


def test_retry_after_on_429_is_honoured_once(project: Project, server: HTTPServer) -> None:
    calls: list[float] = []

    def limited(request: Request) -> Response:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Response(status=429, headers={"Retry-After": "1"})
        return Response(FEED, content_type="application/rss+xml")

    server.expect_request("/limited.xml").respond_with_handler(limited)
    project.write_feeds(feed_entry("limited", server.url_for("/limited.xml")))
    report = project.ingest()
    assert report.results[0].status == "ok"
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.9


def test_long_or_missing_retry_after_fails_the_feed(project: Project, server: HTTPServer) -> None:
    server.expect_request("/later.xml").respond_with_response(
        Response(status=503, headers={"Retry-After": "3600"}))
    server.expect_request("/busy.xml").respond_with_response(Response(status=429))
    server.expect_request("/gone.xml").respond_with_response(Response(status=410))
    server.expect_request("/missing.xml").respond_with_response(Response(status=404))
    project.write_feeds(*(feed_entry(name, server.url_for(f"/{name}.xml"))
                          for name in ("later", "busy", "gone", "missing")))
    reasons = [r.reason for r in project.ingest().results]
    assert reasons == [
        "unavailable (HTTP 503): Retry-After 3600 s is longer than the 30 s this run waits",
        "rate limited (HTTP 429) without Retry-After",
        "gone (HTTP 410): the publisher removed this feed",
        "HTTP 404 NOT FOUND",
    ]


def test_refused_connection_is_a_one_line_failure(project: Project) -> None:
    project.write_feeds(feed_entry("closed", "http://127.0.0.1:9/feed.xml"))
    (result,) = project.ingest().results
    assert result.status == "failed" and result.reason is not None
    assert result.reason.startswith("could not connect") and "\n" not in result.reason


def test_user_agent_and_bounded_concurrency(project: Project, server: HTTPServer) -> None:
    lock = threading.Lock()
    in_flight = [0, 0]  # now, most
    agents: list[str] = []

    def handler(request: Request) -> Response:
        with lock:
            in_flight[0] += 1
            in_flight[1] = max(in_flight[1], in_flight[0])
            agents.append(request.headers.get("User-Agent", ""))
        time.sleep(0.15)
        with lock:
            in_flight[0] -= 1
        return Response(FEED, content_type="application/rss+xml")

    for n in range(6):
        server.expect_request(f"/f{n}.xml").respond_with_handler(handler)
    project.set_ingest("concurrency: 2\n")
    project.write_feeds(*(feed_entry(f"f{n}", server.url_for(f"/f{n}.xml")) for n in range(6)))
    report = project.ingest(dry_run=True)
    assert all(r.status == "ok" for r in report.results)
    assert in_flight[1] <= 2
    assert all(a.startswith("digest/") and "+https://example.org/digest/" in a for a in agents)
