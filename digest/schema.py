"""Small helpers for checking YAML data against what we expect, problem by problem.

Each helper adds a problem with the line of the offending key and returns a usable
value (or None), so validation goes on and reports everything in one pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from .errors import ProblemList, did_you_mean
from .yamlsrc import Mapping, Sequence

_NON_WORD = re.compile(r"[\W_]+")
# Letters that Unicode does not decompose into a base letter and an accent.
LETTER_FOLDS = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d",
                       "ð": "d", "þ": "th", "ı": "i", "ħ": "h"})


def normalise(text: str) -> str:
    """The matching key of a name: no case, no accents, punctuation as spaces.

    "Loi européenne sur l'IA", "loi europeenne sur l IA" and "LOI-EUROPÉENNE SUR L'IA"
    are the same key, so editors may write a term however it comes to them. Letters of
    every script are kept (a Chinese name stays a name); only accents and punctuation go.
    """
    # Compatibility forms first (𝑨 -> A), then case, then accents split off.
    folded = unicodedata.normalize("NFKD", text).casefold().translate(LETTER_FOLDS)
    decomposed = unicodedata.normalize("NFKD", folded)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", stripped).strip()


_URL_UNSAFE = re.compile(r'[\s"<>\\^`{|}]')


def is_http_url(value: str) -> bool:
    """An absolute http(s) URL with a host, and no character that needs quoting."""
    if _URL_UNSAFE.search(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f'the text "{value[:40]}"'
    return f"{type(value).__name__} {value!r}"


class Checker:
    """Validation of one file: wraps the problem list and the file's path."""

    def __init__(self, problems: ProblemList, path: str) -> None:
        self.problems = problems
        self.path = path

    def error(self, line: int, message: str) -> None:
        self.problems.add(self.path, line, message)

    def warn(self, line: int, message: str) -> None:
        self.problems.warn(self.path, line, message)

    def keys(self, data: Mapping, allowed: Iterable[str], where: str) -> None:
        allowed = list(allowed)
        for key in data:
            if key not in allowed:
                hint = did_you_mean(key, allowed) or (
                    "; expected one of: " + ", ".join(sorted(allowed))
                )
                self.error(data.line_of(key), f'unknown key "{key}" in {where}{hint}')

    def mapping(self, data: Mapping, key: str, *, what: str) -> Mapping | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.error(data.line_of(key), f'"{key}" must be {what}, got {describe(value)}')
            return None
        return value

    def text(
        self, data: Mapping, key: str, *, required: bool = False, where: str = ""
    ) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                place = f" in {where}" if where else ""
                self.error(data.line, f'missing "{key}"{place}: it is required')
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(data.line_of(key), f'"{key}" must be text, got {describe(value)}')
            return None
        text = str(value).strip()
        if required and not text:
            self.error(data.line_of(key), f'"{key}" must not be empty')
            return None
        return text

    def url(self, data: Mapping, key: str, *, required: bool = False) -> str | None:
        value = self.text(data, key, required=required)
        if value is not None and not is_http_url(value):
            self.error(data.line_of(key), f'"{key}" must be an http(s) URL, got "{value}"')
            return None
        return value

    def boolean(self, data: Mapping, key: str, default: bool = False) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.error(data.line_of(key), f'"{key}" must be true or false, got {describe(value)}')
            return default
        return value

    def integer(self, data: Mapping, key: str, default: int, minimum: int = 1) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.error(
                data.line_of(key),
                f'"{key}" must be a whole number of at least {minimum}, got {describe(value)}',
            )
            return default
        return value

    def text_list(self, data: Mapping, key: str) -> list[tuple[str, int]]:
        """A list of texts (a single text is accepted as a list of one), with lines."""
        value = data.get(key)
        if value is None:
            return []
        line = data.line_of(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return [(str(value), line)]
        if not isinstance(value, Sequence):
            self.error(line, f'"{key}" must be a list, got {describe(value)}')
            return []
        out: list[tuple[str, int]] = []
        for index, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.error(
                    value.line_of(index), f'items of "{key}" must be text, got {describe(item)}'
                )
                continue
            out.append((str(item), value.line_of(index)))
        return out
