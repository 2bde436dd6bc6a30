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

Deal words (partnership, agreement, raises) are weaker than policy words: for rule 2 they
count in the title, or in the lead when the entry is about two companies, because a
customer story says "Lowe's partnered with OpenAI to build..." in its lead. A term the
taxonomy marks `extra: {needs_ai_context: true}` (Apple, the CMA, the GDPR: news outside
AI too) counts for rules 1 and 2 only with AI context: an AI word in the title or lead,
or another term of the entry that is AI's own (OpenAI, the AI Act).

"About" comes from tagging.py (title, lead, or repeated). Policy words count only in the
title and the lead: a long company blog post says "government" somewhere, and that does
not make it policy news. Every kept entry carries its reasons into the draft.

The word lists below are the defaults; site.yaml's `ingest:` section extends them per
language (`policy_words`, `deal_words`, `ai_words`, `context_words`) or replaces them
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
        "regulat*", "deregulat*", "legislat*", "lawmaker*", "law", "laws", "bill", "bills",
        "bill passes", "antitrust", "anti trust", "competition authority", "competition watchdog",
        "competition regulator", "competition law", "competition commission", "monopol*",
        "watchdog*", "investigation", "investigations", "investigated by", "under investigation",
        "probe", "probes", "probed", "probing", "inquiry", "scrutiny", "fines", "fined", "a fine of",
        "fine of", "record fine", "million fine", "billion fine", "antitrust fine", "penalt*",
        "sanction*", "lawsuit*", "sues", "sued", "suing", "court", "courts", "ruling", "ruled",
        "verdict*", "injunction*", "federal judge*", "judge rules", "judge ruled", "judge orders",
        "litigation", "settlement", "legal action*", "legal challenge*", "legal filing*",
        "legal battle*", "complaint*", "class action*", "plaintiff*", "subpoena*", "testimony",
        "testif*", "copyright*", "intellectual property", "content licensing", "licensing deal*",
        "licensing agreement*", "content deal*", "content partnership*", "data licensing",
        "strategic partnership*", "strategic alliance*",
        "data protection", "privacy law*", "privacy regulator*", "ban", "bans", "banned",
        "banning", "moratorium", "treaty", "executive order*", "white house", "congress*",
        "senat*", "parliament*", "minister*", "ministry", "government*", "governor*", "veto*",
        "policymaker*", "policy maker*", "public policy", "AI policy", "lobby*", "governance",
        "commissioner*", "EU", "European Union", "Brussels", "FTC", "DOJ", "SEC", "FCC", "Ofcom",
        "export control*", "export restriction*", "export ban*", "tariff*", "subsid*",
        "national security", "military", "pentagon", "department of defense", "election*",
        "sovereignty", "sovereign", "safety institute*", "voluntary commitment*",
        "national laborator*", "acquisition*", "acquire", "acquires", "acquired", "acquiring",
        "merger*", "takeover*", "buyout", "stake", "invest", "invests", "invested", "investing",
        "investment*", "investor*", "funding", "funding round", "valuation", "series a",
        "series b", "series c", "series d", "valued at", "IPO", "for profit", "public benefit corporation*",
        "consultation*", "request for comment*", "public comment*", "attorney general*",
        "federal agenc*", "department of energy", "department of commerce",
        "department of justice", "NIST", "NTIA", "OSTP", "state law*",
        "!scaling law*", "!power law*", "!law of", "!s law", "!s laws", "!data acquisition",
        "!off the court", "!on the court", "!basketball court", "!tennis court", "!food court",
        "!linear probe*", "!probing classifier*", "!court vision", "!ban hammer", "!ray ban*",
        "!bill gates",
    ),
    "fr": (
        "reglementation*", "reglement", "reglements", "regulat*", "legislat*", "loi", "lois",
        "projet de loi", "proposition de loi", "encadrement*", "encadrer",
        "autorite de la concurrence", "droit de la concurrence", "anticoncurrenti*",
        "antitrust", "abus de position", "monopol*", "gendarme*", "enquete*", "amende*", "epingle*",
        "dans le viseur",
        "sanction*", "condamn*", "en demeure", "proces", "plainte*", "poursuite*", "poursuit",
        "poursuivi*", "action de groupe", "recours collectif", "tribunal*", "justice", "cour",
        "jugement", "conseil d etat", "droit d auteur", "droits d auteur", "droits voisins",
        "propriete intellectuelle", "donnees personnelles", "protection des donnees",
        "autorite de protection*", "interdiction*", "interdit", "interdire", "gouvernement*",
        "ministre*", "ministere*", "parlement*", "senat*", "assemblee nationale", "depute*",
        "eurodepute*", "elysee", "Matignon", "Bercy", "Washington", "Maison Blanche",
        "departement du commerce", "commission europeenne", "Bruxelles", "UE",
        "Union europeenne", "regulateur*", "Arcom", "lobby*", "souverainete", "election*",
        "decret*", "gouvernance", "subvention*", "controle* des exportations",
        "controle* a l exportation", "restriction* a l exportation",
        "restriction* sur les exportations", "investissement*", "investit", "investir",
        "investi", "investisseur*", "levee de fonds", "leve", "levent", "tour de table",
        "financement*", "valorisation", "acquisition*", "rachat*", "rachete", "fusion*",
        "prise de participation", "partenariat strategique", "partenariats strategiques",
        "alliance strategique", "militaire*", "supervision",
        "!pas de justice", "!fusion nucleaire", "!washington post",
    ),
    "de": (
        "regulier*", "verordnung*", "*verordnung", "gesetz*", "*gesetz", "*gesetze",
        "gesetzgeb*", "kartell*", "*kartellamt", "wettbewerbshuter", "wettbewerbsbehorde*",
        "wettbewerbsrecht*", "wettbewerbskommissar*", "monopol*", "ermittlung*",
        "untersuchung*", "strafe*", "*strafe", "*strafen", "bestraft", "bussgeld*",
        "geldbusse*", "sanktion*", "klage*", "*klage", "*klagen", "klagt", "verklag*", "rugt",
        "abmahnung*",
        "gericht*", "*gericht", "richter*", "urteil*", "*urteil", "urheberrecht*",
        "datenschutz*", "*datenschutzbeauftragte", "*datenschutzbeauftragter", "DSGVO",
        "verbot*", "*verbot", "verbietet", "regierung*", "*regierung", "minister*", "*minister",
        "ministerium*", "*ministerium", "bundestag", "abgeordnete*", "parlament*", "*parlament",
        "eu kommission", "kommission", "Brussel", "EU", "europaische union", "Washington",
        "weisses haus", "behorde*", "*behorde", "bundesnetzagentur", "aufsicht*", "*aufsicht",
        "lobby*", "souveranitat", "souveran*", "wahlkampf*", "*wahlkampf", "bundestagswahl",
        "europawahl", "militar*", "exportbeschrankung*", "exportkontroll*", "*exportverbot",
        "ausfuhrbeschrankung*", "strafzoll*", "*zolle", "subvention*", "staatshilfe*",
        "forderprogramm*", "investition*", "*investition", "*investitionen", "investiert*",
        "investor*", "beteiligung*", "*beteiligung", "finanzierung*", "*finanzierung",
        "finanzierungsrunde", "ubernahme*", "*ubernahme", "ubernimmt", "fusion*", "abkommen",
        "strategische partnerschaft*", "strategischen partnerschaft*",
        "governance",
        "!strafraum", "!strafstoss", "!washington post",
    ),
    "es": (
        "regulacion*", "regulador*", "regulatori*", "reglamento*", "normativa*", "ley",
        "leyes", "anteproyecto*", "proyecto de ley", "legisla*", "antimonopolio",
        "competencia desleal", "autoridad de competencia", "autoridad de la competencia",
        "defensa de la competencia", "CNMC", "AEPD", "monopolio*", "expediente*", "multa*",
        "sancion*", "demanda judicial", "demandas", "demanda a", "demandado", "demandada",
        "demandan", "demando", "demandar", "querella*", "denuncia*", "investiga", "investigan",
        "en el punto de mira", "bajo la lupa",
        "abre una investigacion", "abrir una investigacion", "investigacion antimonopolio",
        "investigacion formal", "tribunal*", "juzgado*", "juez", "jueza", "juicio", "fiscalia",
        "derechos de autor", "propiedad intelectual", "proteccion de datos", "prohibicion*",
        "prohibe", "prohibir", "gobierno*", "ministro*", "ministra*", "ministerio*",
        "parlamento*", "congreso", "senado", "diputado*", "Moncloa", "comision europea",
        "Bruselas", "UE", "Union Europea", "Washington", "Casa Blanca", "departamento de comercio",
        "lobby*", "soberania", "elecciones", "decreto*", "gobernanza", "aranceles",
        "restricciones a la exportacion", "control* de exportacion*",
        "controles a la exportacion", "inversion*", "invierte", "invertir", "invertira",
        "inversor*", "inversionista*", "financiacion", "financiamiento",
        "ronda de financiacion", "ronda de inversion", "valoracion", "adquisicion*",
        "adquiere", "compra de", "fusion*", "alianza estrategica", "asociacion estrategica",
        "acuerdo estrategico", "militar*", "supervision", "agencia*",
        "!washington post",
    ),
    "it": (
        "regolament*", "regolazione", "regolator*", "normativa*", "norme", "regole", "legge",
        "leggi", "ddl", "disegno di legge", "legislat*", "antitrust", "garante*", "AGCM",
        "monopoli*", "indagine*", "indaga", "indagat*", "inchiesta*", "istruttoria", "multa*",
        "sanzion*", "nel mirino",
        "tribunale*", "TAR", "consiglio di stato", "giudice*", "sentenza*", "presenta ricorso",
        "presentato ricorso", "annuncia ricorso", "ricorso al tar", "causa legale", "fa causa",
        "fanno causa", "citato in giudizio", "cita in giudizio", "denuncia*",
        "diritto d autore", "diritti d autore", "proprieta intellettuale",
        "protezione dei dati", "dati personali", "divieto*", "vieta", "vietato", "governo*",
        "ministro*", "ministero*", "parlamento*", "senato", "deputat*", "Palazzo Chigi",
        "commissione europea", "Bruxelles", "UE", "Unione europea", "Washington",
        "Casa Bianca", "dipartimento del commercio", "lobby*", "sovranita", "elezioni",
        "decreto*", "governance", "dazi", "restrizioni all esportazion*",
        "controll* sulle esportazion*", "controll* all esportazion*", "investiment*",
        "investe", "investire", "investira", "investitor*", "finanziament*",
        "round di finanziamento", "acquisizion*", "acquisisce", "fusione*",
        "partnership strategica", "alleanza strategica", "accordo strategico", "militare",
        "agenzia*", "vigilanza",
        "!washington post",
    ),
}

