"""Helpers for the ingestion tests: a small project in tmp_path, feeds served over HTTP.

Every feed is served over real HTTP from 127.0.0.1 (pytest-httpserver); nothing here
reaches the internet. The project is our own (site.yaml, a small taxonomy), not the
repository's starter content, so these tests do not move when that content does.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer

from digest.ingest.cli import feeds as feeds_command
from digest.ingest.cli import ingest as ingest_command
from digest.ingest.pipeline import IngestOptions, run_ingest
from digest.ingest.report import IngestReport
from digest.yamlsrc import split_front_matter

FIXTURES = Path(__file__).parent / "fixtures"
NOW = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
# The pattern of shared/corpus/compute_expected.py: markup that must not survive ingest.
UNSAFE = re.compile(r"<script|<iframe|<object|<embed|\son[a-z]+\s*=|javascript:"
                    r"|position\s*:\s*absolute|:\s*expression\s*\(", re.I)

SITE_YAML = """\
title: Test Digest
base_url: https://example.org/digest/
language: en
languages: [en, fr, de, es, it]
taxonomies:
  company:
    title: {en: Companies, fr: Entreprises}
    fields:
      country: {type: text}
  regulation:
    title: {en: Regulations}
    fields:
      jurisdiction: {type: text}
      status:
        type: choice
        values: [proposed, adopted, in-force, partially-applying, applying]
  deal:
    title: {en: Deals}
    fields:
      parties: {type: terms, taxonomy: company}
      announced: {type: date}
      amount: {type: amount}
  regulator:
    title: {en: Regulators}
    fields:
      jurisdiction: {type: text}
"""

TAXONOMY_YAML = """\
company:
  mistral-ai:
    name: Mistral AI
    country: FR
    aliases:
      - {text: Mistral, ambiguous: true}
    extra:
      products: [Le Chat, Mixtral]
  microsoft:
    name: Microsoft
    country: US
    aliases: [Microsoft Corp., MSFT, {text: Azure, ambiguous: true}]
  openai:
    name: OpenAI
    country: US
    aliases: [ChatGPT]
  anthropic:
    name: Anthropic
    country: US
    aliases:
      - {text: Claude, ambiguous: true}
  meta:
    name: Meta
    country: US
    aliases:
      - {text: Meta, ambiguous: true}
      - Meta Platforms
      - Facebook
  google:
    name: Google
    country: US
    aliases:
      - {text: Gemini, ambiguous: true}
  run-ai:
    name: "Run:ai"
    country: IL
    aliases:
      - {text: "Run:ai", ambiguous: true}
regulation:
  eu-ai-act:
    name: EU AI Act
    jurisdiction: EU
    status: partially-applying
    aliases:
      - AI Act
      - Artificial Intelligence Act
      - IA Act
      - "loi européenne sur l'IA"
      - "règlement européen sur l'IA"
      - KI-Verordnung
      - Ley de IA
      - "legge sull'IA"
      - "regolamento europeo sull'IA"
  gdpr:
    name: General Data Protection Regulation
    jurisdiction: EU
    status: applying
    aliases: [GDPR, RGPD, DSGVO]
deal:
  microsoft-mistral-2024:
    name: Microsoft-Mistral partnership
    parties: [microsoft, mistral-ai]
    announced: 2024-02-26
    amount: {value: 15000000, currency: EUR, basis: reported}
regulator:
  european-commission:
    name: European Commission
    jurisdiction: EU
    aliases: [Commission européenne, EU-Kommission, Comisión Europea, Commissione europea]
  uk-cma:
    name: Competition and Markets Authority
    jurisdiction: GB
    aliases:
      - {text: CMA, ambiguous: true}
"""


@dataclass
class Project:
    """A scratch digest project, and helpers to ingest into it and read its drafts."""

    root: Path
    feeds: list[dict[str, Any]] = field(default_factory=list)

    @property
    def articles(self) -> Path:
        return self.root / "content" / "articles"

    def write_feeds(self, *feeds: dict[str, Any]) -> None:
        self.feeds = list(feeds)
        text = yaml.safe_dump({"feeds": self.feeds}, allow_unicode=True, sort_keys=False)
        (self.root / "content" / "feeds.yaml").write_text(text, encoding="utf-8")

    def set_ingest(self, text: str) -> None:
        site = self.root / "content" / "site.yaml"
        site.write_text(SITE_YAML + "ingest:\n" + textwrap.indent(textwrap.dedent(text), "  "),
                        encoding="utf-8")

    def ingest(self, **options: Any) -> IngestReport:
        options.setdefault("now", NOW)
        return run_ingest(self.root, IngestOptions(**options))

    def cli(self, *args: str) -> Result:
        command = feeds_command if args and args[0] == "feeds" else ingest_command
        rest = list(args[1:]) if args and args[0] in ("feeds", "ingest") else list(args)
        return CliRunner().invoke(command, [*rest, "--root", str(self.root)],
                                  catch_exceptions=False)

    def draft_files(self) -> list[Path]:
        return sorted(self.articles.rglob("*.md"))

    def drafts(self) -> list[dict[str, Any]]:
        """Front matter of every draft, with its body under "_body" and path under "_path"."""
        out = []
        for path in self.draft_files():
            text = path.read_text(encoding="utf-8")
            split = split_front_matter(text)
            assert split is not None, path
            data = yaml.safe_load(split[0])
            data["_body"] = split[1]
            data["_path"] = path
            out.append(data)
        return out

    def snapshot(self) -> dict[str, bytes]:
        """Every file under content/, for "nothing changed" assertions."""
        content = self.root / "content"
        return {str(p.relative_to(content)): p.read_bytes()
                for p in sorted(content.rglob("*")) if p.is_file()}


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def serve(server: HTTPServer, path: str, body: bytes | str, content_type: str = "application/rss+xml",
          headers: dict[str, str] | None = None) -> str:
    """Serve `body` at `path`; return its URL."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    server.expect_request(path).respond_with_data(data, content_type=content_type,
                                                  headers=headers or {})
    return server.url_for(path)


def rss(*items: str, title: str = "Test feed", encoding: str = "utf-8", extra: str = "") -> str:
    """An RSS 2.0 document around the given <item> elements."""
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n'
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            f"<channel><title>{title}</title><link>https://news.example.org/</link>{extra}"
            + "".join(items) + "</channel></rss>\n")


def item(title: str, description: str = "", *, link: str | None = None, guid: str | None = None,
         date: str | None = "Mon, 26 Feb 2024 09:30:00 GMT", content: str | None = None) -> str:
    parts = [f"<title>{title}</title>"]
    if link:
        parts.append(f"<link>{link}</link>")
    if guid:
        parts.append(f'<guid isPermaLink="false">{guid}</guid>')
    if date:
        parts.append(f"<pubDate>{date}</pubDate>")
    if description:
        parts.append(f"<description><![CDATA[{description}]]></description>")
    if content:
        parts.append(f"<content:encoded><![CDATA[{content}]]></content:encoded>")
    return "<item>" + "".join(parts) + "</item>"


def feed_entry(feed_id: str, url: str, **extra: Any) -> dict[str, Any]:
    entry = {"id": feed_id, "url": url, "name": extra.pop("name", feed_id.title()),
             "lang": extra.pop("lang", "en")}
    entry.update(extra)
    return entry
