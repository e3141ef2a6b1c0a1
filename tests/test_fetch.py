"""scraper.fetch against a real HTTP server on 127.0.0.1 (tests/httpserver.py); waits are recorded, not slept."""

from __future__ import annotations

import codecs
import dataclasses
import logging
import socket
import time
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from scraper import __version__
from scraper.config import FetchConfig
from scraper.errors import FetchError, HTTPStatusError, NotHTMLError, TooLargeError, TransportError
from scraper.fetch import Fetcher, decode_html
from tests.httpserver import RecordedRequest, Reply, ScriptedServer, html, redirect

VIETNAMESE = "Tiếng Việt: Đà Nẵng, Hà Nội, thuỷ điện, người dân"
PAGE = f"<!doctype html><html><head><title>Tin</title></head><body><p>{VIETNAMESE}</p></body></html>"


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def fetcher(fast_fetch_config: FetchConfig, sleeps: list[float]) -> Iterator[Fetcher]:
    with Fetcher(fast_fetch_config, sleep=sleeps.append) as fetcher:
        yield fetcher


def make_fetcher(config: FetchConfig, sleeps: list[float], **changes: object) -> Fetcher:
    return Fetcher(dataclasses.replace(config, **changes), sleep=sleeps.append)  # type: ignore[arg-type]


def cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: base letters precomposed (ê, ơ, ă...), tone marks as combining characters."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


# --- success ---------------------------------------------------------------------------------------------------


def test_200_html_page(http_server: ScriptedServer, fetcher: Fetcher) -> None:
    http_server.route("/tin", html(PAGE, headers={"ETag": '"v1"'}))
    before = datetime.now(UTC)
    page = fetcher.fetch(http_server.url("/tin"))
    assert page.status == 200
    assert page.url == page.final_url == http_server.url("/tin")
    assert VIETNAMESE in page.text
    assert page.encoding == "utf-8"
    assert page.content == PAGE.encode()
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["etag"] == '"v1"'
    assert page.fetched_at.tzinfo is UTC
    assert before - timedelta(seconds=1) <= page.fetched_at <= datetime.now(UTC)
    assert len(http_server.requests) == 1


def test_polite_headers(
    http_server: ScriptedServer, fetcher: Fetcher, fast_fetch_config: FetchConfig
) -> None:
    http_server.route("/", html(PAGE))
    fetcher.fetch(http_server.url("/"))
    request = http_server.requests[0]
    assert request.user_agent.startswith(f"vnnews/{__version__}")
    assert fast_fetch_config.contact in request.user_agent
    assert request.headers["accept-language"].startswith("vi")
    assert request.headers["accept"].startswith("text/html")
    assert request.host == "127.0.0.1"


def test_redirect_gives_final_url(http_server: ScriptedServer, fetcher: Fetcher) -> None:
    http_server.route("/old", redirect("/new"))
    http_server.route("/new", html(PAGE))
    page = fetcher.fetch(http_server.url("/old"))
    assert page.url == http_server.url("/old")
    assert page.final_url == http_server.url("/new")
    assert [r.path for r in http_server.requests] == ["/old", "/new"]


def test_conditional_get_returns_304_page(http_server: ScriptedServer, fetcher: Fetcher) -> None:
    def respond(request: RecordedRequest) -> Reply:
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(status=304, headers={"ETag": '"v1"'})
        return html(PAGE, headers={"ETag": '"v1"'})

    http_server.route("/feed", respond)
    assert fetcher.fetch(http_server.url("/feed")).status == 200
    page = fetcher.fetch(http_server.url("/feed"), headers={"If-None-Match": '"v1"'})
    assert (page.status, page.content, page.text) == (304, b"", "")


# --- status codes and retries ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "phrase"), [(404, "Not Found"), (410, "Gone"), (403, "Forbidden")])
def test_client_errors_are_not_retried(
    http_server: ScriptedServer, fetcher: Fetcher, sleeps: list[float], status: int, phrase: str
) -> None:
    http_server.route("/x", Reply(status=status))
    url = http_server.url("/x")
    with pytest.raises(HTTPStatusError) as info:
        fetcher.fetch(url)
    assert info.value.status == status
    assert info.value.reason == f"http-{status}"
    assert str(info.value) == f"HTTP {status} {phrase} for {url}"
    assert len(http_server.requests) == 1
    assert sleeps == []


