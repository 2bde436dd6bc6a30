"""Cached, incremental builds equal clean builds, byte for byte, after every kind of change.

Each case builds a scratch copy of the golden project with the cache (warming it and
the output), changes one thing, builds again with the cache into the same output, and
compares that with a clean build (`cache=False`) of the changed project into an empty
folder. A stale listing, a page not rewritten, a file not removed: any of them fails.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support import GOLDEN_PROJECT, GOLDEN_TODAY, REPO

from digest import write
from digest.build import BuildOptions, BuildResult, build
from digest.errors import DigestError

TODAY = dt.date.fromisoformat(GOLDEN_TODAY)
ARTICLES = Path("content/articles")
PARTNERSHIP = ARTICLES / "2024/02/mistral-microsoft-partnership.md"
VOTE = ARTICLES / "2024/03/ai-act-vote.md"
PROPOSAL = ARTICLES / "2021/04/ai-act-proposal.md"
DRAFT = ARTICLES / "2024/03/draft-note.md"


@pytest.fixture
def themed(tmp_path: Path) -> Path:
    """A scratch copy of the golden project (without any cache the golden tests left in
    it) with its own copy of the theme, so a case can edit it."""
    project = tmp_path / "project"
    shutil.copytree(GOLDEN_PROJECT, project, ignore=shutil.ignore_patterns(".digest-cache"))
    shutil.copytree(REPO / "templates", project / "templates")
    return project


def _build(root: Path, out: Path, *, cache: bool = True, today: dt.date = TODAY,
           workers: int | None = None, search: bool = False, drafts: bool = False) -> BuildResult:
    return build(BuildOptions(root=root, out=out, today=today, cache=cache, workers=workers,
                              search=search, drafts=drafts))


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns
            for p in root.rglob("*") if p.is_file()}


def assert_same_site(cached: Path, clean: Path) -> None:
    one, two = _tree(cached), _tree(clean)
    assert sorted(one) == sorted(two), (
        f"only in cached: {sorted(set(one) - set(two))}, only in clean: {sorted(set(two) - set(one))}")
    different = [name for name in one if one[name] != two[name]]
    assert different == [], f"cached build differs from a clean build in {different}"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _body(root: Path) -> None:
    _edit(root / PARTNERSHIP, "A footnote.", "A footnote, now with **more** words.")


def _tags(root: Path) -> None:
    _edit(root / VOTE, "regulation: [eu-ai-act]", "regulation: [eu-ai-act]\ncompany: [openai]")


def _date(root: Path) -> None:
    _edit(root / VOTE, "date: 2024-03-13", "date: 2024-03-29")


def _date_other_month(root: Path) -> None:
    # Moves the article's URL and its place in every listing (and warns about the folder).
    _edit(root / VOTE, "date: 2024-03-13", "date: 2023-11-02")


def _title(root: Path) -> None:
    # Shown in cards: the front page, the term pages, related lists, the timeline, feeds.
    _edit(root / PROPOSAL, "title: Commission proposes the AI Act",
          "title: The Commission proposes an AI Act")


def _term_description(root: Path) -> None:
    _edit(root / "content/taxonomy.yaml", "founded in **2023**", "founded in **2023** by three researchers")


def _term_name(root: Path) -> None:
    _edit(root / "content/taxonomy.yaml", "name: OpenAI", "name: OpenAI Inc.")


def _term_aliases(root: Path) -> None:
    # A new alias, and an article now using it.
    _edit(root / "content/taxonomy.yaml", "aliases: [ChatGPT]", "aliases: [ChatGPT, Open AI]")
    _edit(root / VOTE, "regulation: [eu-ai-act]", "regulation: [eu-ai-act]\ncompany: [Open AI]")


def _term_event(root: Path) -> None:
    _edit(root / "content/taxonomy.yaml", "label: Entry into force", "label: Entered into force")


def _template(root: Path) -> None:
    card = root / "templates/partials/card.html"
    card.write_text(card.read_text(encoding="utf-8") + "{# edited #}\n<!-- card v2 -->\n",
                    encoding="utf-8")


def _template_page(root: Path) -> None:
    _edit(root / "templates/base.html", "</body>", "<!-- edited --></body>")


def _static(root: Path) -> None:
    (root / "templates/static/extra.css").write_text("body { margin: 0 }\n", encoding="utf-8")


def _site_config(root: Path) -> None:
    _edit(root / "content/site.yaml", "title: AI Policy Digest", "title: The AI Policy Digest")


def _page_size(root: Path) -> None:
    _edit(root / "content/site.yaml", "page_size: 2 ", "page_size: 3 ")


def _deleted(root: Path) -> None:
    (root / PROPOSAL).unlink()


def _renamed(root: Path) -> None:
    (root / VOTE).rename(root / ARTICLES / "2024/03/parliament-adopts-ai-act.md")


def _added(root: Path) -> None:
    (root / ARTICLES / "2024/03/new-story.md").write_text(
        "---\ntitle: A new story\ndate: 2024-03-28\ncompany: [microsoft]\n"
        "regulation: [AI Act]\n---\nNew *body*.\n", encoding="utf-8")


def _published(root: Path) -> None:
    _edit(root / DRAFT, "status: draft", "status: published")


def _touched(root: Path) -> None:
    # Same bytes, new mtime: nothing changes.
    path = root / VOTE
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))


CHANGES: dict[str, Callable[[Path], None]] = {
    "article-body": _body, "article-tags": _tags, "article-date": _date,
    "article-date-other-month": _date_other_month, "article-title": _title,
    "term-description": _term_description, "term-name": _term_name,
    "term-aliases": _term_aliases, "term-event": _term_event, "template-partial": _template,
    "template-base": _template_page, "static-file": _static, "site-config": _site_config,
    "page-size": _page_size, "deleted-article": _deleted, "renamed-file": _renamed,
    "added-article": _added, "draft-published": _published, "touched-only": _touched,
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_cached_build_equals_clean_build(themed: Path, tmp_path: Path, change: str) -> None:
    out = tmp_path / "site"
    first = _build(themed, out)
    assert first.written == first.files
    CHANGES[change](themed)
    _build(themed, out)
    _build(themed, tmp_path / "clean", cache=False)
    assert_same_site(out, tmp_path / "clean")


def test_body_edit_reparses_one_file_and_rewrites_few(themed: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = _build(themed, out)
    _body(themed)
    second = _build(themed, out)
    assert second.parsed == 1
    assert 0 < second.written < first.files / 2
    assert second.unchanged == second.files - second.written


def test_no_change_rebuild_writes_nothing_and_keeps_mtimes(themed: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    _build(themed, out)
    before = _mtimes(out)
    again = _build(themed, out)
    assert (again.written, again.removed, again.parsed) == (0, 0, 0)
    assert again.unchanged == again.files
    assert _mtimes(out) == before


def test_unchanged_files_keep_their_mtimes(themed: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    _build(themed, out)
    before = _mtimes(out)
    _body(themed)
    _build(themed, out)
    after = _mtimes(out)
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert changed and "articles/2024/02/mistral-microsoft-partnership/index.html" in changed
    assert "articles/2021/04/ai-act-proposal/index.html" not in changed


def test_a_day_later_a_scheduled_article_is_published(themed: Path, tmp_path: Path) -> None:
    (themed / ARTICLES / "2026/12").mkdir(parents=True)
    (themed / ARTICLES / "2026/12/scheduled.md").write_text(
        "---\ntitle: Scheduled\ndate: 2026-12-01\ncompany: [openai]\n---\nLater.\n",
        encoding="utf-8")
    out = tmp_path / "site"
    first = _build(themed, out)
    assert first.scheduled == 1
    later = dt.date(2026, 12, 1)
    second = _build(themed, out, today=later)
    assert second.scheduled == 0 and second.written > 0
    _build(themed, tmp_path / "clean", cache=False, today=later)
    assert_same_site(out, tmp_path / "clean")


def test_drafts_option_switches_cleanly(themed: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    _build(themed, out)
    _build(themed, out, drafts=True)
    _build(themed, tmp_path / "clean", cache=False, drafts=True)
    assert_same_site(out, tmp_path / "clean")


def test_output_deleted_is_restored_from_the_page_store(themed: Path, tmp_path: Path) -> None:
    """CI restores .digest-cache into a fresh checkout: the pages come from the store."""
    out = tmp_path / "site"
    first = _build(themed, out)
    shutil.rmtree(out)
    again = _build(themed, out)
    assert again.rendered == 0 and again.written == first.files
    _build(themed, tmp_path / "clean", cache=False)
    assert_same_site(out, tmp_path / "clean")


def test_fresh_checkout_with_restored_cache_renders_only_what_changed(
        themed: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = _build(themed, out)
    shutil.rmtree(out)
    _body(themed)
    again = _build(themed, out)
    assert 0 < again.rendered < first.files / 2
    _build(themed, tmp_path / "clean", cache=False)
    assert_same_site(out, tmp_path / "clean")


def test_tampered_and_stray_output_files_are_repaired(themed: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    _build(themed, out)
    (out / "index.html").write_text("tampered", encoding="utf-8")
    (out / "stray.html").write_text("not ours", encoding="utf-8")
    (out / "robots.txt").unlink()
    _build(themed, out)
    _build(themed, tmp_path / "clean", cache=False)
    assert_same_site(out, tmp_path / "clean")


@pytest.mark.usefixtures("trusted")
@pytest.mark.parametrize("tamper", [
    "stray-file-in-page-folder", "stray-folder-deep", "file-removed", "folder-removed",
    "file-rewritten-same-size",
])
def test_one_change_to_the_output_is_noticed_by_a_no_change_build(
        themed: Path, tmp_path: Path, tamper: str) -> None:
    """The no-change check stats the remembered files and the folders, not the tree:
    any one change made to the output after a build still brings it back."""
    out = tmp_path / "site"
    _build(themed, out)
    nothing = _build(themed, out)
    assert nothing.rendered == nothing.written == nothing.removed == 0  # the no-change path
    page = next(p for p in sorted(out.glob("articles/*/*/*/index.html")))
    time.sleep(0.01)  # past the clock tick of the build's last change to the folders
    if tamper == "stray-file-in-page-folder":
        (page.parent / "notes.txt").write_text("not ours", encoding="utf-8")
    elif tamper == "stray-folder-deep":
        (page.parent / "a" / "b").mkdir(parents=True)
        (page.parent / "a" / "b" / "x.html").write_text("not ours", encoding="utf-8")
    elif tamper == "file-removed":
        page.unlink()
    elif tamper == "folder-removed":
        shutil.rmtree(page.parent)
    else:
        data = page.read_bytes()
        page.write_bytes(data.replace(b"<", b">", 1))  # a new mtime, the same size
    again = _build(themed, out)
    assert again.written + again.removed > 0
    _build(themed, tmp_path / "clean", cache=False)
    assert_same_site(out, tmp_path / "clean")


@pytest.mark.usefixtures("trusted")
@pytest.mark.parametrize("workers", [1, 2])
def test_quick_lane_keeps_the_folders_digest_exact(themed: Path, tmp_path: Path,
                                                   workers: int) -> None:
    """The quick lane updates the output folders' digest from the folders it moved files
    into: it equals one taken from every folder, so the next build takes the no-change
    path, and a stray file in a folder it wrote to is still noticed."""
    from digest import build as build_module
    from digest.cache import BuildCache
    from digest.sources import code_digest

    out = tmp_path / "site"
    _build(themed, out, workers=workers)
    with open(themed / PARTNERSHIP, "a", encoding="utf-8") as handle:
        handle.write("\nOne more paragraph.\n")
    quick = _build(themed, out, workers=workers)
    assert quick.parsed == 1 and quick.written > 0  # the quick lane wrote pages
    cache = BuildCache(themed / ".digest-cache")
    state = build_module._previous_state(cache, str(out), code_digest())
    assert state is not None
    assert state.folders == build_module._folders_digest(out, cache, str(out)) != b""
    nothing = _build(themed, out, workers=workers)
    assert nothing.rendered == nothing.written == nothing.parsed == 0  # no-change path
    page = out / "articles" / PARTNERSHIP.parent.relative_to(ARTICLES) / PARTNERSHIP.stem
    assert (page / "index.html").is_file()
    time.sleep(0.01)
    (page / "notes.txt").write_text("not ours", encoding="utf-8")
    again = _build(themed, out, workers=workers)
    assert again.removed == 1
    _build(themed, tmp_path / "clean", cache=False)
    assert_same_site(out, tmp_path / "clean")


def test_tampered_page_store_is_not_trusted(themed: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    _build(themed, out)
    shutil.rmtree(out)
    for blob in (themed / ".digest-cache/pages").rglob("*"):
        if blob.is_file():
            with open(blob, "ab") as handle:  # in place: the same inode, a new mtime
                handle.write(b"<!-- corrupted -->")
    _build(themed, out)
    _build(themed, tmp_path / "clean", cache=False)
    assert_same_site(out, tmp_path / "clean")


def test_corrupt_cache_file_is_ignored(themed: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    _build(themed, out)
    database = themed / ".digest-cache/build.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    database.write_bytes(b"this is not a database" * 100)
    _body(themed)
    _build(themed, out)
    _build(themed, tmp_path / "clean", cache=False)
    assert_same_site(out, tmp_path / "clean")


def test_corrupt_cache_entries_are_ignored(themed: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    _build(themed, out)
    with sqlite3.connect(themed / ".digest-cache/build.sqlite") as db:
        rows = db.execute("SELECT path, data FROM sources").fetchall()
        for path, data in rows:  # flip a byte in every parsed article
            damaged = bytearray(data)
            damaged[-3] ^= 0xFF
            db.execute("UPDATE sources SET data = ?, sig = 'x' WHERE path = ?",
                       (bytes(damaged), path))
        db.execute("UPDATE meta SET value = x'00'")
    shutil.rmtree(out)
    result = _build(themed, out)
    assert result.parsed == len(rows)
    _build(themed, tmp_path / "clean", cache=False)
    assert_same_site(out, tmp_path / "clean")


def test_failed_build_leaves_the_previous_site_untouched(themed: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    _build(themed, out)
    before, mtimes = _tree(out), _mtimes(out)
    _body(themed)  # something to write...
    _edit(themed / "templates/article.html", "{% block content %}",
          "{% block content %}{{ no_such_variable.attribute }}")  # ...and a template error
    with pytest.raises(DigestError):
        _build(themed, out)
    assert _tree(out) == before and _mtimes(out) == mtimes
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


def test_failed_build_in_a_worker_leaves_the_site_untouched(themed: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    _build(themed, out)
    before = _tree(out)
    _edit(themed / "templates/base.html", "</body>", "{{ no_such_variable.attribute }}</body>")
    with pytest.raises(DigestError):
        _build(themed, out, workers=2)
    assert _tree(out) == before


def test_interrupted_commit_is_completed_by_the_next_build(
        themed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    _build(themed, out)
    _title(themed)
    real_replace = os.replace
    calls = {"n": 0}

    def flaky_replace(source: object, target: object) -> None:
        # Let the journal land, then fail half-way through moving files in.
        if str(target).startswith(str(out)) and calls["n"] >= 2:
            raise KeyboardInterrupt("interrupted")
        if str(target).startswith(str(out)):
            calls["n"] += 1
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(write.os, "replace", flaky_replace)
    with pytest.raises(KeyboardInterrupt):
        _build(themed, out)
    monkeypatch.undo()
    assert [p for p in tmp_path.iterdir() if write.STAGE_MARK in p.name], "journal kept"
    _build(themed, out)
    assert [p for p in tmp_path.iterdir() if ".tmp-" in p.name] == []
    _build(themed, tmp_path / "clean", cache=False)
    assert_same_site(out, tmp_path / "clean")


def test_interrupted_before_the_journal_leaves_the_old_site(
        themed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    _build(themed, out)
    before = _tree(out)
    _title(themed)

    def interrupted(self: write.StagedWriter) -> None:
        raise KeyboardInterrupt("interrupted")

    monkeypatch.setattr(write.StagedWriter, "commit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _build(themed, out)
    monkeypatch.undo()
    assert _tree(out) == before
    _build(themed, out)
    _build(themed, tmp_path / "clean", cache=False)
    assert_same_site(out, tmp_path / "clean")


def test_process_pool_gives_the_same_site(themed: Path, tmp_path: Path) -> None:
    pooled = _build(themed, tmp_path / "pooled", workers=2)
    _build(themed, tmp_path / "clean", cache=False, workers=1)
    assert_same_site(tmp_path / "pooled", tmp_path / "clean")
    _body(themed)
    _tags(themed)
    _build(themed, tmp_path / "pooled", workers=2)
    _build(themed, tmp_path / "clean2", cache=False, workers=1)
    assert_same_site(tmp_path / "pooled", tmp_path / "clean2")
    assert pooled.files > 0


def test_replaced_workers_give_the_same_site(themed: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers replaced after every task (a fresh fork, empty memos) change nothing."""
    from digest import build as build_module
    from digest import parallel

    pids = tmp_path / "pids"
    real = build_module._render_chunk

    def render_chunk(chunk: list[int]) -> object:
        with open(pids, "a", encoding="ascii") as handle:
            handle.write(f"{os.getpid()}\n")
        return real(chunk)

    # Found by name when the pool sends it to a worker, as the real one is.
    render_chunk.__module__, render_chunk.__qualname__ = real.__module__, real.__qualname__
    monkeypatch.setattr(build_module, "_render_chunk", render_chunk)
    monkeypatch.setattr(parallel, "ITEMS_PER_WORKER", 1)
    monkeypatch.setattr(build_module, "LISTING_ITEMS_PER_WORKER", 1)
    _build(themed, tmp_path / "pooled", workers=2)
    _build(themed, tmp_path / "clean", cache=False, workers=1)
    assert_same_site(tmp_path / "pooled", tmp_path / "clean")
    assert len(set(pids.read_text(encoding="ascii").split())) > 2  # workers were replaced


