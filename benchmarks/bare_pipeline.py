"""The floor: how fast the libraries digest is built on can turn the corpus into pages.

A bare pipeline over the same synthetic digest project the build benchmark writes
(`benchmarks/corpus.py`): PyYAML's C loader for the front matter, markdown-it-py for the
body (CommonMark, tables, footnotes, as digest configures it), Jinja2 with a minimal
template per page, and a file written per page: the article pages, the term pages
paginated like digest's, the front page paginated. No validation, no taxonomy
resolution, no related articles, feeds, timeline, data export, cache or translations.
It runs in a process pool sized to the machine, like digest's build.

Not a test: it prints wall and CPU times, and digest's cold build time if given, so that
a performance target can be checked against what the stack itself allows.

    python benchmarks/build_bench.py --n 10000 --only digest   # writes the corpus
    python benchmarks/bare_pipeline.py WORK/n10000-seed1/digest  # WORK: build_bench's --work
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import jinja2
import yaml

ARTICLE = """<!doctype html><html lang="{{ lang }}"><head><meta charset="utf-8">
<title>{{ title }} — {{ site }}</title></head><body><header><a href="/">{{ site }}</a></header>
<main><article><h1>{{ title }}</h1><p><time datetime="{{ date }}">{{ date }}</time></p>
<p class="lede">{{ summary }}</p><div class="body">{{ body | safe }}</div></article>
<ul class="tags">{% for tax, slugs in terms.items() %}{% for slug in slugs %}
<li><a href="/{{ tax }}/{{ slug }}/">{{ slug }}</a></li>{% endfor %}{% endfor %}</ul>
</main></body></html>
"""
LISTING = """<!doctype html><html><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>{% for a in articles %}<article class="card">
<p><time datetime="{{ a.date }}">{{ a.date }}</time></p><h2><a href="{{ a.url }}">{{ a.title }}</a></h2>
<p>{{ a.summary }}</p><ul>{% for tax, slugs in a.terms.items() %}{% for slug in slugs %}
<li><a href="/{{ tax }}/{{ slug }}/">{{ slug }}</a></li>{% endfor %}{% endfor %}</ul></article>
{% endfor %}</main></body></html>
"""

_env: jinja2.Environment | None = None
_out: Path = Path()


def _setup(out: Path) -> None:
    global _env, _out
    _env = jinja2.Environment(autoescape=True)
    _out = out


def _markdown() -> object:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    return md.use(footnote_plugin)


def _articles(paths: list[str]) -> list[dict[str, object]]:
    """Read, parse, render and write a chunk of articles; return their cards."""
    assert _env is not None
    md = _markdown()
    template = _env.from_string(ARTICLE)
    cards = []
    for path in paths:
        text = Path(path).read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        meta = yaml.load(front, Loader=yaml.CSafeLoader)
        slug = Path(path).stem
        date = str(meta["date"])
        terms = {tax: meta.get(tax) or [] for tax in ("company", "regulation", "deal", "regulator")}
        terms = {tax: slugs if isinstance(slugs, list) else [slugs] for tax, slugs in terms.items()}
        html = template.render(title=meta["title"], site="Digest", lang=meta.get("lang", "en"),
                               date=date, summary=meta.get("summary", ""),
                               body=md.render(body), terms=terms)  # type: ignore[attr-defined]
        folder = _out / "articles" / date[:4] / slug
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(html, encoding="utf-8")
        cards.append({"url": f"/articles/{date[:4]}/{slug}/", "title": meta["title"],
                      "date": date, "summary": meta.get("summary", ""), "terms": terms})
    return cards


def _listings(jobs: list[tuple[str, str, list[dict[str, object]]]]) -> int:
    assert _env is not None
    template = _env.from_string(LISTING)
    for path, title, articles in jobs:
        folder = _out / path
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(template.render(title=title, articles=articles),
                                           encoding="utf-8")
    return len(jobs)


def run(project: Path, out: Path, workers: int, page_size: int, term_page_size: int) -> int:
    files = sorted(str(p) for p in (project / "content" / "articles").rglob("*.md"))
    size = max(1, len(files) // (workers * 8))
    chunks = [files[i: i + size] for i in range(0, len(files), size)]
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_setup, initargs=(out,)) as pool:
        cards = [card for chunk in pool.map(_articles, chunks) for card in chunk]
        cards.sort(key=lambda c: str(c["date"]), reverse=True)
        jobs: list[tuple[str, str, list[dict[str, object]]]] = []
        for number, start in enumerate(range(0, len(cards), page_size), start=1):
            jobs.append((f"page/{number}", "Digest", cards[start: start + page_size]))
        by_term: dict[tuple[str, str], list[dict[str, object]]] = {}
        for card in cards:
            for tax, slugs in card["terms"].items():  # type: ignore[attr-defined]
                for slug in slugs:
                    by_term.setdefault((tax, slug), []).append(card)
        for (tax, slug), listed in by_term.items():
            for number, start in enumerate(range(0, len(listed), term_page_size), start=1):
                jobs.append((f"{tax}/{slug}/page/{number}", slug, listed[start: start + term_page_size]))
        step = max(1, len(jobs) // (workers * 8))
        pages = sum(pool.map(_listings, [jobs[i: i + step] for i in range(0, len(jobs), step)]))
    return len(files) + pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path, help="a digest project written by corpus.py")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--page-size", type=int, default=20)
    parser.add_argument("--term-page-size", type=int, default=50)
    args = parser.parse_args()
    walls = []
    for _ in range(args.repeat):
        out = Path(tempfile.mkdtemp(prefix="bare-"))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        written = run(args.project, out, args.workers, args.page_size, args.term_page_size)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        walls.append(wall)
        print(f"bare pipeline: {written:,} pages in {wall:.2f} s "
              f"({cpu:.1f} s CPU in {args.workers} workers)", file=sys.stderr)
        shutil.rmtree(out)
    walls.sort()
    print(f"median {walls[len(walls) // 2]:.2f} s, best {walls[0]:.2f} s")


if __name__ == "__main__":
    main()
