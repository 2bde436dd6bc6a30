"""The curated taxonomy: `content/taxonomy.yaml`.

One section per taxonomy declared in the site config; each term keyed by its slug.
Terms are value objects; a `Taxonomies` index resolves whatever an editor writes
(slug, name or alias, any case, with or without accents) to the term's slug.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import yamlsrc
from .config import FieldSpec, SiteConfig, TaxonomySpec
from .dates import DateError, PartialDate, parse_partial
from .errors import ProblemList, relpath
from .schema import Checker, describe, normalise
from .yamlsrc import Mapping, Sequence

TERM_KEYS = ("name", "aliases", "description", "url", "events", "related", "extra")
EVENT_KEYS = ("date", "label", "source", "uncertain", "extra")
ALIAS_KEYS = ("text", "ambiguous", "lang")
AMOUNT_KEYS = ("value", "currency", "basis")
AMOUNT_BASES = ("announced", "up-to", "completed", "reported")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Alias:
    text: str
    ambiguous: bool = False  # an ordinary word somewhere: tag only in AI context
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Amount:
    value: float
    currency: str
    basis: str  # announced | up-to | completed | reported


@dataclass(frozen=True, slots=True)
class Event:
    """A dated milestone of a term: a law's adoption, a deal's review."""

    taxonomy: str
    term: str  # the slug of the term that owns the event
    date: PartialDate
    label: str
    source: str | None = None
    uncertain: bool = False
    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # e.g. the regulator
    line: int = 0
    anchor: str = ""  # fragment id on the term page, unique within the term


def event_anchor(date: PartialDate, label: str, taken: set[str]) -> str:
    """A fragment id that survives edits elsewhere in the taxonomy file: the date and
    the label's first words, with a number when two events of a term would share it."""
    words = [w for w in normalise(label).split() if w.isascii()][:6]
    base = "event-" + date.iso() + ("-" + "-".join(words) if words else "")
    anchor, number = base, 1
    while anchor in taken:
        number += 1
        anchor = f"{base}-{number}"
    taken.add(anchor)
    return anchor


@dataclass(frozen=True, slots=True)
class Term:
    taxonomy: str
    slug: str
    name: str
    aliases: tuple[Alias, ...] = ()
    description: str = ""
    url: str | None = None
    events: tuple[Event, ...] = ()
    related: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    line: int = 0


@dataclass(slots=True)
class Taxonomies:
    """Every taxonomy's terms, and the index that resolves names to slugs."""

    specs: tuple[TaxonomySpec, ...]
    terms: dict[str, dict[str, Term]]  # taxonomy -> slug -> term, in file order
    # False when taxonomy.yaml could not be read: terms are then not checked, so one
    # broken file does not bury its own error under an "unknown term" per article.
    available: bool = True
    _index: dict[str, dict[str, str]] = field(default_factory=dict)  # taxonomy -> key -> slug

    def __post_init__(self) -> None:
        if not self._index:
            for key, terms in self.terms.items():
                index: dict[str, str] = {}
                for term in terms.values():
                    for name in names_of(term):
                        index.setdefault(normalise(name), term.slug)
                self._index[key] = index

    def resolve(self, taxonomy: str, value: str) -> str | None:
        key = normalise(value)
        return self._index.get(taxonomy, {}).get(key) if key else None

    def closest(self, taxonomy: str, value: str, n: int = 3) -> list[str]:
        index = self._index.get(taxonomy, {})
        matches = difflib.get_close_matches(normalise(value), list(index), n=n * 3, cutoff=0.5)
        slugs: list[str] = []
        for match in matches:
            if index[match] not in slugs:
                slugs.append(index[match])
        return slugs[:n]

    def get(self, taxonomy: str, slug: str) -> Term | None:
        return self.terms.get(taxonomy, {}).get(slug)

    def all_terms(self) -> Iterator[Term]:
        for terms in self.terms.values():
            yield from terms.values()

    def all_events(self) -> Iterator[Event]:
        for term in self.all_terms():
            yield from term.events


def names_of(term: Term) -> list[str]:
    return [term.slug, term.name, *(a.text for a in term.aliases)]


