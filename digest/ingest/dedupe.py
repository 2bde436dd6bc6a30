"""Is this entry already in the digest? Checked against the articles themselves.

Three keys, checked in order (each also against the drafts of the current run):
  1. the same feed and entry key (`ingested.feed` + `ingested.guid`);
  2. the same page: the canonical URL of a source or of `ingested.url`, with scheme,
     host case, www., trailing slash, tracking parameters and fragment ignored
     (links.url_key) -- this catches a feed that changed its GUIDs, and the same
     story from two feeds that link the same page;
  3. the same title (folded) within `dedupe_days` days -- the same wire story from
     feeds that link different pages, or a feed without GUIDs and stable links.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import yaml

from ..yamlsrc import split_front_matter
from .drafts import untouched
from .lexicon import fold
from .links import url_key

try:
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MIN_TITLE_WORDS = 2


@dataclass(frozen=True, slots=True)
class Known:
    """An article (or a draft of this run) as deduplication sees it."""

    path: PurePosixPath
    feed: str | None = None
    guid: str | None = None
    urls: tuple[str, ...] = ()
    """url_key of each source URL and of the original link."""
    title: str = ""
    """Folded title."""
    day: dt.date | None = None
    untouched: bool = False
    """A draft still exactly as ingest wrote it (its hash matches)."""
    date_text: str = ""
    """The front matter's date and ingest time, as written, for rewriting an untouched draft."""
    at_text: str = ""


@dataclass(frozen=True, slots=True)
class Duplicate:
    """Why an entry is already known, and where."""

    kind: Literal["same entry", "same page", "same title"]
    known: Known


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _moment_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value) if value is not None else ""


def read_known(path: Path, relative: PurePosixPath) -> Known | None:
    """What deduplication needs from one article file; None when it has no front matter."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    split = split_front_matter(text)
    if split is None:
        return None
    try:
        data = yaml.load(split[0], Loader=_Loader)
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None
    ingested = data.get("ingested") if isinstance(data.get("ingested"), dict) else {}
    assert isinstance(ingested, dict)
    urls = []
    for source in data.get("sources") or []:
        if isinstance(source, dict) and isinstance(source.get("url"), str):
            urls.append(url_key(source["url"]))
    if isinstance(ingested.get("url"), str):
        urls.append(url_key(ingested["url"]))
    title = data.get("title")
    return Known(
        path=relative,
        feed=str(ingested["feed"]) if ingested.get("feed") is not None else None,
        guid=str(ingested["guid"]) if ingested.get("guid") is not None else None,
        urls=tuple(dict.fromkeys(urls)),
        title=fold(title) if isinstance(title, str) else "",
        day=_day(data.get("date")),
        untouched="hash" in ingested and data.get("status") == "draft" and untouched(text),
        date_text=_moment_text(data.get("date")),
        at_text=_moment_text(ingested.get("at")),
    )


def scan_articles(root: Path, articles: PurePosixPath) -> list[Known]:
    """Every article under content/articles, sorted by path."""
    folder = root / articles
    found = []
    for path in sorted(folder.rglob("*.md")) if folder.is_dir() else []:
        relative = articles / path.relative_to(folder).as_posix()
        known = read_known(path, relative)
        found.append(known if known is not None else Known(relative))
    return found


class Index:
    """The known articles by each key; the run adds its drafts as it writes them."""

    def __init__(self, known: Iterable[Known], days: int) -> None:
        self.days = days
        self.paths: set[str] = set()
        self._entries: dict[tuple[str, str], Known] = {}
        self._urls: dict[str, Known] = {}
        self._titles: dict[str, list[Known]] = {}
        for item in known:
            self.add(item)

    def add(self, item: Known) -> None:
        self.paths.add(str(item.path).lower())
        if item.feed and item.guid:
            self._entries.setdefault((item.feed, item.guid), item)
        for key in item.urls:
            self._urls.setdefault(key, item)
        if item.title.count(" ") + 1 >= MIN_TITLE_WORDS:
            self._titles.setdefault(item.title, []).append(item)

    def find(
        self, feed: str, key: str, url: str | None, title: str, day: dt.date | None
    ) -> Duplicate | None:
        """The first key an entry shares with a known article, if any."""
        same = self._entries.get((feed, key))
        if same is not None:
            return Duplicate("same entry", same)
        if url and (page := self._urls.get(url_key(url))) is not None:
            return Duplicate("same page", page)
        folded = fold(title)
        for known in self._titles.get(folded, ()) if folded.count(" ") + 1 >= MIN_TITLE_WORDS else ():
            if day is None or known.day is None or abs((known.day - day).days) <= self.days:
                return Duplicate("same title", known)
        return None
