"""urls.canonicalize gives an already canonical address back without splitting it (every extraction
canonicalizes the page's address and its canonical link): the shortcut must give what splitting gives."""

import random
from collections.abc import Callable

from scraper.urls import _canonicalize_by_splitting, canonicalize


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
