"""The site model: articles and taxonomy arranged as the pages will show them.

Everything here is derived from the loaded content by pure functions; rendering reads
the model and never changes it.
"""

from __future__ import annotations

import datetime as dt
import heapq
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from . import urls
from .articles import Article
from .config import SiteConfig
from .dates import PartialDate
from .taxonomy import Event, Taxonomies, Term

# How much a shared term counts towards "related articles": a shared deal says more
# than a shared company that is in half the digest.
RELATED_WEIGHTS = {"deal": 4.0, "regulation": 3.0, "regulator": 2.0, "company": 1.0}
RELATED_CANDIDATES = 400  # per term, nearest in time; keeps related() linear at scale


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One row of a timeline: an article, or a taxonomy event (milestone, review)."""

    date: PartialDate
    kind: str  # "article" | "event"
    title: str
    url: str  # site path of the article, or of the term page with an anchor
    terms: tuple[tuple[str, str], ...]  # (taxonomy, slug) the entry concerns
    uncertain: bool = False
    source: str | None = None
    article: Article | None = None
    event: Event | None = None

    @property
    def sort_key(self) -> tuple[tuple[dt.date, int], int, str]:
        # Events before articles on the same day: the milestone, then the coverage.
        return (self.date.sort_key, 0 if self.kind == "event" else 1, self.title)

    @property
    def filter_slugs(self) -> str:
        return " ".join(f"{tax}:{slug}" for tax, slug in self.terms)


@dataclass(slots=True)
class TermInfo:
    term: Term
    articles: list[Article] = field(default_factory=list)  # about the term, newest first
    mentioned: list[Article] = field(default_factory=list)  # mention it in passing
    timeline: list[TimelineEntry] = field(default_factory=list)  # oldest first

    @property
    def count(self) -> int:
        return len(self.articles)

    @property
    def last_activity(self) -> dt.date | None:
        dates = [a.day for a in self.articles[:1]] + [e.date.start for e in self.term.events]
        return max(dates) if dates else None


@dataclass(slots=True)
class SiteModel:
    config: SiteConfig
    taxonomies: Taxonomies
    articles: list[Article]  # published (or all, with --drafts), newest first
    terms: dict[tuple[str, str], TermInfo]
    timeline: list[TimelineEntry]  # oldest first
    related: dict[str, list[Article]]  # article path -> related articles

    def term_info(self, tax: str, slug: str) -> TermInfo:
        return self.terms[(tax, slug)]


def event_entry(event: Event, taxonomies: Taxonomies) -> TimelineEntry:
    owner = taxonomies.get(event.taxonomy, event.term)
    name = owner.name if owner else event.term
    concerned = [(event.taxonomy, event.term)]
    for tax, slugs in event.terms.items():
        concerned.extend((tax, s) for s in slugs)
    if owner is not None:
        # A deal's event concerns its parties too, so filtering by a company finds it.
        spec = next(s for s in taxonomies.specs if s.key == event.taxonomy)
        for f in spec.fields:
            if f.type == "terms" and f.taxonomy:
                concerned.extend((f.taxonomy, s) for s in owner.fields.get(f.name) or ())
    unique = tuple(dict.fromkeys(concerned))
    return TimelineEntry(
        date=event.date, kind="event", title=f"{name}: {event.label}",
        url=urls.term(event.taxonomy, event.term) + "#" + event.anchor,
        terms=unique, uncertain=event.uncertain, source=event.source, event=event,
    )


def article_entry(article: Article) -> TimelineEntry:
    return TimelineEntry(
        date=PartialDate.from_date(article.day), kind="article", title=article.title,
        url=article.url, terms=tuple(article.all_terms()), article=article,
    )


def sort_articles(articles: Iterable[Article]) -> list[Article]:
    """Newest first; ties broken by path so the order never depends on the file system."""
    return sorted(articles, key=lambda a: (a.moment, a.path), reverse=True)


def related_index(articles: list[Article]) -> dict[tuple[str, str], list[int]]:
    """For each term, the positions of its articles in `articles` (newest first)."""
    by_term: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, article in enumerate(articles):
        for key in article.all_terms():
            by_term[key].append(index)
    return by_term


def related_indices(
    articles: list[Article], by_term: dict[tuple[str, str], list[int]], count: int,
    indices: Iterable[int],
) -> list[tuple[int, list[int]]]:
    """(position, positions of its related articles) for the articles at `indices`.

    Pure per article, so the work can be split between processes."""
    found: list[tuple[int, list[int]]] = []
    half = RELATED_CANDIDATES // 2
    for index in indices:
        scores: dict[int, float] = {}
        get = scores.get
        for key in articles[index].all_terms():
            members = by_term[key]
            size = len(members)
            if size > RELATED_CANDIDATES:
                # Only the neighbours in time: a term with thousands of articles.
                pos = bisect_left(members, index)
                members = members[max(0, pos - half): pos + half]
            weight = RELATED_WEIGHTS.get(key[0], 1.0) / (1.0 + size / 50.0)
            for other in members:
                scores[other] = get(other, 0.0) + weight
        scores.pop(index, None)
        if scores:
            # The same order as sorting by (-score, distance, position), without a key call.
            ranked = heapq.nsmallest(count, [(-v, abs(o - index), o) for o, v in scores.items()])
            found.append((index, [o for _, _, o in ranked]))
    return found


def related_articles(articles: list[Article], count: int) -> dict[str, list[Article]]:
    """Each article's `count` most related ones: shared terms, weighted, nearest in time."""
    if count <= 0:
        return {}
    by_term = related_index(articles)
    return {articles[index].path: [articles[o] for o in best]
            for index, best in related_indices(articles, by_term, count, range(len(articles)))}


RelatedFunction = Callable[[list[Article], int], dict[str, list[Article]]]


def build_model(config: SiteConfig, taxonomies: Taxonomies, articles: Iterable[Article],
                related: RelatedFunction = related_articles) -> SiteModel:
    """The site model. `related` may be given a cached or parallel equivalent."""
    ordered = sort_articles(articles)
    terms: dict[tuple[str, str], TermInfo] = {}
    for term in taxonomies.all_terms():
        terms[(term.taxonomy, term.slug)] = TermInfo(term)
    for article in ordered:
        for tax, slug in article.all_terms():
            terms[(tax, slug)].articles.append(article)
        for tax, slugs in article.mentions.items():
            for slug in slugs:
                terms[(tax, slug)].mentioned.append(article)
    timeline = [article_entry(a) for a in ordered]
    timeline.extend(event_entry(e, taxonomies) for e in taxonomies.all_events())
    timeline.sort(key=lambda e: e.sort_key)
    for entry in timeline:
        for key in entry.terms:
            if key in terms:
                terms[key].timeline.append(entry)
    return SiteModel(config, taxonomies, ordered, terms, timeline,
                     related(ordered, config.related_count))
