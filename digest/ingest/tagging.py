"""Find the taxonomy's names in an entry, and decide what the entry is about.

Names (a term's name, its aliases, and the products listed under `extra.products`,
which always count as ambiguous) are found on word boundaries, without case or
accents, in all five languages (see lexicon.py); "US", "UK" and "EU" in a name also
match "U.S.", "U.K." and "E.U.". A name the taxonomy marks ambiguous (mistral is a
French wind, meta a Spanish and Italian word, Claude a French first name) counts only
when
  - it is capitalised as a name, when the alias is ("le mistral souffle" is the wind),
  - and the context is near: for a company, an AI or context word (IA, KI, LLM, model,
    start-up, chatbot...) or another company in the same sentence (an ambiguous one
    with its own context too: "Meta takes a stake in Scale AI"); for a deal, one of its
    parties named plainly ("Stargate" next to OpenAI); for a term of any other
    taxonomy ("CMA", "DSA", "Garante"), a policy word; for a title, the context may be
    in the lead; or the term's unambiguous name ("Mistral AI") is elsewhere in the
    entry.

The publisher: a company's `extra.newsroom` lists the sites where it publishes its own
news ("openai.com", "blog.google", "apple.com/newsroom"). An entry whose link is there
is about that company even when it only says "we".

About or mention: an entry is about a term named in its title or lead, or named
often (three times for a company, twice for any other term); a term named only in
passing, deeper in the text, is a mention. So is a company named once in the lead and
not in the title when "former" or "rival" is just before it, or when the title names
another company and the sentence has no policy or deal word (a rival compared with, a
supplier). A deal is also inferred when all its parties are companies the entry is
about, a policy or deal word is in the title or lead, and the entry is dated within
DEAL_WINDOW_DAYS of the deal's announcement.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal
from urllib.parse import urlsplit

from ..schema import normalise
from ..taxonomy import Taxonomies, Term
from .document import Document
from .lexicon import Hit, Lexicon, Pattern, make_pattern

DEAL_WINDOW_DAYS = 120
ABOUT_COUNT = {"company": 3}
"""Occurrences that make an entry about a term named only deep in its text."""
ABOUT_COUNT_DEFAULT = 2

WordKind = Literal["policy", "deal", "not", "ai", "context"]
"""policy: regulation, enforcement, money, government; deal: the weaker deal words
(partnership, agreement) that count only in a title or between companies; not: exceptions
("scaling laws"); ai: AI words; context: weaker clues for ambiguous names."""


@dataclass(frozen=True, slots=True)
class Name:
    """A taxonomy name, as a lexicon pattern means it."""

    taxonomy: str
    slug: str
    text: str
    ambiguous: bool = False


@dataclass(frozen=True, slots=True)
class Word:
    """A word of the configured lists."""

    kind: WordKind
    lang: str
    """A language code, or "*" for words of every language."""


@dataclass(frozen=True, slots=True)
class Tags:
    """Term slugs per taxonomy, in order of first appearance."""

    about: dict[str, tuple[str, ...]]
    mentions: dict[str, tuple[str, ...]]

    def all(self) -> set[tuple[str, str]]:
        return {(t, s) for part in (self.about, self.mentions) for t, ss in part.items()
                for s in ss}


@dataclass(frozen=True, slots=True)
class Analysis:
    """What relevance needs to know about an entry, beyond its tags."""

    tags: Tags
    policy_in_lead: tuple[str, ...]
    """Policy words found in the title or the lead, as the word lists write them."""
    policy_in_title: tuple[str, ...]
    ai_in_lead: str | None
    """The first AI word of the title or the lead, if any."""
    ai_policy_sentence: tuple[str, str] | None
    """An AI word and a policy word sharing the title or a lead sentence, if any."""
    inferred: tuple[str, ...] = ()
    """Reasons for inferred tags (a deal from its parties)."""
    deal_in_title: tuple[str, ...] = ()
    """Deal words (partnership, agreement...) in the title."""
    deal_in_lead: tuple[str, ...] = ()
    """Deal words in the title or the lead."""
    ai_context: bool = False
    """An AI word in the title or lead, or a term the entry is about that is AI's own (a
    company such as OpenAI, the AI Act): what a term marked `needs_ai_context` needs."""
    needs_ai_context: frozenset[tuple[str, str]] = frozenset()
    """Terms found that are news outside AI too (Apple, the CMA, the GDPR), as (taxonomy,
    slug): they make an entry relevant only with `ai_context`."""
    publisher: tuple[str, str] | None = None
    """The company whose own newsroom published the entry (its link), as (taxonomy, slug)."""


class _Clues:
    """Word spans, per sentence, of what can give an ambiguous name its context."""

    def __init__(self, sentences: int) -> None:
        self.ai: list[list[tuple[int, int]]] = [[] for _ in range(sentences)]
        """AI and context words, and unambiguous company names: context for companies."""
        self.policy: list[list[tuple[int, int]]] = [[] for _ in range(sentences)]
        """Policy words: context for regulators, regulations and deals."""


def _ambiguous(hit: Hit[Name | Word]) -> bool:
    return isinstance(hit.pattern.value, Name) and hit.pattern.value.ambiguous


def _span(hit: Hit[Name | Word]) -> tuple[int, int]:
    return hit.word, hit.word + hit.pattern.folded.count(" ") + 1


def _names_of(term: Term) -> Iterable[tuple[str, bool]]:
    ambiguous_keys = {_key(a.text) for a in term.aliases if a.ambiguous}
    yield term.name, _key(term.name) in ambiguous_keys
    for alias in term.aliases:
        yield alias.text, alias.ambiguous or _key(alias.text) in ambiguous_keys
    # Product names ("Pi", "Sora", "Bing", "Gemini") are ordinary words far more often
    # than company names are, so they always need the AI context.
    products = term.extra.get("products") if isinstance(term.extra, Mapping) else None
    for product in products if isinstance(products, list) else []:
        if isinstance(product, str):
            yield product, True
        elif isinstance(product, Mapping) and isinstance(product.get("text"), str):
            yield product["text"], True


def _key(text: str) -> str:
    return normalise(text)


_DOTTED = {"US": "U.S.", "UK": "U.K.", "EU": "E.U."}
_FORMER = frozenset((
    "former", "formerly", "ex", "alumni", "veterans", "rival", "rivals", "competitor",
    "competitors", "ancien", "anciens", "ancienne", "anciennes", "concurrent", "concurrents",
    "ehemalige", "ehemaligen", "ehemaliger", "ehemals", "konkurrent", "konkurrenten",
    "antiguo", "antiguos", "antigua", "antiguas", "exempleados", "rivales", "competidor",
    "competidores", "concorrente", "concorrenti",
))
"""Words that put a company named after them on the side: "former Google researchers"."""
_WORDS = re.compile(r"[^\W_]+")


def _dotted(text: str) -> str | None:
    """The name as the press also writes it, "U.S. AI Action Plan" for "US AI Action Plan"
    (folding makes "U.S." two words, "u s"), or None when it has no such abbreviation."""
    if not any(w in _DOTTED for w in _WORDS.findall(text)):
        return None
    return _WORDS.sub(lambda m: _DOTTED.get(m.group(), m.group()), text)


def _mentions(places: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Occurrences (sentence, word) with those a few words apart taken as one mention:
    "OpenAI's GPT-4o" or "Google's Gemini" name a company once."""
    out: list[tuple[int, int]] = []
    for index, word in sorted(places):
        if out and out[-1][0] == index and word - out[-1][1] <= 3:
            continue
        out.append((index, word))
    return out


