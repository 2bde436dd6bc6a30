"""Loading the content through the build cache, and rendered Markdown kept by text.

`load_content_cached` returns exactly what `project.load_content` returns (same
articles, same problems, same order), reading and parsing only the files whose bytes,
or whose parse context (digest's code, site.yaml, taxonomy.yaml), changed since the
cache last saw them. Many files to parse are split between processes.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import markdown, parallel
from .articles import Article, parse_article
from .cache import DB_NAME, BuildCache, CacheMiss, SourceRow, digest, seal, unseal
from .config import SiteConfig, load_site
from .errors import Problem, ProblemList
from .fingerprint import card_digest
from .project import Content, Layout, _check_duplicates
from .sources import SourceFile, file_bytes, scan_articles
from .taxonomy import Taxonomies, load_taxonomy

PARSE_PARALLEL_MIN = 400  # files to parse before a process pool pays for itself
RACY_NS = 2_000_000_000  # a file changed this close to when it was read is read again
MEMO_LIMIT = 512  # rendered bodies kept in memory: feeds reuse the latest articles


@dataclass(slots=True)
class LoadedContent:
    content: Content
    cards: dict[str, bytes]  # article path -> digest of everything but the body
    bodies: dict[str, bytes]  # article path -> Markdown key of the body
    parsed: int = 0  # files read and parsed (the rest came from the cache)
    files: list[SourceFile] = field(default_factory=list)


def markdown_key(code: bytes, text: str) -> bytes:
    return digest(code, markdown.RENDERER_VERSION, text)


@dataclass(slots=True)
class _ParseJob:
    files: list[SourceFile]
    config: Any
    taxonomies: Any
    code: bytes
    ctx: bytes
    known_html: set[bytes]
    keep_html: bool


@dataclass(frozen=True, slots=True)
class _Parsed:
    index: int
    checked: int
    sha: bytes
    data: bytes  # sealed (Article | None, problems, card digest)
    md: bytes | None
    html: str | None  # None when the cache already has it


def _parse_one(job: _ParseJob, index: int) -> _Parsed:
    source = job.files[index]
    checked = time.time_ns()
    with open(source.path, "rb") as handle:
        raw = handle.read()
    sha = digest(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = Problem(source.name, 1, f"not valid UTF-8 ({exc.reason} at byte {exc.start}); "
                          "save the file as UTF-8")
        return _Parsed(index, checked, sha, seal((None, [problem], None)), None, None)
    if "\r" in text:  # as read_text() does: universal newlines
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    article, problems = parse_article(text, source.name, job.config, job.taxonomies)
    if article is None:
        return _Parsed(index, checked, sha, seal((None, problems, None)), None, None)
    md = markdown_key(job.code, article.body)
    # Without a cache there is nowhere to keep the HTML: the page renders it.
    html = (None if md in job.known_html or not job.keep_html
            else markdown.render_uncached(article.body))
    return _Parsed(index, checked, sha, seal((article, problems, card_digest(article))), md, html)


def load_config_cached(layout: Layout, code: bytes, memory: bool = True
                       ) -> tuple[SiteConfig, Taxonomies, list[Problem], bytes]:
    """The site config and taxonomy, their problems, and the parse context digest (what
    parsing an article depends on besides its text). Kept in memory between builds."""
    site_bytes, taxonomy_bytes = file_bytes(layout.site_config), file_bytes(layout.taxonomy)
    ctx = digest(code, site_bytes, taxonomy_bytes)
    config_key = (str(layout.root.resolve()), ctx)
    parsed = _CONFIG.get(config_key) if memory else None
    if parsed is None:
        found = ProblemList()
        config = load_site(layout.site_config, layout.root, found)
        taxonomies = load_taxonomy(layout.taxonomy, layout.root, config, found)
        parsed = (config, taxonomies, found.items)
        same = (file_bytes(layout.site_config), file_bytes(layout.taxonomy)) == (site_bytes,
                                                                                 taxonomy_bytes)
        if memory and same:
            _CONFIG.clear()
            _CONFIG[config_key] = parsed
    return parsed[0], parsed[1], parsed[2], ctx


def parse_source(source: SourceFile, config: SiteConfig, taxonomies: Taxonomies, code: bytes
                 ) -> tuple[Article | None, list[Problem], bytes | None, bytes | None, bytes, int]:
    """One file read and parsed: (article, problems, card digest, body key, sha, checked)."""
    job = _ParseJob([source], config, taxonomies, code, b"", set(), False)
    parsed = _parse_one(job, 0)
    article, problems, card = unseal(parsed.data)
    return article, problems, card, parsed.md, parsed.sha, parsed.checked


def load_content_cached(layout: Layout, cache: BuildCache, code: bytes,
                        files: list[SourceFile] | None = None, workers: int | None = None
                        ) -> LoadedContent:
    """`load_content(layout)`, from the cache where a file is unchanged."""
    problems = ProblemList()
    config, taxonomies, config_problems, ctx = load_config_cached(layout, code, cache.enabled)
    problems.extend(config_problems)
    files = scan_articles(layout.articles, layout.root) if files is None else files
    results: list[tuple[Article | None, list[Problem], bytes | None] | None] = [None] * len(files)
    md_keys: list[bytes | None] = [None] * len(files)
    warm_key = (str(cache.folder), ctx)
    warm = _WARM.get(warm_key, {}) if cache.enabled else {}
    cold: list[int] = []
    for index, source in enumerate(files):
        hit = warm.get(source.name)
        if hit is not None and hit.sig == source.sig and hit.checked - source.changed_ns > RACY_NS:
            results[index] = hit.result
            md_keys[index] = hit.md
        else:
            cold.append(index)
    rows = cache.sources() if cold or len(warm) != len(files) else {}
    todo: list[int] = []
    touched: list[tuple[str, str, int]] = []
    for index in cold:
        source = files[index]
        row = rows.get(source.name)
        if row is None or row.ctx != ctx:
            todo.append(index)
            continue
        if row.sig != source.sig or row.checked - source.changed_ns <= RACY_NS:
            # Touched, or changed too close to when it was read: compare the bytes.
            checked = time.time_ns()
            if digest(file_bytes(source.path)) != row.sha:
                todo.append(index)
                continue
            touched.append((source.name, source.sig, checked))
            row = SourceRow(row.path, source.sig, checked, row.sha, row.ctx, row.data, row.md)
            rows[source.name] = row
        try:
            results[index] = unseal(row.data)
            md_keys[index] = row.md
        except CacheMiss:
            todo.append(index)
    checked_at: dict[int, int] = {}
    parsed = 0
    save = cache.enabled and bool(todo or touched or (rows and len(rows) != len(files)))
    # Parse results are saved and dropped batch by batch: at 100,000 articles, holding
    # every file's rendered HTML at once would double the memory a build needs.
    with cache.transaction() if save else contextlib.nullcontext(None) as db:
        if todo:
            known = {row.md for row in rows.values() if row.md is not None}
            job = _ParseJob(files, config, taxonomies, code, ctx, known, cache.enabled)
            count = workers if workers is not None else parallel.workers_for(len(todo),
                                                                              PARSE_PARALLEL_MIN)
            tasks = parallel.split(todo, count, 4, 200)
            for batch in parallel.run(_parse_chunk, tasks, job, count):
                for item in batch:
                    if db is not None:
                        _save_parsed(cache, db, files[item.index], rows.get(files[item.index].name),
                                     item, ctx)
                    results[item.index] = unseal(item.data)
                    md_keys[item.index] = item.md
                    checked_at[item.index] = item.checked
                parsed += len(batch)
        if db is not None:
            for name, sig, checked in touched:
                cache.touch_source(db, name, sig, checked)
            present = {f.name for f in files}
            cache.delete_sources(db, [name for name in rows if name not in present])
    articles: list[Article] = []
    cards: dict[str, bytes] = {}
    bodies: dict[str, bytes] = {}
    for index, result in enumerate(results):
        assert result is not None
        article, found, card = result
        problems.extend(found)
        if article is not None:
            articles.append(article)
            cards[article.path] = card or b""
            bodies[article.path] = md_keys[index] or markdown_key(code, article.body)
    _check_duplicates(articles, problems)
    content = Content(config, taxonomies, articles, problems.items)
    if cache.enabled:
        _remember_warm(warm_key, warm, files, results, md_keys, rows, checked_at)
    return LoadedContent(content, cards, bodies, parsed, files)


@dataclass(frozen=True, slots=True)
class _Warm:
    sig: str
    checked: int
    result: tuple[Article | None, list[Problem], bytes | None]
    md: bytes | None


# The last build's articles in this process, by cache folder and parse context: a
# preview server rebuilds in one process and, for files whose stat signature is the
# same (and not changed just before being read), skips reading the cache at all.
_WARM: dict[tuple[str, bytes], dict[str, _Warm]] = {}
# Likewise the site config and taxonomy, by their bytes (kept only if they did not
# change while being read).
_CONFIG: dict[tuple[str, bytes], tuple[SiteConfig, Taxonomies, list[Problem]]] = {}


def _remember_warm(key: tuple[str, bytes], warm: dict[str, _Warm], files: list[SourceFile],
                   results: list[Any], md_keys: list[bytes | None], rows: dict[str, SourceRow],
                   checked: dict[int, int]) -> None:
    fresh: dict[str, _Warm] = {}
    for index, source in enumerate(files):
        row = rows.get(source.name)
        when = checked.get(index)
        if when is None:
            old = warm.get(source.name)
            when = (row.checked if row is not None and row.sig == source.sig
                    else old.checked if old is not None else 0)
        fresh[source.name] = _Warm(source.sig, when, results[index], md_keys[index])
    _WARM.clear()
    _WARM[key] = fresh


def _parse_chunk(chunk: Sequence[int]) -> list[_Parsed]:
    job: _ParseJob = parallel.shared()
    return [_parse_one(job, index) for index in chunk]


def _save_parsed(cache: BuildCache, db: Any, source: SourceFile, row: SourceRow | None,
                 item: _Parsed, ctx: bytes) -> None:
    new = SourceRow(source.name, source.sig, item.checked, item.sha, ctx, item.data, item.md)
    if row is not None and row.sha == item.sha and item.html is None:
        # Same bytes, new context (the taxonomy changed): keep the stored HTML.
        db.execute("UPDATE sources SET sig = ?, checked = ?, ctx = ?, data = ?, md = ? "
                   "WHERE path = ?", (new.sig, new.checked, ctx, new.data, new.md, new.path))
        return
    html = item.html
    if html is None and item.md is not None:
        html = cache.html(item.md)  # the same text in another file
        if html is None:
            html = markdown.render_uncached(unseal(item.data)[0].body)
    cache.put_source(db, new, html)


class MarkdownStore:
    """`markdown.render` through the cache: by the text's key, in memory, then on disk.

    Each process opens its own read connection (a forked worker must not use its
    parent's). What is rendered here is kept in `new`, for the parent to save.
    """

    def __init__(self, cache: BuildCache, code: bytes) -> None:
        self.code = code
        self.db_path = cache.folder / DB_NAME if cache.enabled and cache.folder else None
        self.memo: dict[bytes, str] = {}
        self.new: dict[bytes, str] = {}
        self.used: set[bytes] = set()
        self._pid = -1
        self._db: sqlite3.Connection | None = None

    def key(self, text: str) -> bytes:
        return markdown_key(self.code, text)

    def __call__(self, text: str) -> str:
        key = markdown_key(self.code, text)
        html = self.memo.pop(key, None)
        if html is not None:
            self.memo[key] = html  # least recently used first: the one to drop
            return html
        html = self.new.get(key)
        if html is None:
            html = self._lookup(key)
            if html is None:
                html = markdown.render_uncached(text)
                self.new[key] = html
            else:
                self.used.add(key)
        if len(self.memo) >= MEMO_LIMIT:
            del self.memo[next(iter(self.memo))]
        self.memo[key] = html
        return html

    def _lookup(self, key: bytes) -> str | None:
        if self.db_path is None:
            return None
        if self._pid != os.getpid():
            self._db = None
            self._pid = os.getpid()
            with contextlib.suppress(sqlite3.Error):
                self._db = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True,
                                           check_same_thread=False)
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT html FROM sources WHERE md = ? AND html IS NOT NULL "
                                   "LIMIT 1", (key,)).fetchone()
            if row is None:
                row = self._db.execute("SELECT html FROM html WHERE md = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        return str(row[0]) if row else None

    def close(self) -> None:
        if self._db is not None and self._pid == os.getpid():
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None


def render_with(store: Callable[[str], str]) -> contextlib.AbstractContextManager[None]:
    return markdown.cached(store)
