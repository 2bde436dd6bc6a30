"""A deterministic synthetic corpus for the build benchmark, written for three generators.

The same N articles (realistic length and Markdown, four taxonomies, dates over several
years, about a fifth in French or German) are written as:

- a digest project (`content/site.yaml`, `content/taxonomy.yaml`, `content/articles/`),
  with a copy of the default theme in `templates/` so a template can be edited;
- a Hugo site (YAML front matter, one taxonomy per digest taxonomy, a term `_index.md`
  with each term's description, a minimal theme with the same pages);
- a Pelican site (Markdown with Pelican metadata; every term as a tag, since Pelican has
  tags and one category only).

Equivalent pages: one page per article (with five related articles where the generator
can compute them: digest and Hugo), one page per taxonomy term paginated by 20, a
paginated index by 20, per-term and site-wide Atom feeds of 20 entries.

    python benchmarks/corpus.py --n 10000 --out ../corpus   # writes digest/, hugo/, pelican/
"""

# ruff: noqa: E501  (the Hugo templates below are long lines of HTML)
from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 29)
FIRST_DAY = dt.date(2019, 1, 1)
LAST_DAY = dt.date(2026, 10, 31)
PAGE_SIZE = 20
TAXONOMIES = ("company", "regulation", "deal", "regulator")
TERM_COUNTS = {"company": 160, "regulation": 45, "deal": 90, "regulator": 35}

SYLLABLES = ("ne", "xo", "ra", "vi", "ta", "lu", "mi", "so", "ka", "de", "ON", "qu", "ar", "el",
             "to", "fi", "za", "po", "ly", "gen", "ai", "tek", "mo", "ri", "sa", "va", "cor")
COMPANY_SUFFIX = ("AI", "Labs", "Systems", "Robotics", "Cloud", "Analytics", "Technologies", "")
JURISDICTIONS = ("EU", "US", "UK", "FR", "DE", "CN", "JP", "CA", "BR", "IN", "KR", "US-CA")
COUNTRIES = ("US", "FR", "DE", "GB", "CN", "CA", "JP", "KR", "IL", "NL", "SE", "IN")
STATUSES = ("proposed", "negotiating", "provisionally-agreed", "adopted", "in-force",
            "applying", "signed", "non-binding")

WORDS = {
    "en": ("regulators", "model", "frontier", "compute", "transparency", "obligations",
           "providers", "deployers", "systemic", "risk", "audit", "the", "commission", "said",
           "on", "Tuesday", "that", "its", "review", "of", "the", "agreement", "would",
           "examine", "whether", "investment", "gives", "control", "over", "training", "data",
           "and", "copyright", "rules", "apply", "to", "general-purpose", "systems", "while",
           "lawmakers", "pressed", "for", "stricter", "oversight", "a", "spokesperson",
           "declined", "to", "comment", "on", "the", "timeline", "for", "enforcement", "in",
           "member", "states", "safety", "institute", "evaluation", "benchmark", "licence",
           "liability", "biometric", "surveillance", "watermarking", "disclosure", "fines",
           "market", "competition", "merger", "partnership", "cloud", "credits", "chips"),
    "fr": ("les", "régulateurs", "modèle", "obligations", "fournisseurs", "la", "commission",
           "a", "annoncé", "mardi", "que", "son", "examen", "de", "l'accord", "porterait",
           "sur", "la", "transparence", "des", "données", "d'entraînement", "et", "le",
           "droit", "d'auteur", "les", "eurodéputés", "réclament", "un", "contrôle", "plus",
           "strict", "du", "marché", "concurrence", "partenariat", "investissement",
           "sécurité", "évaluation", "amendes", "surveillance", "biométrique", "risque",
           "systémique", "calendrier", "application", "États", "membres", "porte-parole"),
    "de": ("die", "Aufsichtsbehörden", "Modell", "Pflichten", "Anbieter", "Kommission",
           "erklärte", "am", "Dienstag", "dass", "ihre", "Prüfung", "der", "Vereinbarung",
           "Transparenz", "Trainingsdaten", "und", "Urheberrecht", "umfassen", "werde",
           "Abgeordnete", "fordern", "strengere", "Aufsicht", "Wettbewerb", "Partnerschaft",
           "Investition", "Sicherheit", "Bewertung", "Bußgelder", "biometrische",
           "Überwachung", "systemisches", "Risiko", "Zeitplan", "Durchsetzung",
           "Mitgliedstaaten", "Sprecher", "Markt", "Rechenleistung", "Haftung"),
}
HEADINGS = {
    "en": ("What happened", "Why it matters", "Reactions", "Background", "What comes next"),
    "fr": ("Ce qui s'est passé", "Pourquoi c'est important", "Réactions", "Contexte", "La suite"),
    "de": ("Was geschah", "Warum es wichtig ist", "Reaktionen", "Hintergrund", "Wie es weitergeht"),
}
SOURCES = (("Example Wire", "news.example.com", "en"), ("Policy Daily", "policy.example.org", "en"),
           ("Journal Exemple", "journal.example.fr", "fr"), ("Beispiel Zeitung", "zeitung.example.de", "de"),
           ("Tech Ledger", "ledger.example.net", "en"), ("Brussels Notes", "notes.example.eu", "en"))