def _term_refs(
    check: Checker, data: Mapping, key: str, keys: tuple[str, ...], what: str
) -> dict[str, list[tuple[str, int]]]:
    """`related:` and event term lists: {taxonomy: [(value, line)]}, unresolved."""
    out: dict[str, list[tuple[str, int]]] = {}
    for tax in data:
        if key and tax not in keys:
            continue
        if tax not in keys:
            check.error(data.line_of(tax), f'unknown taxonomy "{tax}" in {what}')
            continue
        out[tax] = check.text_list(data, tax)
    return out


def _parse_alias(check: Checker, item: Any, line: int) -> Alias | None:
    if isinstance(item, str | int) and not isinstance(item, bool):
        return Alias(str(item))
    if isinstance(item, Mapping):
        check.keys(item, ALIAS_KEYS, "an alias")
        text = check.text(item, "text", required=True, where="an alias")
        if text is None:
            return None
        return Alias(text, check.boolean(item, "ambiguous"), check.text(item, "lang"))
    check.error(line, f"an alias must be text or {{text, ambiguous}}, got {describe(item)}")
    return None


def _parse_amount(check: Checker, data: Mapping, name: str) -> Amount | None:
    value = data.get(name)
    line = data.line_of(name)
    if not isinstance(value, Mapping):
        check.error(line, f'"{name}" must be a mapping {{value, currency, basis}}, '
                    f"got {describe(value)}")
        return None
    check.keys(value, AMOUNT_KEYS, f'"{name}"')
    number = value.get("value")
    if isinstance(number, bool) or not isinstance(number, int | float) or number < 0:
        check.error(value.line_of("value"), f'"{name}.value" must be a positive number, '
                    f"got {describe(number)}")
        return None
    currency = check.text(value, "currency", required=True, where=f'"{name}"') or ""
    if currency and not re.fullmatch(r"[A-Z]{3}", currency):
        check.error(value.line_of("currency"),
                    f'"{name}.currency" must be an ISO 4217 code such as EUR or USD, '
                    f'got "{currency}"')
    basis = check.text(value, "basis", required=True, where=f'"{name}"') or "reported"
    if basis not in AMOUNT_BASES:
        check.error(value.line_of("basis"), f'"{name}.basis" must be one of '
                    + ", ".join(AMOUNT_BASES) + f', got "{basis}"')
    return Amount(float(number), currency, basis)


def _parse_field(check: Checker, spec: FieldSpec, data: Mapping) -> Any:
    line = data.line_of(spec.name)
    if spec.type == "text":
        return check.text(data, spec.name)
    if spec.type == "url":
        return check.url(data, spec.name)
    if spec.type == "choice":
        value = check.text(data, spec.name)
        if value is not None and value not in spec.values:
            check.error(line, f'"{spec.name}" must be one of ' + ", ".join(spec.values)
                        + f', got "{value}"')
            return None
        return value
    if spec.type == "date":
        try:
            return parse_partial(data[spec.name])
        except DateError as exc:
            check.error(line, f'"{spec.name}": {exc}')
            return None
    if spec.type == "amount":
        return _parse_amount(check, data, spec.name)
    # "terms": resolved later, when every term is known
    return check.text_list(data, spec.name)


def _parse_events(
    check: Checker, data: Any, line: int, taxonomy: str, slug: str, keys: tuple[str, ...]
) -> list[tuple[Event, dict[str, list[tuple[str, int]]]]]:
    """Events with their term references still unresolved (every term is not known yet)."""
    pending: list[tuple[Event, dict[str, list[tuple[str, int]]]]] = []
    if not isinstance(data, Sequence):
        check.error(line, f'"events" must be a list, got {describe(data)}')
        return pending
    for index, item in enumerate(data):
        item_line = data.line_of(index)
        if not isinstance(item, Mapping):
            check.error(item_line, f"an event must be a mapping {{date, label, source}}, "
                        f"got {describe(item)}")
            continue
        check.keys(item, (*EVENT_KEYS, *keys), "an event")
        if "date" not in item:
            check.error(item_line, 'an event needs a "date" (YYYY, YYYY-MM or YYYY-MM-DD)')
            continue
        try:
            date = parse_partial(item["date"])
        except DateError as exc:
            check.error(item.line_of("date"), f"event date: {exc}")
            continue
        label = check.text(item, "label", required=True, where="an event") or ""
        source = check.url(item, "source")
        refs = {t: check.text_list(item, t) for t in keys if t in item}
        event = Event(taxonomy, slug, date, label, source, check.boolean(item, "uncertain"),
                      {}, item_line)
        pending.append((event, refs))
    return pending


