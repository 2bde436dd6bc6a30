"""UI strings through gettext catalogs, read from the theme's `locale/` folder.

Catalogs are kept as `.po` sources only and compiled in memory with Babel at build
time, so a translator edits one text file and nothing binary is committed.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

DOMAIN = "messages"


def catalog_path(templates_dir: Path, lang: str) -> Path:
    return templates_dir / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=16)
def _load(path: str, mtime_ns: int, lang: str) -> NullTranslations:
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def translations(templates_dir: Path, lang: str) -> NullTranslations:
    """The UI catalog for a language; English (the source strings) when there is none."""
    base = lang.split("-")[0]
    for candidate in (lang, base):
        path = catalog_path(templates_dir, candidate)
        if path.is_file():
            return _load(str(path), path.stat().st_mtime_ns, candidate)
    return NullTranslations()
