"""Word and phrase lists, matched against folded text: the one matcher ingest uses.

Text is folded the way taxonomy names are (`digest.schema.normalise`): no case, no
accents, punctuation as spaces, so "Loi européenne sur l'IA" and "loi europeenne sur
l ia" are the same words. A pattern is a word or a phrase with two wildcards:
`regulat*` matches any word that starts with "regulat", `*ministerium` any word that
ends with it (German builds compounds: "Digitalministerium"). A pattern written in
capitals of up to five letters ("AI", "KI", "EU", "SAP") only matches capitals in the
original text, so "AI" is not found in French "j'ai" nor "SAP" in "maple sap".

All patterns of a lexicon compile into one regular expression shaped as a trie, so a
document is scanned once, at C speed, whatever the number of patterns.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Generic, TypeVar

from ..schema import normalise

T = TypeVar("T")

_NON_WORD = re.compile(r"[^0-9a-z]+")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{0,4}$")
_LIGATURES = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d"})


@cache
def _combining_marks() -> dict[int, None]:
    # Built once, on first use: every combining mark of the Basic Multilingual Plane.
    return {c: None for c in range(0x300, 0x10000) if unicodedata.combining(chr(c))}


def fold(text: str) -> str:
    """Folded text: the same key as `schema.normalise`, fast on long documents.

    `normalise` strips accents character by character in Python; documents are long,
    so this does the same with C-level `translate` calls (a test checks both agree).
    """
    folded = text.casefold()
    if not folded.isascii():
        folded = unicodedata.normalize("NFKD", folded).translate(_combining_marks())
        folded = folded.translate(_LIGATURES)
    return _NON_WORD.sub(" ", folded).strip()


@dataclass(frozen=True, slots=True)
class Pattern(Generic[T]):
    """One word or phrase of a lexicon, with what it stands for."""

    text: str
    """The pattern as written in the configuration or the taxonomy."""
    value: T
    """What a match means to the caller: a term, a policy word, a rule."""
    folded: str
    """The folded phrase without wildcards ("regulat", "eu ai act")."""
    prefix: bool = False
    """`word*`: the last word may continue."""
    suffix: bool = False
    """`*word`: the first word may start earlier (compounds)."""
    capitals: str | None = None
    """For acronyms: the exact capitals that must appear in the original text."""


@dataclass(frozen=True, slots=True)
class Hit(Generic[T]):
    """A pattern found in a sentence."""

    pattern: Pattern[T]
    start: int
    """Character offset of the match in the folded sentence."""
    word: int
    """Index of the first matched word in the folded sentence."""


def make_pattern(text: str, value: T) -> Pattern[T] | None:
    """A Pattern from its written form, or None when nothing is left after folding."""
    raw = text.strip()
    prefix = raw.endswith("*")
    suffix = raw.startswith("*")
    core = raw.strip("*").strip()
    folded = normalise(core)
    if not folded:
        return None
    capitals = core if _ACRONYM.match(core) and len(core) >= 2 else None
    if suffix and " " in folded:
        suffix = False  # a compound suffix is one word; phrases anchor on their first word
    return Pattern(raw, value, folded, prefix, suffix, capitals)


class _Trie:
    """Folded phrases as a trie, turned into one regular expression."""

    def __init__(self) -> None:
        self.children: dict[str, _Trie] = {}
        self.end = False

    def add(self, word: str) -> None:
        node = self
        for char in word:
            node = node.children.setdefault(char, _Trie())
        node.end = True

    def regex(self) -> str:
        branches = [re.escape(c) + child.regex() for c, child in sorted(self.children.items())]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if self.end else body


class Lexicon(Generic[T]):
    """Patterns compiled for fast search in folded sentences."""

    def __init__(self, patterns: Iterable[Pattern[T]]) -> None:
        self.patterns = tuple(patterns)
        self._exact: dict[str, list[Pattern[T]]] = {}
        self._prefixes: list[Pattern[T]] = []
        self._suffixes: list[Pattern[T]] = []
        plain, open_end, open_start = _Trie(), _Trie(), _Trie()
        for pattern in self.patterns:
            if pattern.suffix:
                self._suffixes.append(pattern)
                open_start.add(pattern.folded[::-1])
            elif pattern.prefix:
                self._prefixes.append(pattern)
                open_end.add(pattern.folded)
            else:
                self._exact.setdefault(pattern.folded, []).append(pattern)
                plain.add(pattern.folded)
        alternatives = []
        if plain.children:
            alternatives.append(plain.regex() + r"(?![a-z0-9])")
        if open_end.children:
            alternatives.append(open_end.regex() + r"[a-z0-9]*")
        # Matching is leftmost-longest over plain words and prefixes; suffixes are
        # looked for word by word (rare, mostly German), by a reversed trie.
        self._regex = (
            re.compile(r"(?<![a-z0-9])(?:" + "|".join(alternatives) + ")")
            if alternatives else None
        )
        self._suffix_regex = (
            re.compile(r"(?:" + open_start.regex() + r")") if open_start.children else None
        )

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def find(self, folded: str, original: str) -> list[Hit[T]]:
        """Every pattern found in a folded sentence; `original` checks acronyms' case."""
        hits: list[Hit[T]] = []
        if self._regex is not None:
            for match in self._regex.finditer(folded):
                hits.extend(self._resolve(match.group(), match.start(), folded))
        if self._suffix_regex is not None:
            hits.extend(self._find_suffixes(folded))
        if hits and any(h.pattern.capitals for h in hits):
            hits = [h for h in hits if not h.pattern.capitals
                    or _has_capitals(original, h.pattern.capitals)]
        return hits

    def _resolve(self, matched: str, start: int, folded: str) -> Iterator[Hit[T]]:
        word = folded.count(" ", 0, start)
        # The regex takes the longest alternative; shorter phrases inside it are
        # found too, since "eu ai act" and "ai act" may both be names of a term.
        found = False
        for pattern in self._exact.get(matched, ()):
            found = True
            yield Hit(pattern, start, word)
        for pattern in self._prefixes:
            if matched.startswith(pattern.folded):
                found = True
                yield Hit(pattern, start, word)
        if not found or " " in matched:
            yield from self._inner(matched, start, folded)

    def _inner(self, matched: str, start: int, folded: str) -> Iterator[Hit[T]]:
        # Shorter exact phrases that end inside a longer match ("ai" in "ai act").
        words = matched.split(" ")
        for length in range(len(words) - 1, 0, -1):
            piece = " ".join(words[:length])
            end = start + len(piece)
            if end < len(folded) and folded[end] != " ":
                continue
            for pattern in self._exact.get(piece, ()):
                yield Hit(pattern, start, folded.count(" ", 0, start))

    def _find_suffixes(self, folded: str) -> Iterator[Hit[T]]:
        assert self._suffix_regex is not None
        offset = 0
        for index, word in enumerate(folded.split(" ")):
            match = self._suffix_regex.match(word[::-1])
            if match:
                for pattern in self._suffixes:
                    if word.endswith(pattern.folded):
                        yield Hit(pattern, offset, index)
            offset += len(word) + 1


@cache
def _capitals_regex(capitals: str) -> re.Pattern[str]:
    return re.compile(r"(?<![^\W_])" + re.escape(capitals) + r"(?![^\W_])")


def _has_capitals(original: str, capitals: str) -> bool:
    return _capitals_regex(capitals).search(original) is not None
