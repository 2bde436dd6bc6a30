"""Machine-readable outputs: Atom 1.0 and JSON Feed 1.1, sitemap, robots, data export.

Built with the standard library's XML and JSON writers rather than templates, so
escaping is never a template author's job. Output is deterministic: no build time
anywhere, only dates taken from the content.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any
from xml.etree import ElementTree as ET

from . import markdown, urls
from .articles import Article
from .model import SiteModel
from .taxonomy import Amount
from .urls import Links, with_base_path

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
DATA_SCHEMA_VERSION = 1
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _tag_uri(links: Links, article: Article) -> str:
    # A stable id: it survives a change of domain or base path.
    return f"tag:digest,{article.day.isoformat()}:{article.url}"


def _content_html(article: Article, links: Links) -> str:
    html = with_base_path(markdown.render(article.body), links.base_path)
    sources = "".join(
        f'<li><a href="{_attr(s.url)}">{_text(s.name)}</a></li>' for s in article.sources
    )
    summary = f"<p>{_text(article.summary)}</p>" if article.summary else ""
    return summary + html + (f"<ul>{sources}</ul>" if sources else "")


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    return _text(value).replace('"', "&quot;")


def atom_feed(
    model: SiteModel, links: Links, articles: list[Article], title: str, feed_path: str,
    page_path: str,
) -> bytes:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", model.config.language)
    ET.SubElement(feed, f"{{{ATOM}}}id").text = links.absolute(feed_path)
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    if model.config.description:
        ET.SubElement(feed, f"{{{ATOM}}}subtitle").text = model.config.description
    updated = max((_as_dt(a.updated) if a.updated else a.moment for a in articles),
                  default=EPOCH)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _stamp(updated)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=links.absolute(feed_path),
                  type="application/atom+xml")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=links.absolute(page_path),
                  type="text/html")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = model.config.author or model.config.title
    ET.SubElement(feed, f"{{{ATOM}}}generator").text = "digest"
    for article in articles:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        entry.set("{http://www.w3.org/XML/1998/namespace}lang", article.lang)
        ET.SubElement(entry, f"{{{ATOM}}}id").text = _tag_uri(links, article)
        ET.SubElement(entry, f"{{{ATOM}}}title").text = article.title
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html",
                      href=links.absolute(article.url))
        ET.SubElement(entry, f"{{{ATOM}}}published").text = _stamp(article.moment)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _stamp(
            _as_dt(article.updated) if article.updated else article.moment)
        if article.summary:
            ET.SubElement(entry, f"{{{ATOM}}}summary").text = article.summary
        content = ET.SubElement(entry, f"{{{ATOM}}}content", type="html")
        # Footnote links (#fn1) resolve against the article's page.
        content.set("{http://www.w3.org/XML/1998/namespace}base", links.absolute(article.url))
        content.text = _content_html(article, links)
        for tax, slug in article.all_terms():
            term = model.taxonomies.get(tax, slug)
            ET.SubElement(entry, f"{{{ATOM}}}category", term=f"{tax}:{slug}",
                          label=term.name if term else slug,
                          scheme=links.absolute(urls.taxonomy(tax)))
    return _xml(feed)


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body + b"\n"


def _as_dt(value: dt.date | dt.datetime) -> dt.datetime:
    from .dates import as_utc

    return as_utc(value)


def json_feed(model: SiteModel, links: Links, articles: list[Article]) -> bytes:
    items = []
    for article in articles:
        item: dict[str, Any] = {
            "id": _tag_uri(links, article),
            "url": links.absolute(article.url),
            "title": article.title,
            "content_html": _content_html(article, links),
            "date_published": _stamp(article.moment),
            "language": article.lang,
            "tags": [f"{tax}:{slug}" for tax, slug in article.all_terms()],
        }
        if article.summary:
            item["summary"] = article.summary
        if article.updated:
            item["date_modified"] = _stamp(_as_dt(article.updated))
        if article.sources:
            item["external_url"] = article.sources[0].url
        items.append(item)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": model.config.title,
        "home_page_url": links.absolute("/"),
        "feed_url": links.absolute("/feed.json"),
        "description": model.config.description,
        "language": model.config.language,
        "authors": [{"name": model.config.author or model.config.title}],
        "items": items,
    }
    return _json(feed)


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


SITEMAP_LIMIT = 50_000  # URLs per sitemap file (the sitemaps.org protocol's limit)


def sitemap_files(entries: list[tuple[str, dt.date | None]], limit: int = SITEMAP_LIMIT
                  ) -> list[tuple[str, list[tuple[str, dt.date | None]]]]:
    """Where the sitemap goes: `sitemap.xml` alone, or, above `limit` URLs, files of at
    most `limit` URLs (`sitemap-1.xml`, ...) that `sitemap.xml` indexes."""
    if len(entries) <= limit:
        return [("sitemap.xml", entries)]
    return [(f"sitemap-{number}.xml", entries[start: start + limit])
            for number, start in enumerate(range(0, len(entries), limit), start=1)]


def sitemap(links: Links, entries: Iterable[tuple[str, dt.date | None]]) -> bytes:
    """A `<urlset>`, written as text: ElementTree would hold a tree of three elements per
    page (over a hundred thousand at scale) for a flat list."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<urlset xmlns="{SITEMAP}">']
    for path, lastmod in entries:
        lines.append(f"  <url>\n    <loc>{_text(links.absolute(path))}</loc>")
        if lastmod:
            lines.append(f"    <lastmod>{lastmod.isoformat()}</lastmod>")
        lines.append("  </url>")
    if len(lines) == 2:
        return f'<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="{SITEMAP}" />\n'.encode()
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def sitemap_index(links: Links, paths: Iterable[str]) -> bytes:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<sitemapindex xmlns="{SITEMAP}">']
    for path in paths:
        lines.append(f"  <sitemap>\n    <loc>{_text(links.absolute('/' + path))}</loc>\n  </sitemap>")
    lines.append("</sitemapindex>\n")
    return "\n".join(lines).encode("utf-8")