DEAL_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("partnership*", "partners with", "partnering with", "partnered with", "teams up",
           "team up", "join forces", "joins forces", "joined forces", "deal", "deals",
           "agreement*", "licenses", "licensing", "raises", "raised", "raising",
           "!deal with", "!deals with", "!best deal*", "!black friday deal*",
           "!cyber monday deal*", "!prime day deal*", "!deal of the day", "!raises the bar",
           "!raises concerns", "!raises questions", "!raised concerns", "!raised questions",
           "!raising concerns"),
    "fr": ("partenariat*", "s associe", "s associent", "s allie", "s allient", "alliance",
           "accord", "accords"),
    "de": ("partnerschaft*", "kooperation*", "zusammenarbeit", "deal", "vereinbarung*",
           "sammelt", "eingesammelt"),
    "es": ("alianza*", "se alia", "se alian", "acuerdo*", "asociacion", "recauda",
           "recaudado"),
    "it": ("partnership", "accordo", "accordi", "alleanza", "si allea", "intesa", "raccoglie",
           "raccolto"),
}
"""Deal words: weaker than policy words ("Lowe's partnered with OpenAI to build..." is a
customer story), so they count in a title, or in the lead of a story with two companies."""

AI_WORDS: dict[str, tuple[str, ...]] = {
    "*": (
        "AI", "GenAI", "AGI", "LLM", "LLMs", "GPT*", "chatgpt", "chatbot*",
        "generative AI", "machine learning", "deep learning", "neural network*",
        "foundation model*", "frontier model*", "large language model*", "language model*",
        "AI model*", "AI act", "deepfake*",
    ),
    "en": ("artificial intelligence", "AI system*", "AI tool*", "AI agent*", "AI lab*",
           "facial recognition"),
    "fr": ("IA", "intelligence artificielle", "IA generative", "modele de langage",
           "modeles de langage", "agent conversationnel", "robot conversationnel",
           "hypertrucage*", "apprentissage automatique", "reconnaissance faciale"),
    "de": ("KI", "kunstliche intelligenz", "*sprachmodell", "*sprachmodelle",
           "sprachmodell*", "generative KI", "maschinelles lernen", "gesichtserkennung"),
    "es": ("IA", "inteligencia artificial", "IA generativa", "modelo de lenguaje",
           "modelos de lenguaje", "aprendizaje automatico", "reconocimiento facial"),
    "it": ("IA", "intelligenza artificiale", "IA generativa", "modello linguistico",
           "modelli linguistici", "apprendimento automatico", "riconoscimento facciale"),
}