def test_500_then_200_is_retried(
    http_server: ScriptedServer, fetcher: Fetcher, sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    http_server.route("/x", [Reply(status=500), html(PAGE)])
    with caplog.at_level(logging.INFO, logger="vnnews.fetch"):
        page = fetcher.fetch(http_server.url("/x"))
    assert page.status == 200
    assert len(http_server.requests) == 2
    assert len(sleeps) == 1 and 0.005 <= sleeps[0] <= 0.01  # backoff_initial 0.01 with equal jitter
    assert "attempt 1 of 3 failed: HTTP 500 Internal Server Error" in caplog.text


def test_503_every_time_gives_up_after_attempts(
    http_server: ScriptedServer, fetcher: Fetcher, sleeps: list[float]
) -> None:
    http_server.route("/x", Reply(status=503))
    with pytest.raises(HTTPStatusError) as info:
        fetcher.fetch(http_server.url("/x"))
    assert info.value.status == 503
    assert "(after 3 attempts)" in str(info.value)
    assert len(http_server.requests) == 3
    assert len(sleeps) == 2 and 0.01 <= sleeps[1] <= 0.02  # doubled, capped at backoff_max 0.05


def test_429_retry_after_seconds(http_server: ScriptedServer, fetcher: Fetcher, sleeps: list[float]) -> None:
    http_server.route("/x", [Reply(status=429, headers={"Retry-After": "1"}), html(PAGE)])
    assert fetcher.fetch(http_server.url("/x")).status == 200
    assert sleeps == [1.0]
    assert len(http_server.requests) == 2


def test_503_retry_after_http_date(
    http_server: ScriptedServer, fetcher: Fetcher, sleeps: list[float]
) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=3), usegmt=True)
    http_server.route("/x", [Reply(status=503, headers={"Retry-After": when}), html(PAGE)])
    assert fetcher.fetch(http_server.url("/x")).status == 200
    assert len(sleeps) == 1 and 1.0 <= sleeps[0] <= 3.0  # measured against the server's Date header


def test_retry_after_over_the_limit_fails_at_once(
    http_server: ScriptedServer, fetcher: Fetcher, sleeps: list[float]
) -> None:
    http_server.route("/x", Reply(status=429, headers={"Retry-After": "3600"}))
    with pytest.raises(HTTPStatusError, match=r"Retry-After 3600s is over the 5s limit") as info:
        fetcher.fetch(http_server.url("/x"))
    assert info.value.status == 429
    assert len(http_server.requests) == 1
    assert sleeps == []


# --- transport failures ----------------------------------------------------------------------------------------


def test_read_timeout_is_retried_then_reported(
    http_server: ScriptedServer, fast_fetch_config: FetchConfig, sleeps: list[float]
) -> None:
    http_server.route("/slow", Reply(body=PAGE.encode(), headers={"Content-Type": "text/html"}, delay=0.5))
    url = http_server.url("/slow")
    with (
        make_fetcher(fast_fetch_config, sleeps, timeout=0.1) as fetcher,
        pytest.raises(TransportError) as info,
    ):
        fetcher.fetch(url)
    assert info.value.kind == info.value.reason == "timeout"
    assert str(info.value) == f"timed out after 0.1s fetching {url} (after 3 attempts)"
    assert len(http_server.requests) == 3


def test_stall_mid_body_is_retried(
    http_server: ScriptedServer, fast_fetch_config: FetchConfig, sleeps: list[float]
) -> None:
    stalled = Reply(body=PAGE.encode(), headers={"Content-Type": "text/html"}, body_delay=0.5)
    http_server.route("/x", [stalled, html(PAGE)])
    with make_fetcher(fast_fetch_config, sleeps, timeout=0.1) as fetcher:
        assert VIETNAMESE in fetcher.fetch(http_server.url("/x")).text
    assert len(http_server.requests) == 2


