"""The quick lane: a rebuild after only article bodies changed, without the whole site.

Editing the text of an article is the commonest change, and it changes little: the
article's own page, and the feeds it is in. Everything else a page shows of an article
(title, date, summary, tags: its card) is the same, so every listing is the same. When
nothing but article files changed, and every changed file has the same card fields as
before (and no problems), the quick lane re-renders exactly the outputs that recorded
reading one of the changed bodies, and leaves everything else as it is, without loading
the other articles or building the site model.

It is safe because it checks instead of assuming, and steps aside (returns None, and
the full build runs) at the first doubt: the site's other inputs (code, theme, config,
taxonomy, options) must have the same signatures as at the last build; a page is made
again from a *recipe* (the `Page`, pickled with site-model objects replaced by their
identities) only if the recipe gives back the page's recorded key; and if rendering
the page reads anything of the site model (`model`, a term's article list, the whole
taxonomy, an unknown global), the quick lane gives up, since it does not have it.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import posixpath
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .articles import Article
from .cache import BlobRow, BuildCache, CacheMiss, OutputRow, SourceRow, digest, seal, unseal
from .config import SiteConfig, TaxonomySpec
from .model import SiteModel, TermInfo
from .taxonomy import Taxonomies, Term

if TYPE_CHECKING:
    from .build import BuildOptions, BuildResult, _SiteState
    from .project import Layout
    from .render import Page
    from .sources import SourceFile

QUICK_MAX = 64  # changed files beyond which a full build is about as quick
SEP, DEP_SEP = "\x1f", "\x1e"
UNAVAILABLE = ("M", "I", "X", "*")  # dependencies the quick lane cannot satisfy


class _Bail(Exception):
    """The quick lane cannot do this build: the full build will."""


# -- recipes ----------------------------------------------------------------------------


class _RecipePickler(pickle.Pickler):
    def persistent_id(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is Article:
            return ("A", obj.path)
        if kind is Term:
            return ("T", obj.taxonomy, obj.slug)
        if kind is TaxonomySpec:
            return ("S", obj.key)
        if kind is SiteConfig:
            return ("C",)
        if kind is TermInfo:
            return ("I", obj.term.taxonomy, obj.term.slug)
        if kind is SiteModel:
            return ("M",)
        if kind is Taxonomies:
            return ("X",)
        return None


def page_recipe(page: Page, key: bytes) -> bytes | None:
    """The page with the site's objects by identity (a few hundred bytes), or None."""
    buffer = io.BytesIO()
    try:
        _RecipePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(("page", key, page))
    except Exception:  # a context value that does not pickle: no quick rebuild for it
        return None
    return seal(buffer.getvalue())


class _RecipeUnpickler(pickle.Unpickler):
    def __init__(self, data: bytes, resolve: Any) -> None:
        super().__init__(io.BytesIO(data))
        self.resolve = resolve

    def persistent_load(self, pid: Any) -> Any:
        return self.resolve(pid)


# -- the lane -----------------------------------------------------------------------------


def quick_build(options: BuildOptions, layout: Layout, out: Path, cache: BuildCache, code: bytes,
                files: list[SourceFile], previous: _SiteState, recorded: int
                ) -> tuple[BuildResult, dict[str, tuple[str, bytes, bytes, bool]],
                           dict[str, bytes], dict[str, tuple[int, int]] | None] | None:
    """Rebuild after body-only edits; None when a full build is needed.

    Returns the result, the new per-article state (signatures, cards, bodies), and the
    output folders it moved files into, with their mtimes before and after (None: not
    known)."""
    from .fingerprint import NotLoaded

    try:
        return _quick(options, layout, out, cache, code, files, previous)
    except (_Bail, NotLoaded):
        return None


