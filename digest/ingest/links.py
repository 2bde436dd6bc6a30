"""URLs from feeds: made absolute, stripped of tracking, and keyed for deduplication."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

SAFE_SCHEMES = ("http", "https")
# Parameters that identify the reader or the campaign, never the page (Miniflux's list,
# internal/reader/urlcleaner, plus the mail and social ones seen in feeds).
_TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "_hs", "ga_", "hsa_", "oly_", "vero_")
_TRACKING = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
    "igshid", "igsh", "mc_cid", "mc_eid", "mkt_tok", "_ga", "_gl", "_ke", "si", "ref_src",
    "ref_url", "spm", "scid", "cmpid", "ncid", "sr_share", "s_cid", "at_medium",
    "at_campaign", "__twitter_impression", "ito", "wt_mc", "wt.mc_id",
    "xtor", "campaign_id", "trk", "trkcampaign", "sc_campaign", "sc_channel",
})
_WRAPPERS = {  # redirectors that carry the real address in a parameter
    ("google.com", "/url"): ("url", "q"),
    ("www.google.com", "/url"): ("url", "q"),
    ("news.google.com", "/url"): ("url", "q"),
    ("l.facebook.com", "/l.php"): ("u",),
}
_UNSAFE_IN_MARKDOWN = re.compile(r"[\s()<>\"'`\\]")
_WHITESPACE = re.compile(r"\s")


def is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING or lowered.startswith(_TRACKING_PREFIXES)


def absolute(url: str | None, base: str | None) -> str | None:
    """`url` resolved against `base`, if the result is an http(s) URL; else None."""
    if not url:
        return None
    url = url.strip()
    try:
        joined = urljoin(base or "", url) if base else url
        parts = urlsplit(joined)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES or "." not in parts.netloc:
        return None  # "http://link/": no public host; the site's checks refuse it too
    return _WHITESPACE.sub(lambda m: quote(m.group(), safe=""), joined)


def unwrap(url: str) -> str:
    """The real address behind a known redirector (Google Alerts' google.com/url?url=)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    keys = _WRAPPERS.get((parts.netloc.lower(), parts.path))
    if keys:
        params = dict(parse_qsl(parts.query))
        for key in keys:
            target = params.get(key)
            if target and absolute(target, None):
                return target
    return url


def clean_url(url: str) -> str:
    """The URL without tracking parameters or the fragment that feeds add for readers."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not is_tracking(k)]
        if len(kept) != len(pairs):
            query = urlencode(kept, doseq=True)
    fragment = "" if parts.fragment.lower().startswith(("utm_", "xtor", "ref=")) else parts.fragment
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       query, fragment))


def url_key(url: str) -> str:
    """The key two links of the same page share: scheme, host case, www., trailing slash,
    tracking parameters, parameter order and fragment do not count."""
    try:
        parts = urlsplit(clean_url(url))
    except ValueError:
        return url
    host = parts.hostname or ""
    host = host[4:] if host.startswith("www.") else host
    port = f":{parts.port}" if parts.port not in (None, 80, 443) else ""
    path = parts.path.rstrip("/") or "/"
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return f"{host}{port}{path}" + (f"?{query}" if query else "")


def for_markdown(url: str) -> str:
    """A URL that cannot end a Markdown link early: spaces, brackets, quotes escaped."""
    return _UNSAFE_IN_MARKDOWN.sub(lambda m: quote(m.group(), safe=""), url)
