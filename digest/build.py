"""`digest build`: load -> validate -> site model -> render -> write, incrementally.

Every build computes the whole site's plan (every output file and what it depends on)
and then does only the work whose inputs changed: articles are parsed when their bytes
or the taxonomy changed, pages rendered when their key or a recorded dependency
changed, files written when their bytes changed. A build with nothing to do stops
after a stat of every source, output file and output folder. `BuildOptions(cache=False)` is
the clean build that the incremental one must always equal, byte for byte.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import BlobRow, BuildCache, CacheMiss, OutputRow, digest, seal
from .errors import DigestError, Problem
from .project import Layout

if TYPE_CHECKING:
    from .articles import Article
    from .fingerprint import Fingerprints, Recorder
    from .incremental import MarkdownStore
    from .model import SiteModel
    from .render import Page, Renderer
    from .sources import SourceFile
    from .write import SiteWriter, StagedWriter

SEP, DEP_SEP, EVERYTHING = "\x1f", "\x1e", "*"  # as in digest.fingerprint (not imported here)
RACY_NS = 2_000_000_000  # as in digest.incremental: trust no signature younger than this
RENDER_PARALLEL_MIN = 300  # pages to render before a process pool pays for itself
# Made before the pool starts, in this process: outputs as big as the site, so that no
# worker holds one on top of its copy of the rest; and the timeline, which renders every
# entry once, so that the workers inherit its entries (memoized macros) for the term pages.
WHOLE_SITE_OUTPUTS = ("data/articles.json", "sitemap", "timeline/")  # path prefixes
RELATED_PARALLEL_MIN = 3000  # articles
LISTING_ITEMS_PER_WORKER = 400  # see digest.parallel.ITEMS_PER_WORKER
SEARCH_DIR = "pagefind/"
SEARCH_KEY = b"pagefind"


@dataclass(frozen=True, slots=True)
class BuildOptions:
    root: Path
    out: Path | None = None
    drafts: bool = False
    base_url: str | None = None
    today: dt.date | None = None  # articles dated later are scheduled, not published
    search: bool = True  # index the site for /search/ (Pagefind)
    cache: bool = True  # reuse ROOT/.digest-cache; False: a clean build, as the reference
    workers: int | None = None  # processes; None: sized to the machine and the work


@dataclass(slots=True)
class BuildResult:
    articles: int = 0
    pages: int = 0
    term_pages: int = 0
    feeds: int = 0
    files: int = 0
    scheduled: int = 0
    indexed: int = 0
    seconds: float = 0.0
    warnings: list[Problem] = field(default_factory=list)
    written: int = 0  # files whose bytes changed (or that are new)
    unchanged: int = 0  # files left as they were
    removed: int = 0  # files of the previous build that are gone
    rendered: int = 0  # pages and feeds rendered (some may have come out the same)
    parsed: int = 0  # article files parsed (the others came from the cache)

    def summary(self) -> str:
        parts = [
            f"built {self.articles:,} articles, {self.pages:,} pages "
            f"({self.term_pages:,} term pages), {self.feeds:,} feeds in {self.seconds:.1f} s "
            f"({self.written:,} files written, {self.unchanged:,} unchanged"
            + (f", {self.removed:,} removed" if self.removed else "") + ")",
        ]
        if self.scheduled:
            parts.append(f"{self.scheduled} scheduled for later")
        parts.append(f"{len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}")
        return ", ".join(parts)


Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class _SiteState:
    """What the last build of an output folder was made from, for the no-change check."""

    inputs: bytes | None  # None: changed too recently to trust stat signatures
    recorded: int  # time.time_ns() when the build started
    horizon: dt.date | None  # the first day a scheduled article goes live
    result: dict[str, Any]
    structure: bytes = b""  # the site model but for article bodies (see _structure)
    bodies: dict[str, bytes] = field(default_factory=dict)  # article path -> body key
    static: bytes | None = None  # what it read but the articles (see _inputs_digest)
    # article file -> (stat signature, card digest, body key, has problems)
    articles: dict[str, tuple[str, bytes, bytes, bool]] = field(default_factory=dict)
    folders: bytes = b""  # the output's folders and their mtimes (see _folders_digest)


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build the site. Raises DigestError, leaving the previous output untouched."""
    started = time.perf_counter()
    layout = Layout(options.root)
    out = (options.out or options.root / "site").resolve()
    cache = BuildCache(layout.cache) if options.cache else BuildCache.disabled()
    try:
        if cache.enabled:
            from .write import recover

            cache.lock()
            recover(out)
        result = _build(options, layout, out, cache, progress)
    finally:
        cache.close()
    result.seconds = time.perf_counter() - started
    return result