def _quick(options: BuildOptions, layout: Layout, out: Path, cache: BuildCache, code: bytes,
           files: list[SourceFile], previous: _SiteState
           ) -> tuple[BuildResult, dict[str, tuple[str, bytes, bytes, bool]], dict[str, bytes],
                      dict[str, tuple[int, int]] | None]:
    from .build import RACY_NS, BuildResult
    from .incremental import load_config_cached

    before = previous.articles
    if not before or len(before) != len(files):
        raise _Bail
    changed: list[SourceFile] = []
    for source in files:
        known = before.get(source.name)
        if known is None:
            raise _Bail  # a new file (or a renamed one)
        if known[0] != source.sig or source.changed_ns > previous.recorded - RACY_NS:
            changed.append(source)
            if len(changed) > QUICK_MAX:
                raise _Bail
    if not changed:
        raise _Bail  # nothing to do here: the no-change check failed for another reason
    config, taxonomies, _, ctx = load_config_cached(layout, code)
    from .config import normalise_base_url
    from .incremental import parse_source

    if options.base_url:
        config = replace(config, base_url=normalise_base_url(options.base_url))
    after = dict(before)
    fresh: dict[str, Article] = {}
    parsed_rows: list[tuple[SourceRow, Article]] = []
    for source in changed:
        article, problems, card, md, sha, checked = parse_source(
            source, config, taxonomies, code)
        old = before[source.name]
        if article is None or problems or old[3] or card != old[1] or md is None:
            raise _Bail  # a card field changed, or there is something to report
        after[source.name] = (source.sig, card, md, False)
        fresh[article.path] = article
        parsed_rows.append((SourceRow(source.name, source.sig, checked, sha, ctx,
                                      seal((article, problems, card)), md), article))
    bodies_changed = {path for path, article in fresh.items() if after[path][2] != before[path][2]}
    bodies = {path: entry[2] for path, entry in after.items()}
    result = BuildResult(**previous.result)
    result.parsed = len(changed)
    result.written = result.rendered = result.removed = 0
    moved: dict[str, tuple[int, int]] | None = {}
    if bodies_changed:
        moved = _rebuild_readers(options, layout, out, cache, code, config, taxonomies, before,
                                 after, fresh, bodies_changed, result)
    _save_sources(cache, parsed_rows, code)
    result.unchanged = result.files - result.written
    return result, after, bodies, moved


