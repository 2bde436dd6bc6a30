"""OPML import and export of the feed list (`digest feeds import|export`).

Export writes OPML 2.0 that any feed reader reads; what only digest uses (the feed id,
`keep: all`, include and exclude rules) goes in attributes of our own namespace, so
that export then import gives back the same feeds.yaml entries. Import appends new
feeds to content/feeds.yaml as text, so the file's comments and order survive.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from slugify import slugify

from .drafts import quoted, scalar
from .feedsconfig import FEED_ID, LANG, Feed
from .links import absolute

NAMESPACE = "urn:digest:opml"
_NS = "{" + NAMESPACE + "}"
_DANGEROUS = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)


class OpmlError(ValueError):
    """The file is not OPML we can read; the message says why, on one line."""


@dataclass(frozen=True, slots=True)
class Imported:
    feeds: tuple[Feed, ...]
    """New feeds, with ids made unique against the existing ones."""
    already: int = 0
    """Outlines whose URL feeds.yaml already lists."""
    skipped: tuple[str, ...] = ()
    """Outlines left out, each with the reason."""


def _attribute(element: ET.Element, *names: str) -> str:
    lowered = {k.lower(): v for k, v in element.attrib.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value and value.strip():
            return value.strip()
    return ""


def _rules(element: ET.Element, name: str) -> tuple[str, ...]:
    raw = element.attrib.get(_NS + name, "")
    if not raw:
        return ()
    try:
        value = json.loads(raw)
    except ValueError:
        return (raw,)
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _unique_id(wanted: str, name: str, taken: set[str]) -> str:
    base = wanted if FEED_ID.match(wanted) else slugify(name, max_length=40, word_boundary=True)
    base = base or "feed"
    candidate, number = base, 2
    while candidate in taken:
        candidate = f"{base}-{number}"
        number += 1
    taken.add(candidate)
    return candidate


def read_opml(data: bytes, existing: Sequence[Feed], default_lang: str) -> Imported:
    """The feeds of an OPML document that feeds.yaml does not list yet."""
    if _DANGEROUS.search(data[:4096]):
        raise OpmlError("OPML with a DOCTYPE or entities is not accepted")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise OpmlError(f"not well-formed XML: {exc}") from None
    if root.tag.lower() != "opml" or root.find("body") is None:
        raise OpmlError(f"not OPML: the root element is <{root.tag}>, with no <body>")
    urls = {f.url for f in existing}
    taken = {f.id for f in existing}
    feeds: list[Feed] = []
    already = 0
    skipped: list[str] = []
    for outline in root.iter("outline"):
        raw_url = _attribute(outline, "xmlUrl")
        if not raw_url:
            continue  # a folder, or a link that is not a feed
        name = _attribute(outline, "title", "text") or raw_url
        url = absolute(raw_url, None)
        if url is None:
            skipped.append(f"{name}: {raw_url} is not an http(s) URL")
            continue
        if url in urls:
            already += 1
            continue
        urls.add(url)
        lang = _attribute(outline, "language", "lang").lower() or default_lang
        if not LANG.match(lang):
            lang = default_lang
        feed_id = _unique_id(outline.attrib.get(_NS + "id", ""), name, taken)
        feeds.append(Feed(feed_id, url, name, lang,
                          outline.attrib.get(_NS + "keep") == "all",
                          _rules(outline, "include"), _rules(outline, "exclude")))
    return Imported(tuple(feeds), already, tuple(skipped))


def write_opml(feeds: Iterable[Feed], title: str) -> str:
    """OPML 2.0 for the feeds; stable (no dates), so exports diff cleanly."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<opml version="2.0" xmlns:digest={quoteattr(NAMESPACE)}>',
             "  <head>", f"    <title>{escape(title)}</title>", "  </head>", "  <body>"]
    for feed in feeds:
        attributes = [("type", "rss"), ("text", feed.name), ("title", feed.name),
                      ("xmlUrl", feed.url), ("language", feed.lang), ("digest:id", feed.id)]
        if feed.keep_all:
            attributes.append(("digest:keep", "all"))
        for key, words in (("include", feed.include), ("exclude", feed.exclude)):
            if words:
                attributes.append((f"digest:{key}", json.dumps(list(words), ensure_ascii=False)))
        rendered = " ".join(f"{k}={quoteattr(v)}" for k, v in attributes)
        lines.append(f"    <outline {rendered}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def feed_yaml(feed: Feed, indent: str = "  ") -> str:
    """One feeds.yaml list item."""
    pad = indent + "  "
    lines = [f"{indent}- id: {scalar(feed.id)}", f"{pad}url: {quoted(feed.url)}",
             f"{pad}name: {quoted(feed.name)}", f"{pad}lang: {scalar(feed.lang)}"]
    if feed.keep_all:
        lines.append(f"{pad}keep: all")
    for key, words in (("include", feed.include), ("exclude", feed.exclude)):
        if words:
            lines.append(f"{pad}{key}: [" + ", ".join(quoted(w) for w in words) + "]")
    return "\n".join(lines) + "\n"


_TOP_KEY = re.compile(r"^[^\s#-][^:]*:", re.M)
_FEEDS_KEY = re.compile(r"^feeds:[ \t]*(\[\s*\]|null|~)?[ \t]*(#.*)?$", re.M)
_ITEM = re.compile(r"^([ \t]*)- ", re.M)


def append_feeds(text: str, feeds: Sequence[Feed]) -> str:
    """feeds.yaml text with `feeds` added at the end of its `feeds:` list.

    Text, not a YAML round trip, so that comments and layout survive. The caller
    checks the result by parsing it before writing it.
    """
    if not feeds:
        return text
    match = _FEEDS_KEY.search(text)
    if match is None:
        prefix = text if not text or text.endswith("\n") else text + "\n"
        return prefix + "feeds:\n" + "".join(feed_yaml(f) for f in feeds)
    head = text[: match.start()] + "feeds:\n"
    rest = text[match.end():].lstrip("\n") if match.group(1) else text[match.end() + 1:]
    following = _TOP_KEY.search(rest)
    block, tail = (rest[: following.start()], rest[following.start():]) if following else (rest, "")
    item = _ITEM.search(block)
    indent = item.group(1) if item else "  "
    block = block.rstrip("\n") + "\n" if block.strip() else ""
    return head + block + "".join(feed_yaml(f, indent) for f in feeds) + ("\n" + tail if tail else "")
