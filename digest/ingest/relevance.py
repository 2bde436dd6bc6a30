"""Which entries concern AI policy, and why: the keep rules and their word lists.

An entry is kept when
  1. it is about a term of a policy taxonomy (every taxonomy but `company`: regulation,
     deal, regulator in the starter content), or
  2. it is about a company and a policy word is in its title or lead ("Microsoft invests
     in Mistral AI"), or
  3. an AI word is in its title or lead, and a policy word is in the title, or in the
     same lead sentence, or two policy words are in the lead ("Senate passes AI
     bill" names no term of the taxonomy, and is still news), or
  4. a feed's `include` rule matches, or the feed says `keep: all`;
and it is dropped, whatever else, when an `exclude` rule of its feed matches.

"About" comes from tagging.py (title, lead, or repeated). Policy words count only in the
title and the lead: a long company blog post says "government" somewhere, and that does
not make it policy news. Every kept entry carries its reasons into the draft.

The word lists below are the defaults; site.yaml's `ingest:` section extends them per
language (`policy_words`, `ai_words`, `context_words`) or replaces them
(`extend_defaults: false`). Syntax (lexicon.py): `word*` is a prefix, `*word` a suffix
(German compounds), a word in capitals of up to five letters matches only capitals, and
a pattern starting with `!` is an exception: a policy word inside it does not count
("law" in "scaling laws" or "Moore's law", "court" in "on the court").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .document import Document
from .lexicon import Lexicon, fold, make_pattern
from .tagging import Analysis

LANGS = ("en", "fr", "de", "es", "it")

POLICY_WORDS: dict[str, tuple[str, ...]] = {
    "en": (
        "regulat*", "deregulat*", "legislat*", "lawmaker*", "law", "laws", "bill passes",
        "antitrust", "anti trust", "competition authority", "competition watchdog",
        "competition regulator", "competition law", "competition commission", "monopol*",
        "watchdog*", "investigation", "investigations", "investigated by", "under investigation",
        "probe", "probes", "probed", "probing", "inquiry", "fines", "fined", "a fine of",
        "fine of", "record fine", "million fine", "billion fine", "antitrust fine", "penalt*",
        "sanction*", "lawsuit*", "sues", "sued", "suing", "court", "courts",
        "ruling", "litigation", "settlement", "copyright*", "intellectual property",
        "data protection", "privacy law*", "privacy regulator*", "ban", "bans", "banned",
        "banning", "moratorium", "treaty", "executive order*", "white house", "congress*",
        "senat*", "parliament*", "minister*", "ministry", "government*", "policymaker*",
        "policy maker*", "public policy", "AI policy", "lobby*", "governance", "EU",
        "European Union", "Brussels", "FTC", "DOJ", "SEC",
        "export control*", "export restriction*", "tariff*", "subsid*", "national security",
        "military", "pentagon", "department of defense", "election*", "sovereignty",
        "acquisition*", "acquire", "acquires", "acquired", "acquiring", "merger*",
        "takeover*", "buyout", "stake", "invest", "invests", "invested", "investing",
        "investment*", "investor*", "funding", "funding round", "valuation", "series a",
        "series b", "series c", "series d", "partnership*", "partners with", "partnering with",
        "partnered with", "teams up", "team up", "deal", "deals", "agreement*",
        "!scaling law*", "!power law*", "!law of", "!s law", "!s laws", "!data acquisition",
        "!off the court", "!on the court", "!basketball court", "!tennis court",
        "consultation*", "request for comment*", "public comment*", "attorney general*",
        "federal agenc*", "department of energy", "department of commerce",
        "department of justice", "NIST", "NTIA", "OSTP", "state law*",
        "!deal with", "!deals with", "!linear probe*", "!probing classifier*",
        "!court vision", "!ban hammer",
    ),
    "fr": (
        "reglementation*", "reglement", "reglements", "regulat*", "legislat*", "loi", "lois",
        "projet de loi", "proposition de loi", "autorite de la concurrence",
        "droit de la concurrence", "anticoncurrenti*", "antitrust", "abus de position",
        "monopol*", "enquete*", "amende*", "sanction*", "proces", "plainte*", "poursuite*",
        "tribunal*", "justice", "cour", "jugement", "droit d auteur", "droits d auteur",
        "propriete intellectuelle", "donnees personnelles", "protection des donnees",
        "interdiction*", "interdit", "interdire", "gouvernement*", "ministre*", "ministere*",
        "parlement*", "senat*", "assemblee nationale", "depute*", "eurodepute*", "elysee",
        "commission europeenne", "Bruxelles", "UE", "Union europeenne", "regulateur*",
        "lobby*", "souverainete", "election*", "decret*", "gouvernance",
        "investissement*", "investit", "investir", "investi", "investisseur*",
        "levee de fonds", "leve", "levent", "financement*", "valorisation", "partenariat*",
        "s associe", "s allie", "alliance", "accord", "accords", "acquisition*", "rachat*",
        "rachete", "fusion*", "prise de participation", "militaire*", "supervision",
        "!pas de justice", "!fusion nucleaire",
    ),
    "de": (
        "regulier*", "verordnung*", "*verordnung", "gesetz*", "*gesetz", "*gesetze",
        "gesetzgeb*", "kartell*", "*kartellamt", "wettbewerbshuter", "wettbewerbsbehorde*",
        "wettbewerbsrecht*", "wettbewerbskommissar*", "monopol*", "ermittlung*",
        "untersuchung*", "strafe*", "bussgeld*", "klage*", "verklagt", "gericht*",
        "*gericht", "urteil*", "urheberrecht*", "datenschutz*", "DSGVO", "verbot*",
        "verbietet", "regierung*", "*regierung", "minister*", "*minister", "ministerium*",
        "*ministerium", "bundestag", "parlament*", "*parlament", "eu kommission",
        "kommission", "Brussel", "EU", "europaische union", "behorde*", "*behorde",
        "aufsicht*", "*aufsicht", "lobby*", "souveranitat", "wahlkampf*", "*wahlkampf",
        "bundestagswahl", "europawahl", "militar*",
        "investition*", "investiert*", "investor*", "beteiligung*", "finanzierung*",
        "*finanzierung", "finanzierungsrunde", "partnerschaft*", "kooperation*",
        "zusammenarbeit", "ubernahme*", "ubernimmt", "fusion*", "deal", "abkommen",
        "vereinbarung*", "governance",
        "!strafraum", "!strafstoss",
    ),
    "es": (
        "regulacion*", "regulador*", "regulatori*", "reglamento*", "normativa*", "ley",
        "leyes", "legisla*", "antimonopolio", "competencia desleal",
        "autoridad de competencia", "monopolio*", "expediente*", "multa*", "sancion*",
        "demanda judicial", "demandas", "demanda a", "demandado", "tribunal*", "juez",
        "jueza", "juicio", "derechos de autor", "propiedad intelectual",
        "proteccion de datos", "prohibicion*", "prohibe", "prohibir", "gobierno*",
        "ministro*", "ministra*", "ministerio*", "parlamento*", "congreso", "senado",
        "comision europea", "Bruselas", "UE", "Union Europea", "lobby*", "soberania",
        "elecciones", "decreto*", "gobernanza", "inversion*", "invierte",
        "invertir", "inversor*", "inversionista*", "financiacion", "financiamiento",
        "ronda de financiacion", "valoracion", "alianza*", "acuerdo*", "asociacion",
        "adquisicion*", "adquiere", "compra de", "fusion*", "militar*", "supervision",
        "agencia*",
    ),
    "it": (
        "regolament*", "regolazione", "regolator*", "normativa*", "legge", "leggi",
        "legislat*", "antitrust", "garante*", "AGCM", "monopoli*", "indagine*",
        "inchiesta*", "istruttoria", "multa*", "sanzion*", "tribunale*", "giudice*",
        "sentenza*", "ricorso", "causa legale", "diritto d autore", "diritti d autore",
        "proprieta intellettuale", "protezione dei dati", "dati personali",
        "divieto*", "vieta", "vietato", "governo*", "ministro*", "ministero*",
        "parlamento*", "senato", "commissione europea", "Bruxelles", "UE",
        "Unione europea", "lobby*", "sovranita", "elezioni", "decreto*", "governance",
        "investiment*", "investe", "investire", "investitor*",
        "finanziament*", "round di finanziamento", "partnership", "accordo", "accordi",
        "alleanza", "acquisizion*", "acquisisce", "fusione*", "militare", "agenzia*",
        "vigilanza",
    ),
}

AI_WORDS: dict[str, tuple[str, ...]] = {
    "*": (
        "AI", "GenAI", "AGI", "LLM", "LLMs", "GPT*", "chatgpt", "chatbot*",
        "generative AI", "machine learning", "deep learning", "neural network*",
        "foundation model*", "frontier model*", "large language model*", "language model*",
        "AI model*", "AI act", "deepfake*",
    ),
    "en": ("artificial intelligence", "AI system*", "AI tool*", "AI agent*", "AI lab*"),
    "fr": ("IA", "intelligence artificielle", "IA generative", "modele de langage",
           "modeles de langage", "agent conversationnel", "robot conversationnel",
           "hypertrucage*"),
    "de": ("KI", "kunstliche intelligenz", "*sprachmodell", "*sprachmodelle",
           "sprachmodell*", "generative KI"),
    "es": ("IA", "inteligencia artificial", "IA generativa", "modelo de lenguaje",
           "modelos de lenguaje"),
    "it": ("IA", "intelligenza artificiale", "IA generativa", "modello linguistico",
           "modelli linguistici"),
}

# Weaker clues: enough to read "Mistral" or "Meta" as the company, not to call a story
# AI news on their own ("model law", "a startup's investment").
CONTEXT_WORDS: dict[str, tuple[str, ...]] = {
    "*": ("model", "models", "startup*", "start up", "start ups", "algorithm*", "open source",
          "open weight*", "chip*", "GPU*", "datacenter*", "data center*", "cloud",
          "inference", "training data", "agent*", "assistant*", "benchmark*", "prompt*",
          "Le Chat", "iPhone*", "smartphone*", "app store", "apps", "software", "tech giant*",
          "technology", "platform*", "online", "internet", "social media", "search engine*",
          "voice assistant*", "Siri", "privacy", "users",
          "Mixtral", "Codestral", "Llama", "Copilot", "Azure", "Nvidia", "OpenAI", "tech",
          "Silicon Valley", "Big Tech"),
    "fr": ("modele*", "licorne*", "jeune pousse*", "numerique", "donnees", "puce*"),
    "de": ("modell*", "*modell", "*modelle", "rechenzentr*", "digital*", "daten"),
    "es": ("modelo*", "datos", "digital"),
    "it": ("modell*", "dati", "digitale"),
}

COMPANY_TAXONOMIES = ("company",)
"""Taxonomies whose terms need a policy word to make an entry relevant."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether to keep an entry, and the reasons recorded in the draft."""

    keep: bool
    reasons: tuple[str, ...]


