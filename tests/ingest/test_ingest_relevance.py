"""Relevance: the keep rules, their reasons, and feed rules (exclude wins)."""

from __future__ import annotations

import datetime as dt

import pytest
from ingest_support import Project, feed_entry, item, rss, serve
from pytest_httpserver import HTTPServer
from test_ingest_tagging import analyse

from digest.ingest.document import build_document
from digest.ingest.relevance import FeedRuleSet, Verdict, judge


def verdict(title: str, text: str = "", lang: str = "en", *, keep_all: bool = False,
            include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> Verdict:
    document = build_document(title, "", text, lang)
    analysis = analyse(title, text, lang, when=dt.datetime(2024, 2, 27, tzinfo=dt.UTC))
    included, excluded = FeedRuleSet(include, exclude).hits(document)
    return judge(analysis, document, keep_all=keep_all, include_hits=included, exclude_hits=excluded)


@pytest.mark.parametrize(("lang", "title", "text", "reason"), [
    ("en", "The AI Act enters into force", "", "regulation: eu-ai-act"),
    ("en", "Microsoft faces antitrust complaint", "", "company: microsoft + policy word 'antitrust'"),
    ("en", "Lawmakers pass new AI regulation", "", "AI context 'AI' + policy word 'lawmaker*'"),
    ("fr", "Bruxelles enquête sur l'accord entre Microsoft et Mistral AI", "",
     "company: microsoft + policy word 'Bruxelles'"),
    ("de", "Bundeskartellamt prüft Microsofts Partnerschaft", "",
     "company: microsoft + policy word '*kartellamt'"),
    ("es", "La Comisión Europea multa a Meta Platforms", "", "regulator: european-commission"),
    ("it", "Il Garante della privacy blocca ChatGPT", "", "company: openai + policy word 'garante*'"),
    ("en", "OpenAI raises new funding", "", "company: openai + policy word 'funding'"),
])
def test_kept_with_the_reason_written_down(lang: str, title: str, text: str, reason: str) -> None:
    result = verdict(title, text, lang)
    assert result.keep and reason in result.reasons, result.reasons


@pytest.mark.parametrize(("lang", "title", "text"), [
    ("en", "Microsoft launches a new Surface laptop", "It has a bigger screen."),
    ("en", "OpenAI releases a new fine-tuning API", "Developers can fine-tune models."),
    ("en", "Scaling laws for neural language models", "We study scaling laws of AI models."),
    ("en", "Moore's law and AI chips", "Moore's law keeps going for AI hardware."),
    ("en", "The San Antonio Spurs use ChatGPT on and off the court", ""),
    ("it", "Alla fine OpenAI ha presentato un nuovo modello", ""),
    ("fr", "Recette : la tarte aux pommes de grand-mère", "Un classique."),
    ("en", "Government announces new school holidays", "Nothing about technology."),
])
def test_not_policy(lang: str, title: str, text: str) -> None:
    assert not verdict(title, text, lang).keep


def test_a_policy_word_deep_in_a_long_company_post_does_not_count() -> None:
    filler = " ".join(["We shipped a feature that users love."] * 20)
    assert not verdict("Microsoft ships Copilot features", filler + " The government uses it.").keep


def test_exclude_wins_over_everything() -> None:
    result = verdict("Sponsored: the AI Act explained", keep_all=True, include=("AI Act",),
                     exclude=("sponsored",))
    assert result == Verdict(False, ("excluded by rule 'sponsored'",))


def test_include_and_keep_all() -> None:
    assert verdict("Le Chat gets a new look", include=("Le Chat",)).reasons == ("include rule 'Le Chat'",)
    assert verdict("Ten soup recipes", keep_all=True).reasons == ("feed keeps every entry",)


def test_rules_also_match_categories(project: Project, server: HTTPServer) -> None:
    body = rss('<item><title>Plain title</title><link>https://c.example.org/1</link>'
               "<category>AI governance</category><description>Nothing.</description></item>")
    project.write_feeds(feed_entry("cats", serve(server, "/c.xml", body), include=["governance"]))
    report = project.ingest()
    assert report.drafts[0].reasons == ("include rule 'governance'",)


def test_site_words_extend_the_defaults(project: Project, server: HTTPServer) -> None:
    body = rss(item("Microsoft signs a memorandum", "A memorandum with the city.",
                    link="https://m.example.org/1"))
    project.write_feeds(feed_entry("memo", serve(server, "/m.xml", body)))
    assert not project.ingest(dry_run=True).drafts
    project.set_ingest("policy_words: {en: [memorandum]}\n")
    assert project.ingest(dry_run=True).drafts[0].reasons == (
        "company: microsoft + policy word 'memorandum'",)
    project.set_ingest("extend_defaults: false\npolicy_words: {en: [memorandum]}\n")
    body2 = rss(item("Microsoft faces an antitrust probe", "Regulators look.", link="https://m.example.org/2"))
    project.write_feeds(feed_entry("memo", serve(server, "/m2.xml", body2)))
    assert not project.ingest(dry_run=True).drafts  # "antitrust" was a default, now gone
