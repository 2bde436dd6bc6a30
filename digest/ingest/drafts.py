"""Draft articles: their text, their path, and writing them without harm.

A draft's `ingested.hash` is `sha256:` and the SHA-256 of the file's UTF-8 text with
the hash line itself left out. Ingest recomputes it before it touches a file: when it
differs, a person has edited the draft, and ingest never writes that file again.

Paths are content/articles/YYYY/MM/<slug>.md. The slug is the title transliterated by
python-slugify ("Übernahme durch Microsoft" -> "ubernahme-durch-microsoft"), cut on a
word boundary, and numbered when taken (-2, -3...); it only ever has [a-z0-9-], so no
title can name a path outside content/articles/. Files are written to a temporary file
in the same directory and renamed over the target, so a reader (or a crash) never sees
half a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Literal

import yaml
from slugify import slugify

SLUG_MAX = 72
HASH_LINE = re.compile(r"^  hash: sha256:[0-9a-f]{64}\n", re.M)
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
_APOSTROPHES = re.compile(r"['’ʼ‘`´]")
# Outside YAML's printable set, or special inside double quotes: \\, ", line breaks, BOM.
_NEEDS_ESCAPE = re.compile("[\\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x00": "\\0",
            "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}

DateFrom = Literal["feed", "first-seen"]


@dataclass(frozen=True, slots=True)
class DraftFields:
    """Everything a draft says, before it is written out as text."""

    title: str
    date: dt.datetime
    date_from: DateFrom
    """Whether `date` is the feed's, or the time the entry was first seen."""
    lang: str
    summary: str
    source_name: str
    source_url: str
    source_lang: str
    about: Mapping[str, Sequence[str]]
    """Term slugs per taxonomy, in the site's taxonomy order."""
    mentions: Mapping[str, Sequence[str]]
    feed_id: str
    guid: str
    original_url: str | None
    at: dt.datetime
    reasons: Sequence[str]
    body: str


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}"


def quoted(value: str) -> str:
    """A YAML double-quoted scalar, with anything YAML cannot carry raw escaped.

    Written by hand: PyYAML's emitter is correct but costs more than the rest of a
    draft; the tests check that PyYAML reads every string back unchanged.
    """
    return '"' + _NEEDS_ESCAPE.sub(_escape, value) + '"'


@cache
def scalar(value: str) -> str:
    """A plain scalar when YAML reads it back as the same text, else quoted."""
    if _PLAIN.match(value) and yaml.safe_load(value) == value:
        return value
    return quoted(value)


def _moment(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds")


def _flow(values: Sequence[str]) -> str:
    return "[" + ", ".join(scalar(v) for v in values) + "]"


def render_draft(fields: DraftFields) -> str:
    """The draft's full text, `ingested.hash` included."""
    lines = [
        "---",
        f"title: {quoted(fields.title)}",
        f"date: {_moment(fields.date)}",
        f"lang: {scalar(fields.lang)}",
        f"summary: {quoted(fields.summary)}",
        "sources:",
        f"  - name: {quoted(fields.source_name)}",
        f"    url: {quoted(fields.source_url)}",
        f"    lang: {scalar(fields.source_lang)}",
    ]
    lines += [f"{scalar(tax)}: {_flow(slugs)}" for tax, slugs in fields.about.items() if slugs]
    mentions = [(tax, slugs) for tax, slugs in fields.mentions.items() if slugs]
    if mentions:
        lines.append("mentions:")
        lines += [f"  {scalar(tax)}: {_flow(slugs)}" for tax, slugs in mentions]
    lines += [
        "status: draft",
        "ingested:",
        f"  feed: {scalar(fields.feed_id)}",
        f"  guid: {quoted(fields.guid)}",
    ]
    if fields.original_url:
        lines.append(f"  url: {quoted(fields.original_url)}")
    lines += [
        f"  at: {fields.at.astimezone(dt.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"  date_from: {fields.date_from}",
        "  kept_because: [" + ", ".join(quoted(r) for r in fields.reasons) + "]",
        "---",
    ]
    text = "\n".join(lines) + "\n" + (fields.body.strip() + "\n" if fields.body.strip() else "")
    return with_hash(text)


def content_hash(text: str) -> str:
    """`sha256:<hex>` of a draft's text without its hash line."""
    digest = hashlib.sha256(HASH_LINE.sub("", text).encode("utf-8")).hexdigest()
    return f"sha256:{digest}"


def with_hash(text: str) -> str:
    """Insert `  hash: ...` as the last line of the `ingested:` block."""
    marker = "\n  kept_because: "
    at = text.index(marker)
    end = text.index("\n", at + 1)
    return text[: end + 1] + f"  hash: {content_hash(text)}\n" + text[end + 1 :]


def recorded_hash(text: str) -> str | None:
    match = HASH_LINE.search(text)
    return match.group().split(":", 1)[1].strip() if match else None


def untouched(text: str) -> bool:
    """True when the file is exactly what ingest wrote (its hash still matches)."""
    recorded = recorded_hash(text)
    return recorded is not None and recorded == content_hash(text)


def make_slug(title: str, key: str) -> str:
    """A transliterated, length-capped slug; a hash of the entry key when the title has none."""
    # Apostrophes separate words ("s’allie" -> "s-allie"); slugify would glue them.
    title = _APOSTROPHES.sub(" ", title)
    slug = slugify(title, max_length=SLUG_MAX, word_boundary=True, save_order=True)
    if not slug:
        slug = "entry-" + hashlib.sha1(key.encode("utf-8", "replace")).hexdigest()[:10]
    return slug


def draft_path(
    articles: PurePosixPath, date: dt.datetime, slug: str, taken: set[str]
) -> PurePosixPath:
    """content/articles/YYYY/MM/<slug>.md, numbered past paths in `taken` (lowercased)."""
    folder = articles / f"{date.year:04d}" / f"{date.month:02d}"
    candidate = folder / f"{slug}.md"
    number = 2
    while str(candidate).lower() in taken:
        candidate = folder / f"{slug}-{number}.md"
        number += 1
    return candidate


def inside(root: Path, relative: PurePosixPath, folder: PurePosixPath) -> Path:
    """The absolute path of `relative`, refusing anything that would leave `folder`."""
    target = (root / relative).resolve()
    if not target.is_relative_to((root / folder).resolve()):
        raise ValueError(f"refusing to write {relative}: outside {folder}")
    return target


def write_atomic(path: Path, text: str) -> None:
    """Write a file whole or not at all: a temporary file beside it, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; drafts are ordinary files
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(frozen=True, slots=True)
class Draft:
    """A draft to write (or, in a dry run, that would be written)."""

    path: PurePosixPath
    """Relative to the project root."""
    text: str
    title: str
    feed_id: str
    about: Mapping[str, Sequence[str]]
    mentions: Mapping[str, Sequence[str]]
    reasons: Sequence[str]
    action: Literal["new", "update"] = "new"
    """"update": an untouched draft whose entry changed in the feed."""