@dataclass(slots=True)
class Term:
    taxonomy: str
    slug: str
    name: str
    aliases: list[str]
    description: str
    fields: dict[str, object] = field(default_factory=dict)
    events: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class Article:
    index: int
    slug: str
    title: str
    date: dt.datetime
    lang: str
    summary: str
    body: str
    sources: list[tuple[str, str, str]]
    terms: dict[str, list[str]]
    mentions: list[str]

    @property
    def folder(self) -> str:
        return f"{self.date.year:04d}/{self.date.month:02d}"


@dataclass(slots=True)
class Corpus:
    terms: dict[str, list[Term]]
    articles: list[Article]


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = "".join(c.lower() if c.isalnum() else "-" for c in ascii_text)
    return "-".join(p for p in out.split("-") if p)


def _sentence(rng: random.Random, lang: str, low: int = 12, high: int = 26) -> str:
    words = [rng.choice(WORDS[lang]) for _ in range(rng.randint(low, high))]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def _paragraph(rng: random.Random, lang: str, names: list[str]) -> str:
    sentences = [_sentence(rng, lang) for _ in range(rng.randint(2, 4))]
    words = sentences[0].split(" ")
    at = rng.randrange(1, len(words))
    decoration = rng.random()
    if decoration < 0.3:
        words[at] = f"**{words[at]}**"
    elif decoration < 0.55:
        words[at] = f"*{words[at]}*"
    elif decoration < 0.8:
        words[at] = f"[{words[at]}](https://www.example.org/{_slug(words[at]) or 'x'}/{at})"
    if names:
        words.insert(at, rng.choice(names))
    sentences[0] = " ".join(words)
    return " ".join(sentences)


def _body(rng: random.Random, lang: str, names: list[str]) -> str:
    blocks = [_paragraph(rng, lang, names) for _ in range(rng.randint(2, 3))]
    heading = list(HEADINGS[lang])
    rng.shuffle(heading)
    blocks.append(f"## {heading[0]}")
    blocks.extend(_paragraph(rng, lang, names) for _ in range(rng.randint(1, 2)))
    blocks.append("\n".join(f"- {_sentence(rng, lang, 5, 12)}" for _ in range(rng.randint(3, 5))))
    if rng.random() < 0.15:
        blocks.append("> " + _sentence(rng, lang, 15, 30))
    if rng.random() < 0.1:
        rows = "\n".join(f"| {rng.choice(names or ['—'])} | {rng.randint(1, 900)} |"
                         for _ in range(rng.randint(2, 4)))
        blocks.append(f"| party | value |\n|---|---:|\n{rows}")
    blocks.append(f"## {heading[1]}")
    blocks.extend(_paragraph(rng, lang, names) for _ in range(rng.randint(1, 2)))
    if rng.random() < 0.1:
        blocks[-1] += "[^1]"
        blocks.append(f"[^1]: {_sentence(rng, lang, 6, 12)}")
    return "\n\n".join(blocks) + "\n"


