"""urls.canonicalize gives an already canonical address back without splitting it (every extraction
canonicalizes the page's address and its canonical link): the shortcut must give what splitting gives."""

import random
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scraper.urls import TRACKING_PARAMS, TRACKING_PREFIXES, canonicalize


def _canonicalize_by_splitting(url: str) -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "https"
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port is None or (scheme, port) in {("http", 80), ("https", 443)} else f"{host}:{port}"
    kept = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(kept) if parts.query else "", ""))


def _outcome(canonical: Callable[[str], str], url: str) -> str | type[ValueError]:
    try:
        return canonical(url)
    except ValueError as error:  # a bad port: both ways must raise
        return type(error)


def test_canonicalize_matches_splitting_on_random_addresses() -> None:
    scheme = ["http://", "https://", "HTTP://", "", "ftp://"]
    host = ["a", "B", "0", ".", "-", "vn", "www.", ":443", ":80", ":x", "@", "[", "ư", " "]
    path = [
        "/",
        "//",
        "a",
        "ư",
        "%20",
        ";",
        ".html",
        "?",
        "?utm_source=x&a=1",
        "#f",
        "\t",
        "\n",
        "\u00a0",
        "\\",
        "[",
    ]
    rng = random.Random(9)
    for _ in range(30_000):
        url = (
            rng.choice(scheme)
            + "".join(rng.choice(host) for _ in range(rng.randint(0, 4)))
            + "".join(rng.choice(path) for _ in range(rng.randint(0, 5)))
        )
        assert _outcome(canonicalize, url) == _outcome(_canonicalize_by_splitting, url), repr(url)
