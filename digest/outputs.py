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


def sitemap(links: Links, entries: Iterable[tuple[str, dt.date | None]]) -> bytes:
    ET.register_namespace("", SITEMAP)
    root = ET.Element(f"{{{SITEMAP}}}urlset")
    for path, lastmod in entries:
        node = ET.SubElement(root, f"{{{SITEMAP}}}url")
        ET.SubElement(node, f"{{{SITEMAP}}}loc").text = links.absolute(path)
        if lastmod:
            ET.SubElement(node, f"{{{SITEMAP}}}lastmod").text = lastmod.isoformat()
    return _xml(root)


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
    rows = []
    for article in model.articles:
        rows.append({
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
        })
    return _json({"schema": "digest/articles", "version": DATA_SCHEMA_VERSION,
                  "site": links.absolute("/"), "articles": rows})


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
