"""Pages: the site model rendered through the theme's Jinja templates.

Each page is a `Page` (its site path, template and context); rendering one is a pure
function of the model and the templates, so pages can be rendered in any order, in
parallel, or skipped when nothing they read has changed.
"""

from __future__ import annotations

import collections
import datetime as dt
import html
import re
import traceback
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import jinja2
from babel.core import get_global
from babel.numbers import format_compact_decimal, format_decimal
from markupsafe import Markup

from . import markdown, urls
from .articles import Article
from .config import TaxonomySpec
from .dates import PartialDate, format_day, format_month, format_partial, locale_for
from .errors import DigestError, Problem, relpath
from .i18n import translations
from .model import SiteModel, TimelineEntry
from .taxonomy import Amount, Term


@dataclass(frozen=True, slots=True)
class Page:
    path: str  # site path: "/", "/company/openai/", "/404.html"
    template: str
    title: str
    kind: str  # home | article | taxonomy | term | timeline | error
    context: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    lang: str | None = None  # content language when it differs from the site's
    feeds: tuple[tuple[str, str, str], ...] = ()  # (title, path, mime type) for autodiscovery


def paginate(items: list[Any], size: int) -> list[list[Any]]:
    if not items:
        return [[]]
    return [items[i: i + size] for i in range(0, len(items), size)]


def pages(model: SiteModel) -> Iterator[Page]:
    """Every HTML page of the site, in a stable order."""
    config = model.config
    site_feed = ("Atom", "/feed.xml", "application/atom+xml")
    json_feed = ("JSON Feed", "/feed.json", "application/feed+json")
    chunks = paginate(model.articles, config.page_size)
    for number, chunk in enumerate(chunks, start=1):
        yield Page(
            urls.home(number), "index.html", config.title, "home",
            {"articles": chunk, "pager": _pager(number, len(chunks), urls.home)},
            description=config.description, feeds=(site_feed, json_feed),
        )
    for article in model.articles:
        yield Page(
            article.url, "article.html", article.title, "article",
            {"article": article, "related": model.related.get(article.path, [])},
            description=article.summary, lang=article.lang, feeds=(site_feed, json_feed),
        )
    for spec in config.taxonomies:
        infos = [i for (tax, _), i in model.terms.items() if tax == spec.key]
        yield Page(
            urls.taxonomy(spec.key), "taxonomy.html", spec.title_in(config.language), "taxonomy",
            {"taxonomy": spec, "infos": sorted(infos, key=lambda i: i.term.name.casefold())},
            feeds=(site_feed,),
        )
        for info in infos:
            term = info.term
            term_feed = (f"{term.name} (Atom)", urls.term_feed(spec.key, term.slug),
                         "application/atom+xml")
            term_chunks = paginate(info.articles, config.term_page_size)
            timeline, left_out = term_timeline(info.timeline, config.term_timeline_limit)
            # Bounded like the timeline: a company is mentioned in hundreds of articles.
            mentioned = info.mentioned[: config.term_timeline_limit]
            for number, chunk in enumerate(term_chunks, start=1):
                yield Page(
                    urls.term(spec.key, term.slug, number), "term.html", term.name, "term",
                    {"taxonomy": spec, "info": info, "term": term, "articles": chunk,
                     "first_page": number == 1, "timeline": timeline,
                     "timeline_left_out": left_out,
                     "mentioned": mentioned if number == 1 else [],
                     "pager": _pager(number, len(term_chunks),
                                     lambda n, k=spec.key, t=term: urls.term(k, t.slug, n))},
                    description=_plain_description(term), feeds=(term_feed, site_feed),
                )
    yield from timeline_pages(model, feeds=(site_feed,))
    yield Page(urls.search(), "search.html", "Search", "search", {}, feeds=(site_feed,))
    yield Page("/404.html", "404.html", "Page not found", "error", {}, feeds=(site_feed,))


