"""`vnnews reextract`: today's extractors over the stored raw pages, offline, through ``Importer.process``.

Which raw page counts: for each URL, the body of its latest *fetch* that kept one (the newest
``fetch_log`` row with a ``raw_page_id`` and source "fetch"). Older bodies of the same URL are history:
re-extracting them would set the page back to an older text and then forward again, so they are left
with the articles extracted from them at the time (each row keeps its extractor version). Picking by
fetch_log rather than by ``raw_pages.fetched_at`` matters when a page changes A → B → A: the body A is
stored once, with its first fetch time, yet it is what the page shows now.

Going through ``Importer.process`` means dedupe, versions, sightings and the search index behave as for
a fetch; the archive it writes through (``Archive.reextracting``) logs the outcome with source
"reextract" and leaves the pages' fetch state alone, so stats never mistake a re-extraction for a fetch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scraper.errors import UnknownOutletError
from scraper.fetch import FetchedPage, decode_html
from scraper.importer import Importer, ImportResult
from scraper.outlets import generic_outlet, outlet_for_url
from scraper.outlets.base import Outlet
from storage.archive import Archive
from storage.compression import decompress
from storage.filters import check_outlets
from storage.models import FetchLog, RawPage
from storage.models import Outlet as OutletRow

OUTCOMES = ("version", "updated", "new", "duplicate", "unchanged", "failed")


@dataclass
class ReextractSummary:
    """How many pages gave each outcome. All but "unchanged" and "failed" mean the page's article changed."""

    counts: Counter[str] = field(default_factory=Counter)

    @property
    def pages(self) -> int:
        return sum(self.counts.values())

    @property
    def changed(self) -> int:
        return sum(self.counts[name] for name in ("version", "updated", "new", "duplicate"))

    def line(self) -> str:
        parts = ", ".join(f"{self.counts[name]} {name}" for name in OUTCOMES)
        return f"reextracted {self.pages} pages: {self.changed} changed ({parts})"


def latest_raw_pages(
    archive: Archive, outlets: tuple[str, ...] = (), since: datetime | None = None
) -> list[tuple[str, int]]:
    """(URL, raw page id) of each URL's latest fetched body, oldest fetch first; only ints are held."""
    latest = (
        select(func.max(FetchLog.id))
        .where(FetchLog.raw_page_id.is_not(None), FetchLog.source == "fetch")
        .group_by(FetchLog.url)
    )
    query = (
        select(FetchLog.url, FetchLog.raw_page_id)
        .join(RawPage, RawPage.id == FetchLog.raw_page_id)
        .where(FetchLog.id.in_(latest))
        .order_by(FetchLog.id)
    )
    if outlets:
        query = query.where(FetchLog.outlet_id.in_(select(OutletRow.id).where(OutletRow.key.in_(outlets))))
    if since is not None:
        query = query.where(RawPage.fetched_at >= since)
    with Session(archive.engine) as session:
        check_outlets(session.connection(), outlets)
        return [(url, raw_id) for url, raw_id in session.execute(query) if raw_id is not None]


def stored_page(archive: Archive, raw_id: int) -> FetchedPage:
    """A raw page as the fetcher returned it: body decompressed and decoded as it was then."""
    with Session(archive.engine) as session:
        row = session.get_one(RawPage, raw_id)
        content = decompress(row.content, row.compression)
        text, encoding = _decode(content, row.encoding, row.headers.get("content-type"))
        return FetchedPage(
            url=row.url,
            final_url=row.final_url,
            status=row.status,
            headers=dict(row.headers),
            content=content,
            text=text,
            encoding=encoding,
            fetched_at=row.fetched_at,
        )


def _decode(content: bytes, encoding: str | None, content_type: str | None) -> tuple[str, str]:
    if encoding:  # the charset chosen at fetch time; decode_html again only if it no longer decodes
        try:
            return content.decode(encoding), encoding
        except (LookupError, ValueError):
            pass
    return decode_html(content, content_type)


def _outlet(url: str) -> Outlet:
    # As `vnnews import` routes: an outlet's own extractor, else the generic one it fell back to.
    try:
        return outlet_for_url(url)
    except UnknownOutletError:
        return generic_outlet()


def reextract(
    archive: Archive,
    pages: list[tuple[str, int]],
    report: Callable[[ImportResult], None] = lambda _: None,
) -> ReextractSummary:
    """Extract each (URL, raw page id) again and archive the result; ``report`` sees every result."""
    writer = archive.reextracting()
    importer = Importer(writer, allow_generic=True)
    summary = ReextractSummary()
    with writer.batch():  # offline and fast: a commit per page would be most of the work
        for result in _results(archive, importer, pages):
            summary.counts[result.outcome] += 1
            report(result)
    return summary


def _results(archive: Archive, importer: Importer, pages: list[tuple[str, int]]) -> Iterator[ImportResult]:
    for url, raw_id in pages:
        yield importer.process(_outlet(url), url, stored_page(archive, raw_id))
