"""What parsing a feed gives: its entries, as plain data, whatever the format was."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

_MARKUP = re.compile(r"<[A-Za-z/!?]")
_TAGS = re.compile(r"<[^>]*>?")
_ACTIVE = re.compile(r"<(script|style)\b.*?(</\1\s*>|$)", re.S | re.I)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a feed, before any judgement: text is still the feed's HTML."""

    guid: str | None
    """The feed's own identifier (RSS guid, Atom id, JSON Feed id), if it gave one."""
    link: str | None
    """The entry's web page: absolute http(s), FeedBurner and Google redirects unwrapped."""
    title: str
    """Plain text; markup in titles is removed, never interpreted."""
    summary_html: str = ""
    """The summary or description, as HTML (plain-text summaries arrive escaped)."""
    summary_base: str = ""
    """URL that relative links in the summary resolve against (xml:base, else the feed)."""
    content_html: str = ""
    """The full content when the feed carries it, as HTML."""
    content_base: str = ""
    published: dt.datetime | None = None
    """Publication (else update) time, in UTC; None when the feed gives no usable date."""
    categories: tuple[str, ...] = ()
    enclosures: tuple[str, ...] = ()
    """Absolute URLs of attachments (podcasts, images), resolved against the entry."""
    key: str = ""
    """Identity within the feed, set by `assign_keys`: the GUID, else the link, else a hash."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed document: its entries and what went wrong along the way."""

    entries: tuple[Entry, ...]
    title: str = ""
    format: str = ""
    """feedparser's version string ("rss20", "atom10") or "json1.0"/"json1.1"."""
    encoding: str = ""
    """The encoding the text was read with."""
    warnings: tuple[str, ...] = ()
    """One line each: not well-formed XML, an encoding override, a non-feed media type."""
    error: str | None = None
    """Why the document yielded nothing usable; None when it parsed."""
    language: str | None = None
    """The language the feed declares (RSS <language>, xml:lang), if any."""


def plain_title(value: str) -> str:
    """A title as plain text: markup removed (never interpreted), entities decoded.

    Twice, because feeds double-escape: "&amp;lt;script&amp;gt;" must not come out as a
    literal "<script>" (stringer-rss/stringer#490 ran one from a title).
    """
    for _ in range(2):
        if _MARKUP.search(value):
            value = _TAGS.sub(" ", _ACTIVE.sub(" ", value))
        value = html.unescape(value)
    value = value.replace("<", "‹") if _MARKUP.search(value) else value
    return _SPACE.sub(" ", value).strip()


def _fingerprint(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()[:16]


def assign_keys(entries: Iterable[Entry]) -> tuple[Entry, ...]:
    """Give each entry a stable identity within its feed.

    The GUID when it is unique in the document; a GUID used twice is told apart by the
    link (Miniflux's rule); no GUID means the link; no link either means a hash of the
    title and text. Never the position in the document, which moves on every update.
    """
    entries = list(entries)
    guids = Counter(e.guid for e in entries if e.guid)
    out: list[Entry] = []
    taken: Counter[str] = Counter()
    for entry in entries:
        if entry.guid and guids[entry.guid] == 1:
            key = entry.guid
        elif entry.guid:
            key = f"{entry.guid}|{entry.link or _fingerprint(entry.title, entry.summary_html)}"
        elif entry.link:
            key = entry.link
        else:
            key = "sha1:" + _fingerprint(entry.title, entry.summary_html, entry.content_html)
        taken[key] += 1
        if taken[key] > 1:
            key = f"{key}|{taken[key]}"
        out.append(replace(entry, key=key))
    return tuple(out)
