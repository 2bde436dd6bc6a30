"""What a run did, per feed: the summary table, the one-line summary, the PR body."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from rich.table import Table

from .drafts import Draft
from .feedsconfig import Feed

Status = Literal["ok", "not modified", "failed"]
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


@dataclass(frozen=True, slots=True)
class FeedResult:
    """The outcome for one feed."""

    feed: Feed
    status: Status
    reason: str | None = None
    """Why the feed failed, on one line."""
    entries: int = 0
    drafts: tuple[Draft, ...] = ()
    duplicates: int = 0
    irrelevant: int = 0
    older: int = 0
    """Entries dated before --since."""
    warnings: tuple[str, ...] = ()
    moved_to: str | None = None
    """A permanent redirect's target: the URL to put in feeds.yaml."""

    @property
    def new(self) -> tuple[Draft, ...]:
        return tuple(d for d in self.drafts if d.action == "new")

    @property
    def updated(self) -> tuple[Draft, ...]:
        return tuple(d for d in self.drafts if d.action == "update")

    @property
    def status_text(self) -> str:
        return f"failed: {self.reason}" if self.status == "failed" else self.status


@dataclass(frozen=True, slots=True)
class IngestReport:
    results: tuple[FeedResult, ...]
    dry_run: bool = False
    seconds: float = 0.0
    state_warning: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def drafts(self) -> tuple[Draft, ...]:
        return tuple(d for r in self.results for d in r.drafts)

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def all_failed(self) -> bool:
        return bool(self.results) and self.count("failed") == len(self.results)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def summary_table(report: IngestReport) -> Table:
    table = Table(title="Feeds" + (" (dry run: nothing written)" if report.dry_run else ""),
                  title_justify="left")
    table.add_column("feed", no_wrap=True)
    table.add_column("status", overflow="fold")
    table.add_column("new", justify="right")
    table.add_column("updated", justify="right")
    table.add_column("duplicates", justify="right")
    table.add_column("irrelevant", justify="right")
    if any(r.older for r in report.results):
        table.add_column("older", justify="right")
    for result in report.results:
        style = {"ok": "green", "not modified": "cyan", "failed": "red"}[result.status]
        row = [result.feed.id, f"[{style}]{_escape_markup(result.status_text)}[/]",
               str(len(result.new)), str(len(result.updated)), str(result.duplicates),
               str(result.irrelevant)]
        if any(r.older for r in report.results):
            row.append(str(result.older))
        table.add_row(*row)
    return table


def _escape_markup(text: str) -> str:
    return text.replace("[", r"\[")


def notes(report: IngestReport) -> list[str]:
    """Warnings worth a maintainer's attention, one line each."""
    lines = [f"warning: {w}" for w in report.warnings]
    if report.state_warning:
        lines.append(f"warning: {report.state_warning}")
    for result in report.results:
        if result.moved_to:
            lines.append(f"{result.feed.id}: moved permanently to {result.moved_to}; "
                         "update its url in content/feeds.yaml")
        lines.extend(f"{result.feed.id}: warning: {w}" for w in result.warnings)
    return lines


def summary_line(report: IngestReport) -> str:
    """One line: feeds by status, drafts, duplicates, irrelevant, time."""
    drafts = report.drafts
    new = sum(1 for d in drafts if d.action == "new")
    updated = len(drafts) - new
    verb = "would write" if report.dry_run else "wrote"
    parts = [f"{verb} {_plural(new, 'new draft')}"]
    if updated:
        parts.append(f"{'would update' if report.dry_run else 'updated'} {updated}")
    parts.append(_plural(sum(r.duplicates for r in report.results), "duplicate"))
    parts.append(f"{sum(r.irrelevant for r in report.results):,} irrelevant")
    feeds = [f"{report.count('ok')} ok"]
    if report.count("not modified"):
        feeds.append(f"{report.count('not modified')} not modified")
    if report.count("failed"):
        feeds.append(f"{report.count('failed')} failed")
    return (f"ingested {_plural(len(report.results), 'feed')} ({', '.join(feeds)}): "
            + ", ".join(parts) + f" in {report.seconds:.1f} s")


def markdown_text(text: str) -> str:
    """Text shown as itself in GitHub Markdown (titles come from the feeds)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _tags_line(draft: Draft) -> str:
    parts = [f"{tax}: {', '.join(slugs)}" for tax, slugs in draft.about.items() if slugs]
    parts += [f"mentions {tax}: {', '.join(slugs)}" for tax, slugs in draft.mentions.items()
              if slugs]
    return "; ".join(parts) or "none"


def pull_request_body(report: IngestReport) -> str:
    """The Markdown body of the scheduled ingestion pull request."""
    drafts = report.drafts
    lines = [f"## Ingested drafts: {_plural(len(drafts), 'draft')} "
             f"from {_plural(sum(1 for r in report.results if r.drafts), 'feed')}", ""]
    if not drafts:
        lines += ["No new drafts this run.", ""]
    lines += ["Review each draft: rewrite the summary, check the tags, then set "
              "`status: published` or delete the file. A draft you edit is never "
              "overwritten by a later run.", ""]
    for result in report.results:
        if not result.drafts:
            continue
        feed = result.feed
        lines.append(f"### {markdown_text(feed.name)} (`{feed.id}`): "
                     f"{_plural(len(result.drafts), 'draft')}")
        lines.append("")
        for draft in result.drafts:
            label = " (updated: the feed changed the entry)" if draft.action == "update" else ""
            lines.append(f"- **{markdown_text(draft.title)}**{label}")
            lines.append(f"  - file: `{draft.path}`")
            lines.append(f"  - tags: {markdown_text(_tags_line(draft))}")
            lines.append(f"  - kept because: {markdown_text('; '.join(draft.reasons))}")
        lines.append("")
    attention = [r for r in report.results if r.status == "failed" or r.moved_to]
    if attention:
        lines += ["### Feeds that need attention", ""]
        for result in attention:
            if result.status == "failed":
                lines.append(f"- `{result.feed.id}`: failed: {markdown_text(result.reason or '')}")
            if result.moved_to:
                target = result.moved_to.replace("`", "%60")
                lines.append(f"- `{result.feed.id}`: moved permanently to `{target}`; "
                             "update content/feeds.yaml")
        lines.append("")
    lines += ["<details><summary>Summary</summary>", "", "| feed | status | new | updated | "
              "duplicates | irrelevant |", "|---|---|---:|---:|---:|---:|"]
    for result in report.results:
        lines.append(f"| `{result.feed.id}` | {markdown_text(result.status_text)} | "
                     f"{len(result.new)} | {len(result.updated)} | {result.duplicates} | "
                     f"{result.irrelevant} |")
    lines += ["", summary_line(report), "", "</details>", ""]
    return "\n".join(lines)