def _zipf_pick(rng: random.Random, items: list[Term], exponent: float) -> Term:
    # Index drawn with a power law: a few terms are in thousands of articles.
    weight = rng.random() ** exponent
    return items[min(len(items) - 1, int(weight * len(items)))]


def make_terms(seed: int) -> dict[str, list[Term]]:
    rng = random.Random(seed * 7919 + 1)
    terms: dict[str, list[Term]] = {}
    used: set[str] = set()
    for tax in TAXONOMIES:
        found: list[Term] = []
        while len(found) < TERM_COUNTS[tax]:
            if tax == "company":
                name = f"{_name(rng, rng.randint(2, 3))} {rng.choice(COMPANY_SUFFIX)}".strip()
            elif tax == "regulation":
                name = f"{rng.choice(JURISDICTIONS)} {_name(rng, 2)} Act {rng.randint(2019, 2026)}"
            elif tax == "deal":
                name = f"{_name(rng, 2)}–{_name(rng, 2)} partnership"
            else:
                name = f"{rng.choice(JURISDICTIONS)} {_name(rng, 3)} Authority"
            slug = _slug(name)
            alias = f"{name} ({tax})"
            if slug in used or _slug(alias) in used or not slug:
                continue
            used.update((slug, _slug(alias)))
            description = (f"{name} is a synthetic {tax} for the benchmark. "
                           + _sentence(rng, "en", 10, 20) + "\n\n" + _sentence(rng, "en", 10, 20))
            term = Term(tax, slug, name, [alias], description)
            if tax == "company":
                term.fields["country"] = rng.choice(COUNTRIES)
            elif tax == "regulation":
                term.fields["jurisdiction"] = rng.choice(JURISDICTIONS)
                term.fields["status"] = rng.choice(STATUSES)
            elif tax == "regulator":
                term.fields["jurisdiction"] = rng.choice(JURISDICTIONS)
            for _ in range(rng.randint(0, 3) if tax in ("regulation", "deal") else 0):
                day = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days))
                term.events.append((day.isoformat(), _sentence(rng, "en", 3, 7).rstrip(".")))
            term.events.sort()
            found.append(term)
        terms[tax] = found
    for deal in terms["deal"]:
        parties = rng.sample(terms["company"], 2)
        deal.fields["parties"] = [p.slug for p in parties]
    return terms