def _outermost(names: list[tuple[int, Hit[Name | Word]]],
               among: list[tuple[int, Hit[Name | Word]]] | None = None,
               ) -> list[tuple[int, Hit[Name | Word]]]:
    """The names not inside a longer one of `among` (default: of `names`) in their sentence."""
    spans: dict[int, list[tuple[int, int, int]]] = {}
    for index, hit in names if among is None else among:
        spans.setdefault(index, []).append((*_span(hit), len(hit.pattern.folded)))
    return [(index, hit) for index, hit in names
            if not any(start <= _span(hit)[0] and _span(hit)[1] <= end
                       and size > len(hit.pattern.folded)
                       for start, end, size in spans.get(index, ()))]


def _flag(term: Term, key: str) -> bool:
    return isinstance(term.extra, Mapping) and term.extra.get(key) is True


def _newsrooms(term: Term) -> Iterable[tuple[str, str]]:
    """(host, path prefix) of the places a company publishes its own news: `extra.newsroom`,
    e.g. [openai.com, blog.google, apple.com/newsroom]; a host covers its subdomains."""
    rooms = term.extra.get("newsroom") if isinstance(term.extra, Mapping) else None
    for room in rooms if isinstance(rooms, list) else []:
        if isinstance(room, str) and room.strip():
            bare = room.strip().lower().removeprefix("https://").removeprefix("http://")
            host, _, path = bare.partition("/")
            yield host.removeprefix("www."), "/" + path.rstrip("/") if path.strip("/") else ""


