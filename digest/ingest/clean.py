"""Feed HTML to safe Markdown and plain text: the only place feed HTML is touched.

Feed HTML is hostile input. nh3 (ammonia) keeps an allowlist of structural tags and of
`href`/`src`/`alt`/`title` attributes with http(s) or mailto URLs, and drops the content
of script, style and the like; markdownify then writes Markdown. Links are made absolute
against the entry's base (xml:base, else the feed's final URL) and stripped of tracking
parameters while the Markdown is written.

Two things we add after the sanitiser. Text that *reads* like markup ("&lt;script&gt;"
in an article about XSS) would become a literal `<script>` in Markdown; every `<` that
could open a tag is written as `&lt;`, which Markdown shows as "<". And the few words
that only matter inside markup (`javascript:`, `onload=`, CSS `expression(`) are broken
with a zero-width joiner, so that no draft contains them even as text.
"""

from __future__ import annotations

import html
import re
from functools import cache

import nh3
from markdownify import markdownify

from .links import absolute, clean_url, for_markdown

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li",
    "ol", "p", "pre", "q", "s", "small", "strike", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"},
                      "abbr": {"title"}, "td": {"colspan", "rowspan"},
                      "th": {"colspan", "rowspan"}}
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "noscript",
                                  "template", "svg", "math", "form", "select", "textarea",
                                  "button", "frame", "frameset", "applet", "head", "title"})
_BLOCK = re.compile(r"<(/?)(p|div|br|li|h[1-6]|tr|td|th|blockquote|section|article|pre|"
                    r"figcaption|dd|dt|hr)\b", re.I)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]{2,}|[\t\r\f\v\u00a0]")  # a lone space stays
_ANY_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
_DROP_WITH_CONTENT = re.compile(r"<(script|style|template|noscript|svg|math)\b.*?</\1\s*>", re.S | re.I)
_TAG_OPENER = re.compile(r"<(?=[A-Za-z/!?])")
_ACTIVE_WORDS = re.compile(r"(?i)(javascript|vbscript|livescript)(\s*):|"
                           r"(?<=\s)(on[a-z]+)(\s*=)|(expression)(\s*\()|"
                           r"(position)(\s*:\s*absolute)")
_BLANK_LINES = re.compile(r"\n{3,}")
MAX_BODY_CHARS = 200_000
SUMMARY_CHARS = 320
_ZWJ = "\u2060"  # word joiner: invisible, and breaks the token without changing the text


@cache
def _cleaner(text_only: bool) -> nh3.Cleaner:
    # One sanitiser per mode, built on first use and shared: building one compiles the
    # allowlists, which costs more than cleaning a typical entry.
    if text_only:
        return nh3.Cleaner(tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT),
                           attributes={}, url_schemes={"http", "https"})
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )


def sanitise(fragment: str) -> str:
    """Allowlisted HTML: no script, iframe, object, embed, on* or style, no unsafe URL."""
    return str(_cleaner(False).clean(fragment))


def defang(markdown: str) -> str:
    """Markdown that cannot be read as active markup, whatever renders it later."""
    return _ACTIVE_WORDS.sub(_join_word, _TAG_OPENER.sub("&lt;", markdown))


def defang_text(text: str) -> str:
    """Plain text (a title, a summary) with the same guarantee, and no visible change."""
    return _ACTIVE_WORDS.sub(_join_word, _TAG_OPENER.sub("<" + _ZWJ, text))


def _join_word(match: re.Match[str]) -> str:
    groups = [g for g in match.groups() if g is not None]
    return groups[0] + _ZWJ + groups[1] + (":" if match.group(1) else "")


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: tags gone, entities decoded, blocks as new lines."""
    if not fragment:
        return ""
    if "<" in fragment:
        fragment = _BLOCK.sub(r"\n<\1\2", fragment)
        fragment = str(_cleaner(True).clean(fragment))
    return _tidy(html.unescape(fragment))


def html_words(fragment: str) -> str:
    """The words of an HTML fragment, for reading (tagging, relevance), not for showing.

    Cheaper than `html_to_text`: tags are cut out by pattern rather than parsed, which is
    enough to find names and words; what is written into a draft goes through nh3.
    """
    if "<" in fragment:
        fragment = _ANY_TAG.sub(" ", _DROP_WITH_CONTENT.sub(" ", _BLOCK.sub(r"\n<\1\2", fragment)))
    return _tidy(html.unescape(fragment) if "&" in fragment else fragment)


# C0 controls but tab, line feed and carriage return: invisible, and invalid in XML.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _tidy(text: str) -> str:
    """Runs of spaces as one; blank lines and spaces around line breaks gone."""
    text = _SPACES.sub(" ", _CONTROL.sub(" ", text))
    if "\n" in text:
        text = "\n".join(line for raw in text.split("\n") if (line := raw.strip()))
    return text.strip()


def summarise(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The first sentences of a text, up to about `limit` characters, on one line."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    sentence_end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    if sentence_end > limit // 2:
        return cut[: sentence_end + 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:-") + "…"


_URL_ATTRIBUTE = re.compile(r'\s(href|src|alt)="([^"]*)"')
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def _rewrite_attributes(safe: str, base: str) -> str:
    """Links absolute, clean of tracking and safe in Markdown; image alt text escaped.

    Works on nh3's output, whose attributes are always double-quoted and escaped.
    """

    def rewrite(match: re.Match[str]) -> str:
        name, value = match.group(1), html.unescape(match.group(2))
        if name == "alt":
            value = " ".join(value.split()).replace("[", "\\[").replace("]", "\\]")
            return f' alt="{html.escape(value)}"'
        if value.lower().startswith("mailto:"):
            return match.group()
        url = absolute(value, base)
        if not url:
            return ""
        return f' {name}="{html.escape(for_markdown(clean_url(url)))}"'

    return _IMG_WITHOUT_SRC.sub("", _URL_ATTRIBUTE.sub(rewrite, safe))


def html_to_markdown(fragment: str, base: str) -> str:
    """Sanitised Markdown of a feed's HTML, with absolute links; "" for no text."""
    if not fragment.strip():
        return ""
    safe = _IMG_WITHOUT_SRC.sub("", _rewrite_attributes(sanitise(fragment), base))
    try:
        markdown = str(markdownify(safe, heading_style="ATX", bullets="-", autolinks=False,
                                   escape_underscores=False))
    except RecursionError:
        # markdownify recurses per nesting level; thousands of nested tags (a real
        # feed in the corpus has them) are kept as plain paragraphs instead.
        markdown = html_to_text(safe).replace("\n", "\n\n")
    markdown = _CONTROL.sub("", defang(markdown))  # `digest check` refuses them in a body
    markdown = _BLANK_LINES.sub("\n\n", markdown).strip()
    if len(markdown) > MAX_BODY_CHARS:
        markdown = markdown[:MAX_BODY_CHARS].rsplit("\n", 1)[0] + "\n\n*(truncated)*"
    return markdown
