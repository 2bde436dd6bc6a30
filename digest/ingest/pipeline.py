"""`digest ingest`, read top to bottom: fetch -> parse -> keep -> tag -> dedupe -> write.

Everything is read and checked before anything is fetched. Feeds are fetched
concurrently in a thread of their own; each document goes to the workers (work.py:
parse, keep, tag, convert) as it arrives; the results are then deduplicated here in the
order of feeds.yaml, so which of two feeds wins a shared story never depends on the
network or on which worker was faster. Drafts are written at the end, each atomically,
then the state file. A dry run stops before writing and says what it would have written.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Protocol

from ..config import SiteConfig, load_site
from ..errors import DigestError, Problem, ProblemList, did_you_mean
from ..taxonomy import load_taxonomy
from .dedupe import Index, Known, scan_articles
from .drafts import (
    Draft,
    DraftFields,
    draft_path,
    inside,
    make_slug,
    render_draft,
    untouched,
    write_atomic,
)
from .feedsconfig import Feed, load_feeds
from .fetch import Fetched, FetchRequest, fetch_in_order
from .lexicon import fold
from .links import clean_url, url_key
from .report import FeedResult, IngestReport
from .settings import IngestSettings, load_settings
from .state import FeedState, IngestState, load_state
from .tagging import Vocabulary
from .work import FeedJob, Kept, Worked, Workers

ARTICLES = PurePosixPath("content/articles")


@dataclass(frozen=True, slots=True)
class IngestOptions:
    feed_ids: tuple[str, ...] = ()
    """Only these feeds (`--feed`); all when empty."""
    dry_run: bool = False
    since: dt.date | None = None
    """Skip entries dated before this day (`--since`)."""
    now: dt.datetime | None = None
    """The run's time; tests fix it. None: the clock."""


class Listener(Protocol):
    """Progress callbacks for the CLI's progress bar."""

    def fetching(self, total: int) -> None: ...

    def fetched(self, fetched: Fetched) -> None: ...


@dataclass(frozen=True, slots=True)
class Project:
    """What ingest reads from a project before it fetches anything."""

    root: Path
    config: SiteConfig
    settings: IngestSettings
    feeds: tuple[Feed, ...]
    vocabulary: Vocabulary
    warnings: tuple[Problem, ...]


def load_project(root: Path, feed_ids: tuple[str, ...] = ()) -> Project:
    """Site config, taxonomy, ingest settings and feeds; raises DigestError with every problem."""
    problems = ProblemList()
    content = root / "content"
    config = load_site(content / "site.yaml", root, problems)
    taxonomies = load_taxonomy(content / "taxonomy.yaml", root, config, problems)
    settings = load_settings(root, config, problems)
    feeds = load_feeds(content / "feeds.yaml", root, config, problems)
    known = [f.id for f in feeds]
    for feed_id in feed_ids:
        if feed_id not in known:
            problems.add("content/feeds.yaml", 1, f'no feed has the id "{feed_id}"'
                         f"{did_you_mean(feed_id, known)}")
    problems.raise_if_errors()
    if feed_ids:
        feeds = tuple(f for f in feeds if f.id in feed_ids)
    vocabulary = Vocabulary(taxonomies, settings.words, settings.company_taxonomies)
    return Project(root, config, settings, feeds, vocabulary, tuple(problems.warnings))