def term_timeline(entries: list[TimelineEntry], limit: int) -> tuple[list[TimelineEntry], int]:
    """A term page's timeline, bounded: every milestone, and the latest `limit` articles.
    Returns the entries (oldest first) and how many articles were left out."""
    articles = [entry for entry in entries if entry.article is not None]
    if len(articles) <= limit:
        return entries, 0
    dropped = {id(entry) for entry in articles[: len(articles) - limit]}
    return [entry for entry in entries if id(entry) not in dropped], len(dropped)


def timeline_pages(model: SiteModel, feeds: tuple[tuple[str, str, str], ...] = ()
                   ) -> Iterator[Page]:
    """The timeline's pages, each at most `timeline_page_limit` entries where it can be.

    `/timeline/YYYY/` for every year, and `/timeline/`: every entry while there are at
    most `timeline_page_limit`, else the latest year of news. A year with more entries
    than that is split by month: `/timeline/YYYY/MM/` for each month, and its year page
    shows the entries dated only to the year and its latest month (as `/timeline/` does
    when that year is the latest). So a page grows with a month of news, not with the
    digest: about 1,000 entries at 100,000 articles over eight years."""
    limit = model.config.timeline_page_limit
    by_year: dict[int, list[TimelineEntry]] = {}
    for entry in model.timeline:
        by_year.setdefault(entry.date.year, []).append(entry)
    years = [{"year": y, "count": len(e), "url": urls.timeline(y)} for y, e in by_year.items()]
    complete = len(model.timeline) <= limit

    def year_view(year: int) -> tuple[list[TimelineEntry], list[dict[str, Any]], int | None,
                                       dict[int, list[TimelineEntry]]]:
        """A year's entries as its page shows them, its month menu, the month shown, and
        its entries by month (empty when the year is one page)."""
        entries = by_year[year]
        if len(entries) <= limit:
            return entries, [], None, {}
        by_month = _by_month(entries)
        months = [{"year": year, "month": m, "count": len(e), "url": urls.timeline(year, m)}
                  for m, e in by_month.items() if m]
        latest = max(m for m in by_month if m) if months else None
        shown = [e for e in entries if _month_of(e) in (0, latest)]
        return shown, months, latest, by_month

    views = {year: year_view(year) for year in by_year}
    pages_: list[tuple[str, int | None, int | None, list[TimelineEntry], list[dict[str, Any]],
                       int | None]] = []
    if complete:
        pages_.append((urls.timeline(), None, None, model.timeline, [], None))
    else:
        news_years = [a.day.year for a in model.articles[:1]]
        latest_year = news_years[0] if news_years else max(by_year)
        shown, months, latest_month, _ = views.get(latest_year, ([], [], None, {}))
        pages_.append((urls.timeline(), None, None, shown, months, latest_month))
    for year, (shown, months, latest_month, by_month) in views.items():
        pages_.append((urls.timeline(year), year, None, shown, months, latest_month))
        pages_.extend((urls.timeline(year, m["month"]), year, m["month"], by_month[m["month"]],
                       months, None) for m in months)
    for path, page_year, month, entries, months, shown_month in pages_:
        title = "Timeline" if page_year is None else f"Timeline {page_year}"
        yield Page(
            path, "timeline.html", title if month is None else f"{title}-{month:02d}",
            "timeline",
            {"entries": entries, "year": page_year, "month": month, "years": years,
             "months": months, "latest_month": shown_month,
             "complete": complete and page_year is None, "total": len(model.timeline),
             "facets": timeline_facets(model, entries)},
            feeds=feeds,
        )


def _month_of(entry: TimelineEntry) -> int:
    """The entry's month, 0 when it is dated only to the year (as the timeline groups it)."""
    return entry.date.month if entry.date.precision != "year" else 0


def _by_month(entries: list[TimelineEntry]) -> dict[int, list[TimelineEntry]]:
    found: dict[int, list[TimelineEntry]] = {}
    for entry in entries:
        found.setdefault(_month_of(entry), []).append(entry)
    return found


