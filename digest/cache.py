"""The build cache: `.digest-cache/build.sqlite`, and the page store beside it.

What is kept, and what it is keyed by:

- each article's parse (the `Article`, its problems, its digests) and rendered Markdown,
  keyed by the file's bytes and the parse context (digest's code, site.yaml,
  taxonomy.yaml); a stat signature lets an unchanged file skip being read, as git's
  index does, except when the file changed too close to when it was read;
- Markdown rendered from other text (term descriptions), keyed by the text;
- the related-articles map, keyed by every article's path, date and terms;
- per output folder, every file of the last build: its key, the dependencies it
  recorded while rendering, and its size and mtime when written;
- the page store: each page's bytes under its key in `.digest-cache/pages/`, a hard
  link to the output file, so a build into an empty folder (CI) reuses them.

A cache that is missing, of another schema, unreadable, or whose entry fails its
checksum is ignored and rebuilt. The cache never says what a page contains: it only
lets the build skip work whose inputs are provably the same as last time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = 5  # bump when a table or a pickled type changes shape
DB_NAME = "build.sqlite"
STORE_NAME = "pages"
LOCK_NAME = "build.lock"
KEEP_SITES = 4  # output folders whose files are remembered
DIGEST_SIZE = 16
HTML_KEEP_SECONDS = 30 * 86400  # Markdown rendered outside articles, kept a month unused

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS sources (
    path TEXT PRIMARY KEY, sig TEXT, checked INTEGER, sha BLOB, ctx BLOB, data BLOB,
    md BLOB, html TEXT);
CREATE INDEX IF NOT EXISTS sources_md ON sources (md);
CREATE TABLE IF NOT EXISTS html (md BLOB PRIMARY KEY, html TEXT, used INTEGER);
CREATE TABLE IF NOT EXISTS sites (site TEXT PRIMARY KEY, used INTEGER, state BLOB);
CREATE TABLE IF NOT EXISTS outputs (
    site TEXT, path TEXT, key BLOB, deps TEXT, depsum BLOB, size INTEGER, mtime INTEGER,
    recipe BLOB, PRIMARY KEY (site, path));
-- The no-change check reads every file's size and mtime: from this index alone, not from
-- the rows with their dependency lists and recipes.
CREATE INDEX IF NOT EXISTS outputs_stats ON outputs (site, path, size, mtime);
CREATE TABLE IF NOT EXISTS blobs (
    key BLOB PRIMARY KEY, name TEXT, deps TEXT, depsum BLOB, size INTEGER, mtime INTEGER);
"""


def digest(*parts: bytes | str) -> bytes:
    """A 128-bit BLAKE2b digest of the parts, each length-prefixed (no ambiguity)."""
    chunks: list[bytes] = []
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        chunks.append(len(data).to_bytes(8, "little"))
        chunks.append(data)
    return hashlib.blake2b(b"".join(chunks), digest_size=DIGEST_SIZE).digest()