def run_ingest(root: Path, options: IngestOptions, listener: Listener | None = None) -> IngestReport:
    """Ingest the project's feeds into draft articles; see the module docstring."""
    started = time.perf_counter()
    now = (options.now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    project = load_project(root, options.feed_ids)
    state_path = root / project.settings.state_file
    state = load_state(state_path)
    index = Index(scan_articles(root, ARTICLES), project.settings.dedupe_days)
    requests = [FetchRequest(f.id, f.url, state.feed(f.id).etag, state.feed(f.id).last_modified)
                for f in project.feeds]
    if listener is not None:
        listener.fetching(len(requests))
    fetched = fetch_in_order(requests, project.settings.fetch,
                             listener.fetched if listener is not None else None)
    run = _Run(project, index, state, now, options)
    with Workers(project.vocabulary, len(project.feeds), project.settings.workers) as workers:
        # Work starts on each feed as it arrives; results are then taken in feed order.
        started_work = [(feed, got, run.start(feed, got, workers))
                        for feed, got in zip(project.feeds, fetched, strict=True)]
        results = tuple(run.finish(feed, got, waiting) for feed, got, waiting in started_work)
    if not options.dry_run:
        results = tuple(_write(root, result) for result in results)
        state.save(state_path)
    return IngestReport(results, options.dry_run, time.perf_counter() - started,
                        state.warning, tuple(p.format() for p in project.warnings))


def _write(root: Path, result: FeedResult) -> FeedResult:
    """Write a feed's drafts; one that is no longer safe to write is dropped, not forced."""
    written = []
    for draft in result.drafts:
        target = inside(root, draft.path, ARTICLES)
        if draft.action == "new" and target.exists():
            continue  # appeared since the scan: never overwrite
        if draft.action == "update":
            try:
                if not untouched(target.read_text(encoding="utf-8")):
                    continue  # edited since the scan: a person's file now
            except (OSError, UnicodeDecodeError):
                continue
        write_atomic(target, draft.text)
        written.append(draft)
    if len(written) == len(result.drafts):
        return result
    return replace(result, drafts=tuple(written))


class _Run:
    """One run's shared, growing knowledge: the dedupe index and the state."""

    def __init__(self, project: Project, index: Index, state: IngestState, now: dt.datetime,
                 options: IngestOptions) -> None:
        self.project = project
        self.index = index
        self.state = state
        self.now = now
        self.options = options

    def start(self, feed: Feed, fetched: Fetched, workers: Workers) -> Callable[[], Worked] | None:
        """Hand a fetched document to the workers; None when there is nothing to work on."""
        if fetched.status != "ok":
            return None
        job = FeedJob(feed, fetched.body, fetched.content_type, fetched.final_url or feed.url,
                      self.now, self.options.since, dict(self.state.feed(feed.id).first_seen),
                      self.project.settings.company_taxonomies)
        return workers.submit(job)

    def finish(self, feed: Feed, fetched: Fetched, waiting: Callable[[], Worked] | None) -> FeedResult:
        """Deduplicate a worked feed against everything before it, and make its drafts."""
        if waiting is None:
            if fetched.status == "failed":
                return FeedResult(feed, "failed", reason=fetched.error, moved_to=fetched.moved_to)
            return FeedResult(feed, "not modified", moved_to=fetched.moved_to)
        worked = waiting()
        if worked.error:
            return FeedResult(feed, "failed", reason=worked.error, moved_to=fetched.moved_to,
                              warnings=worked.warnings)
        memory = self.state.feed(feed.id)
        memory.etag, memory.last_modified = fetched.etag, fetched.last_modified
        memory.keep_first_seen(set(worked.undated))
        for key in worked.undated:
            memory.first_seen_at(key, self.now)
        drafts: list[Draft] = []
        duplicates = 0
        for kept in worked.kept:
            draft = self._draft(feed, fetched, memory, kept)
            if draft is None:
                duplicates += 1
            elif draft.action == "update":
                duplicates += 1
                drafts.append(draft)
            else:
                drafts.append(draft)
        return FeedResult(feed, "ok", entries=worked.entries, drafts=tuple(drafts),
                          duplicates=duplicates, irrelevant=worked.irrelevant, older=worked.older,
                          warnings=worked.warnings, moved_to=fetched.moved_to)

    def _draft(self, feed: Feed, fetched: Fetched, memory: FeedState, kept: Kept) -> Draft | None:
        """A new draft, an update of an untouched one, or None for a duplicate."""
        entry, link = kept.entry, kept.entry.link
        order = self.project.config.taxonomy_keys
        about = {k: tuple(kept.tags.about.get(k, ())) for k in order}
        mentions = {k: tuple(kept.tags.mentions.get(k, ())) for k in order}
        fields = DraftFields(
            title=kept.title, date=kept.date, date_from=kept.date_from, lang=feed.lang,
            summary=kept.summary, source_name=feed.name,
            source_url=clean_url(link) if link else (fetched.final_url or feed.url),
            source_lang=feed.lang, about=about, mentions=mentions, feed_id=feed.id,
            guid=entry.key, original_url=link, at=self.now, reasons=kept.reasons, body=kept.body,
        )
        duplicate = self.index.find(feed.id, entry.key, link, entry.title, kept.date.date())
        if duplicate is not None:
            if duplicate.kind == "same entry" and duplicate.known.untouched:
                keep_date = entry.published is None or entry.published > self.now
                return self._update(fields, duplicate.known, keep_date)
            return None
        if memory.was_drafted(entry.key):
            return None  # drafted before, and deleted since: an editor's "no"
        path = draft_path(ARTICLES, kept.date, make_slug(kept.title, entry.key), self.index.paths)
        self.index.add(Known(path, feed.id, entry.key,
                             tuple(url_key(u) for u in (link,) if u), fold(kept.title),
                             kept.date.date()))
        memory.remember_draft(entry.key, kept.date.date())
        return Draft(path, render_draft(fields), kept.title, feed.id, about, mentions,
                     kept.reasons, "new")

    def _update(self, fields: DraftFields, known: Known, keep_date: bool) -> Draft | None:
        """Rewrite an untouched draft whose entry changed in the feed (title, text, tags).

        The first ingestion time stays; so does the date when it was not the feed's own
        (first seen, or a future date brought back to the fetch time), else every run
        would move it and rewrite the file.
        """
        at = _parse_moment(known.at_text) or fields.at
        date = (_parse_moment(known.date_text) or fields.date) if keep_date else fields.date
        text = render_draft(replace(fields, at=at, date=date))
        try:
            current = (self.project.root / known.path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        if current == text:
            return None
        return Draft(known.path, text, fields.title, fields.feed_id, fields.about,
                     fields.mentions, fields.reasons, "update")


def _parse_moment(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


__all__ = ["DigestError", "IngestOptions", "Listener", "load_project", "run_ingest"]