def judge(
    analysis: Analysis,
    document: Document,
    *,
    keep_all: bool = False,
    include_hits: Sequence[str] = (),
    exclude_hits: Sequence[str] = (),
    company_taxonomies: Sequence[str] = COMPANY_TAXONOMIES,
) -> Verdict:
    """Apply the keep rules to an analysed entry; see the module docstring."""
    if exclude_hits:
        return Verdict(False, (f"excluded by rule '{exclude_hits[0]}'",))
    reasons: list[str] = []
    if keep_all:
        reasons.append("feed keeps every entry")
    reasons.extend(f"include rule '{rule}'" for rule in include_hits)
    about = analysis.tags.about
    inferred = {reason.split(" (", 1)[0]: reason for reason in analysis.inferred}
    for taxonomy, slugs in about.items():
        if taxonomy not in company_taxonomies:
            reasons.extend(inferred.get(f"{taxonomy}: {s}", f"{taxonomy}: {s}") for s in slugs)
    lead_words = analysis.policy_in_lead
    companies = [s for t in company_taxonomies for s in about.get(t, ())]
    if companies and lead_words:
        reasons.append(f"company: {companies[0]} + policy word '{lead_words[0]}'")
    pair = analysis.ai_policy_sentence
    if pair is None and analysis.ai_in_lead and (
        analysis.policy_in_title or len(analysis.policy_in_lead) >= 2
    ):
        pair = (analysis.ai_in_lead, (analysis.policy_in_title or lead_words)[0])
    if pair is not None:
        reasons.append(f"AI context '{pair[0]}' + policy word '{pair[1]}'")
    del document  # the rules read the analysis; the document is kept for future rules
    return Verdict(bool(reasons), tuple(dict.fromkeys(reasons)))