def timeline_facets(model: SiteModel, entries: list[TimelineEntry]
                    ) -> list[tuple[TaxonomySpec, list[tuple[Term, int]]]]:
    """The terms the entries concern, per taxonomy, most frequent first: the filter's
    choices, built from the same (taxonomy, slug) pairs as the entries' data-terms."""
    counts: dict[tuple[str, str], int] = {}
    for entry in entries:
        for key in entry.terms:
            counts[key] = counts.get(key, 0) + 1
    facets: list[tuple[TaxonomySpec, list[tuple[Term, int]]]] = []
    for spec in model.config.taxonomies:
        found = [(term, counts[(spec.key, term.slug)])
                 for term in (model.taxonomies.get(spec.key, slug)
                              for (tax, slug) in counts if tax == spec.key)
                 if term is not None]
        if found:
            found.sort(key=lambda tc: (-tc[1], tc[0].name.casefold()))
            facets.append((spec, found))
    return facets


def _pager(number: int, count: int, link: Any) -> dict[str, Any]:
    return {
        "number": number, "count": count,
        "previous": link(number - 1) if number > 1 else None,
        "next": link(number + 1) if number < count else None,
    }


def _plain_description(term: Term) -> str:
    """The description as plain text for meta tags: Markdown rendered, tags dropped."""
    rendered = _BLOCK_TAGS.sub(" ", markdown.render(term.description))
    text = html.unescape(_TAGS.sub("", rendered))
    return " ".join(text.split())[:300]


_TAGS = re.compile(r"<[^>]+>")
_BLOCK_TAGS = re.compile(r"</?(?:p|li|ul|ol|h[1-6]|br|hr|div|table|tr|td|th|blockquote)\b[^>]*>")

_FUNCTION_TYPES = (types.FunctionType, types.MethodType, types.BuiltinFunctionType)
_PLAIN_LIMIT = 4096


class _Context(jinja2.runtime.Context):
    """Jinja's context, with a shorter road for calls to plain functions and macros.

    Every call in a template (`url(...)`, `_("...")`, a macro) goes through
    `Context.call`, which looks for pass_context and friends on the function and on its
    `__call__`: five attribute probes per call, some 250 calls per article page. A
    function found to take nothing is remembered and called directly; anything else goes
    the usual way. (About a sixth of the page rendering time at 10,000 articles.)"""

    _plain: ClassVar[set[Any]] = set()  # shared by every build in the process

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        kind = type(__obj)
        if kind is jinja2.runtime.Macro:  # takes the evaluation context, as Jinja passes it
            args = (__self.eval_ctx, *args)
        elif not (kind in _FUNCTION_TYPES and __obj in __self._plain):
            if kind in _FUNCTION_TYPES and not hasattr(__obj, "jinja_pass_arg"):
                if len(__self._plain) >= _PLAIN_LIMIT:
                    __self._plain.clear()
                __self._plain.add(__obj)
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception")


class _Globals(collections.ChainMap[str, Any]):
    """A template's globals (Jinja's ChainMap), with `in` answered without a generator:
    each `{% from ... import ... %}` asks it about every name of the page's globals."""

    def __contains__(self, key: object) -> bool:
        for mapping in self.maps:  # noqa: SIM110 (any() with a generator is what is slow)
            if key in mapping:
                return True
        return False


class _Environment(jinja2.Environment):
    def make_globals(self, d: Any) -> Any:
        return _Globals(d or {}, self.globals)


