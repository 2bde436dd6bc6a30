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
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import Generic, TypeVar

from ..schema import LETTER_FOLDS, normalise

T = TypeVar("T")

# Runs of non-word characters, except a lone space (already what we want, and common).
_NON_WORD = re.compile(r"(?! (?![\W_]))[\W_]+")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{0,4}$")
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


@cache
def _combining_marks() -> dict[int, None]:
    # Built once, on first use: every combining mark of the Basic Multilingual Plane.
    return {c: None for c in range(0x300, 0x10000) if unicodedata.combining(chr(c))}


def _fold_unicode(text: str) -> str:
    # The steps of schema.normalise, in its order, each one a C-level call: compatibility
    # forms, case, letters without a decomposition, then accents split off and dropped.
    text = unicodedata.normalize("NFKD", text).casefold().translate(LETTER_FOLDS)
    text = unicodedata.normalize("NFKD", text).translate(_combining_marks())
    if _ASTRAL.search(text):  # combining marks beyond the table (rare): one by one
        text = "".join(c for c in text if not unicodedata.combining(c))
    return text


def fold_many(texts: Sequence[str]) -> list[str]:
    """`fold` of each text, with the Unicode work done once for all of them."""
    joined = "\x00".join(t.replace("\x00", " ") for t in texts)
    joined = joined.casefold() if joined.isascii() else _fold_unicode(joined)
    return [_NON_WORD.sub(" ", piece).strip() for piece in joined.split("\x00")]


def fold(text: str) -> str:
    """Folded text: the same key as `schema.normalise`, fast on long documents.

    `normalise` strips accents character by character in Python; documents are long,
    so this does the same with C-level calls (a test checks both agree).
    """
    folded = text.casefold() if text.isascii() else _fold_unicode(text)
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
    if len(folded) < 3:
        prefix = suffix = False  # "a*" would match half the language
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
        self._prefixes: dict[str, list[Pattern[T]]] = {}  # keyed by their first two letters
        self._suffixes: list[Pattern[T]] = []
        starts, ends = _Trie(), _Trie()
        self._longest = 1
        for pattern in self.patterns:
            self._longest = max(self._longest, pattern.folded.count(" ") + 1)
            if pattern.suffix:
                self._suffixes.append(pattern)
                ends.add(pattern.folded)
                continue
            starts.add(pattern.folded)
            if pattern.prefix:
                self._prefixes.setdefault(pattern.folded[:2], []).append(pattern)
            else:
                self._exact.setdefault(pattern.folded, []).append(pattern)
        # The trie regexes find, at C speed, the places where some pattern may match;
        # which patterns really match there is then settled word by word.
        self._starts = re.compile(r"(?<!\S)" + starts.regex()) if starts.children else None
        self._ends = re.compile(ends.regex() + r"(?!\S)") if ends.children else None

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def find(self, folded: str, original: str) -> list[Hit[T]]:
        """Every pattern found in a folded sentence; `original` checks acronyms' case."""
        return self.find_all([folded], [original])[0]

    def find_all(self, folded: Sequence[str], originals: Sequence[str]) -> list[list[Hit[T]]]:
        """The hits of each sentence, searched as one text (one regex pass per document)."""
        text = "\n".join(folded)
        starts = list(accumulate((len(f) + 1 for f in folded), initial=0))
        hits: list[list[Hit[T]]] = [[] for _ in folded]
        if self._starts is not None:
            position = 0
            while (match := self._starts.search(text, position)) is not None:
                start = match.start()
                index = bisect_right(starts, start) - 1
                hits[index].extend(self._at(folded[index], start - starts[index]))
                position = _next_word(text, start)
        if self._ends is not None:
            for match in self._ends.finditer(text):
                index = bisect_right(starts, match.start()) - 1
                hits[index].extend(self._suffix_at(folded[index], match.end() - starts[index]))
        for index, found in enumerate(hits):
            if len(found) > 1:
                found.sort(key=lambda h: h.word)
            if any(h.pattern.capitals for h in found):
                hits[index] = [h for h in found if not h.pattern.capitals
                               or _has_capitals(originals[index], h.pattern.capitals)]
        return hits

    def _at(self, folded: str, start: int) -> Iterator[Hit[T]]:
        words = folded[start : start + 40 * self._longest].split(" ", self._longest)
        word = folded.count(" ", 0, start)
        for length in range(1, min(len(words), self._longest) + 1):
            for pattern in self._exact.get(" ".join(words[:length]), ()):
                yield Hit(pattern, start, word)
        for pattern in self._prefixes.get(folded[start : start + 2], ()):
            if folded.startswith(pattern.folded, start):
                yield Hit(pattern, start, word)

    def _suffix_at(self, folded: str, end: int) -> Iterator[Hit[T]]:
        start = folded.rfind(" ", 0, end) + 1
        word = folded[start:end]
        index = folded.count(" ", 0, start)
        for pattern in self._suffixes:
            if word.endswith(pattern.folded):
                yield Hit(pattern, start, index)


def _next_word(text: str, start: int) -> int:
    space = text.find(" ", start)
    line = text.find("\n", start)
    ends = [p for p in (space, line) if p >= 0]
    return min(ends) + 1 if ends else len(text)


@cache
def _capitals_regex(capitals: str) -> re.Pattern[str]:
    return re.compile(r"(?<![^\W_])" + re.escape(capitals) + r"(?![^\W_])")


def _has_capitals(original: str, capitals: str) -> bool:
    return _capitals_regex(capitals).search(original) is not None
