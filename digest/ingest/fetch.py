"""Fetch feeds over HTTP: timeouts, a size cap, redirects, conditional GET, Retry-After.

We fetch with httpx rather than feedparser because feedparser 6.0's own fetcher has no
timeout and reads any body whole. Every failure becomes a one-line reason on the
feed's `Fetched`; nothing here raises for a network or server problem, so one feed
never stops the others.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import itertools
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import Literal

import httpx

ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
RETRY_STATUSES = (429, 503)
MAX_REDIRECTS = 8
MAX_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """How to fetch; read from the `ingest:` section of site.yaml."""

    timeout: float = 20.0
    """Seconds to connect, and seconds of silence while reading, before giving up."""
    max_bytes: int = 10 * 1024 * 1024
    """Largest body accepted, counted after decompression (so a gzip bomb stops too)."""
    concurrency: int = 8
    user_agent: str = "digest"
    retry_after_max: float = 30.0
    """Longest Retry-After we wait for; a server asking for more fails the feed for this run."""


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """One feed to fetch, with the validators from the last successful fetch."""

    feed_id: str
    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Fetched:
    """What came back for one feed."""

    feed_id: str
    url: str
    status: Literal["ok", "not-modified", "failed"]
    final_url: str = ""
    """Where the body came from after redirects: the base for relative links."""
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    """One line, for the summary table: why the feed failed."""
    moved_to: str | None = None
    """Target of a permanent redirect (301/308): the URL to put in feeds.yaml."""
    http_status: int = 0
    seconds: float = 0.0


class _Failure(Exception):
    """A reason to give up on a feed, already worded for the summary table."""


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return (text or type(exc).__name__)[:160]


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB" if size >= 1024 * 1024 else f"{size:,} bytes"


def retry_after_seconds(value: str | None, now: dt.datetime) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


def _moved_to(response: httpx.Response) -> str | None:
    # Only a leading run of permanent redirects moves a feed: a 302 after a 301 means
    # the new home itself is temporary (miniflux/v2#1387 pinned a 302 target for good).
    chain = [*response.history, response]
    moved = None
    for hop, following in itertools.pairwise(chain):
        if hop.status_code not in (301, 308):
            break
        moved = str(following.url)
    return moved


async def _attempt(
    client: httpx.AsyncClient, request: FetchRequest, options: FetchOptions
) -> Fetched:
    headers = {}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    async with client.stream("GET", request.url, headers=headers) as response:
        status = response.status_code
        base = Fetched(feed_id=request.feed_id, url=request.url, status="failed",
                       final_url=str(response.url), moved_to=_moved_to(response),
                       http_status=status)
        if status == 304:
            return replace(base, status="not-modified", etag=request.etag,
                           last_modified=request.last_modified)
        if status in RETRY_STATUSES:
            raise _RetryLater(status, response.headers.get("retry-after"))
        if status == 410:
            raise _Failure("gone (HTTP 410): the publisher removed this feed")
        if status >= 400:
            raise _Failure(f"HTTP {status} {response.reason_phrase}".strip())
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > options.max_bytes:
            raise _Failure(f"body of {_megabytes(int(declared))} is over the "
                           f"{_megabytes(options.max_bytes)} cap")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > options.max_bytes:
                raise _Failure(f"body is over the {_megabytes(options.max_bytes)} cap")
            chunks.append(chunk)
        return replace(
            base, status="ok", body=b"".join(chunks),
            content_type=response.headers.get("content-type", ""),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )


class _RetryLater(Exception):
    def __init__(self, status: int, retry_after: str | None) -> None:
        super().__init__(status)
        self.status = status
        self.retry_after = retry_after


async def fetch_one(
    client: httpx.AsyncClient, request: FetchRequest, options: FetchOptions
) -> Fetched:
    """Fetch one feed, waiting out a bounded Retry-After; never raises for the network."""
    started = time.perf_counter()
    # A server that trickles bytes never trips the read timeout; this bounds the whole.
    deadline = max(options.timeout * 4, options.timeout + 1)
    reason = "no attempt made"
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            async with asyncio.timeout(deadline):
                fetched = await _attempt(client, request, options)
            return _timed(fetched, started)
        except _RetryLater as later:
            wait = retry_after_seconds(later.retry_after, dt.datetime.now(dt.UTC))
            name = "rate limited" if later.status == 429 else "unavailable"
            if wait is None:
                reason = f"{name} (HTTP {later.status}) without Retry-After"
                break
            if wait > options.retry_after_max:
                reason = (f"{name} (HTTP {later.status}): Retry-After {wait:g} s is longer "
                          f"than the {options.retry_after_max:g} s this run waits")
                break
            reason = f"{name} (HTTP {later.status}) after {attempt} attempts"
            await asyncio.sleep(wait)
        except _Failure as failure:
            reason = str(failure)
            break
        except TimeoutError:
            reason = f"took longer than {deadline:g} s in all"
            break
        except httpx.ConnectTimeout:
            reason = f"timed out connecting ({options.timeout:g} s)"
            break
        except httpx.TimeoutException:
            reason = f"timed out waiting for the server ({options.timeout:g} s)"
            break
        except httpx.TooManyRedirects:
            reason = f"more than {MAX_REDIRECTS} redirects"
            break
        except httpx.DecodingError as exc:
            reason = f"could not decompress the body: {_one_line(exc)}"
            break
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            reason = f"unsupported URL: {_one_line(exc)}"
            break
        except httpx.ConnectError as exc:
            reason = f"could not connect: {_one_line(exc)}"
            break
        except httpx.HTTPError as exc:
            reason = f"{type(exc).__name__}: {_one_line(exc)}"
            break
    failed = Fetched(feed_id=request.feed_id, url=request.url, status="failed", error=reason)
    return _timed(failed, started)


def _timed(fetched: Fetched, started: float) -> Fetched:
    return replace(fetched, seconds=time.perf_counter() - started)


async def _fetch_all(
    requests: Sequence[FetchRequest],
    options: FetchOptions,
    on_done: Callable[[Fetched], None] | None,
    deliver: Callable[[Fetched, FetchRequest], None] | None = None,
) -> list[Fetched]:
    limits = httpx.Limits(max_connections=options.concurrency,
                          max_keepalive_connections=options.concurrency)
    timeout = httpx.Timeout(options.timeout, connect=options.timeout)
    semaphore = asyncio.Semaphore(options.concurrency)
    headers = {"User-Agent": options.user_agent, "Accept": ACCEPT}
    # Proxies from the environment apply, except to this machine: a proxy cannot reach
    # the feeds a test or a local mirror serves on 127.0.0.1.
    direct = {f"all://{host}": httpx.AsyncHTTPTransport(limits=limits)
              for host in ("127.0.0.1", "localhost", "[::1]")}
    async with httpx.AsyncClient(follow_redirects=True, max_redirects=MAX_REDIRECTS,
                                 timeout=timeout, limits=limits, headers=headers,
                                 mounts=direct) as client:

        async def run(request: FetchRequest) -> Fetched:
            async with semaphore:
                fetched = await fetch_one(client, request, options)
            if deliver is not None:
                deliver(fetched, request)
            if on_done is not None:
                on_done(fetched)
            return fetched

        return list(await asyncio.gather(*(run(r) for r in requests)))


def fetch_all(
    requests: Sequence[FetchRequest],
    options: FetchOptions,
    on_done: Callable[[Fetched], None] | None = None,
) -> list[Fetched]:
    """Fetch every feed, at most `options.concurrency` at a time; results in request order."""
    if not requests:
        return []
    return asyncio.run(_fetch_all(requests, options, on_done))


def fetch_in_order(
    requests: Sequence[FetchRequest],
    options: FetchOptions,
    on_done: Callable[[Fetched], None] | None = None,
) -> Iterator[Fetched]:
    """Like fetch_all, but yields each result, in request order, as soon as it is in.

    The fetching runs in a thread of its own, so the caller can parse the first feeds
    while the last ones are still downloading; the order stays that of `requests`.
    """
    slots: list[Future[Fetched]] = [Future() for _ in requests]
    index = {id(r): i for i, r in enumerate(requests)}

    def deliver(fetched: Fetched, request: FetchRequest) -> None:
        slots[index[id(request)]].set_result(fetched)
        if on_done is not None:
            on_done(fetched)

    def work() -> None:
        try:
            asyncio.run(_fetch_all(requests, options, None, deliver))
        except BaseException as exc:  # a bug: hand it to the caller, whose result is waiting
            for slot in slots:
                if not slot.done():
                    slot.set_exception(exc)

    threading.Thread(target=work, name="digest-fetch", daemon=True).start()
    for slot in slots:
        yield slot.result()
