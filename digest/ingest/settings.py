"""Ingestion settings: the `ingest:` section of content/site.yaml, checked line by line.

    ingest:
      policy_words: {en: [...], fr: [...]}   # added to the built-in lists (relevance.py)
      deal_words: {en: [...]}                # weaker deal words: in a title, or between companies
      ai_words: {de: [...]}                  # AI words, per language ("*": any language)
      context_words: {it: [...]}             # weaker clues, for ambiguous names only
      extend_defaults: true                  # false: use only the lists given here
      company_taxonomies: [company]          # terms that need a policy word to count
      max_bytes: 10485760                    # largest feed body accepted
      timeout: 20                            # seconds, to connect and between reads
      concurrency: 8                         # feeds fetched at once
      retry_after_max: 30                    # longest Retry-After waited for, in seconds
      user_agent: "..."                      # sent with every request
      dedupe_days: 3                         # same title within this many days = same story
      workers: 0                             # processes for parsing (0: one per CPU, up to 4)
      state_file: content/.ingest-state.json # conditional GET and first-seen times
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from .. import yamlsrc
from ..config import SiteConfig
from ..errors import ProblemList, relpath
from ..schema import Checker, describe
from ..yamlsrc import Mapping, Sequence
from .fetch import FetchOptions
from .lexicon import make_pattern
from .relevance import (
    AI_WORDS,
    COMPANY_TAXONOMIES,
    CONTEXT_WORDS,
    DEAL_WORDS,
    POLICY_WORDS,
    merged_words,
)
from .tagging import WordKind

INGEST_KEYS = (
    "policy_words", "deal_words", "ai_words", "context_words", "extend_defaults", "company_taxonomies",
    "max_bytes", "timeout", "concurrency", "retry_after_max", "user_agent", "dedupe_days",
    "state_file", "workers",
)
DEFAULT_STATE_FILE = "content/.ingest-state.json"
_LANG_KEY = re.compile(r"^(\*|[a-z]{2,3}(-[A-Za-z0-9]{2,8})*)$")
_WORD_LISTS: dict[str, tuple[WordKind, dict[str, tuple[str, ...]]]] = {
    "policy_words": ("policy", POLICY_WORDS),
    "deal_words": ("deal", DEAL_WORDS),
    "ai_words": ("ai", AI_WORDS),
    "context_words": ("context", CONTEXT_WORDS),
}


@dataclass(frozen=True, slots=True)
class IngestSettings:
    """Everything ingest reads from the site configuration."""

    fetch: FetchOptions = field(default_factory=FetchOptions)
    words: dict[WordKind, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    """Word lists by kind, then language; built-in lists merged with the site's."""
    company_taxonomies: tuple[str, ...] = COMPANY_TAXONOMIES
    dedupe_days: int = 3
    state_file: PurePosixPath = field(default_factory=lambda: PurePosixPath(DEFAULT_STATE_FILE))
    """Relative to the project root."""
    workers: int = 0
    """Worker processes for parsing and reading feeds; 0: one per CPU (at most 4)."""


def default_user_agent(base_url: str) -> str:
    try:
        version = metadata.version("digest")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        version = "0"
    return f"digest/{version} (feed ingestion; +{base_url})"


def _number(check: Checker, data: Mapping, key: str, default: float, minimum: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        check.error(data.line_of(key), f'"{key}" must be a number of at least {minimum:g}, '
                    f"got {describe(value)}")
        return default
    return float(value)


def _word_lists(check: Checker, data: Mapping, key: str) -> dict[str, tuple[str, ...]]:
    raw = check.mapping(data, key, what="a mapping of language to a list of words")
    out: dict[str, tuple[str, ...]] = {}
    for lang in raw or {}:
        assert raw is not None
        if not _LANG_KEY.match(lang):
            check.error(raw.line_of(lang), f'"{lang}" in "{key}" is not a language code '
                        '(en, fr, de, es, it... or "*" for every language)')
            continue
        words = []
        for word, line in check.text_list(raw, lang):
            if make_pattern(word.lstrip("!"), None) is None:
                check.error(line, f'"{word}" in "{key}" has no letters or digits to match')
                continue
            words.append(word)
        out[lang] = tuple(words)
    return out


def parse_settings(data: Any, path: str, config: SiteConfig, problems: ProblemList) -> IngestSettings:
    """IngestSettings from the `ingest:` mapping (already loaded with line numbers)."""
    check = Checker(problems, path)
    if data is None:
        data = Mapping()
    if not isinstance(data, Mapping):
        check.error(getattr(data, "line", 1), f'"ingest" must be a mapping, got {describe(data)}')
        data = Mapping()
    check.keys(data, INGEST_KEYS, '"ingest"')
    extend = check.boolean(data, "extend_defaults", True)
    words: dict[WordKind, dict[str, tuple[str, ...]]] = {}
    for key, (kind, defaults) in _WORD_LISTS.items():
        words[kind] = merged_words(defaults, _word_lists(check, data, key), extend)
    company = tuple(v for v, _ in check.text_list(data, "company_taxonomies")) or COMPANY_TAXONOMIES
    for name, line in check.text_list(data, "company_taxonomies"):
        if name not in config.taxonomy_keys:
            check.error(line, f'"{name}" in "company_taxonomies" is not a taxonomy of the site '
                        "(" + ", ".join(config.taxonomy_keys) + ")")
    state_file = check.text(data, "state_file") or DEFAULT_STATE_FILE
    state_path = PurePosixPath(state_file)
    if state_path.is_absolute() or ".." in state_path.parts:
        check.error(data.line_of("state_file"), f'"state_file" must be a path inside the '
                    f'project, relative to its root, got "{state_file}"')
        state_path = PurePosixPath(DEFAULT_STATE_FILE)
    concurrency = check.integer(data, "concurrency", 8)
    if concurrency > 64:
        check.error(data.line_of("concurrency"), '"concurrency" must be at most 64')
        concurrency = 64
    fetch = FetchOptions(
        timeout=_number(check, data, "timeout", 20.0, 0.001),
        max_bytes=check.integer(data, "max_bytes", 10 * 1024 * 1024, minimum=1024),
        concurrency=concurrency,
        user_agent=check.text(data, "user_agent") or default_user_agent(config.base_url),
        retry_after_max=_number(check, data, "retry_after_max", 30.0, 0),
    )
    return IngestSettings(
        fetch=fetch,
        words=words,
        company_taxonomies=company,
        dedupe_days=check.integer(data, "dedupe_days", 3, minimum=0),
        state_file=state_path,
        workers=check.integer(data, "workers", 0, minimum=0),
    )


def load_settings(root: Path, config: SiteConfig, problems: ProblemList) -> IngestSettings:
    """Read the `ingest:` section of content/site.yaml with its line numbers.

    `config.load_site` keeps that section as a plain dict; it is read again here so that
    a wrong value is reported on its own line.
    """
    path = root / "content" / "site.yaml"
    name = relpath(path, root)
    data: Any = None
    try:
        loaded = yamlsrc.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yamlsrc.YamlProblem):
        loaded = None  # load_site has reported it already
    if isinstance(loaded, Mapping):
        data = loaded.get("ingest")
    elif config.ingest:
        data = _as_mapping(config.ingest)
    return parse_settings(data, name, config, problems)


def _as_mapping(value: dict[str, Any]) -> Mapping:
    mapping = Mapping()
    mapping.update(value)
    return mapping


__all__ = ["IngestSettings", "Sequence", "load_settings", "parse_settings"]