class Vocabulary:
    """The taxonomy's names and the word lists, compiled for search."""

    def __init__(
        self,
        taxonomies: Taxonomies,
        words: Mapping[WordKind, Mapping[str, Sequence[str]]],
        company_taxonomies: Sequence[str] = ("company",),
    ) -> None:
        self.taxonomies = taxonomies
        self.company_taxonomies = tuple(company_taxonomies)
        patterns: list[Pattern[Name | Word]] = []
        word_patterns: list[Pattern[Name | Word]] = []
        self.general: set[tuple[str, str]] = set()
        """Terms marked `extra.needs_ai_context: true`: news outside AI too."""
        self.parties: dict[tuple[str, str], tuple[str, ...]] = {}
        self.newsrooms: list[tuple[str, str, tuple[str, str]]] = []
        for term in taxonomies.all_terms():
            key = (term.taxonomy, term.slug)
            if _flag(term, "needs_ai_context"):
                self.general.add(key)
            parties = term.fields.get("parties")
            if isinstance(parties, list | tuple) and parties:
                self.parties[key] = tuple(str(p) for p in parties)
            if term.taxonomy in self.company_taxonomies:
                self.newsrooms.extend((host, path, key) for host, path in _newsrooms(term))
            for text, ambiguous in _names_of(term):
                meaning: Name | Word = Name(term.taxonomy, term.slug, text, ambiguous)
                for written in filter(None, (text, _dotted(text))):
                    pattern = make_pattern(written.replace("*", " "), meaning)
                    if not pattern:
                        continue
                    patterns.append(pattern)
                    if not pattern.folded.endswith("s") and not pattern.capitals:
                        # German writes the genitive without an apostrophe: "Microsofts
                        # Beteiligung", "OpenAIs Modell".
                        patterns.append(replace(pattern, folded=pattern.folded + "s"))
        # The longest path first: "apple.com/newsroom" before "apple.com".
        self.newsrooms.sort(key=lambda room: (-len(room[0]), -len(room[1])))
        self.languages: set[str] = set()
        for kind, per_lang in words.items():
            for lang, texts in per_lang.items():
                self.languages.add(lang)
                for text in texts:
                    negative = text.startswith("!")
                    word: Name | Word = Word("not" if negative else kind, lang)
                    made = make_pattern(text[1:] if negative else text, word)
                    if made:
                        word_patterns.append(made)
        # Two lexicons: names are looked for everywhere, words only where they count
        # (title and lead) or where an ambiguous name needs its context. The body of a
        # long article is most of its text and holds few names but many common words.
        self.names: Lexicon[Name | Word] = Lexicon(patterns)
        self.words: Lexicon[Name | Word] = Lexicon(word_patterns)

    def _applies(self, word: Word, lang: str) -> bool:
        return word.lang in ("*", lang) or lang not in self.languages

    def publisher(self, link: str | None) -> tuple[str, str] | None:
        """The company whose newsroom (`extra.newsroom`) the link is on, if any."""
        if not link or not self.newsrooms:
            return None
        try:
            parts = urlsplit(link)
            host = (parts.hostname or "").lower().removeprefix("www.")
        except ValueError:
            return None
        for room, path, term in self.newsrooms:
            if (host == room or host.endswith("." + room)) and parts.path.lower().startswith(path):
                return term
        return None

    def analyse(self, document: Document, when: dt.datetime | None = None,
                link: str | None = None) -> Analysis:
        """Tags and relevance clues of one document; `link` is the entry's page, whose site
        may say which company published it."""
        names: list[tuple[int, Hit[Name | Word]]] = []
        policy: list[tuple[int, str]] = []
        deal: list[tuple[int, str]] = []
        first_ai: list[str] = []
        clues = _Clues(len(document.sentences))
        sentences = document.sentences
        folded = [s.folded for s in sentences]
        originals = [s.original for s in sentences]
        found = self.names.find_all(folded, originals)
        wanted = [i for i, s in enumerate(sentences)
                  if s.zone != "body" or any(_ambiguous(h) for h in found[i])]
        for i, hits in zip(wanted, self.words.find_all([folded[i] for i in wanted],
                                                       [originals[i] for i in wanted]),
                           strict=True):
            found[i] = found[i] + hits
        for index, hits in enumerate(found):
            covered: set[int] = set()
            for hit in hits:
                if isinstance(hit.pattern.value, Word) and hit.pattern.value.kind == "not":
                    covered.update(range(*_span(hit)))
            ai_word = ""
            for hit in hits:
                value = hit.pattern.value
                if isinstance(value, Name):
                    names.append((index, hit))
                    if not value.ambiguous and value.taxonomy in self.company_taxonomies:
                        clues.ai[index].append(_span(hit))
                elif not self._applies(value, document.lang):
                    continue
                elif value.kind in ("policy", "deal") and hit.word not in covered:
                    (policy if value.kind == "policy" else deal).append((index, hit.pattern.text))
                    clues.policy[index].append(_span(hit))
                elif value.kind in ("ai", "context"):
                    clues.ai[index].append(_span(hit))
                    if value.kind == "ai":
                        ai_word = ai_word or hit.pattern.text
            first_ai.append(ai_word)
        publisher = self.publisher(link)
        tags = self._tags(document, names, clues, publisher)
        zones = [s.zone for s in document.sentences]
        in_lead = tuple(dict.fromkeys(w for i, w in policy if zones[i] != "body"))
        in_title = tuple(dict.fromkeys(w for i, w in policy if zones[i] == "title"))
        deal_lead = tuple(dict.fromkeys(w for i, w in deal if zones[i] != "body"))
        deal_title = tuple(dict.fromkeys(w for i, w in deal if zones[i] == "title"))
        ai_early = next((w for i, w in enumerate(first_ai) if w and zones[i] != "body"), None)
        ai_policy = next(((first_ai[i], w) for i, w in policy
                          if zones[i] != "body" and first_ai[i]), None)
        tags, inferred = self._infer_deals(tags, bool(in_lead or deal_lead), when)
        about = {(t, s) for t, slugs in tags.about.items() for s in slugs}
        general = frozenset(t for t in tags.all() if t in self.general)
        ai_context = ai_early is not None or any(t not in self.general for t in about)
        return Analysis(tags, in_lead, in_title, ai_early, ai_policy, inferred, deal_title,
                        deal_lead, ai_context, general, publisher)

    def _in_context(self, name: Name, index: int, span: tuple[int, int], document: Document,
                    clues: _Clues) -> bool:
        """Whether an ambiguous name has its context near (see the module docstring)."""
        spans = clues.ai if name.taxonomy in self.company_taxonomies else clues.policy
        # A clue inside the name itself ("Le Chat" is also a context word) is no clue.
        if any(end <= span[0] or start >= span[1] for start, end in spans[index]):
            return True
        if document.sentences[index].zone != "title":
            return False
        return any(spans[i] for i, s in enumerate(document.sentences) if s.zone == "lead")

    def _party_named(self, term: tuple[str, str], known: set[tuple[str, str]]) -> bool:
        """Whether a deal's party is named plainly: "Stargate" next to OpenAI is the deal."""
        return any((t, party) in known for party in self.parties.get(term, ())
                   for t in self.company_taxonomies)

    def _tags(
        self, document: Document, names: list[tuple[int, Hit[Name | Word]]], clues: _Clues,
        publisher: tuple[str, str] | None = None,
    ) -> Tags:
        sentences = document.sentences
        plain = {(h.pattern.value.taxonomy, h.pattern.value.slug) for _, h in names
                 if isinstance(h.pattern.value, Name) and not h.pattern.value.ambiguous}
        if publisher is not None:
            plain.add(publisher)
        # Keep the longest names: "Google DeepMind" is neither also "Google" nor, one word
        # on, also "DeepMind"; "Microsoft Azure" is one name, not two. A longer name that
        # is ambiguous hides the shorter ones only once it is itself accepted: "Microsoft"
        # still counts in "Microsoft AI chief" when the product name has no context.
        plain_names = [(i, h) for i, h in names if not _ambiguous(h)]
        accepted = _outermost(self._accepted(document, _outermost(names, plain_names),
                                             clues, plain))
        seen: set[tuple[str, str, int, int]] = set()
        counts: dict[tuple[str, str], int] = {}
        early: set[tuple[str, str]] = set()
        titled: set[tuple[str, str]] = set()
        where: dict[tuple[str, str], list[tuple[int, int]]] = {}  # every (sentence, word)
        order: dict[tuple[str, str], int] = {}
        for index, hit in accepted:
            name = hit.pattern.value
            assert isinstance(name, Name)
            term = (name.taxonomy, name.slug)
            if (term[0], term[1], index, hit.word) in seen:
                continue
            seen.add((term[0], term[1], index, hit.word))
            sentence = sentences[index]
            order.setdefault(term, index * 10_000 + hit.word)
            counts.setdefault(term, 0)
            if sentence.counted:
                counts[term] += 1
            where.setdefault(term, []).append((index, hit.word))
            if sentence.zone != "body":
                early.add(term)
                if sentence.zone == "title":
                    titled.add(term)
        if publisher is not None:
            # A company's own newsroom post is about the company, even when it says "we".
            order.setdefault(publisher, len(sentences) * 10_000)
            counts.setdefault(publisher, 0)
            early.add(publisher)
        side = self._side_actors(document, early, titled, where, clues, publisher)
        about: dict[str, list[str]] = {}
        mentions: dict[str, list[str]] = {}
        for term in sorted(counts, key=lambda t: order[t]):
            needed = ABOUT_COUNT.get(term[0], ABOUT_COUNT_DEFAULT)
            is_about = (term in early and term not in side) or counts[term] >= needed
            target = about if is_about else mentions
            target.setdefault(term[0], []).append(term[1])
        return Tags({k: tuple(v) for k, v in about.items()},
                    {k: tuple(v) for k, v in mentions.items()})

    def _accepted(
        self, document: Document, names: list[tuple[int, Hit[Name | Word]]], clues: _Clues,
        plain: set[tuple[str, str]],
    ) -> list[tuple[int, Hit[Name | Word]]]:
        """The names that count: unambiguous ones, and ambiguous ones written as names with
        their context near. A company accepted in a sentence is context for the others
        there ("Meta takes a stake in Scale AI"), so this runs until nothing changes."""
        accepted: list[tuple[int, Hit[Name | Word]]] = []
        pending = list(names)
        while True:
            undecided = []
            for index, hit in pending:
                name = hit.pattern.value
                assert isinstance(name, Name)
                term = (name.taxonomy, name.slug)
                if not name.ambiguous or (
                    _capitalised_as_name(document.sentences[index].original, name.text)
                    and (term in plain or self._party_named(term, plain)
                         or self._in_context(name, index, _span(hit), document, clues))
                ):
                    accepted.append((index, hit))
                    if name.ambiguous and name.taxonomy in self.company_taxonomies:
                        clues.ai[index].append(_span(hit))
                else:
                    undecided.append((index, hit))
            if len(undecided) == len(pending):
                return sorted(accepted, key=lambda found: (found[0], found[1].word))
            pending = undecided

    def _side_actors(
        self, document: Document, early: set[tuple[str, str]], titled: set[tuple[str, str]],
        where: dict[tuple[str, str], list[tuple[int, int]]], clues: _Clues,
        publisher: tuple[str, str] | None,
    ) -> set[tuple[str, str]]:
        """Companies the entry names only on the side, though in its lead.

        A company named once, in the lead and not in the title ("OpenAI's GPT-4o" is once),
        is a side actor when "former" or "rival" comes just before it ("founded by former
        OpenAI researchers"), or when the title names another company and the sentence has
        no policy or deal word: a rival compared with ("beats OpenAI's GPT-4o"), a supplier.
        In a sentence with such a word it is a party ("...wins SAP and Bosch as investors").
        """
        companies = self.company_taxonomies
        other_in_title = any(t[0] in companies for t in titled)
        side = set()
        for term in early:
            if term[0] not in companies or term in titled or term == publisher:
                continue
            places = _mentions(where.get(term, []))
            if len(places) != 1:
                continue
            index, word = places[0]
            before = document.sentences[index].folded.split(" ")[max(0, word - 4):word]
            if _FORMER.intersection(before) or (other_in_title and not clues.policy[index]):
                side.add(term)
        return side

    def _infer_deals(
        self, tags: Tags, policy: bool, when: dt.datetime | None
    ) -> tuple[Tags, tuple[str, ...]]:
        if not policy or when is None:
            return tags, ()
        companies = {s for t in self.company_taxonomies for s in tags.about.get(t, ())}
        about = dict(tags.about)
        mentions = dict(tags.mentions)
        reasons = []
        for term in self.taxonomies.all_terms():
            parties = term.fields.get("parties")
            start: Any = getattr(term.fields.get("announced"), "start", None)
            if (not parties or len(parties) < 2 or not set(parties) <= companies
                    or not isinstance(start, dt.date)
                    or abs((when.date() - start).days) > DEAL_WINDOW_DAYS
                    or term.slug in about.get(term.taxonomy, ())):
                continue
            about[term.taxonomy] = (*about.get(term.taxonomy, ()), term.slug)
            rest = tuple(s for s in mentions.get(term.taxonomy, ()) if s != term.slug)
            mentions.pop(term.taxonomy, None)
            if rest:
                mentions[term.taxonomy] = rest
            reasons.append(f"{term.taxonomy}: {term.slug} (its parties "
                           + " and ".join(parties) + " are named)")
        return Tags(about, mentions), tuple(reasons)


@cache
def _name_regex(text: str) -> tuple[re.Pattern[str], tuple[bool, ...]]:
    # The name's words with any punctuation between them, as folding sees them:
    # "Run:ai" is found in "run AI", and is then seen not to be capitalised.
    words = [w for w in re.split(r"[\W_]+", text) if w]
    body = r"[\W_]+".join(f"({re.escape(w)})" for w in words)
    regex = re.compile(r"(?<![^\W_])" + body + r"(?![^\W_])", re.I)
    return regex, tuple(w[0].isupper() for w in words)


def _capitalised_as_name(original: str, text: str) -> bool:
    """Whether an ambiguous name is written with the capitals the alias has.

    "Le mistral souffle" is the wind, "le chat de la voisine" a cat; "Mistral lève 600
    millions" and "Le Chat, l'assistant de Mistral" may be the company. When the name
    cannot be found as written (other accents), we cannot tell, and let context decide.
    """
    regex, capitals = _name_regex(text)
    if not any(capitals):
        return True
    found = False
    for match in regex.finditer(original):
        found = True
        if all(match.group(i + 1)[0].isupper() for i, cap in enumerate(capitals) if cap):
            return True
    return not found
