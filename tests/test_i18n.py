"""Languages: the site language from site.yaml drives the UI strings (gettext catalogs in
templates/locale), dates and numbers; articles keep their own language."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from support import GOLDEN_PROJECT, REPO

from digest.build import BuildOptions, build

TEMPLATES = REPO / "templates"
LANGUAGES = ("fr", "de", "es", "it")


def _build_in(tmp_path: Path, language: str) -> Path:
    root = tmp_path / f"project-{language}"
    shutil.copytree(GOLDEN_PROJECT, root)
    config = root / "content" / "site.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^language: en\b", f"language: {language}", text),
                      encoding="utf-8")
    out = root / "site"
    build(BuildOptions(root=root, out=out, search=False, cache=False))
    return out


def _text(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_french_site_speaks_french(tmp_path: Path) -> None:
    site = _build_in(tmp_path, "fr")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in home
    for phrase in ("Aller au contenu", ">Chronologie<", "Dernières nouvelles", "Recherche",
                   "Thème sombre", "Flux Atom"):
        assert phrase in home, phrase
    assert '<meta property="og:locale" content="fr_FR">' in home

    deal = _text(site / "deal" / "microsoft-mistral-2024" / "index.html")
    assert "26 février 2024" in deal
    assert "EUR 15 millions" in deal  # the source's currency, French number words
    assert "(selon la presse)" in deal  # the amount's basis, translated
    assert "Jalons" in deal and "Suivre Microsoft–Mistral partnership dans la chronologie" in deal

    timeline = (site / "timeline" / "index.html").read_text(encoding="utf-8")
    assert "<title>Chronologie — " in timeline
    assert "Filtrer la chronologie" in timeline
    assert "février 2024" in timeline and "Jalon" in timeline
    assert 'data-status-some="{shown} entrées affichées sur {total}."' in timeline

    missing = (site / "404.html").read_text(encoding="utf-8")
    assert "<title>Page introuvable — " in missing

    search = _text(site / "search" / "index.html")
    assert "La recherche nécessite JavaScript." in search


def test_articles_keep_their_own_language(tmp_path: Path) -> None:
    site = _build_in(tmp_path, "fr")
    english = (site / "articles" / "2024" / "02" / "mistral-microsoft-partnership" /
               "index.html").read_text(encoding="utf-8")
    assert '<article class="article" lang="en"' in english
    assert "26 février 2024" in english  # the date in the site's language
    # A source in another language than the site's is marked, in French.
    assert '<span class="visually-hidden">en anglais</span>' in english
    french = (site / "articles" / "2024" / "02" / "deputes-europeens-mistral" /
              "index.html").read_text(encoding="utf-8")
    assert '<article class="article" lang="fr"' not in french  # same as the site


@pytest.mark.parametrize(("language", "phrases"), [
    ("de", ["Zum Inhalt springen", "26. Februar 2024", "Zeitleiste"]),
    ("es", ["Saltar al contenido", "26 de febrero de 2024", "Cronología"]),
    ("it", ["Vai al contenuto", "26 febbraio 2024", "Cronologia"]),
])
def test_other_languages(tmp_path: Path, language: str, phrases: list[str]) -> None:
    site = _build_in(tmp_path, language)
    text = (site / "deal" / "microsoft-mistral-2024" / "index.html").read_text(encoding="utf-8")
    for phrase in phrases:
        assert phrase in text, phrase


def _template_messages() -> set[str]:
    found = set()
    for _, _, message, _, _ in extract_from_dir(
            str(TEMPLATES), method_map=[("**.html", "jinja2")],
            options_map={"**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true",
                                     "lstrip_blocks": "true"}}):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_translates_every_template_string(language: str) -> None:
    path = TEMPLATES / "locale" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    wanted = _template_messages()
    have = {m.id for m in catalog if m.id}
    assert wanted - have == set(), "strings to translate; see templates/babel.cfg"
    assert have - wanted == set(), "obsolete strings; see templates/babel.cfg"
    for message in catalog:
        if not message.id:
            continue
        assert message.string, f"{language}: untranslated {message.id!r}"
        assert not message.fuzzy, f"{language}: fuzzy {message.id!r}"
        placeholders = sorted(re.findall(r"%\(\w+\)s", str(message.id)))
        assert sorted(re.findall(r"%\(\w+\)s", str(message.string))) == placeholders, message.id


def test_template_catalog_is_current() -> None:
    with (TEMPLATES / "locale" / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    assert {m.id for m in template if m.id} == _template_messages(), (
        "templates/locale/messages.pot is out of date; see templates/babel.cfg")
