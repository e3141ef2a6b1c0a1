import random
from urllib.parse import urljoin

from scraper.urls import absolute, canonicalize


def _join(join: object, base: str, url: str) -> object:
    try:
        return join(base, url)  # type: ignore[operator]
    except ValueError:
        return ValueError


def test_absolute_is_urljoin() -> None:
    # The shortcut keeps an address as written only where urljoin would give it back unchanged.
    pieces = ["http://", "https://", "HTTP://", "a", "b.vn", "/", "//", "?", "#", ";", "[", "]", "x=1", "&", " ",
              "\t", "\n", "..", "%20", ":80", "@", "é", "\x01", "\x1f"]  # fmt: skip
    bases = ["https://vnexpress.net/a/b.html?x=1", "http://vov.vn/", ""]
    rng = random.Random(5)
    for _ in range(20_000):
        url = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 7)))
        if rng.random() < 0.7:
            url = rng.choice(["https://", "http://"]) + url
        for base in bases:
            assert _join(absolute, base, url) == _join(urljoin, base, url), (base, url)
    image = "https://i1-vnexpress.vnecdn.net/2026/07/19/a.jpg?w=680&h=0&q=100&dpr=1&fit=crop&s=abc"
    assert absolute("https://vnexpress.net/x.html", image) == image


def test_canonicalize_without_a_query() -> None:
    assert canonicalize("HTTPS://VnExpress.net:443/a.html#top") == "https://vnexpress.net/a.html"
    assert canonicalize("https://vnexpress.net/a.html?") == "https://vnexpress.net/a.html"
    assert (
        canonicalize("https://vnexpress.net/a.html?utm_source=x&id=2") == "https://vnexpress.net/a.html?id=2"
    )
