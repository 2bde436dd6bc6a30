"""Articles: `content/articles/YYYY/MM/<slug>.md` -> `Article`.

Loading is per file and pure (text in, article and problems out), so a later stage can
cache it by the file's bytes and run it in parallel.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from . import yamlsrc
from .config import SiteConfig
from .dates import DateError, as_utc, day_of, parse_moment
from .errors import Problem, ProblemList, did_you_mean
from .schema import Checker, describe, is_http_url
from .taxonomy import Taxonomies
from .yamlsrc import Mapping, Sequence

BASE_KEYS = ("title", "date", "updated", "lang", "summary", "sources", "mentions", "status",
             "ingested", "extra")
SOURCE_KEYS = ("name", "url", "lang")
STATUSES = ("draft", "published")
LANG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
SLUG_FILE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    url: str
    lang: str | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild(self)


@dataclass(frozen=True, slots=True)
class Article:
    """One article as the site uses it: resolved tags, Markdown body not yet rendered."""

    path: str  # relative to the project root, as shown in messages
    slug: str
    title: str
    date: dt.date | dt.datetime
    lang: str
    summary: str
    packed_body: bytes  # the Markdown body, see pack_body(); read it as `body`
    body_line: int
    sources: tuple[Source, ...] = ()
    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    mentions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    status: str = "published"
    updated: dt.date | dt.datetime | None = None
    ingested: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def body(self) -> str:
        packed = self.packed_body
        if not packed:
            return ""
        last = _LAST_BODY[0]
        if last[0] is packed:  # an article page reads its body twice, its feeds once more
            return str(last[1])
        text = zlib.decompress(packed).decode("utf-8")
        _LAST_BODY[0] = (packed, text)  # one tuple, swapped whole: safe between threads
        return text

    @property
    def day(self) -> dt.date:
        return day_of(self.date)

    @property
    def moment(self) -> dt.datetime:
        return as_utc(self.date)

    @property
    def url(self) -> str:
        day = self.day
        return f"/articles/{day.year:04d}/{day.month:02d}/{self.slug}/"

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    def all_terms(self) -> list[tuple[str, str]]:
        return [(tax, slug) for tax, slugs in self.terms.items() for slug in slugs]

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild(self)


# The body read last, with the packed bytes it came from (compared by identity, and kept
# alive by this reference, so another object cannot take its id).
_LAST_BODY: list[tuple[bytes | None, str]] = [(None, "")]


def pack_body(text: str) -> bytes:
    """An article body as kept in memory: compressed (about 2.8 times smaller), because a
    build holds every article at once and bodies are most of their size (about 300 MB of
    text at 100,000 articles); reading one back costs about 15 microseconds."""
    return zlib.compress(text.encode("utf-8"), 1) if text else b""


def _rebuild(value: Any) -> tuple[Any, ...]:
    """Pickle a frozen dataclass as a call to its class: the build cache loads thousands
    of articles, and this is several times faster than the default (a setattr per field)."""
    return (type(value), tuple(getattr(value, f.name) for f in fields(value) if f.init))


def parse_article(
    text: str, path: str, config: SiteConfig, taxonomies: Taxonomies
) -> tuple[Article | None, list[Problem]]:
    """Parse and validate one article's text. Pure: the same input, the same output."""
    problems = ProblemList()
    problems.remember_source(path, text)
    check = Checker(problems, path)
    split = yamlsrc.split_front_matter(text)
    if split is None:
        check.error(1, 'expected front matter: the file must start with a "---" line, then '
                    'YAML (title, date, ...), then a closing "---" line')
        return None, problems.items
    front, body, body_line = split
    _check_control_characters(check, body, body_line)
    try:
        data = yamlsrc.load(front, first_line=2)
    except yamlsrc.YamlProblem as exc:
        check.error(exc.line, exc.message)
        return None, problems.items
    if data is None:
        data = Mapping(2)
    if not isinstance(data, Mapping):
        check.error(2, f"front matter must be a mapping of keys to values, got {describe(data)}")
        return None, problems.items

    tax_keys = config.taxonomy_keys
    check.keys(data, (*BASE_KEYS, *tax_keys), "front matter")
    title = check.text(data, "title", required=True, where="front matter")
    date = _moment(check, data, "date", required=True)
    updated = _moment(check, data, "updated", required=False)
    lang = check.text(data, "lang") or config.language
    if not LANG.match(lang):
        check.error(data.line_of("lang"), f'"lang" must be a language code such as en or fr, '
                    f'got "{lang}"')
    status = check.text(data, "status") or "published"
    if status not in STATUSES:
        check.error(data.line_of("status"), f'"status" must be draft or published, got '
                    f'"{status}"{did_you_mean(status, STATUSES)}')
    sources = _sources(check, data)
    terms = {}
    for tax in tax_keys:
        resolved = _terms(check, data, tax, taxonomies)
        if resolved:
            terms[tax] = resolved
    mentions: dict[str, tuple[str, ...]] = {}
    raw_mentions = check.mapping(data, "mentions", what="a mapping of taxonomy to terms")
    if raw_mentions is not None:
        for tax in raw_mentions:
            if tax not in tax_keys:
                check.error(raw_mentions.line_of(tax), f'unknown taxonomy "{tax}" in mentions'
                            + did_you_mean(tax, tax_keys))
                continue
            resolved = _terms(check, raw_mentions, tax, taxonomies)
            about = set(terms.get(tax, ()))
            resolved = tuple(s for s in resolved if s not in about)
            if resolved:
                mentions[tax] = resolved
    ingested = check.mapping(data, "ingested", what="a mapping (written by digest ingest)")
    extra = check.mapping(data, "extra", what="a mapping of free data")
    slug = Path(path).stem
    if not SLUG_FILE.match(slug):
        check.error(1, f'file name "{Path(path).name}" must be a slug: lowercase letters, digits '
                    "and hyphens, ending in .md")
    if problems.errors or title is None or date is None:
        return None, problems.items
    article = Article(
        path=path, slug=slug, title=title, date=date, lang=lang,
        summary=check.text(data, "summary") or "", packed_body=pack_body(body),
        body_line=body_line,
        sources=sources, terms=terms, mentions=mentions, status=status, updated=updated,
        ingested=_plain(ingested) if ingested else {}, extra=_plain(extra) if extra else {},
    )
    _check_path_date(check, path, article)
    return article, problems.items


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _check_control_characters(check: Checker, body: str, body_line: int) -> None:
    """Control characters (often pasted from PDFs) are invisible and invalid in XML feeds."""
    for number, line in enumerate(body.split("\n"), start=body_line):
        found = _CONTROL.search(line)
        if found:
            check.error(number, f"the body contains the control character U+{ord(found.group()):04X}; "
                        "delete it (it is invisible, and not allowed in feeds)")


