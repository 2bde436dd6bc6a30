"""The site configuration: `content/site.yaml`.

The set of taxonomies lives here, not in code: each one names its typed fields
(a company's country, a regulation's status, a deal's parties and amount), and the
taxonomy loader checks terms against that declaration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from . import yamlsrc
from .errors import ProblemList, relpath
from .schema import Checker, describe
from .yamlsrc import Mapping, Sequence

TAXONOMY_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Folders of the site, and keys of articles and events that a taxonomy key would shadow.
RESERVED_TAXONOMY_KEYS = frozenset({
    "articles", "page", "timeline", "search", "data", "static", "pagefind", "feed",
    "title", "date", "updated", "lang", "summary", "sources", "mentions", "status",
    "ingested", "extra", "label", "source", "uncertain",
})
FIELD_TYPES = ("text", "choice", "date", "terms", "amount", "url")
LANGUAGES = ("en", "fr", "de", "es", "it")

SITE_KEYS = (
    "title", "description", "base_url", "language", "languages", "author",
    "page_size", "term_page_size", "feed_size", "related_count", "taxonomies",
    "ingest", "extra", "copyright", "timeline_page_limit", "term_timeline_limit",
)
TAXONOMY_KEYS = ("title", "singular", "description", "fields", "extra")
FIELD_KEYS = ("type", "values", "taxonomy", "label", "required")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    type: str
    label: dict[str, str]
    values: tuple[str, ...] = ()  # for "choice"
    taxonomy: str | None = None  # for "terms"
    required: bool = False


@dataclass(frozen=True, slots=True)
class TaxonomySpec:
    key: str
    title: dict[str, str]  # per language; "en" always present
    singular: dict[str, str]
    description: str = ""
    fields: tuple[FieldSpec, ...] = ()

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title["en"]

    def singular_in(self, lang: str) -> str:
        return self.singular.get(lang) or self.singular["en"]


@dataclass(frozen=True, slots=True)
class SiteConfig:
    title: str
    base_url: str  # always ends with "/"
    language: str = "en"
    languages: tuple[str, ...] = LANGUAGES
    description: str = ""
    author: str = ""
    copyright: str = ""
    page_size: int = 20
    term_page_size: int = 50
    feed_size: int = 50
    related_count: int = 5
    # /timeline/ carries every entry up to this many; above it, the latest year (every
    # year always has its own /timeline/YYYY/ page).
    timeline_page_limit: int = 2000
    # A term page's timeline: all of the term's milestones, and its latest articles up to
    # this many (the others are in the term's paginated article list).
    term_timeline_limit: int = 200
    taxonomies: tuple[TaxonomySpec, ...] = ()
    ingest: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    loaded: bool = True  # False when site.yaml could not be read: nothing else is checked

    @property
    def base_path(self) -> str:
        """The path part of the base URL: "/" or "/repo/"."""
        rest = self.base_url.split("://", 1)[-1]
        path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
        return path if path.endswith("/") else path + "/"

    def taxonomy(self, key: str) -> TaxonomySpec:
        for spec in self.taxonomies:
            if spec.key == key:
                return spec
        raise KeyError(key)

    @property
    def taxonomy_keys(self) -> tuple[str, ...]:
        return tuple(spec.key for spec in self.taxonomies)


def _known_locale(tag: str) -> bool:
    try:
        Locale.parse(tag.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return False
    return True


def normalise_base_url(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _localised(check: Checker, data: Mapping, key: str, default: str) -> dict[str, str]:
    """A label given as text, or as a mapping of language to text."""
    value = data.get(key)
    if value is None:
        return {"en": default}
    if isinstance(value, str):
        return {"en": value}
    if isinstance(value, Mapping):
        labels = {str(k): str(v) for k, v in value.items()}
        if "en" not in labels:
            labels["en"] = next(iter(labels.values()), default)
        return labels
    check.error(data.line_of(key), f'"{key}" must be text or a mapping of language to text')
    return {"en": default}


def _field(check: Checker, name: str, data: Any, line: int) -> FieldSpec | None:
    if isinstance(data, str):
        data_map = Mapping(line)
        data_map["type"] = data
        data_map.key_lines["type"] = line
        data = data_map
    if not isinstance(data, Mapping):
        check.error(line, f'field "{name}" must be a type name or a mapping, got {describe(data)}')
        return None
    check.keys(data, FIELD_KEYS, f'field "{name}"')
    kind = check.text(data, "type", required=True, where=f'field "{name}"') or "text"
    if kind not in FIELD_TYPES:
        check.error(
            data.line_of("type"),
            f'field "{name}" has unknown type "{kind}"; expected one of: ' + ", ".join(FIELD_TYPES),
        )
        return None
    values = tuple(v for v, _ in check.text_list(data, "values"))
    if kind == "choice" and not values:
        check.error(data.line_of("type"), f'choice field "{name}" needs a list of "values"')
    taxonomy = check.text(data, "taxonomy")
    if kind == "terms" and not taxonomy:
        check.error(data.line_of("type"), f'terms field "{name}" needs a "taxonomy"')
    label = _localised(check, data, "label", name.replace("_", " ").capitalize())
    return FieldSpec(name, kind, label, values, taxonomy, check.boolean(data, "required"))


def parse_site(data: Any, path: str, problems: ProblemList) -> SiteConfig:
    check = Checker(problems, path)
    if not isinstance(data, Mapping):
        check.error(1, f"the site configuration must be a mapping, got {describe(data)}")
        data = Mapping()
    check.keys(data, SITE_KEYS, "the site configuration")
    base_url = check.url(data, "base_url") or "http://localhost:8000/"
    language = check.text(data, "language") or "en"
    if not _known_locale(language):
        check.error(data.line_of("language"), f'"language" must be a language Babel knows, such as '
                    f'en, fr, de-CH or pt-BR, got "{language}"')
        language = "en"
    languages = tuple(v for v, _ in check.text_list(data, "languages")) or LANGUAGES
    taxonomies: list[TaxonomySpec] = []
    raw = data.get("taxonomies")
    if raw is None:
        check.error(data.line, 'missing "taxonomies": declare at least one taxonomy')
    elif not isinstance(raw, Mapping):
        check.error(data.line_of("taxonomies"), '"taxonomies" must map each taxonomy to its settings')
    else:
        for key, spec in raw.items():
            line = raw.line_of(key)
            if not TAXONOMY_KEY.match(key):
                check.error(line, f'taxonomy "{key}" must be a slug (lowercase letters, digits, '
                            "hyphens): it names the taxonomy's folder in the site")
                continue
            if key in RESERVED_TAXONOMY_KEYS:
                check.error(line, f'"{key}" cannot be a taxonomy: the name is used by the site '
                            "or the article format; choose another")
                continue
            if spec is None:
                spec = Mapping(line)
            if not isinstance(spec, Mapping):
                check.error(line, f'taxonomy "{key}" must be a mapping, got {describe(spec)}')
                continue
            check.keys(spec, TAXONOMY_KEYS, f'taxonomy "{key}"')
            fields: list[FieldSpec] = []
            raw_fields = check.mapping(spec, "fields", what="a mapping of field names to types")
            for name, fdata in (raw_fields or {}).items():
                made = _field(check, name, fdata, raw_fields.line_of(name) if raw_fields else line)
                if made:
                    fields.append(made)
            title = _localised(check, spec, "title", key.replace("-", " ").capitalize())
            singular = _localised(check, spec, "singular", title["en"])
            taxonomies.append(
                TaxonomySpec(key, title, singular, check.text(spec, "description") or "",
                             tuple(fields))
            )
    keys = {t.key for t in taxonomies}
    for spec in taxonomies:
        for f in spec.fields:
            if f.taxonomy and f.taxonomy not in keys:
                problems.add(path, data.line, f'field "{f.name}" of "{spec.key}" names unknown '
                             f'taxonomy "{f.taxonomy}"')
    ingest = data.get("ingest") if isinstance(data.get("ingest"), Mapping) else {}
    extra = data.get("extra") if isinstance(data.get("extra"), Mapping) else {}
    return SiteConfig(
        title=check.text(data, "title", required=True) or "digest",
        base_url=normalise_base_url(base_url),
        language=language,
        languages=languages,
        description=check.text(data, "description") or "",
        author=check.text(data, "author") or "",
        copyright=check.text(data, "copyright") or "",
        page_size=check.integer(data, "page_size", 20),
        term_page_size=check.integer(data, "term_page_size", 50),
        feed_size=check.integer(data, "feed_size", 50),
        related_count=check.integer(data, "related_count", 5, minimum=0),
        timeline_page_limit=check.integer(data, "timeline_page_limit", 2000),
        term_timeline_limit=check.integer(data, "term_timeline_limit", 200),
        taxonomies=tuple(taxonomies),
        ingest=dict(ingest or {}),
        extra=dict(extra or {}),
    )


def load_site(path: Path, root: Path, problems: ProblemList) -> SiteConfig:
    """Read and check `site.yaml`; problems are collected, a usable config returned."""
    name = relpath(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.add(name, 1, "the site configuration is missing: create content/site.yaml")
        return replace(parse_site(Mapping(), name, ProblemList()), loaded=False)
    except UnicodeDecodeError as exc:
        problems.add(name, 1, f"not valid UTF-8 ({exc.reason})")
        return replace(parse_site(Mapping(), name, ProblemList()), loaded=False)
    problems.remember_source(name, text)
    try:
        data = yamlsrc.load(text)
    except yamlsrc.YamlProblem as exc:
        problems.add(name, exc.line, exc.message)
        return replace(parse_site(Mapping(), name, ProblemList()), loaded=False)
    return parse_site(data, name, problems)


__all__ = ["FieldSpec", "Sequence", "SiteConfig", "TaxonomySpec", "load_site", "parse_site"]
