"""What ingest remembers between runs: content/.ingest-state.json (small, committable).

Per feed: the ETag and Last-Modified of the last good fetch (conditional GET), the
time each undated entry was first seen (so its date does not move to "now" on every
run, the bug of liferea#226 and elfeed#26), and which entries became drafts (so that a
draft an editor deleted is not written again). Entry keys are stored as short hashes:
the file stays small and holds no feed text.

The state is only a memory: deduplication reads the articles themselves, so losing
this file costs re-downloads and resurrects deleted drafts, never duplicates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .drafts import write_atomic

VERSION = 1
MAX_REMEMBERED = 5000
"""Drafts remembered per feed; the oldest are forgotten first."""


def entry_hash(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8", "replace")).hexdigest()[:16]


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class FeedState:
    """Mutable on purpose: the pipeline records into it as it goes, then saves once."""

    etag: str | None = None
    last_modified: str | None = None
    first_seen: dict[str, str] = field(default_factory=dict)
    """Entry hash -> ISO time the undated entry was first seen."""
    drafted: dict[str, str] = field(default_factory=dict)
    """Entry hash -> ISO day its draft was written."""

    def first_seen_at(self, key: str, now: dt.datetime) -> dt.datetime:
        """When an undated entry was first seen; `now` (and remembered) the first time."""
        stamp = self.first_seen.setdefault(entry_hash(key), _iso(now))
        try:
            return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            self.first_seen[entry_hash(key)] = _iso(now)
            return now

    def keep_first_seen(self, keys: set[str]) -> None:
        """Forget undated entries no longer in the feed."""
        wanted = {entry_hash(k) for k in keys}
        self.first_seen = {k: v for k, v in self.first_seen.items() if k in wanted}

    def was_drafted(self, key: str) -> bool:
        return entry_hash(key) in self.drafted

    def remember_draft(self, key: str, day: dt.date) -> None:
        self.drafted[entry_hash(key)] = day.isoformat()
        if len(self.drafted) > MAX_REMEMBERED:
            newest = sorted(self.drafted.items(), key=lambda kv: kv[1])[-MAX_REMEMBERED:]
            self.drafted = dict(newest)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {}
        if self.etag:
            out["etag"] = self.etag
        if self.last_modified:
            out["last_modified"] = self.last_modified
        if self.first_seen:
            out["first_seen"] = dict(sorted(self.first_seen.items()))
        if self.drafted:
            out["drafted"] = dict(sorted(self.drafted.items()))
        return out


@dataclass(slots=True)
class IngestState:
    feeds: dict[str, FeedState] = field(default_factory=dict)
    warning: str | None = None
    """Set when the file existed but could not be read (it is then started afresh)."""

    def feed(self, feed_id: str) -> FeedState:
        return self.feeds.setdefault(feed_id, FeedState())

    def dumps(self) -> str:
        feeds = {k: v.to_json() for k, v in sorted(self.feeds.items()) if v.to_json()}
        return json.dumps({"version": VERSION, "feeds": feeds}, indent=1, ensure_ascii=False,
                          sort_keys=False) + "\n"

    def save(self, path: Path) -> bool:
        """Write the state if it changed; True when the file was written."""
        text = self.dumps()
        try:
            if path.read_text(encoding="utf-8") == text:
                return False
        except (OSError, UnicodeDecodeError):
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
        return True


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _strings(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}


def load_state(path: Path) -> IngestState:
    """The saved state; an empty one when the file is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return IngestState()
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return IngestState(warning=f"{path.name} could not be read ({exc}); starting afresh")
    feeds = data.get("feeds") if isinstance(data, dict) else None
    if not isinstance(feeds, dict):
        return IngestState(warning=f"{path.name} has no feeds mapping; starting afresh")
    state = IngestState()
    for feed_id, raw in feeds.items():
        if isinstance(raw, dict):
            state.feeds[str(feed_id)] = FeedState(
                _text(raw.get("etag")), _text(raw.get("last_modified")),
                _strings(raw.get("first_seen")), _strings(raw.get("drafted")),
            )
    return state