def test_replaced_workers_read_markdown_from_the_build_store(
        themed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cold build renders each article body once (while parsing); pages and feeds read
    it from the store, also in a worker the pool forked from its own thread."""
    import hashlib

    from digest import build as build_module
    from digest import markdown, parallel

    log = tmp_path / "rendered"
    real = markdown.render_uncached

    def render_uncached(text: str) -> str:
        with open(log, "a", encoding="ascii") as handle:  # from any process
            handle.write(hashlib.sha256(text.encode()).hexdigest() + "\n")
        return real(text)

    monkeypatch.setattr(markdown, "render_uncached", render_uncached)
    monkeypatch.setattr(parallel, "ITEMS_PER_WORKER", 1)
    monkeypatch.setattr(build_module, "LISTING_ITEMS_PER_WORKER", 1)
    _build(themed, tmp_path / "site", workers=2)
    rendered = log.read_text(encoding="ascii").split()
    bodies = {hashlib.sha256(path.read_text(encoding="utf-8").split("---\n", 2)[2].encode())
              .hexdigest() for path in (themed / ARTICLES).rglob("*.md")}
    assert bodies <= set(rendered)
    assert [digest for digest in rendered if digest in bodies and rendered.count(digest) > 1] == []


def test_search_index_is_kept_when_no_page_changed(themed: Path, tmp_path: Path) -> None:
    pytest.importorskip("pagefind")
    out = tmp_path / "site"
    first = _build(themed, out, search=True)
    if not (out / "pagefind").is_dir():
        pytest.skip("pagefind wrote no index here")
    bundle = _mtimes(out / "pagefind")
    _edit(themed / "content/site.yaml", "feed_size: 50", "feed_size: 49")  # no HTML changes
    second = _build(themed, out, search=True)
    assert _mtimes(out / "pagefind") == bundle and second.indexed == first.indexed
    _body(themed)  # an article page changes: the index is rebuilt in a full view of the site
    third = _build(themed, out, search=True)
    assert third.indexed == first.indexed
    assert _mtimes(out / "pagefind") != bundle  # indexed again, not kept
    assert {p for p in _tree(out) if p.startswith("pagefind/")}


def test_repeated_builds_in_one_process_use_memory_and_stay_exact(
        themed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`digest serve` rebuilds in one process: what it keeps in memory between builds
    (parsed articles, config, taxonomy, related lists) never hides a change."""
    from digest import incremental

    monkeypatch.setattr(incremental, "RACY_NS", -1)  # trust stat signatures at once
    out = tmp_path / "site"
    _build(themed, out)
    _build(themed, out)  # memory now warm
    for number, step in enumerate((_body, _title, _term_description, _tags, _site_config)):
        step(themed)
        again = _build(themed, out)
        assert again.parsed <= 5
        clean = tmp_path / f"clean-{number}"
        _build(themed, clean, cache=False)
        assert_same_site(out, clean)


def test_random_edit_sequence_stays_equal_to_clean_builds(themed: Path, tmp_path: Path) -> None:
    """A seeded walk through the kinds of change, comparing after every step."""
    rng = random.Random(6)
    out = tmp_path / "site"
    _build(themed, out)
    steps = [_body, _tags, _title, _term_description, _template, _site_config, _added,
             _published, _date]
    rng.shuffle(steps)
    for number, step in enumerate(steps):
        step(themed)
        _build(themed, out, workers=rng.choice((None, 1, 2)))
        clean = tmp_path / f"clean-{number}"
        _build(themed, clean, cache=False)
        assert_same_site(out, clean)


@pytest.fixture
def trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trust stat signatures at once (the files of a test are seconds old), so that the
    no-change check and the quick lane, which need settled inputs, are exercised."""
    from digest import build as build_module
    from digest import incremental

    monkeypatch.setattr(build_module, "RACY_NS", -1)
    monkeypatch.setattr(incremental, "RACY_NS", -1)


@pytest.mark.usefixtures("trusted")
def test_body_edits_take_the_quick_lane_and_stay_exact(themed: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from digest import quick

    out = tmp_path / "site"
    first = _build(themed, out)
    taken: list[bool] = []
    real = quick.quick_build

    def spy(*args: object, **kwargs: object) -> object:
        found = real(*args, **kwargs)  # type: ignore[arg-type]
        taken.append(found is not None)
        return found

    monkeypatch.setattr(quick, "quick_build", spy)
    for number in range(3):
        with open(themed / PARTNERSHIP, "a", encoding="utf-8") as handle:
            handle.write(f"\nOne more paragraph, number {number}.\n")
        result = _build(themed, out)
        assert taken[-1], "a body-only edit should not need the whole site"
        assert result.parsed == 1 and 0 < result.written < first.files / 4
        clean = tmp_path / f"clean-{number}"
        _build(themed, clean, cache=False)
        assert_same_site(out, clean)
    _title(themed)  # not a body edit: the full build
    _build(themed, out)
    assert not taken[-1]
    _build(themed, tmp_path / "clean-title", cache=False)
    assert_same_site(out, tmp_path / "clean-title")
    _body(themed)  # and the quick lane again, on the state the full build left
    _build(themed, out)
    assert taken[-1]
    _build(themed, tmp_path / "clean-last", cache=False)
    assert_same_site(out, tmp_path / "clean-last")


@pytest.mark.usefixtures("trusted")
def test_quick_lane_steps_aside_for_a_page_that_reads_the_site_model(
        themed: Path, tmp_path: Path) -> None:
    # The article page now reads the site model: a body edit can no longer be rebuilt
    # from the article alone, and the full build must run (and be exact).
    _edit(themed / "templates/article.html", "{% block content %}",
          "{% block content %}<!-- {{ model.articles | length }} articles -->")
    out = tmp_path / "site"
    _build(themed, out)
    _body(themed)
    _build(themed, out)
    _build(themed, tmp_path / "clean", cache=False)
    assert_same_site(out, tmp_path / "clean")


@pytest.mark.usefixtures("trusted")
def test_no_change_check_and_quick_lane_notice_a_tampered_output(
        themed: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    _build(themed, out)
    (out / "articles/2024/02/mistral-microsoft-partnership/index.html").write_text(
        "tampered", encoding="utf-8")
    _body(themed)
    _build(themed, out)
    _build(themed, tmp_path / "clean", cache=False)
    assert_same_site(out, tmp_path / "clean")
    (out / "index.html").write_text("tampered", encoding="utf-8")
    _build(themed, out)  # nothing changed but the output
    assert_same_site(out, tmp_path / "clean")


def test_a_macro_that_a_partial_imports_is_memoized_too() -> None:
    """A partial's macro called from another partial's macro (a timeline's entries) is
    rendered once per distinct arguments, whatever the names of the two files."""
    import jinja2

    from digest.fingerprint import Fingerprints, Recorder

    calls: list[str] = []
    env = jinja2.Environment(loader=jinja2.DictLoader({
        "page.html": '{% from "partials/list.html" import listing %}{{ listing(items) }}',
        "partials/list.html": '{% from "partials/z-item.html" import item %}'
                              "{% macro listing(items) %}{% for i in items %}{{ item(i) }}"
                              "{% endfor %}{% endmacro %}",
        "partials/z-item.html": "{% macro item(name) %}<li>{{ seen(name) }}</li>{% endmacro %}",
    }))
    env.globals["seen"] = lambda name: calls.append(name) or name
    memoized = Recorder().memoize_macros(env, Fingerprints(None, b"", {}, {}))  # type: ignore[arg-type]
    assert sorted(memoized) == ["partials/list.html:listing", "partials/z-item.html:item"]
    html = env.get_template("page.html").render(items=["a", "b", "a"])
    assert html == "<li>a</li><li>b</li><li>a</li>"
    assert calls == ["a", "b"]
