from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import GOLDEN_PROJECT

from digest.config import load_site
from digest.errors import ProblemList
from digest.schema import normalise
from digest.taxonomy import Taxonomies, load_taxonomy


@pytest.fixture(scope="module")
def taxonomies() -> Taxonomies:
    problems = ProblemList()
    config = load_site(GOLDEN_PROJECT / "content" / "site.yaml", GOLDEN_PROJECT, problems)
    result = load_taxonomy(GOLDEN_PROJECT / "content" / "taxonomy.yaml", GOLDEN_PROJECT,
                           config, problems)
    assert problems.items == []
    return result


@pytest.mark.parametrize(("value", "slug"), [
    ("eu-ai-act", "eu-ai-act"),
    ("EU AI Act", "eu-ai-act"),
    ("ai act", "eu-ai-act"),
    ("Loi européenne sur l'IA", "eu-ai-act"),
    ("LOI EUROPEENNE SUR L IA", "eu-ai-act"),
    ("ki-verordnung", "eu-ai-act"),
    ("Legge sull'IA", "eu-ai-act"),
])
def test_resolve_by_slug_name_alias_any_case_and_accent(
    taxonomies: Taxonomies, value: str, slug: str
) -> None:
    assert taxonomies.resolve("regulation", value) == slug


def test_unknown_values_get_the_closest_terms(taxonomies: Taxonomies) -> None:
    assert taxonomies.resolve("company", "Mistrall") is None
    assert taxonomies.closest("company", "Mistrall")[0] == "mistral-ai"


def test_typed_fields_and_references_are_resolved(taxonomies: Taxonomies) -> None:
    deal = taxonomies.get("deal", "microsoft-mistral-2024")
    assert deal is not None
    assert deal.fields["parties"] == ("microsoft", "mistral-ai")  # "Mistral AI" resolved
    amount = deal.fields["amount"]
    assert (amount.value, amount.currency, amount.basis) == (15_000_000, "EUR", "reported")
    assert deal.related == {"regulation": ("eu-ai-act",)}
    review = deal.events[1]
    assert review.terms == {"regulator": ("european-commission",)}


def test_events_sorted_with_partial_dates(taxonomies: Taxonomies) -> None:
    act = taxonomies.get("regulation", "eu-ai-act")
    assert act is not None
    assert [e.date.iso() for e in act.events] == ["2021-04-21", "2023-12", "2024-08-01"]
    assert act.events[1].uncertain


def test_ambiguous_alias_is_kept_as_such(taxonomies: Taxonomies) -> None:
    mistral = taxonomies.get("company", "mistral-ai")
    assert mistral is not None
    assert [(a.text, a.ambiguous) for a in mistral.aliases] == [("Mistral", True)]


@given(st.text(max_size=40))
def test_normalise_is_idempotent(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


def test_normalise_folds_case_accents_and_punctuation() -> None:
    assert normalise("Régulation-Européenne  d'IA") == "regulation europeenne d ia"
    assert normalise("Straße") == normalise("STRASSE")


def test_taxonomies_come_from_configuration(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "site.yaml").write_text(
        "title: T\ntaxonomies:\n  topic:\n    fields:\n      color: {type: choice, "
        "values: [red, blue]}\n", encoding="utf-8")
    (content / "taxonomy.yaml").write_text(
        "topic:\n  privacy:\n    name: Privacy\n    color: red\n  safety:\n    name: Safety\n"
        "    color: green\n", encoding="utf-8")
    problems = ProblemList()
    config = load_site(content / "site.yaml", tmp_path, problems)
    result = load_taxonomy(content / "taxonomy.yaml", tmp_path, config, problems)
    assert config.taxonomy_keys == ("topic",)
    assert result.get("topic", "privacy") is not None
    assert [(p.line, p.message.split(",")[0]) for p in problems.items] == [
        (7, '"color" must be one of red')]


def test_normalise_keeps_every_script() -> None:
    assert normalise("深度求索") == "深度求索"
    assert normalise("Łódź") == "lodz"
    assert normalise("???") == ""


def test_empty_values_never_resolve(taxonomies: Taxonomies) -> None:
    assert taxonomies.resolve("company", "???") is None
    assert taxonomies.resolve("company", "") is None


def test_site_config_refuses_bad_languages_and_taxonomy_keys(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text(
        "title: T\nlanguage: xx-nowhere\ntaxonomies:\n  company: {}\n  timeline: {}\n"
        "  My Tax: {}\n", encoding="utf-8")
    problems = ProblemList()
    config = load_site(tmp_path / "site.yaml", tmp_path, problems)
    found = [(p.line, p.message.split(":")[0]) for p in problems.items]
    assert (2, '"language" must be a language Babel knows, such as en, fr, de-CH or pt-BR, got '
            '"xx-nowhere"') in [(p.line, p.message) for p in problems.items]
    assert (5, '"timeline" cannot be a taxonomy') in found
    assert any(line == 6 and "must be a slug" in msg for line, msg in
               [(p.line, p.message) for p in problems.items])
    assert config.taxonomy_keys == ("company",)


def test_region_tagged_language_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: T\nlanguage: en-GB\ntaxonomies:\n  company: {}\n",
                                        encoding="utf-8")
    problems = ProblemList()
    assert load_site(tmp_path / "site.yaml", tmp_path, problems).language == "en-GB"
    assert problems.items == []


def test_empty_taxonomy_file_is_a_new_digest(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: T\ntaxonomies:\n  company: {}\n", encoding="utf-8")
    (tmp_path / "taxonomy.yaml").write_text("", encoding="utf-8")
    problems = ProblemList()
    config = load_site(tmp_path / "site.yaml", tmp_path, problems)
    result = load_taxonomy(tmp_path / "taxonomy.yaml", tmp_path, config, problems)
    assert problems.items == [] and result.terms == {"company": {}}


def test_event_anchors_are_unique_within_a_term(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: T\ntaxonomies:\n  company: {}\n", encoding="utf-8")
    (tmp_path / "taxonomy.yaml").write_text(
        "company:\n  x:\n    name: X\n    events:\n      - {date: 2024-01-01, label: Same label}\n"
        "      - {date: 2024-01-01, label: Same label!}\n      - {date: \"2024\", label: Year}\n",
        encoding="utf-8")
    problems = ProblemList()
    config = load_site(tmp_path / "site.yaml", tmp_path, problems)
    term = load_taxonomy(tmp_path / "taxonomy.yaml", tmp_path, config, problems).get("company", "x")
    assert term is not None
    assert [e.anchor for e in term.events] == [
        "event-2024-year", "event-2024-01-01-same-label", "event-2024-01-01-same-label-2"]
