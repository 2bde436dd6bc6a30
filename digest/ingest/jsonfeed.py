"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org), which feedparser 6.0 cannot read.

The document is hostile like any feed: every field is checked for its type, and a
wrong one is skipped rather than trusted.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any

from .entries import Entry, ParsedFeed, assign_keys, plain_title
from .links import absolute, unwrap

_VERSION_PREFIX = "https://jsonfeed.org/version/1"
_BARE_VERSIONS = ("1", "1.0", "1.1")  # seen in the wild (gofeed's fixtures)
JSON_MEDIA = ("application/feed+json", "application/json")


def looks_like_json(body: bytes, content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    if media in JSON_MEDIA:
        return True
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _date(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)  # RFC 3339 requires an offset; assume UTC
    return moment.astimezone(dt.UTC)


def _item(item: dict[str, Any], base: str) -> Entry:
    raw_id = item.get("id")
    guid = str(raw_id).strip() if isinstance(raw_id, str | int | float) else ""
    link = None
    for key in ("url", "external_url"):
        link = absolute(unwrap(_text(item.get(key))), base)
        if link:
            break
    content = _text(item.get("content_html"))
    if not content and _text(item.get("content_text")):
        content = html.escape(_text(item["content_text"])).replace("\n", "<br>")
    summary = html.escape(_text(item.get("summary")))
    tags = item.get("tags")
    attachments = item.get("attachments")
    enclosures: list[str] = []
    for attachment in attachments if isinstance(attachments, list) else []:
        if isinstance(attachment, dict):
            url = absolute(_text(attachment.get("url")), base)
            if url:
                enclosures.append(url)
    return Entry(
        guid=guid or None,
        link=link,
        title=plain_title(_text(item.get("title"))),
        summary_html=summary,
        summary_base=base,
        content_html=content,
        content_base=base,
        published=_date(item.get("date_published")) or _date(item.get("date_modified")),
        categories=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else (),
        enclosures=tuple(enclosures),
    )


def parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    """Entries of a JSON Feed; an error (one line) when the document is not one."""
    text = body.decode("utf-8-sig", "replace")
    try:
        data = json.loads(text)
    except ValueError as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return ParsedFeed((), format="json", error=f"not a feed: invalid JSON ({message})")
    declared = _text(data.get("version")) if isinstance(data, dict) else ""
    if not declared.startswith(_VERSION_PREFIX) and declared not in _BARE_VERSIONS:
        return ParsedFeed((), format="json",
                          error="not a feed: JSON without a jsonfeed.org version")
    assert isinstance(data, dict)
    version = "json" + ("1.1" if declared.endswith("1.1") else "1.0")
    items = data.get("items")
    if not isinstance(items, list):
        return ParsedFeed((), format=version, error='not a feed: JSON Feed without "items"')
    warnings = []
    if declared in _BARE_VERSIONS:
        warnings.append(f'version "{declared}" should be "{_VERSION_PREFIX}..."; read anyway')
    skipped = sum(1 for item in items if not isinstance(item, dict))
    if skipped:
        warnings.append(f"{skipped} items are not JSON objects and were skipped")
    entries = tuple(_item(item, url) for item in items if isinstance(item, dict))
    language = _text(data.get("language")) or None
    return ParsedFeed(
        entries=assign_keys(entries),
        title=_text(data.get("title")),
        format=version,
        encoding="utf-8",
        warnings=tuple(warnings),
        language=language,
    )