def _rebuild_readers(options: BuildOptions, layout: Layout, out: Path, cache: BuildCache,
                     code: bytes, config: SiteConfig, taxonomies: Taxonomies,
                     before: dict[str, tuple[str, bytes, bytes, bool]],
                     after: dict[str, tuple[str, bytes, bytes, bool]],
                     fresh: dict[str, Article], bodies_changed: set[str],
                     result: BuildResult) -> dict[str, tuple[int, int]] | None:
    """Render again every output that read one of the changed bodies, and commit.
    Returns the output folders files were moved into: (mtime before, mtime after)."""
    from . import markdown
    from .build import FeedRecipe, _generation, _link_blob, feed_deps, feed_key, render_feed
    from .fingerprint import Fingerprints, PartialModel, Recorder, globals_token
    from .incremental import MarkdownStore
    from .render import Renderer
    from .sources import tree_digest
    from .write import StagedWriter

    site = str(out)
    wanted = [f"A{SEP}{path}{SEP}b" for path in sorted(bodies_changed)] + ["*"]
    readers = cache.outputs_reading(site, wanted)
    changed_deps = set(wanted)
    readers = {path: row for path, row in readers.items()
               if not changed_deps.isdisjoint(row.deps.split(DEP_SEP))}
    if not readers:
        return {}
    for path, row in readers.items():
        if "*" in row.deps.split(DEP_SEP) or not row.recipe:
            raise _Bail
        try:
            stat = os.stat(out / path)
        except OSError as exc:
            raise _Bail from exc
        if (stat.st_size, stat.st_mtime_ns) != (row.size, row.mtime):
            raise _Bail  # not what the last build left: let the full build look at it

    model: Any = PartialModel(config, taxonomies)
    renderer = Renderer(model, layout.templates, config.base_url)
    renderer.env.auto_reload = False
    recorder = Recorder()
    recorder.install(renderer.env)
    old_cards = {path: entry[1] for path, entry in before.items()}
    old_bodies = {path: entry[2] for path, entry in before.items()}
    fingerprints = Fingerprints(model, b"", {path: entry[1] for path, entry in after.items()},
                                {path: entry[2] for path, entry in after.items()})
    fingerprints.base = digest(code, tree_digest(layout.templates), repr(config),
                               globals_token(fingerprints, renderer.env))
    names = fingerprints._names()
    loaded: dict[str, Article] = dict(fresh)

    def article(path: str) -> Article:
        found = loaded.get(path)
        if found is not None:
            return found
        row = cache.source(path)
        entry = after.get(path)
        if row is None or entry is None or row.sig != entry[0] or row.md != entry[2]:
            raise _Bail
        try:
            value, _, card = unseal(row.data)
        except CacheMiss as exc:
            raise _Bail from exc
        if value is None or card != entry[1]:
            raise _Bail
        loaded[path] = value
        return value  # type: ignore[no-any-return]

    def resolve(pid: Any) -> Any:
        kind = pid[0]
        if kind == "A":
            return article(pid[1])
        if kind == "T":
            term = taxonomies.get(pid[1], pid[2])
            if term is None:
                raise _Bail
            return term
        if kind == "S":
            return config.taxonomy(pid[1])
        if kind == "C":
            return config
        raise _Bail  # the site model, a term's listings: not here

    store = MarkdownStore(cache, code)
    made: list[tuple[str, bytes, OutputRow, bytes]] = []  # path, data, new row, old key
    with markdown.cached(store):
        for path, row in sorted(readers.items()):
            try:
                recipe = unseal(row.recipe)
            except CacheMiss as exc:
                raise _Bail from exc
            if isinstance(recipe, bytes):  # a page: pickled with identities
                kind, key, page = _RecipeUnpickler(recipe, resolve).load()
                if kind != "page" or key != row.key or fingerprints.key(page) != row.key:
                    raise _Bail
                recorder.start()
                data = renderer.render(page)
                deps = recorder.finish()
                if any(dep.split(SEP, 1)[0] in UNAVAILABLE for dep in deps.split(DEP_SEP) if dep):
                    raise _Bail
                new_key = row.key
            else:  # a feed
                feed: FeedRecipe = recipe
                if feed_key(fingerprints.base, names, feed, old_cards, old_bodies) != row.key:
                    raise _Bail
                data = render_feed(model, renderer.links, feed, [article(p) for p in feed[4]])
                deps = feed_deps(feed)
                new_key = feed_key(fingerprints.base, names, feed, fingerprints.cards,
                                   fingerprints.bodies)
            depsum = fingerprints.depsum(deps)
            made.append((path, data, OutputRow(new_key, deps, depsum, 0, 0, None), row.key))
    store.close()

    writer = StagedWriter(out)
    rows: dict[str, OutputRow] = {}
    blobs: list[BlobRow] = []
    job = _BlobJob(cache.store) if cache.store is not None else None
    try:
        for path, data, row, _ in made:
            current = out / path
            if current.read_bytes() == data:
                source, stat = current, os.stat(current)
            else:
                stat = writer.write(path, data)
                source = writer.stage / path
                result.written += 1
            rows[path] = replace(row, size=stat.st_size, mtime=stat.st_mtime_ns)
            name = digest(row.key, row.depsum).hex()
            if job is not None and _link_blob(job, str(source), name, stat):  # type: ignore[arg-type]
                blobs.append(BlobRow(row.key, name, row.deps, row.depsum, stat.st_size,
                                     stat.st_mtime_ns))
        result.rendered = len(made)
        touched = {posixpath.dirname(path) for path in writer.moves}
        before_moves = _folder_mtimes(out, touched)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    after_moves = _folder_mtimes(out, touched)
    moved = ({folder: (before_moves[folder], after_moves[folder]) for folder in touched}
             if before_moves is not None and after_moves is not None else None)
    kept = {blob.name for blob in blobs}
    gone: list[str] = []
    with cache.transaction() as db:
        if db is not None:
            if store.new:
                cache.put_html(db, store.new.items(), _generation())
            cache.update_outputs(db, str(out), rows, ())
            # The page store: the new pages in, the ones they replace out (unless another
            # output folder still holds them).
            old = [cache.blob_of(old_key) for _, _, _, old_key in made]
            cache.put_blobs(db, blobs)
            for blob in old:
                if blob is None or blob.name in kept:
                    continue
                if db.execute("SELECT 1 FROM outputs WHERE key = ? AND depsum = ? LIMIT 1",
                              (blob.key, blob.depsum)).fetchone() is None:
                    db.execute("DELETE FROM blobs WHERE key = ? AND name = ?", (blob.key, blob.name))
                    gone.append(blob.name)
    for name in gone:
        target = cache.blob_path(name)
        if target is not None:
            with contextlib.suppress(OSError):
                os.unlink(target)
    return moved


def _folder_mtimes(out: Path, folders: set[str]) -> dict[str, int] | None:
    try:
        return {folder: os.stat(f"{out}/{folder}").st_mtime_ns for folder in folders}
    except OSError:
        return None


class _BlobJob:
    """What build._link_blob needs of a render job."""

    def __init__(self, pages: Path) -> None:
        self.pages = pages
        self.made: set[str] = set()


def _save_sources(cache: BuildCache, parsed: list[tuple[SourceRow, Article]], code: bytes) -> None:
    from . import markdown

    if not parsed:
        return
    with cache.transaction() as db:
        if db is None:
            return
        for row, article in parsed:
            html = cache.html(row.md) if row.md is not None else None
            if html is None:
                html = markdown.render_uncached(article.body)
            cache.put_source(db, row, html)
