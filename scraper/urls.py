"""URL canonicalization (DESIGN rule 5): the form URLs are compared and stored in."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that only say where a click came from; they never select content.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gidzl",
        "zarsrc",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "utm_id",
        "vnn_source",
        "vnn_medium",
        "mc_cid",
        "mc_eid",
        "_ga",
        "ref",
        "cmpid",
        "igshid",
        "amp",
    }
)
TRACKING_PREFIXES = ("utm_", "vnn_")


# urljoin gives back such an address as written (~4 µs saved per image); any other, even one it would also
# keep, goes through it: it drops an empty "?", ";" or "#", removes tabs and newlines, checks brackets.
# On ASCII text (tested first), "\s" is this set; spelled out, a class is a bitmap test, not a Unicode
# category lookup per character (~3x faster on an address).
_ASCII_SPACE = "\t\n\x0b\x0c\r\x1c-\x1f "
_KEPT_AS_WRITTEN = re.compile(
    rf"https?://[^/?#\[\];{_ASCII_SPACE}]+(?:[/?][^#\[\];{_ASCII_SPACE}]*[^?#\[\];{_ASCII_SPACE}])?"
)


def absolute(base: str, url: str) -> str:
    """``urljoin(base, url)``, faster for an absolute http(s) address."""
    if url.isascii() and _KEPT_AS_WRITTEN.fullmatch(url):
        return url
    return urljoin(base, url)


def host_of(url: str) -> str:
    """Lower-cased host without port and without a leading "www." / "m." / "amp."."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    for prefix in ("www.", "m.", "amp."):
        if host.startswith(prefix):
            return host[len(prefix) :]
    return host


# An address canonicalize gives back as written but for a missing "/" path: http(s), a lower-case host that
# does not end in ".", no user, port, query or fragment, nothing urlsplit strips or removes (whitespace);
# ASCII only.
# Most addresses an extraction meets (the page's own, its canonical link) are such; splitting and joining
# them costs ~30K instructions each.
_CANONICAL_AS_WRITTEN = re.compile(rf"https?://[a-z0-9.-]*[a-z0-9-](/[^?#{_ASCII_SPACE}]*)?")


def canonicalize(url: str) -> str:
    """Scheme and host lower-cased, default port, fragment and tracking parameters dropped.

    Mobile and AMP variants are per outlet (``Outlet.canonicalize_url``); this is the shared part.
    """
    match = _CANONICAL_AS_WRITTEN.fullmatch(url) if url.isascii() else None
    if match is not None:
        return url if match.start(1) >= 0 else url + "/"
    return _canonicalize_by_splitting(url)


def _canonicalize_by_splitting(url: str) -> str:
    """``canonicalize`` of any address (the shortcut gives what this gives: tests compare the two)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "https"
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port is None or (scheme, port) in {("http", 80), ("https", 443)} else f"{host}:{port}"
    query = (
        urlencode(
            [
                (key, value)
                for key, value in parse_qsl(parts.query, keep_blank_values=True)
                if key.lower() not in TRACKING_PARAMS and not key.lower().startswith(TRACKING_PREFIXES)
            ]
        )
        if parts.query
        else ""
    )
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def is_http_url(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)