@pytest.mark.parametrize(
    "broken", [Reply(reset=True), Reply(body=PAGE.encode(), truncate=True)], ids=["reset", "truncated"]
)
def test_broken_connection_is_retried(http_server: ScriptedServer, fetcher: Fetcher, broken: Reply) -> None:
    http_server.route("/x", [broken, html(PAGE)])
    page = fetcher.fetch(http_server.url("/x"))
    assert VIETNAMESE in page.text
    assert len(http_server.requests) == 2


def test_truncated_every_time_is_a_connection_error(http_server: ScriptedServer, fetcher: Fetcher) -> None:
    http_server.route("/x", Reply(body=PAGE.encode(), headers={"Content-Type": "text/html"}, truncate=True))
    with pytest.raises(TransportError) as info:
        fetcher.fetch(http_server.url("/x"))
    assert info.value.kind == "connection"
    assert http_server.url("/x") in str(info.value)
    assert len(http_server.requests) == 3


def test_connection_refused(fetcher: Fetcher, sleeps: list[float]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again at once: nothing listens there
    with pytest.raises(TransportError) as info:
        fetcher.fetch(f"http://127.0.0.1:{port}/")
    assert info.value.kind == "connection"
    assert f"127.0.0.1:{port}" in str(info.value)
    assert len(sleeps) == 2


def test_redirect_loop(http_server: ScriptedServer, fetcher: Fetcher, sleeps: list[float]) -> None:
    http_server.route("/a", redirect("/b"))
    http_server.route("/b", redirect("/a"))
    with pytest.raises(TransportError) as info:
        fetcher.fetch(http_server.url("/a"))
    assert info.value.kind == "too-many-redirects"
    assert str(info.value) == f"more than 5 redirects fetching {http_server.url('/a')}"
    assert len(http_server.requests) == 6  # the first request and 5 redirects, not retried
    assert sleeps == []


@pytest.mark.parametrize("url", ["not a url", "ftp://example.com/x", "http://"])
def test_bad_urls_raise_fetch_errors(fetcher: Fetcher, url: str) -> None:
    with pytest.raises(TransportError) as info:
        fetcher.fetch(url)
    assert info.value.kind == "invalid-url"
    assert info.value.url == url


# --- limits ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["application/pdf", "application/json; charset=utf-8", "image/png"])
def test_non_html_is_refused_unless_accepted(
    http_server: ScriptedServer, fetcher: Fetcher, content_type: str
) -> None:
    http_server.route("/doc", Reply(body=b'{"a": 1}', headers={"Content-Type": content_type}))
    with pytest.raises(NotHTMLError, match=content_type.split(";")[0]):
        fetcher.fetch(http_server.url("/doc"))
    assert fetcher.fetch(http_server.url("/doc"), accept_non_html=True).content == b'{"a": 1}'


def test_missing_content_type_is_sniffed(http_server: ScriptedServer, fetcher: Fetcher) -> None:
    http_server.route("/page", Reply(body=codecs.BOM_UTF8 + b"\n  " + PAGE.encode()))
    http_server.route("/pdf", Reply(body=b"%PDF-1.7 ..."))
    assert VIETNAMESE in fetcher.fetch(http_server.url("/page")).text
    with pytest.raises(NotHTMLError, match="no Content-Type"):
        fetcher.fetch(http_server.url("/pdf"))


def test_too_large_by_content_length(
    http_server: ScriptedServer, fast_fetch_config: FetchConfig, sleeps: list[float]
) -> None:
    # The header alone decides: the server announces 50 MB and sends 10 bytes.
    big = Reply(body=b"<p>x</p>..", headers={"Content-Type": "text/html", "Content-Length": "50000000"})
    http_server.route("/big", big)
    with (
        make_fetcher(fast_fetch_config, sleeps, max_bytes=10_000) as fetcher,
        pytest.raises(TooLargeError) as info,
    ):
        fetcher.fetch(http_server.url("/big"))
    assert str(info.value) == f"body of {http_server.url('/big')} is larger than 10000 bytes"
    assert len(http_server.requests) == 1


def test_too_large_chunked_stops_reading(
    http_server: ScriptedServer, fast_fetch_config: FetchConfig, sleeps: list[float]
) -> None:
    chunk = b"<p>" + b"x" * 65_533
    http_server.route(
        "/endless", Reply(chunks=[chunk] * 1000, headers={"Content-Type": "text/html"})
    )  # 64 MB
    started = time.monotonic()
    with make_fetcher(fast_fetch_config, sleeps, max_bytes=100_000) as fetcher, pytest.raises(TooLargeError):
        fetcher.fetch(http_server.url("/endless"))
    http_server.wait_idle()
    assert time.monotonic() - started < 2
    # Of the 64 MB on offer, only what fits in the kernel's socket buffers (a few MB at most) left the server.
    assert http_server.requests[0].bytes_sent < 8_000_000


# --- charsets --------------------------------------------------------------------------------------------------


def test_wrong_latin1_header_on_utf8_bytes(http_server: ScriptedServer, fetcher: Fetcher) -> None:
    http_server.route(
        "/x", Reply(body=PAGE.encode(), headers={"Content-Type": "text/html; charset=iso-8859-1"})
    )
    page = fetcher.fetch(http_server.url("/x"))
    assert VIETNAMESE in page.text
    assert page.encoding == "utf-8"


def test_meta_windows_1258_without_header_charset(http_server: ScriptedServer, fetcher: Fetcher) -> None:
    legacy = PAGE.replace(
        "<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
    )
    http_server.route("/x", Reply(body=cp1258(legacy), headers={"Content-Type": "text/html"}))
    page = fetcher.fetch(http_server.url("/x"))
    assert page.encoding == "cp1258"
    assert VIETNAMESE in unicodedata.normalize("NFC", page.text)


def test_utf8_bom(http_server: ScriptedServer, fetcher: Fetcher) -> None:
    http_server.route(
        "/x", Reply(body=codecs.BOM_UTF8 + PAGE.encode(), headers={"Content-Type": "text/html"})
    )
    page = fetcher.fetch(http_server.url("/x"))
    assert page.text == PAGE
    assert page.content.decode(page.encoding) == page.text


@pytest.mark.parametrize(
    ("content", "content_type", "encoding"),
    [
        (PAGE.encode(), "text/html; charset=UTF-8", "utf-8"),
        (PAGE.encode(), 'text/html; charset="windows-1258"', "utf-8"),  # stale legacy label, UTF-8 bytes
        (cp1258(PAGE), "text/html; charset=utf-8", "cp1258"),  # wrong UTF-8 label, no meta: legacy fallback
        (cp1258(PAGE), "text/html; charset=windows-1258", "cp1258"),
        (cp1258(PAGE), None, "cp1258"),
        (b'<meta charset="utf-8">' + PAGE.encode(), "text/html; charset=nonsense", "utf-8"),
        (
            b"<meta charset='utf-16'>" + PAGE.encode(),
            None,
            "utf-8",
        ),  # the HTML standard: utf-16 in meta is UTF-8
        (codecs.BOM_UTF16_LE + PAGE.encode("utf-16-le"), "text/html; charset=utf-8", "utf-16"),  # BOM wins
        (PAGE.encode(), "text/html; charset=base64", "utf-8"),  # a non-text codec name is ignored
        (PAGE.encode("ascii", errors="ignore"), "text/html; charset=iso-8859-1", "cp1252"),  # browsers do
    ],
)
def test_decode_html(content: bytes, content_type: str | None, encoding: str) -> None:
    text, used = decode_html(content, content_type)
    assert used == encoding
    assert text.endswith("</p></body></html>")
    if not content.isascii():
        assert VIETNAMESE in unicodedata.normalize("NFC", text)


def test_decode_html_never_raises_on_bad_bytes() -> None:
    text, used = decode_html(b"<p>\x81\x8d\x90\xff\xfe bad</p>", "text/html; charset=utf-8")
    assert used == "utf-8" and "bad" in text and "\ufffd" in text


def test_every_error_is_a_fetch_error() -> None:
    for error in (HTTPStatusError, TransportError, TooLargeError, NotHTMLError):
        assert issubclass(error, FetchError)


def test_connect_to_keeps_url_and_host_header(
    http_server: ScriptedServer, fast_fetch_config: FetchConfig
) -> None:
    http_server.route("/old", redirect("/the-thao/bai-post1.vov"))
    http_server.route("/the-thao/bai-post1.vov", html("<p>Xin chào</p>"))
    config = dataclasses.replace(fast_fetch_config, connect_to={"vov.vn": http_server.url("/").rstrip("/")})
    with Fetcher(config, sleep=lambda _: None) as fetcher:
        page = fetcher.fetch("https://vov.vn/old")
    assert page.url == "https://vov.vn/old"
    assert page.final_url == "https://vov.vn/the-thao/bai-post1.vov"  # redirects resolve against the outlet
    assert "Xin chào" in page.text
    assert [r.headers["host"] for r in http_server.requests] == ["vov.vn", "vov.vn"]


def test_connect_to_keeps_port_query_and_escapes(
    http_server: ScriptedServer, fast_fetch_config: FetchConfig
) -> None:
    http_server.route("/tin%20m%E1%BB%9Bi", html("<p>Xin chào</p>"))
    # https to http, and the outlet's port 8443 to the server's: only the address changes.
    config = dataclasses.replace(fast_fetch_config, connect_to={"vov.vn": http_server.url("/").rstrip("/")})
    with Fetcher(config, sleep=lambda _: None) as fetcher:
        page = fetcher.fetch("https://vov.vn:8443/tin mới?q=Hà Nội&x=%2F")
    assert page.final_url == "https://vov.vn:8443/tin%20m%E1%BB%9Bi?q=H%C3%A0%20N%E1%BB%99i&x=%2F"
    assert "Xin chào" in page.text
    assert http_server.requests[0].path == "/tin%20m%E1%BB%9Bi?q=H%C3%A0%20N%E1%BB%99i&x=%2F"
    assert http_server.requests[0].headers["host"] == "vov.vn:8443"


@pytest.mark.parametrize("attempts", [1, 2])
def test_attempts_count_the_first_try(
    http_server: ScriptedServer,
    fast_fetch_config: FetchConfig,
    sleeps: list[float],
    caplog: pytest.LogCaptureFixture,
    attempts: int,
) -> None:
    # The first attempt runs outside tenacity; the retries must still count it as attempt 1.
    http_server.route("/x", Reply(status=503))
    url = http_server.url("/x")
    with (
        make_fetcher(fast_fetch_config, sleeps, attempts=attempts) as fetcher,
        caplog.at_level(logging.INFO, logger="vnnews.fetch"),
        pytest.raises(HTTPStatusError) as info,
    ):
        fetcher.fetch(url)
    suffix = f" (after {attempts} attempts)" if attempts > 1 else ""
    assert str(info.value) == f"HTTP 503 Service Unavailable for {url}{suffix}"
    assert len(http_server.requests) == attempts
    assert len(sleeps) == attempts - 1
    logged = [r.getMessage() for r in caplog.records]
    assert logged == [
        f"attempt {n} of {attempts} failed: HTTP 503 Service Unavailable for {url}; retrying in {s:.2f}s"
        for n, s in zip(range(1, attempts), sleeps, strict=True)
    ]


@pytest.mark.parametrize(("size", "fits"), [(30_000, True), (30_001, False)])
def test_chunked_body_limit_is_exact(
    http_server: ScriptedServer, fast_fetch_config: FetchConfig, sleeps: list[float], size: int, fits: bool
) -> None:
    body = b"<p>" + b"x" * (size - 3)
    chunks = [body[i : i + 7_000] for i in range(0, size, 7_000)]  # no Content-Length: counted as read
    http_server.route("/x", Reply(chunks=chunks, headers={"Content-Type": "text/html"}))
    with make_fetcher(fast_fetch_config, sleeps, max_bytes=30_000) as fetcher:
        if fits:
            assert fetcher.fetch(http_server.url("/x")).content == body
        else:
            with pytest.raises(TooLargeError):
                fetcher.fetch(http_server.url("/x"))