class Renderer:
    """The Jinja environment of one build: the theme, the UI language, the links."""

    def __init__(self, model: SiteModel, templates_dir: Path, base_url: str) -> None:
        from .config import normalise_base_url

        self.model = model
        self.templates_dir = templates_dir
        base_url = normalise_base_url(base_url)
        base_path = "/" + base_url.split("://", 1)[-1].partition("/")[2]
        self.links = urls.Links(base_url, base_path if base_path.endswith("/") else base_path + "/")
        self.lang = model.config.language
        self.env = _Environment(
            loader=jinja2.FileSystemLoader(str(templates_dir)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.context_class = _Context
        self.env.install_gettext_translations(  # type: ignore[attr-defined]
            translations(templates_dir, self.lang), newstyle=True
        )
        self.env.globals.update(
            site=model.config, model=model, taxonomies=model.taxonomies,
            url=self.links.url, abs_url=self.links.absolute, lang=self.lang,
            format_day=self.format_day, format_partial=self.format_partial,
            format_month=lambda y, m: format_month(y, m, self.lang),
            format_amount=self.format_amount, format_number=self.format_number,
            language_name=self.language_name, term_of=self.term, term_url=urls.term,
            taxonomy_url=urls.taxonomy, term_feed_url=urls.term_feed,
            render_markdown=markdown.render, iso_date=_iso, og_locale=og_locale(self.lang),
        )
        self.env.filters["markdown"] = lambda text: Markup(
            urls.with_base_path(markdown.render(text), self.links.base_path))

    def format_day(self, value: dt.date | dt.datetime, form: str = "long") -> str:
        return format_day(value, self.lang, form)

    def format_partial(self, value: PartialDate) -> str:
        return format_partial(value, self.lang)

    def format_number(self, value: float) -> str:
        return str(format_decimal(value, locale=locale_for(self.lang)))

    def format_amount(self, amount: Amount) -> str:
        """EUR 15 million / EUR 15 millions: the source's currency, never converted."""
        number = format_compact_decimal(amount.value, format_type="long", locale=locale_for(self.lang),
                                        fraction_digits=2)
        return f"{amount.currency}\u00a0{number}"

    def language_name(self, code: str) -> str:
        try:
            name = locale_for(self.lang).languages.get(code.split("-")[0])
        except (ValueError, TypeError):  # pragma: no cover - locale_for never raises
            name = None
        return str(name or code)

    def term(self, tax: str, slug: str) -> Term:
        term = self.model.taxonomies.get(tax, slug)
        if term is None:
            raise KeyError(f"{tax}:{slug}")
        return term

    def render(self, page: Page) -> bytes:
        try:
            template = self.env.get_template(page.template)
            html = template.render(page=page, **page.context)
        except jinja2.TemplateError as exc:
            raise DigestError([template_problem(exc, self.templates_dir, page)]) from exc
        return html.encode("utf-8")

    def article_html(self, article: Article) -> str:
        return markdown.render(article.body)


def template_problem(exc: jinja2.TemplateError, templates_dir: Path, page: Page) -> Problem:
    """Where in the theme a template failed: the innermost frame in a template file."""
    filename = getattr(exc, "filename", None)
    line = getattr(exc, "lineno", None)
    if filename is None:
        for frame, frame_line in traceback.walk_tb(exc.__traceback__):
            name = frame.f_code.co_filename
            if name.endswith((".html", ".xml", ".txt")):
                filename, line = name, frame_line
    shown = "templates"
    if filename:
        try:
            shown = relpath(Path(filename), templates_dir.parent)
        except ValueError:
            shown = filename
    source_line = ""
    if filename and line:
        lines = Path(filename).read_text(encoding="utf-8").splitlines()
        source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    message = f"{type(exc).__name__}: {exc.message or exc} (while rendering {page.path})"
    return Problem(shown, line or 1, message, "error", source_line)


def og_locale(lang: str) -> str:
    """Open Graph's language_TERRITORY form: "fr" -> "fr_FR", "en" -> "en_US"."""
    parts = lang.replace("-", "_").split("_")
    if len(parts) > 1 and len(parts[-1]) == 2:
        return f"{parts[0].lower()}_{parts[-1].upper()}"
    likely = str(get_global("likely_subtags").get(parts[0].lower(), "")).split("_")
    territory = likely[-1] if len(likely) > 1 and len(likely[-1]) == 2 else ""
    return f"{parts[0].lower()}_{territory}" if territory else parts[0].lower()


def _iso(value: dt.date | dt.datetime | PartialDate) -> str:
    if isinstance(value, PartialDate):
        return value.iso()
    return value.isoformat()
