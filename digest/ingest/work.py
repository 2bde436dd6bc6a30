"""One feed's document, read: parse, keep, tag, and convert what is kept.

Everything here is a pure function of the fetched bytes, the feed's settings, the
vocabulary and the times the run knows, so feeds can be worked on in parallel (in
worker processes, see `Workers`) and still give the same drafts as one at a time.
Deduplication and writing, which need to see every feed in order, stay in pipeline.py.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import multiprocessing.context
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace

from .clean import defang_text, html_to_markdown, html_to_text, html_words, summarise
from .document import build_document
from .drafts import DateFrom
from .entries import Entry
from .feedsconfig import Feed
from .links import for_markdown
from .parse import parse_document
from .relevance import FeedRuleSet, judge
from .state import entry_hash
from .tagging import Tags, Vocabulary

POOL_MIN_FEEDS = 8
"""Below this many feeds, starting worker processes costs more than it saves."""


@dataclass(frozen=True, slots=True)
class FeedJob:
    """A fetched document to work on, with what the run knows about its feed."""

    feed: Feed
    body: bytes
    content_type: str
    url: str
    """The final URL after redirects: the base for relative links."""
    now: dt.datetime
    since: dt.date | None = None
    first_seen: Mapping[str, str] = field(default_factory=dict)
    """The state's first-seen times for this feed (entry hash -> ISO time)."""
    company_taxonomies: tuple[str, ...] = ("company",)


@dataclass(frozen=True, slots=True)
class Kept:
    """An entry judged relevant, with its draft's contents ready (not yet its path)."""

    entry: Entry
    title: str
    date: dt.datetime
    date_from: DateFrom
    tags: Tags
    reasons: tuple[str, ...]
    summary: str
    body: str


@dataclass(frozen=True, slots=True)
class Worked:
    """What working on one feed gave."""

    error: str | None = None
    warnings: tuple[str, ...] = ()
    entries: int = 0
    kept: tuple[Kept, ...] = ()
    irrelevant: int = 0
    older: int = 0
    undated: tuple[str, ...] = ()
    """Keys of the entries without a date: the state remembers when they were first seen."""


def _date(entry: Entry, job: FeedJob) -> tuple[dt.datetime, DateFrom]:
    if entry.published is None:
        stamp = job.first_seen.get(entry_hash(entry.key))
        try:
            seen = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else job.now
        except ValueError:
            seen = job.now
        return seen, "first-seen"
    # A date in the future is a feed's mistake (a wrong time zone, a typo); it would pin
    # the draft to the top of the site, so it becomes the fetch time.
    return min(entry.published, job.now), "feed"


def work_on_feed(job: FeedJob, vocabulary: Vocabulary) -> Worked:
    """Parse a feed and judge, tag and convert each of its entries."""
    parsed = parse_document(job.body, job.content_type, job.url)
    if parsed.error:
        return Worked(error=parsed.error, warnings=parsed.warnings)
    rules = FeedRuleSet(job.feed.include, job.feed.exclude)
    kept: list[Kept] = []
    irrelevant = older = 0
    for entry in parsed.entries:
        date, date_from = _date(entry, job)
        if job.since and date.date() < job.since:
            older += 1
            continue
        summary_words = html_words(entry.summary_html)
        content_words = html_words(entry.content_html)
        document = build_document(entry.title, summary_words, content_words, job.feed.lang)
        analysis = vocabulary.analyse(document, date, link=entry.link)
        include, exclude = rules.hits(document, entry.categories)
        verdict = judge(analysis, document, keep_all=job.feed.keep_all, include_hits=include,
                        exclude_hits=exclude, company_taxonomies=job.company_taxonomies)
        if not verdict.keep:
            irrelevant += 1
            continue
        title = defang_text(entry.title or derived_title(summary_words or content_words,
                                                         job.feed.name))
        shown = html_to_text(entry.summary_html) or html_to_text(entry.content_html)
        body = markdown_body(entry)
        # The HTML has served; the pipeline (maybe another process) needs the rest.
        light = replace(entry, summary_html="", content_html="")
        kept.append(Kept(light, title, date, date_from, analysis.tags, verdict.reasons,
                         defang_text(summarise(shown) or title), body))
    return Worked(None, parsed.warnings, len(parsed.entries), tuple(kept), irrelevant, older,
                  tuple(e.key for e in parsed.entries if e.published is None))


def markdown_body(entry: Entry) -> str:
    """The draft's body: the entry's HTML as safe Markdown, attachments listed after it."""
    body = html_to_markdown(entry.content_html or entry.summary_html,
                            entry.content_base if entry.content_html else entry.summary_base)
    extra = [url for url in entry.enclosures if url not in body]
    if extra:
        body += "\n\n" + "\n".join(
            f"- Attachment: [{_file_name(url)}]({for_markdown(url)})" for url in extra)
    return body


def _file_name(url: str) -> str:
    name = url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or "file"
    return name.replace("[", "(").replace("]", ")").replace("*", "").replace("_", "\\_")


def derived_title(text: str, feed_name: str) -> str:
    """A title for an untitled entry: its first words, else the feed's name."""
    words = text.split()
    if not words:
        return f"Untitled entry from {feed_name}"
    return " ".join(words[:12]) + ("…" if len(words) > 12 else "")


# Worker processes hold the vocabulary they were started with: compiling it once per
# process, not once per feed, is what makes the pool worth having.
_vocabulary: Vocabulary | None = None


def _start_worker(vocabulary: Vocabulary) -> None:
    global _vocabulary
    _vocabulary = vocabulary


def _work_in_worker(job: FeedJob) -> Worked:
    assert _vocabulary is not None, "worker started without its vocabulary"
    return work_on_feed(job, _vocabulary)


def _context() -> multiprocessing.context.BaseContext:
    # Not "fork": by the time workers start, this process runs the fetching thread, and
    # forking a process with threads can copy a lock in its held state.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


class Workers:
    """Runs `work_on_feed` here, or in worker processes when there is enough to do."""

    def __init__(self, vocabulary: Vocabulary, feeds: int, processes: int = 0) -> None:
        self.vocabulary = vocabulary
        wanted = processes or min(os.cpu_count() or 1, 4)
        self.pool: Executor | None = None
        if wanted > 1 and feeds >= POOL_MIN_FEEDS:
            self.pool = ProcessPoolExecutor(wanted, mp_context=_context(),
                                            initializer=_start_worker, initargs=(vocabulary,))

    def submit(self, job: FeedJob) -> Callable[[], Worked]:
        """Start the work; the returned function waits for its result."""
        if self.pool is None:
            return lambda: work_on_feed(job, self.vocabulary)
        future: Future[Worked] = self.pool.submit(_work_in_worker, job)
        return future.result

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def in_order(results: Iterable[Callable[[], Worked]]) -> Iterator[Worked]:
    for result in results:
        yield result()
