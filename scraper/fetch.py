"""One httpx client for a whole run: timeouts, size cap, content-type check, retries, charset.

Fetching knows nothing of outlets: ``Fetcher.fetch()`` turns a URL into a ``FetchedPage`` or raises a
``FetchError`` (see ``scraper.errors``). Politeness (robots.txt, per-host delays) is layered on top of it.
"""

from __future__ import annotations

import codecs
import logging
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from scraper import __version__
from scraper.config import FetchConfig
from scraper.errors import FetchError, HTTPStatusError, NotHTMLError, TooLargeError, TransportError

log = logging.getLogger("vnnews.fetch")

ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
ACCEPT_LANGUAGE = "vi,en;q=0.5"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
SNIFF_BYTES = 4096
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class FetchedPage:
    """A fetched response. ``content`` is the body as received after Content-Encoding is undone."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]  # names lower-cased; repeated headers joined with ", "
    content: bytes
    text: str
    encoding: str  # a Python codec name: ``content.decode(encoding, errors="replace") == text``
    fetched_at: datetime


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since for a re-fetch, from the last response's validators."""
    return {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v}


def decode_html(content: bytes, content_type: str | None) -> tuple[str, str]:
    """Decode an HTML body; returns ``(text, codec)``. Never raises: the last resort replaces bad bytes."""
    tried: set[str] = set()
    for codec in _charset_candidates(content, content_type):
        if codec in tried:
            continue
        tried.add(codec)
        try:
            return content.decode(codec), codec
        except (LookupError, ValueError):  # LookupError: a non-text codec such as "base64" was declared
            continue
    return content.decode("utf-8", errors="replace"), "utf-8"


def _charset_candidates(content: bytes, content_type: str | None) -> Iterator[str]:
    # The HTML standard lets a BOM override any declaration.
    for bom, codec in _BOMS:
        if content.startswith(bom):
            yield codec
    for label in _declared_labels(content, content_type):
        declared = _codec(label)
        if declared is None:
            continue
        # Servers and templates often keep a stale legacy label (iso-8859-1, windows-1258) after a site moved
        # to UTF-8; non-ASCII bytes that decode as strict UTF-8 almost never are legacy-encoded text.
        if not declared.startswith("utf") and not content.isascii():
            yield "utf-8"
        yield declared
    yield "utf-8"
    yield "cp1258"  # Vietnamese legacy (Windows) pages that declare nothing


def _declared_labels(content: bytes, content_type: str | None) -> list[str]:
    labels = []
    if header := _HEADER_CHARSET.search(content_type or ""):
        labels.append(header.group(1))
    if meta := _META_CHARSET.search(content[:SNIFF_BYTES]):
        labels.append(meta.group(1).decode("ascii"))
    return labels


def _codec(label: str) -> str | None:
    try:
        name = codecs.lookup(label.strip()).name
    except LookupError:
        return None
    if name in ("iso8859-1", "ascii"):
        return "cp1252"  # as browsers do (WHATWG Encoding): these labels mean windows-1252
    if name.startswith(("utf-16", "utf-32")):
        return "utf-8"  # without a BOM such labels are wrong; the HTML standard reads them as UTF-8
    return name


