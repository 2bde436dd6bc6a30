"""Feed bytes to entries: feedparser for RSS and Atom, our own reader for JSON Feed.

feedparser is given the bytes (never a string, which it may take for a URL or a path)
already decoded to UTF-8 by `encoding.to_utf8`, and the final URL as Content-Location
so that relative links resolve. Its own sanitiser and link rewriting are turned off:
`clean.py` sanitises every piece of HTML with nh3 and resolves links against the
`base` that feedparser records for each piece (xml:base aware), and doing the same work
twice would double the cost of parsing.

Bozo policy: a feed that is not well-formed still yields what feedparser recovered,
with a warning; it fails only when no entry came out of it. A well-formed feed with
no entries is fine (a quiet channel), a document that is not a feed is not.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections.abc import Iterable
from typing import Any

import feedparser

from .encoding import to_utf8
from .entries import Entry, ParsedFeed, assign_keys, plain_title
from .jsonfeed import looks_like_json, parse_json_feed
from .links import absolute, unwrap

_SPACE = re.compile(r"\s+")
_ROOT = re.compile(rb"<([A-Za-z_][\w:.-]*)")
_XML_MEDIA = ("xml", "rss", "atom", "rdf")
EARLIEST_YEAR = 1990  # feeds put 1970 (epoch 0) or year 1 where they have no date


def parse_document(body: bytes, content_type: str, url: str) -> ParsedFeed:
    """Parse a fetched document; `url` is its final address, the base for links."""
    if not body.strip():
        return ParsedFeed((), error="empty document (0 bytes of feed)")
    if looks_like_json(body, content_type):
        return parse_json_feed(body, url)
    decoded = to_utf8(body, content_type)
    warnings: list[str] = [decoded.note] if decoded.note else []
    media = content_type.split(";", 1)[0].strip().lower()
    if media and not any(word in media for word in _XML_MEDIA):
        warnings.append(f"served as {media}, not as a feed type")
    result = feedparser.parse(
        io.BytesIO(decoded.data),
        response_headers={"content-type": "application/xml; charset=utf-8",
                          "content-location": url},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    version = str(result.get("version") or "")
    raw_entries = list(result.get("entries") or [])
    if result.get("bozo") and not raw_entries:
        # Broken and empty: whether it was meant as a feed or not, nothing can be read.
        what = "not well-formed, no entries recovered" if version else "not a feed"
        return ParsedFeed((), error=f"{what}: {_bozo_reason(result)}")
    if not version and not raw_entries:
        root = _root_name(decoded.data)
        return ParsedFeed((), error=f"not a feed: the document's root element is <{root}>")
    if result.get("bozo"):
        warnings.append(f"not well-formed ({_bozo_reason(result)}); "
                        f"{len(raw_entries)} entries recovered")
    feed = result.get("feed") or {}
    entries = tuple(_entry(raw, url) for raw in raw_entries)
    return ParsedFeed(
        entries=assign_keys(entries),
        title=plain_title(str(feed.get("title") or "")),
        format=version or "unknown",
        encoding=decoded.encoding,
        warnings=tuple(warnings),
        language=str(feed.get("language") or "") or None,
    )


def _bozo_reason(result: Any) -> str:
    exc = result.get("bozo_exception")
    if exc is None:
        return "malformed document"
    text = _SPACE.sub(" ", str(exc)).strip() or type(exc).__name__
    name = type(exc).__name__
    return f"{name}: {text}"[:160]


def _root_name(data: bytes) -> str:
    # Skip the prolog, comments, processing instructions and the doctype.
    stripped = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", b"", data[:4096], flags=re.S)
    match = _ROOT.search(stripped)
    return match.group(1).decode("ascii", "replace") if match else "none"


def _html_of(detail: Any) -> tuple[str, str]:
    """(HTML, base) of a feedparser text construct; plain text arrives escaped."""
    if not detail:
        return "", ""
    value = str(detail.get("value") or "")
    kind = str(detail.get("type") or "text/html")
    if kind == "text/plain":
        value = html.escape(value).replace("\n", "<br>")
    return value, str(detail.get("base") or "")


def _pick_content(items: Iterable[Any]) -> Any:
    items = list(items or [])
    for item in items:
        if "html" in str(item.get("type") or ""):
            return item
    return items[0] if items else None


def _link(raw: Any, base: str) -> str | None:
    candidates: list[str] = []
    if raw.get("feedburner_origlink"):
        candidates.append(str(raw["feedburner_origlink"]))
    for link in raw.get("links") or []:
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            candidates.append(str(link["href"]))
    if raw.get("link"):
        candidates.append(str(raw["link"]))
    for candidate in candidates:
        url = absolute(unwrap(candidate.strip()), base)
        if url:
            return unwrap(url)
    return None


def _date(raw: Any) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = raw.get(key)
        if not parsed:
            continue
        try:
            year, month, day, hour, minute, second = (int(v) for v in parsed[:6])
            moment = dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
        except (TypeError, ValueError):
            continue
        if moment.year >= EARLIEST_YEAR:
            return moment
    return None


def _entry(raw: Any, url: str) -> Entry:
    summary, summary_base = _html_of(raw.get("summary_detail"))
    if not summary and raw.get("summary"):
        summary = str(raw["summary"])
    content, content_base = _html_of(_pick_content(raw.get("content") or []))
    if content and content.strip() == summary.strip():
        summary = ""  # feedparser copies content into summary for some Atom feeds
    base = content_base or summary_base or url
    enclosures = []
    for link in raw.get("links") or []:
        if link.get("rel") == "enclosure":
            href = absolute(str(link.get("href") or ""), summary_base or url)
            if href and href not in enclosures:
                enclosures.append(href)
    guid = str(raw.get("id") or "").strip() or None
    return Entry(
        guid=guid,
        link=_link(raw, base),
        title=plain_title(str(raw.get("title") or "")),
        summary_html=summary,
        summary_base=summary_base or url,
        content_html=content,
        content_base=content_base or url,
        published=_date(raw),
        categories=tuple(str(t.get("term")) for t in raw.get("tags") or [] if t.get("term")),
        enclosures=tuple(enclosures),
    )