def make_corpus(n: int, seed: int = 1) -> Corpus:
    """N articles and the taxonomy they use: the same for the same (n, seed)."""
    terms = make_terms(seed)
    rng = random.Random(seed)
    span = int((dt.datetime.combine(LAST_DAY, dt.time()) - dt.datetime.combine(FIRST_DAY, dt.time()))
               .total_seconds())
    articles: list[Article] = []
    start = dt.datetime.combine(FIRST_DAY, dt.time(), tzinfo=dt.UTC)
    for index in range(n):
        roll = rng.random()
        lang = "fr" if roll < 0.13 else "de" if roll < 0.2 else "en"
        when = start + dt.timedelta(seconds=rng.randrange(span) // 60 * 60)
        chosen: dict[str, list[str]] = {}
        names: list[str] = []
        for tax, count, exponent in (("company", rng.randint(1, 3), 2.2),
                                     ("regulation", rng.choice((0, 0, 1, 1, 2)), 1.8),
                                     ("deal", rng.choice((0, 0, 0, 1)), 1.5),
                                     ("regulator", rng.choice((0, 0, 1)), 1.5)):
            picked: list[Term] = []
            for _ in range(count):
                term = _zipf_pick(rng, terms[tax], exponent)
                if term not in picked:
                    picked.append(term)
            if picked:
                chosen[tax] = [t.slug for t in picked]
                names.extend(t.name for t in picked)
        mentions = [t.slug for t in rng.sample(terms["company"], rng.choice((0, 0, 1, 2)))
                    if t.slug not in chosen.get("company", [])]
        title_words = _sentence(rng, lang, 5, 10).rstrip(".").split(" ")
        title = " ".join([names[0], *title_words[1:]]) if names else " ".join(title_words)
        slug = f"{_slug(title)[:60].rstrip('-')}-{index}"
        sources = [rng.choice(SOURCES) for _ in range(rng.randint(1, 2))]
        articles.append(Article(
            index=index, slug=slug, title=title, date=when, lang=lang,
            summary=_sentence(rng, lang, 15, 30), body=_body(rng, lang, names),
            sources=[(name, f"https://{host}/{when.year}/{slug}", slang)
                     for name, host, slang in dict.fromkeys(sources)],
            terms=chosen, mentions=mentions,
        ))
    return Corpus(terms, articles)


def _q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- digest ---------------------------------------------------------------------------

SITE_YAML = """\
title: Synthetic AI Policy Digest
description: A synthetic corpus for the build benchmark.
base_url: https://bench.example.org/
language: en
languages: [en, fr, de, es, it]
author: The benchmark
page_size: {page}
term_page_size: {page}
feed_size: {page}
related_count: 5
"""


def write_digest(corpus: Corpus, root: Path) -> None:
    """The corpus as a digest project, with the default theme copied into templates/."""
    content = root / "content"
    (content / "articles").mkdir(parents=True, exist_ok=True)
    shipped = (REPO / "content" / "site.yaml").read_text(encoding="utf-8")
    taxonomies = shipped[shipped.index("\ntaxonomies:") + 1:]
    (content / "site.yaml").write_text(SITE_YAML.format(page=PAGE_SIZE) + taxonomies,
                                       encoding="utf-8")
    lines: list[str] = []
    for tax in TAXONOMIES:
        lines.append(f"{tax}:")
        for term in corpus.terms[tax]:
            lines.append(f"  {term.slug}:")
            lines.append(f"    name: {_q(term.name)}")
            lines.append(f"    aliases: [{', '.join(_q(a) for a in term.aliases)}]")
            lines.append("    description: |-")
            lines.extend(f"      {line}" if line else "" for line in term.description.split("\n"))
            for key, value in term.fields.items():
                shown = f"[{', '.join(value)}]" if isinstance(value, list) else _q(str(value))
                lines.append(f"    {key}: {shown}")
            if term.events:
                lines.append("    events:")
                for day, label in term.events:
                    lines.append(f"      - {{date: {day}, label: {_q(label)}}}")
    (content / "taxonomy.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for article in corpus.articles:
        front = [
            "---",
            f"title: {_q(article.title)}",
            f"date: {article.date.strftime('%Y-%m-%dT%H:%M:%SZ')}",
            f"lang: {article.lang}",
            f"summary: {_q(article.summary)}",
            "sources:",
        ]
        for name, url, lang in article.sources:
            front += [f"  - name: {name}", f"    url: {url}", f"    lang: {lang}"]
        for tax, slugs in article.terms.items():
            front.append(f"{tax}: [{', '.join(slugs)}]")
        if article.mentions:
            front += ["mentions:", f"  company: [{', '.join(article.mentions)}]"]
        front.append("---")
        path = content / "articles" / article.folder / f"{article.slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(front) + "\n" + article.body, encoding="utf-8")
    if (root / "templates").exists():
        shutil.rmtree(root / "templates")
    shutil.copytree(REPO / "templates", root / "templates")


# -- Hugo -----------------------------------------------------------------------------

HUGO_CONFIG = """\
baseURL = "https://bench.example.org/"
languageCode = "en"
title = "Synthetic AI Policy Digest"
paginate = {page}
rssLimit = {page}
disableKinds = []

[permalinks]
  articles = "/articles/:year/:month/:slug/"

[taxonomies]
  company = "company"
  regulation = "regulation"
  deal = "deal"
  regulator = "regulator"

[related]
  includeNewer = true
  threshold = 1
  toLower = false
  [[related.indices]]
    name = "deal"
    weight = 4
  [[related.indices]]
    name = "regulation"
    weight = 3
  [[related.indices]]
    name = "regulator"
    weight = 2
  [[related.indices]]
    name = "company"
    weight = 1

[markup.goldmark.renderer]
  unsafe = false
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """<!doctype html>
<html lang="{{ site.LanguageCode }}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} — {{ site.Title }}{{ end }}</title>
<link rel="canonical" href="{{ .Permalink }}">
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .Permalink }}">{{ end }}
<meta property="og:title" content="{{ .Title }}"><meta property="og:url" content="{{ .Permalink }}">
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav><ul>{{ range $name, $terms := site.Taxonomies }}<li><a href="{{ printf "/%s/" $name | relURL }}">{{ $name }}</a></li>{{ end }}</ul></nav>
</header>
<main>{{ block "main" . }}{{ end }}</main>
<footer><p>{{ site.Title }}</p></footer>
</body>
</html>
""",
    # Tags from the front matter, not .GetTerms: several times faster in Hugo (the card is
    # on every listing and under every article), so Hugo is measured at its best.
    "partials/card.html": """<article class="card">
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></p>
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p class="summary">{{ .Params.summary }}</p>
<ul class="tags">{{ range $tax := slice "company" "regulation" "deal" "regulator" }}{{ range (index $.Params $tax) }}<li><a href="{{ printf "/%s/%s/" $tax . | relURL }}">{{ . }}</a></li>{{ end }}{{ end }}</ul>
</article>
""",
    "_default/single.html": """{{ define "main" }}
