"""An entry's text as tagging and relevance read it: folded sentences in zones.

Zones say where a sentence sits, because where a name appears decides whether the
entry is about it. The title is one zone; the lead is the feed's summary when it is
more than the start of the content, else the first two sentences of the text; the
body is the rest. Occurrences are counted in the title and in the main
text (the content, else the summary), never twice for a summary that repeats the content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .lexicon import fold_many

Zone = Literal["title", "lead", "body"]
LEAD_SENTENCES = 2
LEAD_WORDS = 50
"""The lead, when the feed gives no separate summary: its first two sentences (the second
only if it starts within this many words), as a news lead would be."""
WINDOW_WORDS = 50
"""Longer sentences (text without punctuation, lists) are cut into windows of this size."""

_SENTENCE_END = re.compile(r"[.!?…]+[\"'»”)\]]*\s+(?=[^\sa-z])")
_CLOSERS = frozenset(")]\"'»”%")


@dataclass(frozen=True, slots=True)
class Sentence:
    zone: Zone
    original: str
    """The sentence as written: acronyms and capitalised names are checked here."""
    folded: str
    """Folded words separated by single spaces (lexicon.fold)."""
    counted: bool = True
    """Whether occurrences here count towards how often a name appears."""


@dataclass(frozen=True, slots=True)
class Document:
    sentences: tuple[Sentence, ...]
    lang: str
    """The entry's language (the feed's); decides which policy words apply."""


def split_sentences(text: str) -> list[str]:
    """Sentences of a plain text; long ones cut into windows of WINDOW_WORDS words.

    A sentence ends at a line break, or at ., !, ? or … after a small letter, a digit or
    a closing mark and before a capital: "U.S. regulators" stays one sentence.
    """
    out: list[str] = []
    for line in text.split("\n"):
        start = 0
        for end in _SENTENCE_END.finditer(line):
            before = line[end.start() - 1] if end.start() else ""
            if before.islower() or before.isdigit() or before in _CLOSERS:
                out.append(line[start:end.end()])
                start = end.end()
        out.append(line[start:])
    return [window for raw in out if (piece := raw.strip()) for window in _windows(piece)]


def _windows(piece: str) -> list[str]:
    if len(piece) < WINDOW_WORDS * 4:  # too short to have that many words
        return [piece]
    words = piece.split()
    if len(words) <= WINDOW_WORDS + 10:
        return [piece]
    return [" ".join(words[i : i + WINDOW_WORDS]) for i in range(0, len(words), WINDOW_WORDS)]


def _sentences(texts: list[str], zone: Zone, counted: bool) -> list[Sentence]:
    return [Sentence(zone, t, folded, counted)
            for t, folded in zip(texts, fold_many(texts), strict=True) if folded]


def _repeats(summary: str, content: str) -> bool:
    """Whether a summary is only the start of the content (a teaser cut from it)."""
    head = " ".join(summary[:200].split()[:12]).rstrip(".…[] ")
    return not head or head in " ".join(content[:2000].split())


def build_document(title: str, summary: str, content: str, lang: str) -> Document:
    """A Document from plain-text title, summary and content (any may be empty)."""
    sentences = _sentences([title], "title", True)
    if summary and content and not _repeats(summary, content):
        sentences += _sentences(split_sentences(summary), "lead", False)
        sentences += _sentences(split_sentences(content), "body", True)
        return Document(tuple(sentences), lang)
    words = 0
    for index, text in enumerate(split_sentences(content or summary)):
        zone: Zone = "lead" if index < LEAD_SENTENCES and words < LEAD_WORDS else "body"
        words += text.count(" ") + 1
        sentences += _sentences([text], zone, True)
    return Document(tuple(sentences), lang)