def seal(value: Any) -> bytes:
    """Pickle with a checksum in front, so a damaged entry is detected on load."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).digest() + data


def unseal(blob: bytes | None) -> Any:
    """The value sealed in `blob`; raises CacheMiss if it is absent or damaged."""
    if not blob or len(blob) <= DIGEST_SIZE:
        raise CacheMiss
    check, data = blob[:DIGEST_SIZE], blob[DIGEST_SIZE:]
    if hashlib.blake2b(data, digest_size=DIGEST_SIZE).digest() != check:
        raise CacheMiss
    try:
        return pickle.loads(data)
    except Exception as exc:  # a pickle of a class that changed shape
        raise CacheMiss from exc


class CacheMiss(Exception):
    """An entry is missing or cannot be trusted: do the work instead."""


@dataclass(frozen=True, slots=True)
class SourceRow:
    """What the cache remembers of one article file."""

    path: str
    sig: str
    checked: int  # time.time_ns() when its bytes were hashed
    sha: bytes
    ctx: bytes
    data: bytes  # sealed (Article | None, problems, card digest)
    md: bytes | None


@dataclass(frozen=True, slots=True)
class OutputRow:
    """One file of an output folder, as the last build left it."""

    key: bytes
    deps: str
    depsum: bytes
    size: int
    mtime: int
    recipe: bytes | None = None  # how to make it again without the whole site (see quick.py)


@dataclass(frozen=True, slots=True)
class BlobRow:
    """A page kept in the page store."""

    key: bytes
    name: str
    deps: str
    depsum: bytes
    size: int
    mtime: int


class BuildCache:
    """The cache of one project. `BuildCache.disabled()` stands in when it is unusable."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.db: sqlite3.Connection | None = None
        self.store: Path | None = None
        self._lock: Any = None
        if folder is None:
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.db = self._open(folder / DB_NAME)
            self.store = folder / STORE_NAME
        except (OSError, sqlite3.Error):
            self.db = None

    @classmethod
    def disabled(cls) -> BuildCache:
        return cls(None)

    @property
    def enabled(self) -> bool:
        return self.db is not None

    def _open(self, path: Path) -> sqlite3.Connection:
        for attempt in (1, 2):
            try:
                db = sqlite3.connect(path, timeout=60, isolation_level=None,
                                     check_same_thread=False)
                # A rollback journal: one file at rest, which CI can cache and tests can
                # copy; a torn write is caught as a damaged database (and dropped).
                db.execute("PRAGMA journal_mode=DELETE")
                db.execute("PRAGMA synchronous=NORMAL")
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version != SCHEMA:
                    _drop_all(db)
                    db.execute(f"PRAGMA user_version={SCHEMA}")
                db.executescript(_TABLES)
                db.execute("SELECT count(*) FROM meta").fetchone()
                return db
            except sqlite3.DatabaseError:
                # Not a database, or damaged: start again from nothing.
                with contextlib.suppress(Exception):
                    db.close()
                if attempt == 2:
                    raise
                for suffix in ("", "-wal", "-shm"):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(str(path) + suffix)
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None
        self.unlock()

    # -- locking: one build at a time per project ---------------------------------

    def lock(self) -> None:
        if self.folder is None or self._lock is not None:
            return
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no lock
            return
        handle = open(self.folder / LOCK_NAME, "a+b")  # noqa: SIM115 - held until unlock()
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        self._lock = handle

    def unlock(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(OSError):
                self._lock.close()
            self._lock = None

    # -- transactions ----------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection | None]:
        """A write transaction; on a database error the cache is dropped, the build goes on."""
        if self.db is None:
            yield None
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error:
            self.db = None
            yield None
            return
        try:
            yield self.db
            self.db.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
            self.db = None
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
            raise

    def _read(self, sql: str, args: Iterable[Any] = ()) -> list[Any]:
        if self.db is None:
            return []
        try:
            return self.db.execute(sql, tuple(args)).fetchall()
        except sqlite3.Error:
            self.db = None
            return []

    # -- meta ------------------------------------------------------------------------

    def get_meta(self, name: str) -> Any:
        rows = self._read("SELECT value FROM meta WHERE name = ?", (name,))
        return unseal(rows[0][0]) if rows else _raise_miss()

    def put_meta(self, db: sqlite3.Connection, name: str, value: Any) -> None:
        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, seal(value)))

    # -- sources ---------------------------------------------------------------------

    def sources(self) -> dict[str, SourceRow]:
        rows = self._read("SELECT path, sig, checked, sha, ctx, data, md FROM sources")
        return {r[0]: SourceRow(*r) for r in rows}

    def source(self, path: str) -> SourceRow | None:
        rows = self._read("SELECT path, sig, checked, sha, ctx, data, md FROM sources "
                          "WHERE path = ?", (path,))
        return SourceRow(*rows[0]) if rows else None

    def blob_of(self, key: bytes) -> BlobRow | None:
        rows = self._read("SELECT key, name, deps, depsum, size, mtime FROM blobs WHERE key = ?",
                          (key,))
        return BlobRow(*rows[0]) if rows else None

    def put_source(self, db: sqlite3.Connection, row: SourceRow, html: str | None) -> None:
        db.execute("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (row.path, row.sig, row.checked, row.sha, row.ctx, row.data, row.md, html))

    def touch_source(self, db: sqlite3.Connection, path: str, sig: str, checked: int) -> None:
        db.execute("UPDATE sources SET sig = ?, checked = ? WHERE path = ?", (sig, checked, path))

    def delete_sources(self, db: sqlite3.Connection, paths: Iterable[str]) -> None:
        db.executemany("DELETE FROM sources WHERE path = ?", ((p,) for p in paths))

    # -- rendered Markdown ---------------------------------------------------------------

    def html(self, md: bytes) -> str | None:
        rows = self._read("SELECT html FROM sources WHERE md = ? AND html IS NOT NULL LIMIT 1",
                          (md,))
        if not rows:
            rows = self._read("SELECT html FROM html WHERE md = ?", (md,))
        return str(rows[0][0]) if rows else None

    def put_html(self, db: sqlite3.Connection, entries: Iterable[tuple[bytes, str]],
                 generation: int) -> None:
        db.executemany("INSERT OR REPLACE INTO html VALUES (?, ?, ?)",
                       ((md, html, generation) for md, html in entries))

    def mark_html_used(self, db: sqlite3.Connection, keys: Iterable[bytes], generation: int) -> None:
        db.executemany("UPDATE html SET used = ? WHERE md = ?", ((generation, k) for k in keys))
        db.execute("DELETE FROM html WHERE used < ?", (generation - HTML_KEEP_SECONDS,))

    # -- output folders ------------------------------------------------------------------

    def site_state(self, site: str) -> Any:
        rows = self._read("SELECT state FROM sites WHERE site = ?", (site,))
        return unseal(rows[0][0]) if rows else _raise_miss()

    def outputs(self, site: str) -> dict[str, OutputRow]:
        rows = self._read("SELECT path, key, deps, depsum, size, mtime FROM outputs WHERE site = ?",
                          (site,))
        return {r[0]: OutputRow(*r[1:]) for r in rows}

    def outputs_reading(self, site: str, deps: Iterable[str]) -> dict[str, OutputRow]:
        """The files whose recorded dependencies include any of `deps`, with recipes."""
        wanted = list(deps)
        if not wanted:
            return {}
        test = " OR ".join("instr(deps, ?) > 0" for _ in wanted)
        rows = self._read(f"SELECT path, key, deps, depsum, size, mtime, recipe FROM outputs "
                          f"WHERE site = ? AND ({test})", (site, *wanted))
        return {r[0]: OutputRow(*r[1:]) for r in rows}

    def output_stats(self, site: str) -> dict[str, tuple[int, int]]:
        rows = self._read("SELECT path, size, mtime FROM outputs WHERE site = ?", (site,))
        return {r[0]: (r[1], r[2]) for r in rows}

    def put_site(self, db: sqlite3.Connection, site: str, generation: int, state: Any,
                 rows: dict[str, OutputRow] | None) -> None:
        """Record the state of a finished build, and (when given) all of its files."""
        db.execute("INSERT OR REPLACE INTO sites VALUES (?, ?, ?)", (site, generation, seal(state)))
        if rows is not None:
            db.execute("DELETE FROM outputs WHERE site = ?", (site,))
            db.executemany("INSERT INTO outputs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           ((site, path, r.key, r.deps, r.depsum, r.size, r.mtime, r.recipe)
                            for path, r in rows.items()))
        old = db.execute("SELECT site FROM sites ORDER BY used DESC LIMIT -1 OFFSET ?",
                         (KEEP_SITES,)).fetchall()
        for (name,) in old:
            db.execute("DELETE FROM sites WHERE site = ?", (name,))
            db.execute("DELETE FROM outputs WHERE site = ?", (name,))

    def update_outputs(self, db: sqlite3.Connection, site: str, changed: dict[str, OutputRow],
                       removed: Iterable[str]) -> None:
        # A row given without a recipe keeps the one it had (it is checked against the
        # key before any use).
        db.executemany(
            "INSERT INTO outputs VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (site, path) DO "
            "UPDATE SET key = excluded.key, deps = excluded.deps, depsum = excluded.depsum, "
            "size = excluded.size, mtime = excluded.mtime, "
            "recipe = coalesce(excluded.recipe, outputs.recipe)",
            ((site, path, r.key, r.deps, r.depsum, r.size, r.mtime, r.recipe)
             for path, r in changed.items()))
        db.executemany("DELETE FROM outputs WHERE site = ? AND path = ?",
                       ((site, p) for p in removed))

    def forget_site(self, site: str) -> None:
        with self.transaction() as db:
            if db is not None:
                db.execute("DELETE FROM sites WHERE site = ?", (site,))

    # -- the page store ------------------------------------------------------------------

    def blobs(self, keys: Iterable[bytes]) -> dict[bytes, BlobRow]:
        """The page store's entries of `keys` (after a template edit none match, and the
        whole index with its dependency lists is not loaded)."""
        wanted = set(keys) & {r[0] for r in self._read("SELECT key FROM blobs")}
        found: dict[bytes, BlobRow] = {}
        batch = sorted(wanted)
        for start in range(0, len(batch), 500):
            part = batch[start: start + 500]
            marks = ", ".join("?" * len(part))
            for r in self._read(f"SELECT key, name, deps, depsum, size, mtime FROM blobs "
                                f"WHERE key IN ({marks})", tuple(part)):
                found[r[0]] = BlobRow(*r)
        return found

    def blob_path(self, name: str) -> Path | None:
        if self.store is None:
            return None
        return self.store / name[:2] / name[2:]

    def put_blobs(self, db: sqlite3.Connection, rows: Iterable[BlobRow]) -> None:
        db.executemany("INSERT OR REPLACE INTO blobs VALUES (?, ?, ?, ?, ?, ?)",
                       ((b.key, b.name, b.deps, b.depsum, b.size, b.mtime) for b in rows))

    def prune_blobs(self, db: sqlite3.Connection) -> list[str]:
        """Forget pages no remembered output folder holds; returns their file names."""
        gone = db.execute(
            "SELECT key, name FROM blobs WHERE key NOT IN (SELECT key FROM outputs)").fetchall()
        db.executemany("DELETE FROM blobs WHERE key = ?", ((key,) for key, _ in gone))
        return [name for _, name in gone]


def _raise_miss() -> Any:
    raise CacheMiss


def _drop_all(db: sqlite3.Connection) -> None:
    names = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    for name in names:
        db.execute(f'DROP TABLE IF EXISTS "{name}"')