def _plain(value: Any) -> Any:
    """Mapping/Sequence -> dict/list, so data handed on carries no parser types."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _moment(check: Checker, data: Mapping, key: str, required: bool) -> Any:
    if key not in data:
        if required:
            check.error(data.line, f'missing "{key}" in front matter: expected YYYY-MM-DD')
        return None
    try:
        return parse_moment(data[key])
    except DateError as exc:
        check.error(data.line_of(key), f'"{key}": {exc}')
        return None


def _sources(check: Checker, data: Mapping) -> tuple[Source, ...]:
    raw = data.get("sources")
    if raw is None:
        return ()
    if not isinstance(raw, Sequence):
        check.error(data.line_of("sources"), '"sources" must be a list of {name, url, lang}, '
                    f"got {describe(raw)}")
        return ()
    sources: list[Source] = []
    for index, item in enumerate(raw):
        line = raw.line_of(index)
        if isinstance(item, str):
            if is_http_url(item):
                sources.append(Source(name=_host(item), url=item))
            else:
                check.error(line, f'a source must be an http(s) URL or a mapping {{name, url, lang}}, '
                            f'got "{item}"')
            continue
        if not isinstance(item, Mapping):
            check.error(line, f"a source must be a mapping {{name, url, lang}}, got {describe(item)}")
            continue
        check.keys(item, SOURCE_KEYS, "a source")
        url = check.url(item, "url", required=True)
        name = check.text(item, "name") or (_host(url) if url else None)
        lang = check.text(item, "lang")
        if lang and not LANG.match(lang):
            check.error(item.line_of("lang"), f'source "lang" must be a language code, got "{lang}"')
        if url and name:
            sources.append(Source(name=name, url=url, lang=lang))
    return tuple(sources)


def _host(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url).split("/")[0]


def _terms(check: Checker, data: Mapping, tax: str, taxonomies: Taxonomies) -> tuple[str, ...]:
    if not taxonomies.available:
        return ()
    slugs: list[str] = []
    for value, line in check.text_list(data, tax):
        slug = taxonomies.resolve(tax, value)
        if slug is None:
            close = taxonomies.closest(tax, value)
            hint = (f"; did you mean {', '.join(close)}?" if close else "")
            check.error(line, f'unknown {tax} "{value}"{hint} (names and aliases are accepted; '
                        f"a new {tax} must first be added to content/taxonomy.yaml)")
        elif slug not in slugs:
            slugs.append(slug)
    return tuple(slugs)


def _check_path_date(check: Checker, path: str, article: Article) -> None:
    """The folder should say the article's year and month, so files sort like the site."""
    parts = Path(path).parts
    if len(parts) >= 3 and parts[-3].isdigit() and parts[-2].isdigit():
        expected = (f"{article.day.year:04d}", f"{article.day.month:02d}")
        if (parts[-3], parts[-2]) != expected:
            check.warn(1, f"the article is dated {article.day.isoformat()} but sits in "
                       f"{parts[-3]}/{parts[-2]}/; expected {expected[0]}/{expected[1]}/")


def article_files(articles_dir: Path) -> list[Path]:
    """Every article source, in a stable order."""
    if not articles_dir.is_dir():
        return []
    return sorted(p for p in articles_dir.rglob("*.md") if not p.name.startswith("."))