class _Retryable(Exception):
    """Internal: an attempt failed in a way worth retrying; ``error`` is what the caller gets in the end."""

    def __init__(self, error: FetchError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


class ConnectToTransport(httpx.BaseTransport):
    """Send requests for mapped hosts to another address, keeping the URL and its Host header.

    Like curl's --connect-to: the crawl can run against a local stand-in or mirror of an outlet while
    every URL, redirect and stored address stays the outlet's own.
    """

    def __init__(self, mapping: Mapping[str, str], inner: httpx.BaseTransport) -> None:
        self._targets = {host.lower(): httpx.URL(address) for host, address in mapping.items()}
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        target = self._targets.get(request.url.host)
        if target is not None:
            url = request.url.copy_with(scheme=target.scheme, host=target.host, port=target.port)
            # A new Request: the client keeps the original as response.request, so redirects resolve
            # against the outlet's URL, not the stand-in's.
            request = httpx.Request(
                request.method,
                url,
                headers=request.headers,
                stream=request.stream,
                extensions=request.extensions,
            )
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


class Fetcher:
    """One HTTP/1.1 client for a whole run; ``fetch()`` returns a FetchedPage or raises a FetchError."""

    def __init__(
        self,
        config: FetchConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._config = config
        self._sleep = sleep
        # str.replace, not str.format: a stray brace in a configured User-Agent must not crash the run.
        self.user_agent = config.user_agent.replace("{version}", __version__).replace(
            "{contact}", config.contact
        )
        if transport is None and config.connect_to:
            transport = ConnectToTransport(config.connect_to, httpx.HTTPTransport())
        self._client = httpx.Client(
            headers={"User-Agent": self.user_agent, "Accept": ACCEPT, "Accept-Language": ACCEPT_LANGUAGE},
            timeout=httpx.Timeout(config.timeout, connect=config.connect_timeout),
            follow_redirects=True,
            max_redirects=config.max_redirects,
            transport=transport,
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(
        self,
        url: str,
        *,
        accept_non_html: bool = False,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
    ) -> FetchedPage:
        """GET ``url``, retrying transient failures; raises a FetchError subclass naming the URL.

        ``max_bytes`` overrides the configured cap (sitemaps may be larger than any article page).
        """
        max_bytes = max_bytes or self._config.max_bytes
        # Most fetches succeed at once: that first attempt is made without tenacity, whose Retrying costs
        # 0.016 ms a fetch (built and called per fetch). Only a failure worth retrying brings it in, and it is
        # handed that failure as its own first attempt, so waits, logs and the attempt count are unchanged.
        try:
            return self._fetch_once(url, accept_non_html, headers, max_bytes)
        except _Retryable as exc:
            first_failure: _Retryable | None = exc

        def attempt() -> FetchedPage:
            nonlocal first_failure
            if first_failure is not None:
                failure, first_failure = first_failure, None
                raise failure
            return self._fetch_once(url, accept_non_html, headers, max_bytes)

        retrying = Retrying(
            stop=stop_after_attempt(self._config.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _Retryable as exc:
            attempts = retrying.statistics.get("attempt_number", 1)
            if attempts > 1:  # the recorded failure should say that retrying did not help
                exc.error.args = (f"{exc.error} (after {attempts} attempts)",)
            raise exc.error from exc.__cause__

    def _fetch_once(
        self, url: str, accept_non_html: bool, headers: Mapping[str, str] | None, max_bytes: int
    ) -> FetchedPage:
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                return self._read(url, response, accept_non_html, max_bytes)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise self._transport_error(url, exc) from exc

    def _read(self, url: str, response: httpx.Response, accept_non_html: bool, max_bytes: int) -> FetchedPage:
        fetched_at = datetime.now(UTC)
        self._check_status(url, response)
        content_type = response.headers.get("content-type")
        # 304 Not Modified has no body to check: the caller keeps the copy it already has.
        content = (
            b"" if response.status_code == 304 else self._read_html(url, response, accept_non_html, max_bytes)
        )
        text, encoding = decode_html(content, content_type)
        return FetchedPage(
            url=url,
            final_url=str(response.url),
            status=response.status_code,
            headers=dict(response.headers.items()),
            content=content,
            text=text,
            encoding=encoding,
            fetched_at=fetched_at,
        )

    def _read_html(self, url: str, response: httpx.Response, accept_non_html: bool, max_bytes: int) -> bytes:
        content_type = response.headers.get("content-type")
        if not accept_non_html and content_type is not None and _media_type(content_type) not in HTML_TYPES:
            raise NotHTMLError(f"not HTML ({_media_type(content_type)}) at {url}", url)
        content = self._read_body(url, response, max_bytes)
        if not accept_non_html and content_type is None and not _looks_like_html(content):
            raise NotHTMLError(f"not HTML (no Content-Type, body does not start with '<') at {url}", url)
        return content

    def _check_status(self, url: str, response: httpx.Response) -> None:
        status = response.status_code
        if 200 <= status < 300 or status == 304:
            return
        error = HTTPStatusError(f"HTTP {status} {response.reason_phrase} for {url}", url, status)
        if status != 429 and status < 500:
            raise error
        retry_after = _retry_after(response) if status in (429, 503) else None
        if retry_after is not None and retry_after > self._config.retry_after_max:
            limit = self._config.retry_after_max
            error.args = (f"{error} (Retry-After {retry_after:.0f}s is over the {limit:g}s limit)",)
            raise error
        raise _Retryable(error, retry_after)

    @staticmethod
    def _read_body(url: str, response: httpx.Response, limit: int) -> bytes:
        too_large = TooLargeError(f"body of {url} is larger than {limit} bytes", url)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        # Chunks joined once at the end rather than appended to a bytearray and copied into bytes: one copy of
        # the page instead of two plus the bytearray's regrowth, about 0.02 ms a 136 KB page.
        chunks: list[bytes] = []
        size = 0
        # Decompressed bytes are counted, so a gzip bomb stops too; leaving early drops the connection.
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
        return b"".join(chunks)

    def _transport_error(self, url: str, exc: httpx.HTTPError | httpx.InvalidURL) -> FetchError | _Retryable:
        if isinstance(exc, httpx.TimeoutException):
            seconds = (
                self._config.connect_timeout
                if isinstance(exc, httpx.ConnectTimeout)
                else self._config.timeout
            )
            return _Retryable(TransportError(f"timed out after {seconds:g}s fetching {url}", url, "timeout"))
        if isinstance(exc, httpx.TooManyRedirects):
            message = f"more than {self._config.max_redirects} redirects fetching {url}"
            return TransportError(message, url, "too-many-redirects")
        if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
            return TransportError(f"invalid URL {url}: {exc}", url, "invalid-url")
        if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
            # Refused, reset, or a body cut short (RemoteProtocolError): the next attempt may well succeed.
            return _Retryable(TransportError(f"connection error fetching {url}: {exc}", url, "connection"))
        return TransportError(f"{type(exc).__name__} fetching {url}: {exc}", url, "transport")

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _Retryable) and error.retry_after is not None:
            return error.retry_after
        # Exponential backoff with "equal jitter": at least half the step, so retries never bunch up at zero.
        step = min(self._config.backoff_max, self._config.backoff_initial * 2.0 ** (state.attempt_number - 1))
        return step / 2 + random.uniform(0, step / 2)

    def _log_retry(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        # INFO: retrying is routine; a URL that still fails is reported (and recorded) by the caller.
        log.info(
            "attempt %d of %d failed: %s; retrying in %.2fs",
            state.attempt_number,
            self._config.attempts,
            error,
            wait,
        )


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _looks_like_html(content: bytes) -> bool:
    for bom, _ in _BOMS:
        content = content.removeprefix(bom)
    return content.lstrip().startswith(b"<")


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or HTTP-date); None if absent or malformed."""
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    when, now = _http_date(value), _http_date(response.headers.get("date", ""))
    if when is None:
        return None
    # Measured against the server's own Date when it sent one, so clock skew between us does not count.
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _http_date(value: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