<article>
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></p>
<h1>{{ .Title }}</h1>
<p class="lede">{{ .Params.summary }}</p>
<div class="body">{{ .Content }}</div>
</article>
<aside>
<h2>Sources</h2><ul>{{ range .Params.sources }}<li><a href="{{ .url }}" hreflang="{{ .lang }}">{{ .name }}</a></li>{{ end }}</ul>
<h2>Tags</h2><dl>{{ range $tax := slice "company" "regulation" "deal" "regulator" }}{{ with ($.GetTerms $tax) }}<dt>{{ $tax }}</dt><dd>{{ range . }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</dd>{{ end }}{{ end }}</dl>
</aside>
{{ $related := .Site.RegularPages.Related . | first 5 }}
{{ with $related }}<section class="related"><h2>Related articles</h2>{{ range . }}{{ partial "card.html" . }}{{ end }}</section>{{ end }}
{{ end }}
""",
    "_default/list.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = where site.RegularPages "Section" "articles" }}{{ end }}
{{ $pager := .Paginate $pages }}
{{ range $pager.Pages }}{{ partial "card.html" . }}{{ end }}
<nav class="pager">{{ with $pager.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }} {{ $pager.PageNumber }} / {{ $pager.TotalPages }} {{ with $pager.Next }}<a href="{{ .URL }}">Older</a>{{ end }}</nav>
{{ end }}
""",
    "_default/terms.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
}