def merged_words(
    defaults: Mapping[str, Sequence[str]],
    configured: Mapping[str, Sequence[str]] | None,
    extend: bool,
) -> dict[str, tuple[str, ...]]:
    """Default word lists extended (or replaced) by the site's, per language."""
    out: dict[str, list[str]] = {k: list(v) for k, v in defaults.items()} if extend else {}
    for lang, words in (configured or {}).items():
        out.setdefault(lang, [])
        out[lang].extend(w for w in words if w not in out[lang])
    return {k: tuple(v) for k, v in out.items()}


class FeedRuleSet:
    """A feed's include and exclude keywords, compiled once per run."""

    def __init__(self, include: Sequence[str], exclude: Sequence[str]) -> None:
        patterns = [p for kind, words in (("include", include), ("exclude", exclude))
                    for word in words if (p := make_pattern(word, (kind, word))) is not None]
        self.lexicon: Lexicon[tuple[str, str]] = Lexicon(patterns)

    def hits(self, document: Document, extra: Sequence[str] = ()) -> tuple[list[str], list[str]]:
        """(include words, exclude words) found in the document or in `extra` (categories)."""
        found: dict[str, list[str]] = {"include": [], "exclude": []}
        if not self.lexicon:
            return found["include"], found["exclude"]
        texts = [(s.folded, s.original) for s in document.sentences]
        texts += [(fold(t), t) for t in extra]
        for folded, original in texts:
            for hit in self.lexicon.find(folded, original):
                kind, word = hit.pattern.value
                if word not in found[kind]:
                    found[kind].append(word)
        return found["include"], found["exclude"]