# Weaker clues: enough to read "Mistral" or "Meta" as the company, not to call a story
# AI news on their own ("model law", "a startup's investment"). No ordinary word here:
# "le chat" is a cat and "llama" an animal (the taxonomy has them as ambiguous names).
CONTEXT_WORDS: dict[str, tuple[str, ...]] = {
    "*": ("model", "models", "startup*", "start up", "start ups", "algorithm*", "open source",
          "open weight*", "chip*", "GPU*", "datacenter*", "data center*", "cloud",
          "inference", "training data", "agent*", "assistant*", "benchmark*", "prompt*",
          "iPhone*", "smartphone*", "app store", "apps", "software", "tech giant*",
          "technology", "platform*", "online", "internet", "social media", "search engine*",
          "voice assistant*", "Siri", "privacy", "users",
          "Mixtral", "Codestral", "Copilot", "Azure", "Nvidia", "OpenAI", "tech",
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

    def counts(taxonomy: str, slug: str) -> bool:
        # Apple, the CMA or the GDPR make news outside AI too: they need AI beside them.
        return analysis.ai_context or (taxonomy, slug) not in analysis.needs_ai_context

    for taxonomy, slugs in about.items():
        if taxonomy not in company_taxonomies:
            reasons.extend(inferred.get(f"{taxonomy}: {s}", f"{taxonomy}: {s}")
                           for s in slugs if counts(taxonomy, s))
    all_companies = [s for t in company_taxonomies for s in about.get(t, ())]
    companies = [s for t in company_taxonomies for s in about.get(t, ()) if counts(t, s)]
    # Deal words (partnership, agreement) count in the title, or in the lead when two
    # companies are in the story; "Lowe's partnered with OpenAI to build..." in a
    # customer story's lead is not deal news.
    deal_words = analysis.deal_in_lead if len(all_companies) >= 2 else analysis.deal_in_title
    lead_words = analysis.policy_in_lead + tuple(w for w in deal_words
                                                 if w not in analysis.policy_in_lead)
    if companies and lead_words:
        reasons.append(f"company: {companies[0]} + policy word '{lead_words[0]}'")
    pair = analysis.ai_policy_sentence
    if pair is None and analysis.ai_in_lead and (
        analysis.policy_in_title or len(analysis.policy_in_lead) >= 2
    ):
        pair = (analysis.ai_in_lead, (analysis.policy_in_title or analysis.policy_in_lead)[0])
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