def write_hugo(corpus: Corpus, root: Path) -> None:
    """The corpus as a Hugo site: same articles, taxonomies, term descriptions, theme pages."""
    (root / "content" / "articles").mkdir(parents=True, exist_ok=True)
    (root / "hugo.toml").write_text(HUGO_CONFIG.format(page=PAGE_SIZE), encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        path = root / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for tax in TAXONOMIES:
        for term in corpus.terms[tax]:
            folder = root / "content" / tax / term.slug
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "_index.md").write_text(
                f"---\ntitle: {_q(term.name)}\n---\n{term.description}\n", encoding="utf-8")
    for article in corpus.articles:
        front = [
            "---",
            f"title: {_q(article.title)}",
            f"date: {article.date.strftime('%Y-%m-%dT%H:%M:%SZ')}",
            f"slug: {article.slug}",
            f"summary: {_q(article.summary)}",
            "sources:",
        ]
        for name, url, lang in article.sources:
            front += [f"  - name: {name}", f"    url: {url}", f"    lang: {lang}"]
        for tax, slugs in article.terms.items():
            front.append(f"{tax}: [{', '.join(slugs)}]")
        front.append("---")
        path = root / "content" / "articles" / article.folder / f"{article.slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(front) + "\n" + article.body, encoding="utf-8")


# -- Pelican --------------------------------------------------------------------------

PELICAN_CONF = """\
AUTHOR = "The benchmark"
SITENAME = "Synthetic AI Policy Digest"
SITEURL = "https://bench.example.org"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = {page}
ARTICLE_URL = "articles/{{date:%Y}}/{{date:%m}}/{{slug}}/"
ARTICLE_SAVE_AS = "articles/{{date:%Y}}/{{date:%m}}/{{slug}}/index.html"
ARTICLE_LANG_URL = ARTICLE_URL
ARTICLE_LANG_SAVE_AS = ARTICLE_SAVE_AS
TAG_URL = "tag/{{slug}}/"
TAG_SAVE_AS = "tag/{{slug}}/index.html"
PAGINATION_PATTERNS = ((1, "{{url}}", "{{save_as}}"),
                       (2, "{{url}}page/{{number}}/", "{{base_name}}/page/{{number}}/index.html"))
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feed.xml"
TAG_FEED_ATOM = "tag/{{slug}}/feed.xml"
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
FEED_MAX_ITEMS = {page}
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
CACHE_CONTENT = {cache}
LOAD_CONTENT_CACHE = {cache}
CACHE_PATH = "cache"
RELATIVE_URLS = False
THEME = "theme"
"""


def write_pelican(corpus: Corpus, root: Path, cache: bool = True) -> None:
    """The corpus as a Pelican site: every term a tag (Pelican has tags and one category)."""
    (root / "content").mkdir(parents=True, exist_ok=True)
    try:  # the default theme, copied so that the benchmark can edit a template
        import pelican

        theme = Path(pelican.__file__).parent / "themes" / "notmyidea"
        if (root / "theme").exists():
            shutil.rmtree(root / "theme")
        shutil.copytree(theme, root / "theme")
    except ImportError:
        pass
    (root / "pelicanconf.py").write_text(
        PELICAN_CONF.format(page=PAGE_SIZE, cache=cache), encoding="utf-8")
    names = {t.slug: t.name for terms in corpus.terms.values() for t in terms}
    for article in corpus.articles:
        tags = [names[s] for slugs in article.terms.values() for s in slugs]
        meta = [
            f"Title: {article.title}",
            f"Date: {article.date.strftime('%Y-%m-%d %H:%M')}",
            f"Slug: {article.slug}",
            f"Lang: {article.lang}",
            f"Summary: {article.summary}",
            f"Tags: {', '.join(tags)}",
            "Category: articles",
        ]
        path = root / "content" / article.folder / f"{article.slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(meta) + "\n\n" + article.body, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--only", choices=("digest", "hugo", "pelican"), action="append")
    args = parser.parse_args()
    corpus = make_corpus(args.n, args.seed)
    only = args.only or ["digest", "hugo", "pelican"]
    if "digest" in only:
        write_digest(corpus, args.out / "digest")
    if "hugo" in only:
        write_hugo(corpus, args.out / "hugo")
    if "pelican" in only:
        write_pelican(corpus, args.out / "pelican")


if __name__ == "__main__":
    main()