def parse_taxonomy(data: Any, path: str, config: SiteConfig, problems: ProblemList) -> Taxonomies:
    check = Checker(problems, path)
    keys = config.taxonomy_keys
    if data is None:  # an empty file: a new digest with no terms yet
        data = Mapping()
    if not isinstance(data, Mapping):
        check.error(1, f"the taxonomy file must be a mapping of taxonomies, got {describe(data)}")
        data = Mapping()
    for key in data:
        if key not in keys:
            from .errors import did_you_mean

            check.error(data.line_of(key), f'unknown taxonomy "{key}"{did_you_mean(key, keys)}; '
                        "declare it under taxonomies: in site.yaml")
    terms: dict[str, dict[str, Term]] = {key: {} for key in keys}
    # Cross-references are resolved after every term is read.
    refs: list[tuple[str, str, int, str, str, int]] = []  # (tax, slug, line, target, value, vline)
    pending_events: list[tuple[Event, dict[str, list[tuple[str, int]]]]] = []
    term_fields: dict[tuple[str, str], dict[str, Any]] = {}
    for spec in config.taxonomies:
        section = data.get(spec.key)
        if section is None:
            continue
        if not isinstance(section, Mapping):
            check.error(data.line_of(spec.key), f'"{spec.key}" must map slugs to terms')
            continue
        field_names = tuple(f.name for f in spec.fields)
        for slug, raw in section.items():
            line = section.line_of(slug)
            if not SLUG.match(slug):
                check.error(line, f'"{slug}" is not a slug: use lowercase letters, digits and '
                            "hyphens (e.g. mistral-ai)")
            if not isinstance(raw, Mapping):
                check.error(line, f'term "{slug}" must be a mapping, got {describe(raw)}')
                continue
            check.keys(raw, (*TERM_KEYS, *field_names), f'{spec.key} "{slug}"')
            name = check.text(raw, "name", required=True, where=f'{spec.key} "{slug}"') or slug
            aliases: list[Alias] = []
            raw_aliases = raw.get("aliases")
            if raw_aliases is not None:
                if isinstance(raw_aliases, Sequence):
                    for i, item in enumerate(raw_aliases):
                        alias = _parse_alias(check, item, raw_aliases.line_of(i))
                        if alias:
                            aliases.append(alias)
                else:
                    check.error(raw.line_of("aliases"), '"aliases" must be a list')
            fields: dict[str, Any] = {}
            for fspec in spec.fields:
                if fspec.name in raw:
                    value = _parse_field(check, fspec, raw)
                    if fspec.type == "terms":
                        for target_value, vline in value or []:
                            refs.append((spec.key, slug, line, fspec.taxonomy or "", target_value,
                                         vline))
                        value = []
                    fields[fspec.name] = value
                elif fspec.required:
                    check.error(line, f'{spec.key} "{slug}" needs "{fspec.name}"')
            term_fields[(spec.key, slug)] = fields
            related = check.mapping(raw, "related", what="a mapping of taxonomy to terms")
            related_refs = _term_refs(check, related, "", keys, "related") if related else {}
            for target, values in related_refs.items():
                for value, vline in values:
                    refs.append((spec.key, slug, line, "related:" + target, value, vline))
            if "events" in raw:
                pending = _parse_events(check, raw["events"], raw.line_of("events"),
                                           spec.key, slug, keys)
                pending_events.extend(pending)
            extra = check.mapping(raw, "extra", what="a mapping of free data")
            terms[spec.key][slug] = Term(
                taxonomy=spec.key, slug=slug, name=name, aliases=tuple(aliases),
                description=check.text(raw, "description") or "", url=check.url(raw, "url"),
                fields=fields, extra=dict(extra or {}), line=line,
            )
    taxonomies = Taxonomies(config.taxonomies, terms)
    _check_duplicate_aliases(check, taxonomies)

    def resolve(target: str, value: str, vline: int, where: str) -> str | None:
        slug = taxonomies.resolve(target, value)
        if slug is None:
            close = taxonomies.closest(target, value)
            hint = f"; closest: {', '.join(close)}" if close else ""
            check.error(vline, f'{where} names unknown {target} "{value}"{hint}')
        return slug

    related_out: dict[tuple[str, str], dict[str, list[str]]] = {}
    for tax, slug, _line, target, value, vline in refs:
        if target.startswith("related:"):
            target_tax = target.split(":", 1)[1]
            resolved = resolve(target_tax, value, vline, f'"related" of {tax} "{slug}"')
            if resolved:
                related_out.setdefault((tax, slug), {}).setdefault(target_tax, []).append(resolved)
        else:
            field_name = _field_for_target(config, tax, target)
            resolved = resolve(target, value, vline, f'{tax} "{slug}"')
            if resolved:
                term_fields[(tax, slug)].setdefault(field_name, []).append(resolved)
    events_out: dict[tuple[str, str], list[Event]] = {}
    for event, event_refs in pending_events:
        resolved_refs: dict[str, tuple[str, ...]] = {}
        for target, values in event_refs.items():
            slugs = [resolve(target, v, vl, "an event") for v, vl in values]
            resolved_refs[target] = tuple(s for s in slugs if s)
        events_out.setdefault((event.taxonomy, event.term), []).append(
            Event(event.taxonomy, event.term, event.date, event.label, event.source,
                  event.uncertain, resolved_refs, event.line)
        )
    final: dict[str, dict[str, Term]] = {}
    for tax, tax_terms in terms.items():
        final[tax] = {}
        for slug, term in tax_terms.items():
            taken: set[str] = set()
            ordered = sorted(events_out.get((tax, slug), []), key=lambda e: (e.date.sort_key, e.line))
            events = tuple(replace(e, anchor=event_anchor(e.date, e.label, taken)) for e in ordered)
            fields = {k: (tuple(v) if isinstance(v, list) else v)
                      for k, v in term_fields[(tax, slug)].items()}
            final[tax][slug] = Term(
                term.taxonomy, term.slug, term.name, term.aliases, term.description, term.url,
                events,
                {k: tuple(v) for k, v in related_out.get((tax, slug), {}).items()},
                fields, term.extra, term.line,
            )
    return Taxonomies(config.taxonomies, final)


