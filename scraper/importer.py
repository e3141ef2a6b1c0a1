"""The one path from a page to the archive: fetch (or take) it, extract it, archive it (``Importer.process``).

`vnnews import`, the crawl (scraper.crawl) and `vnnews reextract` all go through it."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from scraper.article import Article
from scraper.errors import (
    ExtractionError,
    FetchError,
    HTTPStatusError,
    UnknownOutletError,
    VnnewsError,
)
from scraper.fetch import FetchedPage, Fetcher, decode_html
from scraper.outlets import all_outlets, generic_outlet, outlet_for_url
from scraper.outlets.base import Outlet
from scraper.urls import is_http_url
from storage.archive import Archive, PackedRaw

log = logging.getLogger("vnnews.import")

Outcome = Literal["new", "duplicate", "version", "updated", "unchanged", "extracted", "failed"]


@dataclass(frozen=True)
class ImportResult:
    """What became of one URL; ``line()`` is what `vnnews import` prints for it."""

    url: str
    outcome: Outcome
    article: Article | None = None
    article_id: int | None = None
    duplicate_of_url: str | None = None
    supersedes_id: int | None = None
    error: VnnewsError | None = None

    @property
    def failed(self) -> bool:
        return self.outcome == "failed"

    def line(self) -> str:
        if self.error is not None:
            return f"failed     {self.url}  {self.error}"
        title = f'"{self.article.title}"' if self.article else ""
        detail = {
            "new": f"article #{self.article_id} {title}",
            "duplicate": f"duplicate of article #{self.article_id} (first seen at {self.duplicate_of_url})",
            "version": f"article #{self.article_id} {title}, replaces #{self.supersedes_id}",
            "updated": f"article #{self.article_id} {title}, same text, metadata replaced (earlier values kept)",
            "unchanged": f"article #{self.article_id}, no change",
            "extracted": f"{title} ({len(self.article.body) if self.article else 0} paragraphs, not stored)",
        }[self.outcome]
        if self.article is not None and self.article.extractor == "generic":
            detail += " (generic extractor)"
        return f"{self.outcome:<10} {self.url}  {detail}"


def outlet_rows(outlets: Iterable[Outlet]) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(outlet.key, outlet.name, tuple(outlet.domains)) for outlet in outlets]


class Importer:
    """Fetch (or take) a page, extract it with its outlet's extractor, archive it (unless dry run)."""

    def __init__(
        self, archive: Archive | None, fetcher: Fetcher | None = None, *, allow_generic: bool = False
    ) -> None:
        self.archive = archive
        self.fetcher = fetcher
        # A URL of a site no outlet knows goes to the generic extractor (`vnnews import`), not the crawl's.
        self.allow_generic = allow_generic
        if archive is not None:
            archive.register_outlets(outlet_rows(all_outlets()))

    def import_urls(self, urls: Iterable[str]) -> Iterator[ImportResult]:
        for url in urls:
            yield self.import_url(url)

    def import_url(self, url: str) -> ImportResult:
        """Fetch ``url`` and process it; failures are returned (and recorded), never raised."""
        try:
            outlet, url = self._route(url)
        except VnnewsError as exc:
            return ImportResult(url, "failed", error=exc)
        if self.fetcher is None:
            raise RuntimeError("Importer.import_url needs a fetcher")
        try:
            page = self.fetcher.fetch(url)
        except FetchError as exc:
            status = exc.status if isinstance(exc, HTTPStatusError) else None
            self._record_failure(url, outlet, exc, http_status=status)
            return ImportResult(url, "failed", error=exc)
        return self.process(outlet, url, page)

    def import_html(self, html: bytes, url: str) -> ImportResult:
        """Process a saved page as if it had been fetched from ``url`` (no network)."""
        try:
            outlet, url = self._route(url)
        except VnnewsError as exc:
            return ImportResult(url, "failed", error=exc)
        page = saved_page(url, html)
        return self.process(outlet, url, page)

    def process(self, outlet: Outlet, url: str, page: FetchedPage) -> ImportResult:
        """The one extract → archive path shared by crawl, import and reextract."""
        return self.store(outlet, url, page, extract(outlet, url, page))

    def store(
        self,
        outlet: Outlet,
        url: str,
        page: FetchedPage,
        extracted: Article | ExtractionError,
        packed: PackedRaw | None = None,
    ) -> ImportResult:
        """The archive half of ``process``, given what ``extract`` made of ``page`` (and ``page`` already
        packed for the archive, when the caller did that elsewhere)."""
        if isinstance(extracted, ExtractionError):
            self._record_failure(url, outlet, extracted, page=page, packed=packed)
            return ImportResult(url, "failed", error=extracted)
        article = extracted
        if self.archive is None:
            return ImportResult(url, "extracted", article=article)
        saved = self.archive.save(article, raw=packed or page)
        return ImportResult(
            url, saved.outcome, article, saved.article_id, saved.duplicate_of_url, saved.supersedes_id
        )

    def _route(self, url: str) -> tuple[Outlet, str]:
        url = url.strip()
        if not is_http_url(url):
            raise UnknownOutletError(f"not an http(s) URL: {url!r}")
        try:
            outlet = outlet_for_url(url)
        except UnknownOutletError:
            if not self.allow_generic:
                raise
            outlet = generic_outlet()
        return outlet, outlet.canonicalize_url(url)

    def _record_failure(
        self,
        url: str,
        outlet: Outlet,
        error: VnnewsError,
        *,
        http_status: int | None = None,
        page: FetchedPage | None = None,
        packed: PackedRaw | None = None,
    ) -> None:
        log.info("failed %s: %s", url, error)
        if self.archive is not None:
            self.archive.record_failure(
                url,
                reason=error.reason,
                message=str(error),
                outlet_key=outlet.key,
                http_status=http_status,
                raw=packed or page,
                at=page.fetched_at if page else datetime.now(UTC).replace(microsecond=0),
            )


def extract(outlet: Outlet, url: str, page: FetchedPage) -> Article | ExtractionError:
    """The extract half of ``Importer.process``: no archive, so the crawl runs it in its fetch threads."""
    try:
        return outlet.extract(page.content if _is_utf8(page.encoding) else page.text, url)
    except ExtractionError as exc:
        return exc


def saved_page(url: str, html: bytes) -> FetchedPage:
    """A page read from a file, shaped like a fetched one (status 200, fetched now)."""
    text, encoding = decode_html(html, None)
    return FetchedPage(
        url=url,
        final_url=url,
        status=200,
        headers={},
        content=html,
        text=text,
        encoding=encoding,
        fetched_at=datetime.now(UTC).replace(microsecond=0),
    )


def _is_utf8(encoding: str | None) -> bool:
    # selectolax parses UTF-8 bytes fastest (MEASURED.md); other charsets go in as decoded text.
    return (encoding or "").lower().replace("_", "-") in {"utf-8", "utf8"}