def _build(options: BuildOptions, layout: Layout, out: Path, cache: BuildCache,
           progress: Progress | None) -> BuildResult:
    from .sources import code_digest, scan_articles

    recorded = time.time_ns()
    today = options.today or dt.date.today()
    site_key = str(out)
    code = code_digest()
    files = scan_articles(layout.articles, layout.root)
    static, inputs = (_inputs_digest(options, layout, out, code, files, recorded)
                      if cache.enabled else (None, None))
    previous = _previous_state(cache, site_key, code) if cache.enabled else None
    if (inputs is not None and previous is not None and previous.inputs == inputs
            and (previous.horizon is None or today < previous.horizon)
            and _output_unchanged(out, cache.output_stats(site_key), previous.folders)):
        result = BuildResult(**previous.result)
        result.written = result.removed = result.rendered = result.parsed = 0
        result.unchanged = result.files
        return result
    if (static is not None and previous is not None and previous.static == static
            and not options.search and (previous.horizon is None or today < previous.horizon)):
        from .quick import quick_build

        quick = quick_build(options, layout, out, cache, code, files, previous, recorded)
        if quick is not None:
            result, articles, bodies, moved = quick
            folders = (_folders_moved(previous.folders, moved)
                       or _folders_digest(out, cache, site_key))
            _save_state(cache, out, code, replace(previous, inputs=inputs, recorded=recorded,
                                                  result=_plain_result(result),
                                                  articles=articles, bodies=bodies,
                                                  folders=folders))
            return result
    return _full_build(options, layout, out, cache, progress, code, files, static, inputs,
                       recorded, today, previous)


def _full_build(options: BuildOptions, layout: Layout, out: Path, cache: BuildCache,
                progress: Progress | None, code: bytes, files: list[SourceFile],
                static: bytes | None, inputs: bytes | None, recorded: int, today: dt.date,
                previous: _SiteState | None) -> BuildResult:
    from . import markdown
    from .config import normalise_base_url
    from .fingerprint import Fingerprints, Recorder, globals_token
    from .incremental import MarkdownStore, load_content_cached
    from .model import build_model
    from .project import publishable
    from .render import Renderer, pages
    from .sources import tree_digest

    lap = _Laps(progress)
    loaded = load_content_cached(layout, cache, code, files, options.workers)
    lap("load")
    content = loaded.content
    if any(p.severity == "error" for p in content.problems):
        raise DigestError(content.problems)
    config = content.config
    if options.base_url:
        config = replace(config, base_url=normalise_base_url(options.base_url))
    shown, scheduled = publishable(content.articles, options.drafts, today)
    later = [a.day for a in content.articles if (options.drafts or not a.is_draft) and a.day > today]
    model = build_model(config, content.taxonomies, shown,
                        _related_function(cache, code, options.workers))
    lap("model")
    renderer = Renderer(model, layout.templates, model.config.base_url)
    renderer.env.auto_reload = False  # the theme does not change during a build
    if cache.enabled and cache.folder is not None:
        import jinja2

        # Compiled templates, keyed by each template's source: a warm build skips compiling.
        with contextlib.suppress(OSError):
            (cache.folder / "jinja").mkdir(exist_ok=True)
            renderer.env.bytecode_cache = jinja2.FileSystemBytecodeCache(
                str(cache.folder / "jinja"))
    recorder = Recorder()
    recorder.install(renderer.env)
    fingerprints = Fingerprints(model, b"", loaded.cards, loaded.bodies)
    fingerprints.base = digest(code, tree_digest(layout.templates), repr(model.config),
                               globals_token(fingerprints, renderer.env))
    recorder.memoize_macros(renderer.env, fingerprints)
    store = MarkdownStore(cache, code)
    result = BuildResult(articles=len(model.articles), parsed=loaded.parsed, scheduled=scheduled,
                         warnings=[p for p in content.problems if p.severity == "warning"])
    structure = _structure(fingerprints)
    # Only article bodies changed since this output was built: every page's static key is
    # the one it had, and only pages that read a changed body (or everything) are stale.
    same_structure = previous is not None and previous.structure == structure
    changed_bodies: set[str] | None = None
    if same_structure and previous is not None:
        changed_bodies = {f"A{SEP}{path}{SEP}b" for path, key in loaded.bodies.items()
                          if previous.bodies.get(path) != key}
        if changed_bodies:
            changed_bodies.add(EVERYTHING)
    with markdown.cached(store):
        all_pages = list(pages(model))
        lap("pages")
        old_rows = cache.outputs(str(out))
        plan = _plan(model, all_pages, renderer, fingerprints, layout.templates, result,
                     old_rows if same_structure else None)
        lap("plan")
        _produce(options, out, cache, plan, renderer, recorder, fingerprints, store, model, result,
                 int(previous.result.get("indexed", 0)) if previous is not None else 0, progress,
                 old_rows, changed_bodies)
    store.close()
    lap("produce")
    if cache.enabled:
        warned = {p.path for p in content.problems}
        articles = {source.name: (source.sig, loaded.cards.get(source.name, b""),
                                  loaded.bodies.get(source.name, b""), source.name in warned)
                    for source in loaded.files}
        _save_state(cache, out, code, _SiteState(
            inputs, recorded, min(later, default=None), _plain_result(result), structure,
            dict(loaded.bodies), static, articles, _folders_digest(out, cache, str(out))))
    return result


