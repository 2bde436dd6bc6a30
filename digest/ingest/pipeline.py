"""`digest ingest`, read top to bottom: fetch -> parse -> keep -> tag -> dedupe -> write.

Everything is read and checked before anything is fetched; everything is fetched
(concurrently) before anything is judged; feeds are then processed in the order of
feeds.yaml, so which of two feeds wins a shared story never depends on the network.
Drafts are written at the end, each atomically, then the state file. A dry run stops
before writing and reports what it would have written.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Protocol

from ..config import SiteConfig, load_site
from ..errors import DigestError, Problem, ProblemList, did_you_mean
from ..taxonomy import load_taxonomy
from .clean import defang_text, html_to_markdown, html_to_text, html_words, summarise
from .dedupe import Index, Known, scan_articles
from .document import build_document
from .drafts import (
    DateFrom,
    Draft,
    DraftFields,
    draft_path,
    inside,
    make_slug,
    render_draft,
    untouched,
    write_atomic,
)
from .entries import Entry, ParsedFeed
from .feedsconfig import Feed, load_feeds
from .fetch import Fetched, FetchRequest, fetch_all
from .lexicon import fold
from .links import clean_url, for_markdown, url_key
from .parse import parse_document
from .relevance import FeedRuleSet, judge
from .report import FeedResult, IngestReport
from .settings import IngestSettings, load_settings
from .state import FeedState, IngestState, load_state
from .tagging import Vocabulary

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
    fetched = fetch_all(requests, project.settings.fetch,
                        listener.fetched if listener is not None else None)
    run = _Run(project, index, state, now, options)
    results = tuple(run.feed(feed, got) for feed, got in zip(project.feeds, fetched, strict=True))
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

    def feed(self, feed: Feed, fetched: Fetched) -> FeedResult:
        if fetched.status == "failed":
            return FeedResult(feed, "failed", reason=fetched.error, moved_to=fetched.moved_to)
        if fetched.status == "not-modified":
            return FeedResult(feed, "not modified", moved_to=fetched.moved_to)
        parsed = parse_document(fetched.body, fetched.content_type, fetched.final_url or feed.url)
        if parsed.error:
            return FeedResult(feed, "failed", reason=parsed.error, moved_to=fetched.moved_to,
                              warnings=parsed.warnings)
        memory = self.state.feed(feed.id)
        memory.etag, memory.last_modified = fetched.etag, fetched.last_modified
        memory.keep_first_seen({e.key for e in parsed.entries if e.published is None})
        return _FeedRun(self, feed, fetched, parsed, memory).result()


class _FeedRun:
    """One feed's entries through keep, tag, dedupe and draft."""

    def __init__(self, run: _Run, feed: Feed, fetched: Fetched, parsed: ParsedFeed,
                 memory: FeedState) -> None:
        self.run = run
        self.feed = feed
        self.fetched = fetched
        self.parsed = parsed
        self.memory = memory
        self.rules = FeedRuleSet(feed.include, feed.exclude)
        self.drafts: list[Draft] = []
        self.duplicates = self.irrelevant = self.older = 0

    def result(self) -> FeedResult:
        for entry in self.parsed.entries:
            self.entry(entry)
        return FeedResult(self.feed, "ok", entries=len(self.parsed.entries),
                          drafts=tuple(self.drafts), duplicates=self.duplicates,
                          irrelevant=self.irrelevant, older=self.older,
                          warnings=self.parsed.warnings, moved_to=self.fetched.moved_to)

    def entry(self, entry: Entry) -> None:
        run, project = self.run, self.run.project
        date_from: DateFrom
        if entry.published is None:
            date, date_from = self.memory.first_seen_at(entry.key, run.now), "first-seen"
        else:
            # A date in the future is a feed's mistake (a wrong time zone, a typo); it
            # would pin the draft to the top of the site, so it becomes the fetch time.
            date, date_from = min(entry.published, run.now), "feed"
        if run.options.since and date.date() < run.options.since:
            self.older += 1
            return
        summary_words = html_words(entry.summary_html)
        content_words = html_words(entry.content_html)
        document = build_document(entry.title, summary_words, content_words, self.feed.lang)
        analysis = project.vocabulary.analyse(document, date)
        include, exclude = self.rules.hits(document, entry.categories)
        verdict = judge(analysis, document, keep_all=self.feed.keep_all, include_hits=include,
                        exclude_hits=exclude, company_taxonomies=project.settings.company_taxonomies)
        if not verdict.keep:
            self.irrelevant += 1
            return
        link = entry.link
        duplicate = run.index.find(self.feed.id, entry.key, link, entry.title, date.date())
        taxonomy_order = project.config.taxonomy_keys
        about = {k: tuple(analysis.tags.about.get(k, ())) for k in taxonomy_order}
        mentions = {k: tuple(analysis.tags.mentions.get(k, ())) for k in taxonomy_order}
        title = defang_text(entry.title or _derived_title(summary_words or content_words,
                                                           self.feed.name))
        shown = html_to_text(entry.summary_html) or html_to_text(entry.content_html)
        fields = DraftFields(
            title=title, date=date, date_from=date_from, lang=self.feed.lang,
            summary=defang_text(summarise(shown) or title),
            source_name=self.feed.name,
            source_url=clean_url(link) if link else (self.fetched.final_url or self.feed.url),
            source_lang=self.feed.lang, about=about, mentions=mentions,
            feed_id=self.feed.id, guid=entry.key, original_url=link, at=run.now,
            reasons=verdict.reasons, body="",
        )
        if duplicate is not None:
            if duplicate.kind == "same entry" and duplicate.known.untouched:
                self._maybe_update(entry, fields, duplicate.known,
                                   keep_date=entry.published is None or entry.published > run.now)
            self.duplicates += 1
            return
        if self.memory.was_drafted(entry.key):
            self.duplicates += 1  # drafted before, and deleted since: an editor's "no"
            return
        path = draft_path(ARTICLES, date, make_slug(title, entry.key), run.index.paths)
        text = render_draft(_with_body(fields, entry))
        self.drafts.append(Draft(path, text, title, self.feed.id, about, mentions,
                                 verdict.reasons, "new"))
        run.index.add(Known(path, self.feed.id, entry.key,
                            tuple(url_key(u) for u in (link,) if u), fold(title), date.date()))
        self.memory.remember_draft(entry.key, date.date())

    def _maybe_update(self, entry: Entry, fields: DraftFields, known: Known, keep_date: bool) -> None:
        """Rewrite an untouched draft whose entry changed in the feed (title, text, tags).

        The first ingestion time stays; so does the date when it was not the feed's own
        (first seen, or a future date brought back to the fetch time), else every run
        would move it and rewrite the file.
        """
        at = _parse_moment(known.at_text) or fields.at
        date = fields.date
        if keep_date:
            date = _parse_moment(known.date_text) or date
        text = render_draft(_with_body(replace(fields, at=at, date=date), entry))
        try:
            current = (self.run.project.root / known.path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return
        if current != text:
            self.drafts.append(Draft(known.path, text, fields.title, self.feed.id, fields.about,
                                     fields.mentions, fields.reasons, "update"))


def _with_body(fields: DraftFields, entry: Entry) -> DraftFields:
    # Markdown conversion is the costliest step; it runs only for entries that are kept.
    body = html_to_markdown(entry.content_html or entry.summary_html,
                            entry.content_base if entry.content_html else entry.summary_base)
    extra = [url for url in entry.enclosures if url not in body]
    if extra:
        body += "\n\n" + "\n".join(
            f"- Attachment: [{_file_name(url)}]({for_markdown(url)})" for url in extra)
    return replace(fields, body=body)


def _file_name(url: str) -> str:
    name = url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or "file"
    return name.replace("[", "(").replace("]", ")").replace("*", "").replace("_", "\\_")


def _derived_title(text: str, feed_name: str) -> str:
    """A title for an untitled entry: its first words, else the feed's name."""
    words = text.split()
    if not words:
        return f"Untitled entry from {feed_name}"
    title = " ".join(words[:12])
    return title + ("…" if len(words) > 12 else "")


def _parse_moment(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


__all__ = ["DigestError", "IngestOptions", "Listener", "load_project", "run_ingest"]
