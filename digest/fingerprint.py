"""What a page depends on: a static key from its context, and the reads it makes.

A page's key has two parts. The *static key* hashes everything the page is given: the
`Page` (path, template, title, context, ...) and a *base* shared by all pages (digest's
code, the theme's files, the site config, the template globals). Objects of the site
model appear in it only by identity (`A:<path>` for an article): what the template
reads of them is recorded while it renders, through Jinja's attribute lookup, as
*dependencies* ("the card fields of article X", "the articles of term Y", "term
names"). A page is up to date when its static key is the same and every dependency it
recorded still has the same digest. So a listing is re-rendered exactly when something
it shows changed, and only then.

Whatever the tracking cannot see is treated as depending on everything: a template
global or filter that this module does not know, or a context value it cannot hash.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import pickle
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .articles import Article, Source
from .cache import DIGEST_SIZE, digest
from .config import FieldSpec, SiteConfig, TaxonomySpec
from .dates import PartialDate
from .model import SiteModel, TermInfo, TimelineEntry
from .taxonomy import Alias, Amount, Event, Taxonomies, Term

if TYPE_CHECKING:
    import jinja2


# Template globals that read nothing but their arguments and the site config; any other
# callable global is wrapped so that calling it makes the page depend on everything.
PURE_GLOBALS = frozenset({
    "url", "abs_url", "format_day", "format_partial", "format_month", "format_amount",
    "format_number", "language_name", "term_of", "term_url", "taxonomy_url", "term_feed_url",
    "render_markdown", "iso_date", "timeline_url", "search_url", "home_url",
    # Jinja's own, and the i18n extension's
    "range", "dict", "lipsum", "cycler", "joiner", "namespace",
    "gettext", "ngettext", "pgettext", "npgettext", "_",
})
PURE_FILTERS = frozenset({"markdown"})
# Article properties and methods that read only card fields (not the body).
ARTICLE_CARD_ATTRIBUTES = frozenset({"url", "day", "moment", "is_draft", "all_terms"})
ARTICLE_FIELDS = frozenset(f.name for f in dataclasses.fields(Article))
TERM_FIELD_ORDER = tuple(f.name for f in dataclasses.fields(Term))
TERM_FIELDS = frozenset(TERM_FIELD_ORDER)
INFO_FIELDS = frozenset(f.name for f in dataclasses.fields(TermInfo)) | {"count"}

MEMO_TYPES = frozenset({TimelineEntry})
SCALARS = frozenset({str, int, float, bool, type(None)})
# Dataclasses made only of scalars, strings, tuples and dicts of those (no site-model
# objects, which must appear by identity): the generated repr is a complete token.
REPR_TYPES = frozenset(
    kind for kind in (PartialDate, Event, Alias, Amount, Source, FieldSpec)
    if all(f.repr for f in dataclasses.fields(kind)))
MACRO_MEMO_LIMIT = 5_000  # outputs kept per macro and process (more: memory, little speed)
MACRO_MEMO_LARGEST = 16_384  # characters: larger outputs are not kept

SEP = "\x1f"  # between the parts of one dependency
DEP_SEP = "\x1e"  # between dependencies
EVERYTHING = "*"
GONE = b"\0" * DIGEST_SIZE


class Uncacheable(Exception):
    """A value the key cannot be computed from: render the page every time."""


class NotLoaded(Exception):
    """The quick lane was asked for a part of the site model it does not have."""


class PartialModel:
    """The site model as the quick lane has it: the config and the taxonomy, nothing
    else. Reading anything else raises NotLoaded (and the full build runs instead); in
    a page key and in recorded dependencies it stands for the site model ("M")."""

    __slots__ = ("config", "taxonomies")

    def __init__(self, config: SiteConfig, taxonomies: Taxonomies) -> None:
        self.config = config
        self.taxonomies = taxonomies

    def __getattr__(self, name: str) -> Any:
        raise NotLoaded(name)


def card_digest(article: Article) -> bytes:
    """Every field of the article but its body (which the body's Markdown key covers)."""
    card = dataclasses.replace(article, packed_body=b"")
    return hashlib.blake2b(pickle.dumps(card, protocol=5), digest_size=DIGEST_SIZE).digest()


class Fingerprints:
    """Static keys of pages and digests of dependencies, for one build of one model."""

    def __init__(self, model: SiteModel, base: bytes, cards: dict[str, bytes],
                 bodies: dict[str, bytes]) -> None:
        self.model = model
        self.base = base
        self.cards = cards
        self.bodies = bodies
        self._memo: dict[int, tuple[object, str]] = {}
        self._deps: dict[str, bytes] = {}
        self._fields: dict[type, tuple[str, ...]] = {}

    # -- static keys -------------------------------------------------------------------

    def key(self, *values: Any) -> bytes | None:
        """The static key of what a page is given, or None if it cannot be computed."""
        parts: list[str] = []
        try:
            for value in values:
                self._walk(value, parts)
        except Uncacheable:
            return None
        return digest(self.base, SEP.join(parts))

    def token(self, value: Any) -> str:
        parts: list[str] = []
        self._walk(value, parts)
        return SEP.join(parts)

    def _walk(self, obj: Any, out: list[str]) -> None:
        kind = type(obj)
        if kind is str or kind is Markup:
            out.append(f"s{len(obj)}:{obj}")
        elif kind is Article:
            out.append("A" + obj.path)
        elif kind is list or kind is tuple:
            if obj and all(type(item) is Article for item in obj):
                out.append(("[A" if kind is list else "(A") + "\x1dA".join(a.path for a in obj))
                return
            if all(type(item) in SCALARS for item in obj):
                out.append(("l" if kind is list else "t") + repr(obj))
                return
            out.append("[" if kind is list else "(")
            walk = self._walk
            for item in obj:
                walk(item, out)
            out.append("]")
        elif kind is dict:
            out.append("{")
            walk = self._walk
            for k, v in obj.items():
                walk(k, out)
                walk(v, out)
            out.append("}")
        elif obj is None or kind is bool or kind is int or kind is float:
            out.append(f"{kind.__name__[0]}{obj!r}")
        elif kind in REPR_TYPES:
            # Value objects of scalars, tuples and dicts: their repr says everything.
            out.append(repr(obj))
        elif kind is TermInfo:
            out.append(f"I{obj.term.taxonomy}:{obj.term.slug}")
        elif kind is Term:
            out.append(f"T{obj.taxonomy}:{obj.slug}")
        elif kind is TaxonomySpec:
            out.append("S" + obj.key)  # part of the site config, in the base
        elif kind is SiteConfig:
            out.append("C")
        elif kind is SiteModel or kind is PartialModel:
            out.append("M")
        elif kind is Taxonomies:
            out.append("X")
        elif kind is dt.date or kind is dt.datetime:
            out.append(repr(obj))
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            memo = self._memo.get(id(obj))
            if memo is not None and memo[0] is obj:
                out.append(memo[1])
                return
            names = self._fields.get(kind)
            if names is None:
                names = self._fields[kind] = tuple(f.name for f in dataclasses.fields(obj))
            sub: list[str] = ["<" + kind.__name__]
            for name in names:
                self._walk(getattr(obj, name), sub)
            sub.append(">")
            token = SEP.join(sub)
            if kind in MEMO_TYPES:
                # Model-owned value objects (timeline entries) recur on many pages;
                # remember them (holding a reference, so the id stays theirs).
                self._memo[id(obj)] = (obj, token)
            out.append(token)
        elif kind is set or kind is frozenset:
            out.append("{" + ",".join(sorted(self.token(v) for v in obj)) + "}")
        else:
            raise Uncacheable(kind.__name__)

    # -- dependencies recorded while rendering ----------------------------------------

    def depsum(self, deps: str) -> bytes:
        """The digest of what the recorded dependencies are now."""
        if not deps:
            return digest("")
        lookup = self._deps
        parts = []
        for dep in deps.split(DEP_SEP):
            value = lookup.get(dep)
            if value is None:
                value = lookup[dep] = self._dep_digest(dep)
            parts.append(value)
        return digest(b"".join(parts))

    def _dep_digest(self, dep: str) -> bytes:
        kind, _, rest = dep.partition(SEP)
        model = self.model
        if kind == "A":
            path, _, part = rest.rpartition(SEP)
            found = (self.bodies if part == "b" else self.cards).get(path)
            return found if found is not None else GONE
        if kind == "N":
            return self._names()
        if kind == "T":
            tax, slug, attr = rest.split(SEP)
            term = model.taxonomies.get(tax, slug)
            if term is None:
                return GONE
            if attr in TERM_FIELDS:
                return digest(self._safe_token(getattr(term, attr)))
            return digest(self._term_content(term))
        if kind == "I":
            tax, slug, attr = rest.split(SEP)
            info = model.terms.get((tax, slug))
            if info is None:
                return GONE
            if attr == "count":
                return digest(str(info.count))
            if attr in INFO_FIELDS:
                return digest(self._safe_token(getattr(info, attr)))
            fields = [getattr(info, f.name) for f in dataclasses.fields(info)]
            return digest(self._safe_token(fields), self._taxonomy())
        if kind == "M":
            if rest == "config":
                return digest("C")
            if rest == "taxonomies":
                return self._taxonomy()
            if rest in ("articles", "terms", "timeline", "related"):
                return digest(self._safe_token(getattr(model, rest)))
            return self._everything()
        if kind == "X":
            return self._taxonomy()
        return self._everything()

    def _safe_token(self, value: Any) -> str:
        try:
            return self.token(value)
        except Uncacheable:
            return os.urandom(16).hex()  # never equal: the page is rendered again

    def _names(self) -> bytes:
        found = self._deps.get("N")
        if found is None:
            found = self._deps["N"] = digest(*(f"{t.taxonomy}:{t.slug}:{t.name}"
                                               for t in self.model.taxonomies.all_terms()))
        return found

    def _term_content(self, term: Term) -> str:
        """Everything about a term (a Term in a walk is only its identity)."""
        return self._safe_token([getattr(term, name) for name in TERM_FIELD_ORDER])

    def _taxonomy(self) -> bytes:
        found = self._deps.get("X")
        if found is None:
            found = self._deps["X"] = digest(*(self._term_content(term)
                                               for term in self.model.taxonomies.all_terms()))
        return found

    def _everything(self) -> bytes:
        found = self._deps.get(EVERYTHING)
        if found is None:
            model = self.model
            parts: list[bytes | str] = [self._taxonomy()]
            for article in model.articles:
                parts += [self.cards.get(article.path, GONE), self.bodies.get(article.path, GONE)]
            parts.append(self._safe_token(model.related))
            parts.append(self._safe_token(model.timeline))
            found = self._deps[EVERYTHING] = digest(*parts)
        return found


class Recorder:
    """Collects the dependencies of the page being rendered (install() hooks Jinja)."""

    def __init__(self) -> None:
        self.deps: set[str] = set()

    def start(self) -> None:
        self.deps = set()

    def finish(self) -> str:
        return DEP_SEP.join(sorted(self.deps))

    def read(self, obj: Any, attribute: Any) -> None:
        kind = type(obj)
        if kind is Article:
            if attribute == "body" or attribute == "packed_body":
                self.deps.add(f"A{SEP}{obj.path}{SEP}b")
            elif attribute in ARTICLE_FIELDS or attribute in ARTICLE_CARD_ATTRIBUTES:
                self.deps.add(f"A{SEP}{obj.path}{SEP}c")
            else:
                self.deps.add(f"A{SEP}{obj.path}{SEP}c")
                self.deps.add(f"A{SEP}{obj.path}{SEP}b")
        elif kind is Term:
            if attribute == "name":
                self.deps.add("N")
            else:
                name = attribute if attribute in TERM_FIELDS else "*"
                self.deps.add(f"T{SEP}{obj.taxonomy}{SEP}{obj.slug}{SEP}{name}")
        elif kind is TermInfo:
            name = attribute if attribute in INFO_FIELDS else "*"
            self.deps.add(f"I{SEP}{obj.term.taxonomy}{SEP}{obj.term.slug}{SEP}{name}")
        elif kind is SiteModel or kind is PartialModel:
            self.deps.add(f"M{SEP}{attribute}")
        elif kind is Taxonomies:
            self.deps.add("X")

    def everything(self) -> None:
        self.deps.add(EVERYTHING)

    def install(self, env: jinja2.Environment) -> tuple[str, ...]:
        """Hook attribute lookups, wrap unknown globals and filters; returns their names."""
        import jinja2.filters
        import jinja2.tests

        tracked = (Article, Term, TermInfo, SiteModel, Taxonomies, PartialModel)
        plain_getattr = env.getattr
        plain_getitem = env.getitem
        read = self.read

        def getattr_(obj: Any, attribute: str) -> Any:
            if type(obj) in tracked:
                read(obj, attribute)
            return plain_getattr(obj, attribute)

        def getitem_(obj: Any, argument: Any) -> Any:
            if type(obj) in tracked and isinstance(argument, str):
                read(obj, argument)
            return plain_getitem(obj, argument)

        env.getattr = getattr_  # type: ignore[method-assign]
        env.getitem = getitem_  # type: ignore[method-assign]
        unknown: list[str] = []
        for name, value in list(env.globals.items()):
            if callable(value) and name not in PURE_GLOBALS and not isinstance(value, type):
                env.globals[name] = self._wrap(value)
                unknown.append(f"global {name}")
        for table, known, label in ((env.filters, jinja2.filters.FILTERS, "filter"),
                                    (env.tests, jinja2.tests.TESTS, "test")):
            for name, value in list(table.items()):
                if known.get(name) is value or (label == "filter" and name in PURE_FILTERS):
                    continue
                table[name] = self._wrap(value)
                unknown.append(f"{label} {name}")
        return tuple(unknown)

    def memoize_macros(self, env: jinja2.Environment, fingerprints: Fingerprints) -> list[str]:
        """Render each imported macro once per distinct arguments in a process.

        A macro imported without context (`{% from "x" import card %}`) sees only its
        arguments and the globals, which are fixed for the whole build: the card of an
        article comes out the same on the front page, its terms' pages and the related
        lists. Its output is kept, with the dependencies recorded while it rendered (added
        to every page that uses it). Arguments the fingerprints cannot name (a `caller`,
        a namespace) bypass the memo. Returns the macros memoized.
        """
        import re

        import jinja2.runtime

        imports: dict[str, list[str]] = {}
        pattern = re.compile(r"""\{%-?\s*(?:from|import)\s+["']([^"']+)["']""")
        loader = env.loader
        if loader is None:
            return []
        for name in loader.list_templates():
            if name.endswith((".html", ".xml", ".txt", ".j2", ".jinja")):
                try:
                    source = loader.get_source(env, name)[0]
                except Exception:
                    continue
                imports[name] = sorted(set(pattern.findall(source)))
        # A template's module takes the macros it imports when it is made: a partial is
        # wrapped before the partials that import it, so that they call its memoized
        # macros (a timeline calls one macro per entry).
        order: list[str] = []
        seen: set[str] = set()

        def visit(name: str) -> None:
            if name in seen:
                return
            seen.add(name)
            for other in imports.get(name, ()):
                visit(other)
            order.append(name)

        for name in sorted({other for found in imports.values() for other in found}):
            visit(name)
        memoized: list[str] = []
        for name in order:
            try:
                module = env.get_template(name)._get_default_module()
            except Exception:
                continue  # left to fail (or not) where it is used
            for attribute, value in list(vars(module).items()):
                if isinstance(value, jinja2.runtime.Macro):
                    setattr(module, attribute, self._memo_macro(f"{name}:{attribute}", value,
                                                                fingerprints))
                    memoized.append(f"{name}:{attribute}")
        return memoized

    def _memo_macro(self, name: str, macro: Callable[..., Any], fingerprints: Fingerprints
                    ) -> Callable[..., Any]:
        memo: dict[str, tuple[Any, frozenset[str]]] = {}
        recorder = self

        def memoized(*args: Any, **kwargs: Any) -> Any:
            try:
                key = fingerprints.token((args, kwargs))
            except Uncacheable:
                return macro(*args, **kwargs)
            found = memo.pop(key, None)
            if found is not None:
                memo[key] = found  # least recently used first: the one to drop
                recorder.deps.update(found[1])
                return found[0]
            outer = recorder.deps
            recorder.deps = set()
            try:
                value = macro(*args, **kwargs)
                inner = recorder.deps
            finally:
                inner_deps = recorder.deps
                recorder.deps = outer
                outer.update(inner_deps)
            if not isinstance(value, str) or len(value) <= MACRO_MEMO_LARGEST:  # (not timelines)
                if len(memo) >= MACRO_MEMO_LIMIT:
                    del memo[next(iter(memo))]
                memo[key] = (value, frozenset(inner))
            return value

        memoized.__name__ = name
        return memoized

    def _wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        everything = self.everything

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            everything()
            return function(*args, **kwargs)

        for attribute in ("jinja_pass_arg", "environmentfilter", "contextfilter"):
            if hasattr(function, attribute):
                setattr(wrapped, attribute, getattr(function, attribute))
        return wrapped


def globals_token(fingerprints: Fingerprints, env: jinja2.Environment) -> str:
    """The template globals that are values (not functions), for the base digest."""
    parts: list[str] = []
    for name in sorted(env.globals):
        value = env.globals[name]
        parts.append(name)
        if not callable(value):
            parts.append(fingerprints._safe_token(value))
    parts.append(",".join(sorted(env.filters)))
    parts.append(",".join(sorted(env.tests)))
    return SEP.join(parts)


def deps_of(items: Iterable[str]) -> str:
    return DEP_SEP.join(sorted(set(items)))