def robots(links: Links) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {links.absolute('/sitemap.xml')}\n".encode()


def _amount(amount: Amount | None) -> dict[str, Any] | None:
    if amount is None:
        return None
    value: int | float = int(amount.value) if amount.value.is_integer() else amount.value
    return {"value": value, "currency": amount.currency, "basis": amount.basis}


def _field_value(value: Any) -> Any:
    if isinstance(value, Amount):
        return _amount(value)
    if hasattr(value, "iso"):
        return value.iso()
    if isinstance(value, tuple):
        return list(value)
    return value


def data_articles(model: SiteModel, links: Links) -> bytes:
    """`/data/articles.json`; the schema is documented in README.md ("The digest as data")."""
    head = {"schema": "digest/articles", "version": DATA_SCHEMA_VERSION, "site": links.absolute("/")}
    return _json_with_list(head, "articles", (_article_row(a, links) for a in model.articles))


def _json_with_list(head: dict[str, Any], key: str, rows: Iterable[dict[str, Any]]) -> bytes:
    """`_json(head | {key: list(rows)})`, byte for byte, encoding one row at a time: at
    100,000 articles the whole document as Python objects (and the pure-Python indenting
    encoder's pieces) would take several times the memory of the bytes."""
    opening = _json({**head, key: [None]}).decode("utf-8")
    before, after = opening.split("\n  null\n", 1)
    parts: list[bytes] = []
    for row in rows:
        text = json.dumps(row, ensure_ascii=False, indent=1).replace("\n", "\n  ")
        parts.append(b"  " + text.encode("utf-8"))
    if not parts:
        return _json({**head, key: []})
    return (before + "\n").encode("utf-8") + b",\n".join(parts) + ("\n" + after).encode("utf-8")


def _article_row(article: Article, links: Links) -> dict[str, Any]:
    return {
        "url": links.absolute(article.url),
        "path": article.path,
        "title": article.title,
        "date": article.date.isoformat(),
        "updated": article.updated.isoformat() if article.updated else None,
        "lang": article.lang,
        "summary": article.summary,
        "status": article.status,
        "sources": [{"name": s.name, "url": s.url, "lang": s.lang} for s in article.sources],
        "terms": {tax: list(slugs) for tax, slugs in article.terms.items()},
        "mentions": {tax: list(slugs) for tax, slugs in article.mentions.items()},
    }


def data_taxonomy(model: SiteModel, links: Links) -> bytes:
    """`/data/taxonomy.json`: every taxonomy, term, typed field and event."""
    taxonomies = []
    for spec in model.config.taxonomies:
        terms = []
        for term in model.taxonomies.terms.get(spec.key, {}).values():
            info = model.terms[(spec.key, term.slug)]
            terms.append({
                "slug": term.slug,
                "name": term.name,
                "url": links.absolute(urls.term(spec.key, term.slug)),
                "website": term.url,
                "aliases": [{"text": a.text, "ambiguous": a.ambiguous} for a in term.aliases],
                "description": term.description,
                "fields": {k: _field_value(v) for k, v in term.fields.items() if v is not None},
                "related": {k: list(v) for k, v in term.related.items()},
                "events": [{
                    "date": e.date.iso(), "precision": e.date.precision, "label": e.label,
                    "source": e.source, "uncertain": e.uncertain,
                    "terms": {k: list(v) for k, v in e.terms.items()},
                } for e in term.events],
                "article_count": info.count,
            })
        taxonomies.append({"key": spec.key, "title": spec.title, "terms": terms})
    return _json({"schema": "digest/taxonomy", "version": DATA_SCHEMA_VERSION,
                  "taxonomies": taxonomies})
