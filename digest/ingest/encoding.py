"""Read a feed's bytes as text: valid UTF-8 wins over a wrong declared encoding.

feedparser trusts the declared encoding, so a feed that declares windows-1252 but
sends UTF-8 reads "Euro â‚¬". Miniflux's rule is better and we take it: bytes that
decode as UTF-8 are UTF-8, whatever the prolog or the HTTP header says. Only when they
are not do we believe the declaration, and when there is none we guess, by the shape of
the bytes (see `_guess`). The result is always re-encoded as UTF-8 with the prolog
saying so, so that feedparser has nothing left to guess.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_PROLOG = re.compile(rb"^\s*<\?xml[^>]*?>", re.S)
_PROLOG_ENCODING = re.compile(rb"""(encoding\s*=\s*)(["'])([^"']*)(["'])""")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.I)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
# What browsers do (the WHATWG Encoding Standard): these labels mean windows-1252.
_AS_WINDOWS_1252 = {"iso8859-1", "latin-1", "ascii", "latin1", "us-ascii", "iso-8859-1"}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class Decoded:
    """Feed bytes re-encoded as UTF-8, and how they were read."""

    data: bytes
    """UTF-8, with the XML prolog (if any) declaring utf-8."""
    encoding: str
    """The encoding the bytes were read with."""
    note: str | None = None
    """A one-line warning when a declaration was overridden or a guess was made."""


def charset_of(content_type: str) -> str | None:
    """The charset parameter of a Content-Type header, if any."""
    match = _CHARSET.search(content_type or "")
    return match.group(1).strip().lower() if match else None


def declared_encoding(data: bytes) -> str | None:
    """The encoding named in the XML prolog, if any."""
    prolog = _PROLOG.match(data[:1024])
    if not prolog:
        return None
    match = _PROLOG_ENCODING.search(prolog.group())
    return match.group(3).decode("ascii", "replace").strip().lower() if match else None


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "cp1252" if name in _AS_WINDOWS_1252 or label in _AS_WINDOWS_1252 else name


def _decode_legacy(data: bytes, codec: str) -> str:
    if codec == "cp1252":
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            # Five bytes are undefined in windows-1252; Latin-1 maps every byte.
            return data.decode("latin-1")
    return data.decode(codec, "replace")


def _guess(data: bytes) -> str:
    """An encoding for undeclared bytes that are not UTF-8.

    Western European text has its accented letters alone between ASCII letters ("caf\\xe9");
    Cyrillic, Greek, Hebrew or Japanese text has runs of high bytes. Isolated high bytes
    mean windows-1252; runs are handed to charset-normalizer when it is installed.
    """
    runs = [len(m) for m in _HIGH_RUN.findall(data)]
    if not runs or sum(1 for r in runs if r > 1) * 2 < len(runs):
        return "cp1252"
    try:
        import charset_normalizer
    except ImportError:  # pragma: no cover - depends on the environment
        return "cp1252"
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        return "cp1252"
    return _codec(best.encoding) or "cp1252"


def to_utf8(data: bytes, content_type: str = "") -> Decoded:
    """Decode feed bytes by our rules and return them as UTF-8."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            text = data[len(bom):].decode(name, "replace")
            return _finish(text, name, None)
    http = charset_of(content_type)
    prolog = declared_encoding(data)
    declared = http or prolog
    wide = declared is not None and declared.replace("-", "").startswith(("utf16", "utf32"))
    if not wide:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            note = None
            if declared and _codec(declared) != "utf-8" and not data.isascii():
                note = f"declared {declared} but the bytes are valid UTF-8: read as UTF-8"
            return _finish(text, "utf-8", note)
    for label in (http, prolog):
        codec = _codec(label)
        if codec and codec != "utf-8":
            try:
                return _finish(_decode_legacy(data, codec), codec, None)
            except (UnicodeDecodeError, LookupError):
                continue
    guess = _guess(data)
    source = f"declared {declared}, which does not fit the bytes" if declared else "undeclared"
    return _finish(_decode_legacy(data, guess), guess, f"{source}: read as {guess}")


def _finish(text: str, encoding: str, note: str | None) -> Decoded:
    # Whitespace before the XML declaration and control characters are fatal to the
    # strict XML parser; without them feedparser need not fall back to its loose one.
    text = _XML_ILLEGAL.sub("", text).lstrip()
    data = text.encode("utf-8", "replace")
    prolog = _PROLOG.match(data[:1024])
    if prolog:
        fixed = _PROLOG_ENCODING.sub(rb"\1\2utf-8\4", prolog.group(), count=1)
        data = fixed + data[prolog.end():]
    return Decoded(data, encoding, note)
