"""Encodings: valid UTF-8 wins over a wrong declaration; real legacy bytes still read."""

from __future__ import annotations

import codecs

import pytest
from ingest_support import Project, feed_entry, fixture_bytes, serve
from pytest_httpserver import HTTPServer

from digest.ingest.encoding import declared_encoding, to_utf8
from digest.ingest.parse import parse_document

MOJIBAKE = ("â‚¬", "Ã©", "Ã¨", "â€™", "Ã¼", "Â")


def titles(data: bytes, content_type: str = "application/rss+xml") -> list[str]:
    parsed = parse_document(data, content_type, "https://feed.example.org/rss")
    assert parsed.error is None
    return [e.title for e in parsed.entries]


def test_utf8_bytes_under_a_latin1_prolog_read_as_utf8() -> None:
    data = fixture_bytes("utf8-declared-latin1.xml")
    assert declared_encoding(data) == "iso-8859-1"
    decoded = to_utf8(data)
    assert decoded.encoding == "utf-8"
    assert decoded.note and "valid UTF-8" in decoded.note
    assert titles(data) == ["Mistral AI : la Commission européenne examine l’accord à 15 M€"]


def test_real_windows_1252_bytes_read_with_their_declaration() -> None:
    data = fixture_bytes("windows-1252.xml")
    assert b"\x80" in data  # the euro sign, as windows-1252 writes it
    assert to_utf8(data).encoding == "cp1252"
    assert titles(data) == ["Microsoft investit 15 M€ dans Mistral AI — “un accord stratégique”"]


def test_byte_order_mark_is_dropped() -> None:
    data = fixture_bytes("bom.xml")
    assert data.startswith(codecs.BOM_UTF8)
    assert titles(data) == ["KI-Verordnung: Brüssel prüft Microsofts Beteiligung an Mistral"]


def test_undeclared_latin1_is_guessed_as_windows_1252() -> None:
    data = fixture_bytes("undeclared-latin1.xml")
    decoded = to_utf8(data)
    assert decoded.encoding == "cp1252" and decoded.note
    assert titles(data) == ["Régulation : le Sénat français et l'IA générative"]


def test_http_charset_that_lies_loses_to_valid_utf8() -> None:
    data = fixture_bytes("bom.xml")[3:]
    assert titles(data, "text/xml; charset=iso-8859-1")[0].startswith("KI-Verordnung: Brüssel")


def test_latin1_label_means_windows_1252_like_browsers() -> None:
    # 0x93/0x94 are C1 controls in ISO-8859-1 but quotes in windows-1252.
    data = b'<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel>' \
           b"<item><title>\x93quoted\x94 caf\xe9</title></item></channel></rss>"
    assert titles(data) == ["“quoted” café"]


def test_unknown_label_with_utf8_bytes() -> None:
    data = '<?xml version="1.0" encoding="invalid"?><rss version="2.0"><channel><item>' \
           "<title>Café €</title></item></channel></rss>".encode()
    assert titles(data) == ["Café €"]


def test_utf16_with_bom() -> None:
    text = '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><item>' \
           "<title>Über die KI-Verordnung</title></item></channel></rss>"
    assert titles(codecs.BOM_UTF16_LE + text.encode("utf-16-le")) == ["Über die KI-Verordnung"]


def test_control_characters_do_not_break_strict_parsing() -> None:
    data = b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>a\x0bb</title>' \
           b"</item></channel></rss>"
    parsed = parse_document(data, "application/xml", "https://x.example.org/")
    assert [e.title for e in parsed.entries] == ["ab"]
    assert not parsed.warnings


@pytest.mark.parametrize("name", ["utf8-declared-latin1.xml", "windows-1252.xml", "bom.xml",
                                  "undeclared-latin1.xml"])
def test_drafts_of_misdeclared_feeds_have_no_mojibake(project: Project, server: HTTPServer,
                                                      name: str) -> None:
    url = serve(server, "/" + name, fixture_bytes(name), "text/xml")
    project.write_feeds(feed_entry("enc", url, lang="fr", keep="all"))
    report = project.ingest()
    assert report.results[0].status == "ok"
    drafts = project.drafts()
    assert len(drafts) == 1
    text = drafts[0]["_path"].read_text(encoding="utf-8")
    assert not any(bad in text for bad in MOJIBAKE), text
    assert any(c in text for c in "éü€")