def _field_for_target(config: SiteConfig, tax: str, target: str) -> str:
    for f in config.taxonomy(tax).fields:
        if f.type == "terms" and f.taxonomy == target:
            return f.name
    return target


def _check_duplicate_aliases(check: Checker, taxonomies: Taxonomies) -> None:
    for key, terms in taxonomies.terms.items():
        owner: dict[str, str] = {}
        for term in terms.values():
            seen_here: set[str] = set()
            for name in names_of(term):
                norm = normalise(name)
                if not norm:
                    check.error(term.line, f'{key} "{term.slug}": "{name}" has no letters or digits '
                                "to match on")
                    continue
                if norm in seen_here:
                    continue
                seen_here.add(norm)
                if norm in owner and owner[norm] != term.slug:
                    check.error(term.line, f'{key} "{term.slug}": alias "{name}" is already '
                                f'used by "{owner[norm]}"; an alias must name one term')
                else:
                    owner[norm] = term.slug


def load_taxonomy(path: Path, root: Path, config: SiteConfig, problems: ProblemList) -> Taxonomies:
    name = relpath(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.add(name, 1, "the taxonomy is missing: create content/taxonomy.yaml")
        return Taxonomies(config.taxonomies, {k: {} for k in config.taxonomy_keys}, available=False)
    problems.remember_source(name, text)
    try:
        data = yamlsrc.load(text)
    except yamlsrc.YamlProblem as exc:
        problems.add(name, exc.line, exc.message)
        return Taxonomies(config.taxonomies, {k: {} for k in config.taxonomy_keys}, available=False)
    return parse_taxonomy(data, name, config, problems)
