"""Tagging: names on word boundaries, any case and accents, ambiguous names in context."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ingest_support import SITE_YAML, TAXONOMY_YAML

from digest import yamlsrc
from digest.config import parse_site
from digest.errors import ProblemList
from digest.ingest.document import build_document, split_sentences
from digest.ingest.lexicon import Lexicon, fold, make_pattern
from digest.ingest.relevance import AI_WORDS, CONTEXT_WORDS, DEAL_WORDS, POLICY_WORDS
from digest.ingest.tagging import Analysis, Vocabulary
from digest.schema import normalise
from digest.taxonomy import parse_taxonomy


@cache
def vocabulary() -> Vocabulary:
    problems = ProblemList()
    config = parse_site(yamlsrc.load(SITE_YAML), "site.yaml", problems)
    taxonomy = parse_taxonomy(yamlsrc.load(TAXONOMY_YAML), "taxonomy.yaml", config, problems)
    assert not problems.errors, [p.format() for p in problems.items]
    return Vocabulary(taxonomy, {"policy": POLICY_WORDS, "deal": DEAL_WORDS, "ai": AI_WORDS,
                                 "context": CONTEXT_WORDS})


def analyse(title: str, text: str = "", lang: str = "en", summary: str = "",
            when: dt.datetime | None = None) -> Analysis:
    return vocabulary().analyse(build_document(title, summary, text, lang), when)


def about(title: str, text: str = "", lang: str = "en") -> dict[str, tuple[str, ...]]:
    return analyse(title, text, lang).tags.about


@pytest.mark.parametrize(("lang", "text", "expected"), [
    # French: mistral is a wind, Claude a first name
    ("fr", "Le mistral souffle fort sur la Provence ce week-end.", {}),
    ("fr", "Mistral lève 600 millions d'euros pour ses modèles d'IA.", {"company": ("mistral-ai",)}),
    ("fr", "Mistral Gagnant, le film culte, ressort au cinéma.", {}),
    ("fr", "Claude François chantait à l'Olympia.", {}),
    ("fr", "Anthropic présente Claude 3, son nouveau modèle d'IA.", {"company": ("anthropic",)}),
    ("fr", "Claude, l'assistant d'IA, arrive en France.", {"company": ("anthropic",)}),
    # Spanish and Italian: meta is a goal
    ("es", "La meta del gobierno es reducir el paro este año.", {}),
    ("es", "Meta lanza un nuevo modelo de IA en Europa.", {"company": ("meta",)}),
    ("it", "Il Milan ha raggiunto la meta in classifica.", {}),
    ("it", "Meta presenta il suo modello di intelligenza artificiale.", {"company": ("meta",)}),
    ("it", "Oroscopo Gemini: una settimana fortunata.", {}),
    # German
    ("de", "Claude Monet malte die Seerosen in Giverny.", {}),
    ("de", "Gemini, das KI-Modell von Google, kommt nach Europa.", {"company": ("google",)}),
    ("de", "Die KI-Firma Mistral AI eröffnet ein Büro in München.", {"company": ("mistral-ai",)}),
    # English
    ("en", "Gemini horoscope: a lucky week ahead for you.", {}),
    ("en", "We run AI workloads on our own GPUs.", {}),
    ("en", "Nvidia buys Run:ai, the Israeli AI start-up.", {"company": ("run-ai",)}),
    ("en", "Metadata and meta-learning for better AI models.", {}),
    ("en", "CMA CGM ships containers to Marseille.", {}),
    ("en", "The CMA opened an investigation into the deal.", {"regulator": ("uk-cma",)}),
])
def test_ambiguous_names_need_context_in_five_languages(
        lang: str, text: str, expected: dict[str, tuple[str, ...]]) -> None:
    assert about(text, lang=lang) == expected


def test_the_unambiguous_name_elsewhere_is_context_enough() -> None:
    tags = analyse("Mistral signs with the navy", "Mistral AI, the French company, signs a contract.")
    assert tags.tags.about == {"company": ("mistral-ai",)}


def test_a_title_takes_its_context_from_the_lead() -> None:
    assert about("Mistral a Bruxelles", "La start-up d'intelligence artificielle est reçue.",
                 lang="fr") == {"company": ("mistral-ai",)}


def test_capitalised_acronyms_match_only_in_capitals() -> None:
    # "j'ai" is not AI: the French verb gives no AI context to the ambiguous "Mistral".
    assert about("Mistral, j'ai dit, est un vent.", lang="fr") == {}
    lexicon = Lexicon([p for p in (make_pattern("AI", "ai"), make_pattern("KI", "ki")) if p])
    assert [h.pattern.value for h in lexicon.find(fold("Die KI und AI"), "Die KI und AI")] == ["ki", "ai"]
    assert lexicon.find(fold("j'ai ki"), "j'ai ki") == []


@pytest.mark.parametrize("text", [
    "LOI EUROPÉENNE SUR L'IA : ce qui change",
    "la loi europeenne sur l ia entre en vigueur",
    "Die KI-Verordnung gilt ab August",
    "La Ley de IA entra en vigor",
    "La legge sull'IA è in vigore",
    "Il regolamento europeo sull’IA è in vigore",
    "The EU AI-Act takes effect",
])
def test_names_match_without_case_accents_or_punctuation(text: str) -> None:
    assert about(text)["regulation"] == ("eu-ai-act",)


@pytest.mark.parametrize("text", ["Microsoftie merch", "The OpenAIx demo", "GDPRs", "Metaverse news"])
def test_names_match_only_on_word_boundaries(text: str) -> None:
    assert about(text) == {}


def test_names_inside_words_joined_by_punctuation_still_match() -> None:
    assert about("OpenAI's board and Microsoft-backed rivals")["company"] == ("openai", "microsoft")


def test_about_versus_mentions() -> None:
    lead = "Microsoft will pay a fine in Brussels. The decision was expected. " * 2
    deep = " ".join(["Filler sentence about markets."] * 20)
    analysis = analyse("Microsoft fined by the European Commission",
                       lead + deep + " Rival OpenAI declined to comment.")
    assert analysis.tags.about == {"company": ("microsoft",), "regulator": ("european-commission",)}
    assert analysis.tags.mentions == {"company": ("openai",)}


def test_a_name_repeated_deep_in_the_text_is_about() -> None:
    deep = " ".join(["Filler sentence about markets."] * 20)
    analysis = analyse("Weekly digest", deep + " Anthropic said. Anthropic added. Anthropic ended.")
    assert analysis.tags.about == {"company": ("anthropic",)}


def test_longest_name_wins_at_a_position() -> None:
    assert about("Meta Platforms and the GDPR")["company"] == ("meta",)
    assert about("The EU AI Act")["regulation"] == ("eu-ai-act",)


def test_products_tag_their_company_in_context() -> None:
    assert about("Le Chat, l'assistant IA de Mistral, arrive sur mobile", lang="fr") == \
        {"company": ("mistral-ai",)}
    assert about("Le chat de la voisine dort au soleil.", lang="fr") == {}


def test_deal_is_inferred_from_its_parties_near_its_date() -> None:
    title = "Microsoft invests in Mistral AI"
    near = analyse(title, when=dt.datetime(2024, 2, 27, tzinfo=dt.UTC))
    assert near.tags.about["deal"] == ("microsoft-mistral-2024",)
    assert near.inferred and "parties microsoft and mistral-ai" in near.inferred[0]
    far = analyse(title, when=dt.datetime(2026, 2, 27, tzinfo=dt.UTC))
    assert "deal" not in far.tags.about


def test_founding_story_in_french() -> None:
    summary = ("La start-up française Mistral AI, qui avait plaidé pour alléger le règlement "
               "européen sur l’IA, annonce un partenariat avec Microsoft.")
    text = (summary + " Des eurodéputés dénoncent un double discours et la Commission européenne "
            "examine l’accord. " + "Le marché des modèles évolue vite. " * 12
            + "Mistral Large se mesure à GPT-4, le modèle d’OpenAI.")
    analysis = analyse("Mistral AI s’allie à Microsoft, Bruxelles s’interroge", text, lang="fr",
                       when=dt.datetime(2024, 2, 27, tzinfo=dt.UTC))
    assert analysis.tags.about == {"company": ("mistral-ai", "microsoft"),
                                   "regulation": ("eu-ai-act",),
                                   "regulator": ("european-commission",),
                                   "deal": ("microsoft-mistral-2024",)}
    assert analysis.tags.mentions == {"company": ("openai",)}


def test_sentences_split_on_ends_not_on_abbreviations() -> None:
    assert split_sentences("U.S. regulators fined Microsoft. The EU said no!\nNew line") == \
        ["U.S. regulators fined Microsoft.", "The EU said no!", "New line"]
    assert len(split_sentences("word " * 200)) == 4  # long runs are cut into windows


@given(st.text(alphabet=st.characters(codec="utf-8", categories=("L", "M", "N", "P", "Zs")),
               max_size=60))
def test_fold_agrees_with_the_taxonomy_normalisation(text: str) -> None:
    assert fold(text) == normalise(text)


@given(st.sampled_from(["Mistral AI", "Microsoft Corp.", "Artificial Intelligence Act", "KI-Verordnung",
                        "Commission européenne", "General Data Protection Regulation"]),
       st.lists(st.booleans(), min_size=40, max_size=40))
def test_any_casing_of_an_unambiguous_name_matches(name: str, upper: list[bool]) -> None:
    cased = "".join(c.upper() if u else c.lower() for c, u in zip(name, upper, strict=False))
    assert analyse(f"News: {cased} today").tags.about
