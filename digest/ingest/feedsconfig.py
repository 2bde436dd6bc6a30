"""The list of feeds: content/feeds.yaml.

    feeds:
      - id: journaldugeek                  # lowercase letters, digits, - and _; unique
        url: https://www.journaldugeek.com/feed/
        name: Journal du Geek              # shown as the source of its drafts
        lang: fr                           # the feed's language (default: the site's)
        keep: all                          # optional: every entry is AI policy
        include: [AI Act, "régulat*"]      # optional: keep entries with these words
        exclude: [sponsored]               # optional: drop entries with these; wins
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .. import yamlsrc
from ..config import SiteConfig
from ..errors import ProblemList, did_you_mean, relpath
from ..schema import Checker, describe
from ..yamlsrc import Mapping, Sequence
from .lexicon import make_pattern

FEED_KEYS = ("id", "url", "name", "lang", "keep", "include", "exclude")
FEED_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed to ingest."""

    id: str
    url: str
    name: str
    lang: str
    keep_all: bool = False
    """`keep: all`: the feed is about AI policy; every entry is relevant."""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    line: int = 0
    """Line of the feed in feeds.yaml, for messages."""


def _feed(check: Checker, item: Mapping, config: SiteConfig, seen: dict[str, int]) -> Feed | None:
    check.keys(item, FEED_KEYS, "a feed")
    feed_id = check.text(item, "id", required=True, where="a feed")
    url = check.url(item, "url", required=True)
    if feed_id is not None and not FEED_ID.match(feed_id):
        check.error(item.line_of("id"), f'feed id "{feed_id}" must be lowercase letters, '
                    "digits, - and _ (e.g. journaldugeek)")
        feed_id = None
    if feed_id is not None and feed_id in seen:
        check.error(item.line_of("id"), f'feed id "{feed_id}" is already used on line '
                    f"{seen[feed_id]}")
        feed_id = None
    lang = check.text(item, "lang") or config.language
    if not LANG.match(lang):
        check.error(item.line_of("lang"), f'"lang" must be a language code such as en or fr, '
                    f'got "{lang}"')
    elif lang not in config.languages:
        check.warn(item.line_of("lang"), f'"{lang}" is not one of the site\'s languages ('
                   + ", ".join(config.languages) + ")")
    keep = item.get("keep")
    if keep is not None and keep != "all":
        check.error(item.line_of("keep"), f'"keep" can only be "all", got {describe(keep)}')
    rules: dict[str, tuple[str, ...]] = {}
    for key in ("include", "exclude"):
        words = []
        for word, line in check.text_list(item, key):
            if make_pattern(word, None) is None:
                check.error(line, f'"{word}" in "{key}" has no letters or digits to match')
            else:
                words.append(word)
        rules[key] = tuple(words)
    if feed_id is None or url is None:
        return None
    seen[feed_id] = item.line
    return Feed(feed_id, url, check.text(item, "name") or feed_id, lang, keep == "all",
                rules["include"], rules["exclude"], item.line)


def parse_feeds(data: object, path: str, config: SiteConfig, problems: ProblemList) -> tuple[Feed, ...]:
    """Feeds from loaded YAML; every problem recorded with its line."""
    check = Checker(problems, path)
    if data is None:
        return ()
    if not isinstance(data, Mapping):
        check.error(1, f'the feeds file must be a mapping with a "feeds:" list, got {describe(data)}')
        return ()
    for key in data:
        if key != "feeds":
            check.error(data.line_of(key), f'unknown key "{key}"{did_you_mean(key, ["feeds"])}; '
                        'the feeds file has one key, "feeds"')
    items = data.get("feeds")
    if items is None:
        return ()
    if not isinstance(items, Sequence):
        check.error(data.line_of("feeds"), f'"feeds" must be a list, got {describe(items)}')
        return ()
    feeds: list[Feed] = []
    seen: dict[str, int] = {}
    urls: dict[str, int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            check.error(items.line_of(index), f"a feed must be a mapping with id and url, "
                        f"got {describe(item)}")
            continue
        feed = _feed(check, item, config, seen)
        if feed is None:
            continue
        if feed.url in urls:
            check.warn(item.line_of("url"), f"this URL is also the feed on line {urls[feed.url]}")
        urls.setdefault(feed.url, item.line)
        feeds.append(feed)
    return tuple(feeds)


def load_feeds(path: Path, root: Path, config: SiteConfig, problems: ProblemList) -> tuple[Feed, ...]:
    """Read and check the feeds file; a missing file is an error that says what to do."""
    name = relpath(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.add(name, 1, "there is no feeds file: create content/feeds.yaml, or import "
                     "an OPML list with `digest feeds import FILE.opml`")
        return ()
    except UnicodeDecodeError as exc:
        problems.add(name, 1, f"not valid UTF-8 ({exc.reason})")
        return ()
    problems.remember_source(name, text)
    try:
        data = yamlsrc.load(text)
    except yamlsrc.YamlProblem as exc:
        problems.add(name, exc.line, exc.message)
        return ()
    return parse_feeds(data, name, config, problems)
