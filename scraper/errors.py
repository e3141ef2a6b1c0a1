"""The one error tree of vnnews. Library code raises these; only ``cli.py`` turns them into messages.

    VnnewsError
    ├── ConfigError            config.toml is missing, malformed, or has an unknown key / bad value
    ├── FetchError             a page could not be fetched (after retries, where retrying made sense)
    │   ├── HTTPStatusError    the server answered with a non-success status (404, 410, 429, 5xx, ...)
    │   ├── TransportError     timeout, refused or reset connection, too many redirects, broken body
    │   ├── TooLargeError      the body is larger than ``fetch.max_bytes``
    │   └── NotHTMLError       the Content-Type is not HTML (PDF, JSON, image, ...)
    ├── DiscoveryError         a feed or sitemap cannot be parsed (broken XML, HTML, declared entities)
    ├── ExtractionError        a fetched page did not yield an article
    │   ├── UnknownOutletError no extractor answers for the URL's domain
    │   └── NoArticleError     the outlet's extractor found no title or no body
    ├── StorageError           the archive cannot be opened, migrated, or written
    └── QueryError             a search, SQL statement or filter the user gave is wrong, or a write
                               was attempted through the read-only `vnnews sql`

Every error carries a one-line ``str()`` meant for a terminal, and ``reason``: a short stable code that
is stored with a recorded failure (``page_state.last_error``) so failures can be counted by kind.
"""

from __future__ import annotations


class VnnewsError(Exception):
    """Base of every error vnnews raises on purpose."""

    reason = "error"


class ConfigError(VnnewsError):
    reason = "config"


class FetchError(VnnewsError):
    reason = "fetch"

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url


class HTTPStatusError(FetchError):
    def __init__(self, message: str, url: str, status: int) -> None:
        super().__init__(message, url)
        self.status = status
        self.reason = f"http-{status}"


class TransportError(FetchError):
    def __init__(self, message: str, url: str, kind: str = "transport") -> None:
        super().__init__(message, url)
        self.kind = kind
        self.reason = kind


class TooLargeError(FetchError):
    reason = "too-large"


class NotHTMLError(FetchError):
    reason = "not-html"


class DiscoveryError(VnnewsError):
    reason = "bad-feed"


class ExtractionError(VnnewsError):
    reason = "extraction"


class UnknownOutletError(ExtractionError):
    reason = "unknown-outlet"


class NoArticleError(ExtractionError):
    reason = "no-article"


class StorageError(VnnewsError):
    reason = "storage"


class QueryError(VnnewsError):
    reason = "query"