def _save_state(cache: BuildCache, out: Path, code: bytes, state: _SiteState) -> None:
    stored = {f.name: getattr(state, f.name) for f in fields(state)} | {"code": code}
    with cache.transaction() as db:
        if db is not None:
            cache.put_site(db, str(out), _generation(), stored, None)


class _Laps:
    """Phase timings, reported through `progress` as ("time:<phase>", ms, 0)."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.last = time.perf_counter()
        self.cpu = time.process_time()
        self.verbose = bool(os.environ.get("DIGEST_TIMINGS"))

    def __call__(self, phase: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        ms = int((now - self.last) * 1000)
        if self.progress is not None:
            self.progress(f"time:{phase}", ms, 0)
        if self.verbose:
            print(f"digest: {phase} {ms} ms ({int((cpu - self.cpu) * 1000)} ms CPU here"
                  f"{_memory()})", file=sys.stderr)
        self.last, self.cpu = now, cpu


def _memory() -> str:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            found = dict(line.split(":", 1) for line in handle if line.startswith("Vm"))
        return f", {found['VmRSS'].strip()} resident, peak {found['VmHWM'].strip()}"
    except (OSError, KeyError, ValueError):
        return ""


# -- the plan: every output file, its key, and how to make it ----------------------------


@dataclass(slots=True)
class Output:
    path: str  # relative to the output folder
    key: bytes | None  # static key; None: make it every time
    page: Page | None = None  # an HTML page, rendered with its dependencies recorded
    make: Callable[[], bytes] | None = None  # anything else
    deps: str = ""  # what anything else reads, when an article body is part of it
    recipe: bytes | None = None  # how to make it again without the whole site (quick.py)


def _plan(model: SiteModel, all_pages: list[Page], renderer: Renderer, fp: Fingerprints,
          templates: Path, result: BuildResult,
          known: dict[str, OutputRow] | None = None) -> list[Output]:
    """Every output file. With `known` (the site model's structure is unchanged), pages
    keep the static keys they had, without walking their contexts again."""
    from . import outputs, urls

    config = model.config
    links = renderer.links
    base = fp.base
    plan: dict[str, Output] = {}
    sitemap_entries: list[tuple[str, dt.date | None]] = []
    for page in all_pages:
        path = urls.output_file(page.path)
        row = known.get(path) if known is not None else None
        plan[path] = Output(path, row.key if row is not None and row.key else fp.key(page),
                            page=page)
        if page.kind != "error":
            sitemap_entries.append((page.path, _lastmod(page)))
        if page.kind == "term":
            result.term_pages += 1
    result.pages = len(all_pages)

    names = fp._names()
    latest = model.articles[: config.feed_size]
    feeds: list[tuple[str, FeedRecipe]] = [
        ("feed.xml", ("atom", config.title, "/feed.xml", "/", tuple(a.path for a in latest))),
        ("feed.json", ("json", "", "", "", tuple(a.path for a in latest))),
    ]
    for (tax, slug), info in model.terms.items():
        feeds.append((urls.output_file(urls.term_feed(tax, slug)), (
            "atom", f"{info.term.name} — {config.title}", urls.term_feed(tax, slug),
            urls.term(tax, slug), tuple(a.path for a in info.articles[: config.feed_size]))))
    by_path = {a.path: a for a in model.articles}
    for path, recipe in feeds:
        chosen = [by_path[p] for p in recipe[4]]

        def make_feed(recipe: FeedRecipe = recipe, chosen: list[Article] = chosen) -> bytes:
            return render_feed(model, links, recipe, chosen)

        plan[path] = Output(path, feed_key(base, names, recipe, fp.cards, fp.bodies),
                            make=make_feed, deps=feed_deps(recipe), recipe=seal(recipe))
    result.feeds = len(feeds)
    # (paths and dates: their repr says everything)
    sitemaps = outputs.sitemap_files(sitemap_entries)
    for path, entries in sitemaps:
        plan[path] = Output(path, digest(base, "sitemap", repr(entries)),
                            make=lambda entries=entries: outputs.sitemap(  # type: ignore[misc]
                                links, entries))
    if len(sitemaps) > 1:
        parts = [path for path, _ in sitemaps]
        plan["sitemap.xml"] = Output("sitemap.xml", digest(base, "sitemap-index", repr(parts)),
                                     make=lambda: outputs.sitemap_index(links, parts))
    plan["robots.txt"] = Output("robots.txt", digest(base, "robots"),
                                make=lambda: outputs.robots(links))
    plan["data/articles.json"] = Output(
        "data/articles.json",
        digest(base, "data-articles", *(fp.cards.get(a.path, b"") for a in model.articles)),
        make=lambda: outputs.data_articles(model, links))
    counts = [f"{tax}:{slug}:{info.count}" for (tax, slug), info in model.terms.items()]
    plan["data/taxonomy.json"] = Output(
        "data/taxonomy.json", digest(base, "data-taxonomy", fp._taxonomy(), *counts),
        make=lambda: outputs.data_taxonomy(model, links))
    static = templates / "static"
    if static.is_dir():
        for source in sorted(static.rglob("*")):
            if source.is_file():
                path = f"static/{source.relative_to(static).as_posix()}"
                data = source.read_bytes()
                plan[path] = Output(path, digest("static", path, data),
                                    make=lambda data=data: data)  # type: ignore[misc]
    return list(plan.values())


FeedRecipe = tuple[str, str, str, str, tuple[str, ...]]  # kind, title, feed, page, articles


def feed_key(base: bytes, names: bytes, recipe: FeedRecipe, cards: dict[str, bytes],
             bodies: dict[str, bytes]) -> bytes:
    """A feed is made from its articles (card fields and body) and the terms' names."""
    parts: list[bytes | str] = [base, "feed", repr(recipe[:4]), names]
    for path in recipe[4]:
        parts += [path, cards.get(path, b""), bodies.get(path, b"")]
    return digest(*parts)


def feed_deps(recipe: FeedRecipe) -> str:
    return DEP_SEP.join(sorted({f"A{SEP}{p}{SEP}{part}" for p in recipe[4] for part in "bc"}
                               | {"N"}))


def render_feed(model: SiteModel, links: Any, recipe: FeedRecipe, articles: list[Article]) -> bytes:
    from . import outputs

    kind, title, feed_path, page_path, _ = recipe
    if kind == "json":
        return outputs.json_feed(model, links, articles)
    return outputs.atom_feed(model, links, articles, title, feed_path, page_path)


def _structure(fp: Fingerprints) -> bytes:
    """Everything pages are made from except article bodies: the base (code, theme,
    config), the taxonomy, and every article's card fields in site order (from which the
    related lists, the timeline and the term listings are computed)."""
    model = fp.model
    parts: list[bytes | str] = [fp.base, fp._taxonomy()]
    for article in model.articles:
        parts += [article.path, fp.cards.get(article.path, b"")]
    return digest(*parts)


def _lastmod(page: Page) -> dt.date | None:
    article = page.context.get("article")
    if article is not None:
        return (article.updated and _day(article.updated)) or article.day
    return None


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# -- producing the plan: decide, render what changed, write, commit ------------------------


@dataclass(slots=True)
class _RenderJob:
    plan: list[Output]
    renderer: Renderer
    recorder: Recorder
    fingerprints: Fingerprints
    store: MarkdownStore
    folder: Path  # where new files go (temporary or staging folder)
    compare: Path | None  # the current output, to leave files with the same bytes alone
    pages: Path | None  # the page store
    made: set[str] = field(default_factory=set)  # folders known to exist


@dataclass(frozen=True, slots=True)
class _Made:
    index: int
    written: bool  # False: the bytes were those of the current file
    deps: str
    depsum: bytes
    size: int
    mtime: int
    blob: str  # page store file name, or ""
    recipe: bytes | None = None


def _render_chunk(chunk: Sequence[int]) -> tuple[list[_Made], dict[bytes, str], list[Problem]]:
    from . import markdown

    job: _RenderJob = _shared()
    made: list[_Made] = []
    try:
        # Set here, not inherited: a worker that the pool forks from its own thread (to
        # replace one) starts with that thread's empty context, and would render every
        # Markdown text again instead of reading the build's store.
        with markdown.cached(job.store):
            for index in chunk:
                made.append(_render_one(job, index))
    except DigestError as exc:  # a template error: carried back as data (picklable)
        return made, {}, list(exc.problems)
    new = dict(job.store.new)
    job.store.new.clear()
    return made, new, []


def _shared() -> Any:
    from . import parallel

    return parallel.shared()


def _render_one(job: _RenderJob, index: int) -> _Made:
    from .cache import digest as make_digest

    item = job.plan[index]
    recipe = item.recipe
    if item.page is not None:
        job.recorder.start()
        data = job.renderer.render(item.page)
        deps = job.recorder.finish()
        if item.key is not None and f"{SEP}b" in deps:
            # It shows an article's body: keep how to render it again from that alone.
            from .quick import page_recipe

            recipe = page_recipe(item.page, item.key)
    else:
        assert item.make is not None
        data = item.make()
        deps = item.deps
    depsum = job.fingerprints.depsum(deps)
    if job.compare is not None:
        current = job.compare / item.path
        try:
            stat = os.stat(current)
            if stat.st_size == len(data) and current.read_bytes() == data:
                blob = ""
                if job.pages is not None and item.key is not None:  # keep it in the store
                    name = make_digest(item.key, depsum).hex()
                    blob = name if _link_blob(job, str(current), name, stat) else ""
                return _Made(index, False, deps, depsum, stat.st_size, stat.st_mtime_ns, blob,
                             recipe)
        except OSError:
            pass
    target = f"{job.folder}/{item.path}"
    parent = os.path.dirname(target)
    if parent not in job.made:
        try:
            os.mkdir(parent)  # most pages are a folder of their own, in a folder that exists
        except FileExistsError:
            pass
        except FileNotFoundError:
            os.makedirs(parent, exist_ok=True)
        job.made.add(parent)
    with open(target, "wb") as handle:
        handle.write(data)
        handle.flush()  # the size and mtime remembered must be the final ones
        stat = os.fstat(handle.fileno())
    blob = ""
    if job.pages is not None and item.key is not None:
        name = make_digest(item.key, depsum).hex()
        if _link_blob(job, target, name, stat):
            blob = name
    return _Made(index, True, deps, depsum, stat.st_size, stat.st_mtime_ns, blob, recipe)


def _link_blob(job: _RenderJob, source: str, name: str, stat: os.stat_result) -> bool:
    """Keep a written file in the page store: a second name for the same inode."""
    folder = f"{job.pages}/{name[:2]}"
    blob = f"{folder}/{name[2:]}"
    try:
        if folder not in job.made:
            os.makedirs(folder, exist_ok=True)
            job.made.add(folder)
        try:
            os.link(source, blob)
        except FileExistsError:
            if os.stat(blob).st_ino != stat.st_ino:
                os.unlink(blob)
                os.link(source, blob)
        return True
    except OSError:
        return False


def _produce(options: BuildOptions, out: Path, cache: BuildCache, plan: list[Output],
             renderer: Renderer, recorder: Recorder, fp: Fingerprints, store: MarkdownStore,
             model: SiteModel, result: BuildResult, previous_indexed: int,
             progress: Progress | None, old_rows: dict[str, OutputRow],
             changed_bodies: set[str] | None) -> None:
    from . import parallel
    from .write import SiteWriter, StagedWriter

    site_key = str(out)
    staged = cache.enabled and out.is_dir()
    walked = _walk_output(out) if staged else {}
    rows = _Rows(old_rows)
    restore: list[tuple[int, Any]] = []
    dirty: list[int] = []
    candidates: list[int] = []
    for index, item in enumerate(plan):
        if item.key is None:
            dirty.append(index)
            continue
        row = old_rows.get(item.path)
        if (row is not None and row.key == item.key and walked.get(item.path) == (row.size, row.mtime)
                and (fp.depsum(row.deps) == row.depsum if changed_bodies is None else
                     changed_bodies.isdisjoint(row.deps.split(DEP_SEP)) if row.deps else True)):
            rows.keep(item.path, row)  # up to date, and in place
        else:
            candidates.append(index)
    keys = [key for key in (plan[index].key for index in candidates) if key is not None]
    blobs = cache.blobs(keys) if keys and cache.store is not None else {}
    for index in candidates:
        item = plan[index]
        assert item.key is not None
        blob = blobs.get(item.key)
        if blob is not None and fp.depsum(blob.deps) == blob.depsum:
            path = cache.blob_path(blob.name)
            try:
                stat = os.stat(path) if path is not None else None
            except OSError:
                stat = None
            if stat is not None and (stat.st_size, stat.st_mtime_ns) == (blob.size, blob.mtime):
                restore.append((index, blob))
                continue
        dirty.append(index)
    dirty.sort()
    del blobs, keys  # not to be inherited by the workers

    writer: SiteWriter | StagedWriter = StagedWriter(out) if staged else SiteWriter(out)
    new_html: dict[bytes, str] = {}
    try:
        for index, blob in restore:
            source = cache.blob_path(blob.name)
            assert source is not None
            stat = writer.place(plan[index].path, source)
            rows.add(plan[index].path, OutputRow(blob.key, blob.deps, blob.depsum, stat.st_size,
                                                 stat.st_mtime_ns))
        job = _RenderJob(plan, renderer, recorder, fp, store, writer.folder,
                         out if staged else None, cache.store)
        workers = options.workers if options.workers is not None else parallel.workers_for(
            len(dirty), RENDER_PARALLEL_MIN)
        if workers > 1:
            # Compiled once here, inherited by every worker (workers are replaced as they go).
            from . import markdown

            markdown.warm()
            used = {page.template for page in (plan[i].page for i in dirty) if page is not None}
            for name in sorted(used):
                renderer.env.get_template(name)
        # Outputs as big as the whole site (WHOLE_SITE_OUTPUTS) are made here first.
        first = [index for index in dirty if plan[index].path.startswith(WHOLE_SITE_OUTPUTS)]
        if workers > 1 and first:
            rest = [index for index in dirty if not plan[index].path.startswith(WHOLE_SITE_OUTPUTS)]
            # Listing pages (terms, home pages) each read hundreds of articles, copying the
            # memory that holds them into the worker: their workers are replaced sooner.
            single: list[int] = []
            lists: list[int] = []
            for index in rest:
                page = plan[index].page
                (lists if page is not None and page.kind != "article" else single).append(index)
            runs = [parallel.run(_render_chunk, [first], job, 1)]
            for part, lifetime in ((single, None), (lists, LISTING_ITEMS_PER_WORKER)):
                if part:
                    runs.append(parallel.run(_render_chunk, parallel.split(part, workers, 6, 100),
                                             job, workers, trim=True,
                                             items_per_worker=lifetime))
        else:
            runs = [parallel.run(_render_chunk, parallel.split(dirty, workers, 6, 100), job,
                                 workers)]
        done = 0
        for made, html, problems in (batch for run in runs for batch in run):
            if problems:
                raise DigestError(problems)
            new_html.update(html)
            for one in made:
                output = plan[one.index]
                rows.add(output.path, OutputRow(output.key or b"", one.deps, one.depsum, one.size,
                                                one.mtime, one.recipe),
                         BlobRow(output.key, one.blob, one.deps, one.depsum, one.size, one.mtime)
                         if one.blob and output.key is not None else None)
                if one.written:
                    result.written += 1
                    if isinstance(writer, StagedWriter):
                        writer.staged(output.path)
            done += len(made)
            if progress:
                progress("render", done, len(dirty))
        new_html.update(store.new)
        result.rendered = len(dirty)
        result.written += len(restore)
        wanted = {output.path for output in plan}
        removed = [name for name in walked if name not in wanted]
        if options.search:
            for name, row in _search(out, writer, staged, model, plan, old_rows, walked, removed,
                                     previous_indexed, result).items():
                rows.add(name, row)
            removed = [name for name in removed if name not in rows]
        if isinstance(writer, StagedWriter):
            for name in removed:
                writer.delete(name)
            result.removed = len(removed)
        else:
            result.removed = len([p for p in old_rows if p not in rows])
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    result.files = len(plan)
    result.unchanged = max(0, len(plan) - min(result.written, len(plan)))
    _remember(cache, site_key, rows, new_html, store)


def _search(out: Path, writer: SiteWriter | StagedWriter, staged: bool, model: SiteModel,
            plan: list[Output], old_rows: dict[str, OutputRow],
            walked: dict[str, tuple[int, int]], removed: list[str], previous_indexed: int,
            result: BuildResult) -> dict[str, OutputRow]:
    """Index the site with Pagefind, unless no page changed since the last index."""
    import shutil
    import tempfile

    from .search import index_site
    from .write import StagedWriter

    search_rows = {p: r for p, r in old_rows.items() if p.startswith(SEARCH_DIR)}
    html_changed = any(p.endswith(".html") for p in removed if not p.startswith(SEARCH_DIR))
    if isinstance(writer, StagedWriter):
        html_changed = html_changed or any(p.endswith(".html") for p in writer.moves)
    if (staged and search_rows and not html_changed
            and all(walked.get(p) == (r.size, r.mtime) for p, r in search_rows.items())):
        result.indexed = previous_indexed
        return search_rows
    if isinstance(writer, StagedWriter):
        # Pagefind reads the whole site: give it one made of links to the final files.
        view = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-view-", dir=out.parent))
        try:
            for item in plan:
                source = writer.stage / item.path
                if not source.exists():
                    source = out / item.path
                target = view / item.path
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(source, target)
            result.indexed = index_site(view, model)
            found: dict[str, OutputRow] = {}
            bundle = view / SEARCH_DIR
            for source in sorted(bundle.rglob("*")) if bundle.is_dir() else []:
                if source.is_file():
                    relative = source.relative_to(view).as_posix()
                    target = writer.stage / relative
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(source, target)
                    writer.staged(relative)
                    stat = os.stat(target)
                    found[relative] = OutputRow(SEARCH_KEY, "", b"", stat.st_size, stat.st_mtime_ns)
        finally:
            shutil.rmtree(view, ignore_errors=True)
    else:
        result.indexed = index_site(writer.folder, model)
        found = {}
        bundle = writer.folder / SEARCH_DIR
        for source in sorted(bundle.rglob("*")) if bundle.is_dir() else []:
            if source.is_file():
                stat = source.stat()
                found[source.relative_to(writer.folder).as_posix()] = OutputRow(
                    SEARCH_KEY, "", b"", stat.st_size, stat.st_mtime_ns)
    return found


class _Rows:
    """The output rows of this build: those kept from the last one, and the changed ones,
    which are held compressed until they are saved. At 100,000 articles their dependency
    lists and recipes came to about 500 MB as Python objects in the main process."""

    BATCH = 512

    def __init__(self, old: dict[str, OutputRow]) -> None:
        self.old = old
        self.kept: dict[str, OutputRow] = {}
        self.paths: set[str] = set()  # of the changed rows
        self._packed: list[bytes] = []
        self._pending: list[tuple[str, OutputRow, BlobRow | None]] = []

    def keep(self, path: str, row: OutputRow) -> None:
        self.kept[path] = row

    def add(self, path: str, row: OutputRow, blob: BlobRow | None = None) -> None:
        if self.old.get(path) == row and blob is None:
            self.kept[path] = row
            return
        self.paths.add(path)
        self._pending.append((path, row, blob))
        if len(self._pending) >= self.BATCH:
            self._pack()

    def _pack(self) -> None:
        import pickle
        import zlib

        self._packed.append(zlib.compress(pickle.dumps(self._pending, pickle.HIGHEST_PROTOCOL), 1))
        self._pending = []

    def __contains__(self, path: object) -> bool:
        return path in self.kept or path in self.paths

    def batches(self) -> Iterator[list[tuple[str, OutputRow, BlobRow | None]]]:
        """The rows that differ from the last build's, in the order added, in batches."""
        import pickle
        import zlib

        for packed in self._packed:
            yield pickle.loads(zlib.decompress(packed))
        if self._pending:
            yield self._pending


def _remember(cache: BuildCache, site_key: str, rows: _Rows, new_html: dict[bytes, str],
              store: MarkdownStore) -> None:
    if not cache.enabled:
        return
    generation = _generation()
    gone = [p for p in rows.old if p not in rows]
    dropped: list[str] = []
    with cache.transaction() as db:
        if db is None:
            return
        if new_html:
            cache.put_html(db, new_html.items(), generation)
        if store.used:
            cache.mark_html_used(db, store.used, generation)
        changed = False
        for batch in rows.batches():
            cache.update_outputs(db, site_key, {path: row for path, row, _ in batch}, ())
            cache.put_blobs(db, [blob for _, _, blob in batch if blob is not None])
            changed = True
        cache.update_outputs(db, site_key, {}, gone)
        if changed or gone:
            dropped = cache.prune_blobs(db)
    for name in dropped:
        path = cache.blob_path(name)
        if path is not None:
            with contextlib.suppress(OSError):
                os.unlink(path)


def _generation() -> int:
    return int(time.time())


def _plain_result(result: BuildResult) -> dict[str, Any]:
    return {f.name: getattr(result, f.name) for f in fields(result)}


# -- related articles, cached by what they are computed from --------------------------


# The last related lists computed or loaded in this process (a preview server's next
# build usually has the same), by their signature.
_RELATED: dict[bytes, tuple[bytes, list[tuple[int, list[int]]]]] = {}


def _related_function(cache: BuildCache, code: bytes, workers: int | None
                      ) -> Callable[[list[Article], int], dict[str, list[Article]]]:
    from . import parallel
    from .model import related_index

    def related(ordered: list[Article], count: int) -> dict[str, list[Article]]:
        if count <= 0:
            return {}
        # What related_indices reads: the order of the articles and their terms.
        signature = digest(code, str(count), *(f"{a.path}\x1f{a.terms!r}" for a in ordered))
        if cache.enabled:
            try:
                stored_signature, stored = _RELATED.get(signature) or cache.get_meta("related")
                if stored_signature == signature:
                    _RELATED.clear()
                    _RELATED[signature] = (signature, stored)
                    return {ordered[index].path: [ordered[o] for o in best]
                            for index, best in stored}
            except (CacheMiss, IndexError, ValueError, TypeError):
                pass
        by_term = related_index(ordered)
        count_workers = workers if workers is not None else parallel.workers_for(
            len(ordered), RELATED_PARALLEL_MIN)
        tasks = parallel.split(range(len(ordered)), count_workers, 4)
        found: list[tuple[int, list[int]]] = []
        for part in parallel.run(_related_chunk, tasks, (ordered, by_term, count), count_workers):
            found.extend(part)
        if cache.enabled:
            with cache.transaction() as db:
                if db is not None:
                    cache.put_meta(db, "related", (signature, found))
            _RELATED.clear()
            _RELATED[signature] = (signature, found)
        return {ordered[index].path: [ordered[o] for o in best] for index, best in found}

    return related


def _related_chunk(indices: Sequence[int]) -> list[tuple[int, list[int]]]:
    from .model import related_indices

    ordered, by_term, count = _shared()
    return related_indices(ordered, by_term, count, indices)


# -- the no-change check ----------------------------------------------------------------


def _previous_state(cache: BuildCache, site_key: str, code: bytes) -> _SiteState | None:
    """The state the last build of this output left, if made by this very code."""
    try:
        stored = cache.site_state(site_key)
        if not isinstance(stored, dict) or stored.pop("code", None) != code:
            return None
        state = _SiteState(**stored)
        BuildResult(**state.result)
        return state
    except (CacheMiss, TypeError, ValueError):
        return None


def _inputs_digest(options: BuildOptions, layout: Layout, out: Path, code: bytes,
                   files: list[SourceFile], recorded: int) -> tuple[bytes | None, bytes | None]:
    """What a build reads, by stat signature: (everything but the articles, everything).

    Either is None when one of its files changed too close to now to trust a signature."""
    parts: list[bytes | str] = [code, sys.version, repr((options.drafts, options.base_url,
                                                           options.search, str(out)))]
    newest = 0
    templates = layout.templates
    parts.append(str(templates))
    skip = layout.articles.resolve()
    for folder in (layout.content, templates):
        for path, stat in _walk_stats(folder, skip):
            parts.append(f"{path}\x1f{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}:"
                         f"{stat.st_ctime_ns}")
            newest = max(newest, stat.st_mtime_ns, stat.st_ctime_ns)
    if options.search:
        try:
            import importlib.metadata

            parts.append(importlib.metadata.version("pagefind"))
        except Exception:
            parts.append("pagefind=?")
    if newest > recorded - RACY_NS:
        return None, None  # changed too close to now to trust a stat signature
    static = digest(*parts)
    newest = max((source.changed_ns for source in files), default=0)
    if newest > recorded - RACY_NS:
        return static, None
    return static, digest(static, *(source.name + "\x1f" + source.sig for source in files))


def _walk_stats(folder: Path, skip: Path) -> list[tuple[str, os.stat_result]]:
    found: list[tuple[str, os.stat_result]] = []
    if not folder.is_dir():
        return found
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if Path(entry.path).resolve() != skip:
                    stack.append(Path(entry.path))
            else:
                try:
                    found.append((entry.path, entry.stat()))
                except OSError:
                    continue
    return found


def _output_unchanged(out: Path, recorded: dict[str, tuple[int, int]], folders: bytes) -> bool:
    """The output folder holds exactly the files the cache remembers, as they were left.

    Each remembered file is checked by size and mtime, and a file added anywhere (or
    removed) shows in the mtime of the folder it was added to: cheaper than walking the
    tree (at 10,000 articles every page is a folder of its own)."""
    if not folders or not recorded:
        return False
    stat = os.stat
    prefix = f"{out}/"
    for path, (size, mtime) in recorded.items():
        try:
            found = stat(prefix + path)
        except OSError:
            return False
        if found.st_size != size or found.st_mtime_ns != mtime:
            return False
    return _folder_stats(out, recorded) == folders


def _folders_digest(out: Path, cache: BuildCache, site_key: str) -> bytes:
    """What `_output_unchanged` compares the output's folders with, taken after a build.
    (A file added in the same clock tick as the build's last change to its folder would
    go unnoticed, as git's racy index entries would: a window of a few milliseconds.)"""
    return _folder_stats(out, cache.output_stats(site_key)) if cache.enabled else b""


def _folder_stats(out: Path, files: dict[str, tuple[int, int]]) -> bytes:
    folders = {""}
    for path in files:
        folder = os.path.dirname(path)
        while folder not in folders:
            folders.add(folder)
            folder = os.path.dirname(folder)
    total = 0
    for folder in folders:
        try:
            total ^= _folder_token(folder, os.stat(f"{out}/{folder}").st_mtime_ns)
        except OSError:
            return b""
    return total.to_bytes(FOLDER_DIGEST_SIZE, "big")


FOLDER_DIGEST_SIZE = 16


def _folder_token(folder: str, mtime: int) -> int:
    """One folder's share of the folders' digest, which is their exclusive or: a build
    that moved files into a few folders updates it from those alone (_folders_moved)."""
    import hashlib

    return int.from_bytes(hashlib.blake2b(f"{folder}\x1f{mtime}".encode(),
                                          digest_size=FOLDER_DIGEST_SIZE).digest(), "big")


def _folders_moved(folders: bytes, moved: dict[str, tuple[int, int]] | None) -> bytes:
    """The folders' digest after the mtimes of some changed (folder: (before, after)), or
    b"" when it cannot be told. If the output had been changed by hand, the digest was
    already off by that change, stays so, and the next build is a full one that takes it
    again: it can miss no change, only ask for an extra build."""
    if len(folders) != FOLDER_DIGEST_SIZE or moved is None:
        return b""
    total = int.from_bytes(folders, "big")
    for folder, (before, after) in moved.items():
        total ^= _folder_token(folder, before) ^ _folder_token(folder, after)
    return total.to_bytes(FOLDER_DIGEST_SIZE, "big")


def _walk_output(out: Path) -> dict[str, tuple[int, int]]:
    """Every file of the output folder: relative path -> (size, mtime)."""
    found: dict[str, tuple[int, int]] = {}
    if not out.is_dir():
        return found
    stack: list[tuple[str, str]] = [(str(out), "")]
    while stack:
        directory, prefix = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, prefix + entry.name + "/"))
            else:
                try:
                    stat = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                found[prefix + entry.name] = (stat.st_size, stat.st_mtime_ns)
    return found
