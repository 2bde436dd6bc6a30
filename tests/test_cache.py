"""The build cache never trusts what it cannot verify: checksums, schema, stat races."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from support import GOLDEN_PROJECT, GOLDEN_TODAY

from digest import cache as cache_module
from digest import incremental
from digest.articles import Article, Source, pack_body
from digest.build import BuildOptions, build
from digest.cache import BuildCache, CacheMiss, digest, seal, unseal
from digest.fingerprint import PURE_GLOBALS, Recorder
from digest.incremental import load_content_cached
from digest.model import build_model, related_articles, related_index, related_indices
from digest.project import Layout, load_content, publishable
from digest.render import Renderer
from digest.sources import scan_articles
from digest.write import safe_relative

TODAY = dt.date.fromisoformat(GOLDEN_TODAY)


@pytest.fixture
def golden(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(GOLDEN_PROJECT, root, ignore=shutil.ignore_patterns(".digest-cache"))
    return root


def test_seal_round_trip_and_damage_is_detected() -> None:
    value = {"a": [1, 2, 3], "b": dt.date(2024, 2, 26)}
    sealed = seal(value)
    assert unseal(sealed) == value
    damaged = bytearray(sealed)
    damaged[-1] ^= 1
    for bad in (bytes(damaged), sealed[:10], b"", None):
        with pytest.raises(CacheMiss):
            unseal(bad)


def test_digest_parts_are_unambiguous() -> None:
    assert digest("ab", "c") != digest("a", "bc")
    assert digest(b"x") == digest("x")


def test_articles_pickle_through_their_constructor() -> None:
    import pickle

    article = Article(path="content/articles/2024/02/x.md", slug="x", title="T",
                      date=dt.date(2024, 2, 1), lang="en", summary="S", packed_body=pack_body("Bé"),
                      body_line=5, sources=(Source("n", "https://e.org", "fr"),),
                      terms={"company": ("a",)})
    assert pickle.loads(pickle.dumps(article)) == article
    assert pickle.loads(pickle.dumps(article)).body == "Bé"


def test_a_file_that_is_not_a_database_is_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / cache_module.DB_NAME).write_bytes(b"garbage" * 1000)
    cache = BuildCache(folder)
    assert cache.enabled
    assert cache.sources() == {}
    cache.close()


def test_another_schema_is_dropped(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    cache = BuildCache(folder)
    with cache.transaction() as db:
        assert db is not None
        cache.put_meta(db, "x", 1)
    cache.close()
    with sqlite3.connect(folder / cache_module.DB_NAME) as db:
        db.execute(f"PRAGMA user_version={cache_module.SCHEMA + 1}")
    cache = BuildCache(folder)
    with pytest.raises(CacheMiss):
        cache.get_meta("x")
    cache.close()


def test_unwritable_cache_folder_builds_without_cache(golden: Path, tmp_path: Path) -> None:
    (golden / ".digest-cache").write_text("a file where the folder should be", encoding="utf-8")
    result = build(BuildOptions(root=golden, out=tmp_path / "site", today=TODAY, search=False))
    assert result.files > 0


def test_cached_load_equals_plain_load(golden: Path) -> None:
    layout = Layout(golden)
    cache = BuildCache(golden / ".digest-cache")
    code = b"code"
    first = load_content_cached(layout, cache, code)
    second = load_content_cached(layout, cache, code)
    plain = load_content(layout)
    assert first.parsed == len(scan_articles(layout.articles, layout.root)) and second.parsed == 0
    for loaded in (first, second):
        assert loaded.content.articles == plain.articles
        assert loaded.content.problems == plain.problems
    cache.close()


def test_a_file_changed_just_after_being_read_is_read_again(golden: Path) -> None:
    """git's "racy" case: same size, same mtime, new bytes. Only the checked time saves us."""
    layout = Layout(golden)
    cache = BuildCache(golden / ".digest-cache")
    path = golden / "content/articles/2024/03/ai-act-vote.md"
    stat = path.stat()
    load_content_cached(layout, cache, b"code")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("closes", "shuts"), encoding="utf-8")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime
    again = load_content_cached(layout, cache, b"code")
    vote = next(a for a in again.content.articles if a.path.endswith("ai-act-vote.md"))
    assert "shuts" in vote.body
    cache.close()


def test_an_unchanged_file_is_not_read(golden: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The files were just copied: pretend the race window has passed.
    monkeypatch.setattr(incremental, "RACY_NS", -1)
    layout = Layout(golden)
    cache = BuildCache(golden / ".digest-cache")
    load_content_cached(layout, cache, b"code")
    read: list[Path] = []
    real = Path.read_bytes

    def spy(self: Path) -> bytes:
        read.append(self)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    again = load_content_cached(layout, cache, b"code")
    assert again.parsed == 0 and not [p for p in read if p.suffix == ".md"]
    cache.close()


def test_parse_context_change_reparses(golden: Path) -> None:
    layout = Layout(golden)
    cache = BuildCache(golden / ".digest-cache")
    load_content_cached(layout, cache, b"code")
    taxonomy = golden / "content/taxonomy.yaml"
    taxonomy.write_text(taxonomy.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    again = load_content_cached(layout, cache, b"code")
    assert again.parsed == len(scan_articles(layout.articles, layout.root))
    cache.close()


def test_scan_matches_article_files(golden: Path) -> None:
    from digest.articles import article_files
    from digest.errors import relpath

    (golden / "content/articles/2024/02/.hidden.md").write_text("x", encoding="utf-8")
    (golden / "content/articles/2024/02/a-b.md").write_text("x", encoding="utf-8")
    (golden / "content/articles/2024/02/a").mkdir()
    (golden / "content/articles/2024/02/a/c.md").write_text("x", encoding="utf-8")
    layout = Layout(golden)
    assert [(Path(s.path), s.name) for s in scan_articles(layout.articles, layout.root)] == [
        (p, relpath(p, golden)) for p in article_files(layout.articles)]


def test_related_split_and_merged_equals_whole() -> None:
    layout = Layout(GOLDEN_PROJECT)
    content = load_content(layout)
    model = build_model(content.config, content.taxonomies, content.articles)
    by_term = related_index(model.articles)
    halves = (related_indices(model.articles, by_term, 5, range(0, 2))
              + related_indices(model.articles, by_term, 5, range(2, len(model.articles))))
    merged = {model.articles[i].path: [model.articles[o] for o in best] for i, best in halves}
    assert merged == related_articles(model.articles, 5)


def test_every_template_global_is_known_to_the_dependency_tracking() -> None:
    """A global that reads the site model outside Jinja's attribute lookup would make
    pages depend on things the tracking cannot see; unknown ones are treated as
    "depends on everything", which is correct but slow. Add a new global to
    PURE_GLOBALS only if it reads nothing but its arguments and the site config."""
    layout = Layout(GOLDEN_PROJECT)
    content = load_content(layout)
    shown, _ = publishable(content.articles, False, TODAY)
    model = build_model(content.config, content.taxonomies, shown)
    renderer = Renderer(model, layout.templates, model.config.base_url)
    assert Recorder().install(renderer.env) == ()
    assert "term_of" in PURE_GLOBALS


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "a/../../b", ""])
def test_output_paths_cannot_escape(bad: str) -> None:
    with pytest.raises(ValueError):
        safe_relative(bad)
