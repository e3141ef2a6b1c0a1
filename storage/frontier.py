"""The crawl's state in the archive: discovered URLs, what is due for a fetch, sources, crawl runs.

Every write is whole (its own transaction, or a whole part of the crawl's batch, ``Archive.batch``), so a
crawl killed at any moment leaves a frontier the next run continues from: a discovered page stays due until
a fetch of it is committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, insert, or_, select

from storage.archive import Archive, utcnow
from storage.models import CrawlRun, FetchLog, Page, Sighting, Source

LOOKUP_CHUNK = 500
RUN_COUNTERS = ("discovered", "fetched", "new", "duplicate", "versions", "unchanged", "failed")


@dataclass(frozen=True)
class DuePage:
    """A page to fetch, with the validators of its last fetch for a conditional GET."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    recheck: bool = False


@dataclass(frozen=True)
class DuePolicy:
    """When a known page is fetched again (config [crawl])."""

    recheck_window: timedelta
    recheck_interval: timedelta
    retry_failed: timedelta
    max_failures: int


class Frontier:
    """Crawl state over one archive; every method is one transaction (or part of an open batch)."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def add_discovered(
        self, outlet_key: str, links: Iterable[tuple[str, datetime | None]], now: datetime | None = None
    ) -> int:
        """Insert URLs not seen before as due pages; the number that were new."""
        now = now or utcnow()
        listed = dict(links)  # a URL listed twice is one page (the last listing's date wins)
        urls = list(listed)
        with self.archive.transaction() as session:
            outlet_id = self.archive.outlet_id(session, outlet_key)
            known: set[str] = set()
            # In chunks: one query per URL cost a millisecond each for a sitemap of thousands (bench/crawl.py),
            # and SQLite caps the parameters of one statement.
            for start in range(0, len(urls), LOOKUP_CHUNK):
                chunk = urls[start : start + LOOKUP_CHUNK]
                known.update(session.scalars(select(Page.url).where(Page.url.in_(chunk))))
            rows = [
                {
                    "url": url,
                    "outlet_id": outlet_id,
                    "discovered_at": now,
                    "listed_at": listed[url],
                    "consecutive_failures": 0,
                }
                for url in urls
                if url not in known
            ]
            if rows:
                session.execute(insert(Page), rows)
        return len(rows)

    def due_pages(
        self, outlet_key: str, policy: DuePolicy, limit: int, now: datetime | None = None
    ) -> list[DuePage]:
        """Never fetched first (newest listed first), then failed pages to retry, then recent articles to re-check."""
        now = now or utcnow()
        with self.archive.transaction() as session:
            outlet_id = self.archive.outlet_id(session, outlet_key)
            fresh = session.scalars(
                select(Page)
                .where(Page.outlet_id == outlet_id, Page.last_fetched_at.is_(None))
                .order_by(Page.listed_at.is_(None), Page.listed_at.desc(), Page.id)
                .limit(limit)
            ).all()
            failed = session.scalars(
                select(Page)
                .where(
                    Page.outlet_id == outlet_id,
                    Page.article_id.is_(None),
                    Page.last_fetched_at.is_not(None),
                    Page.consecutive_failures.between(1, policy.max_failures - 1),
                )
                .order_by(Page.last_fetched_at)
            ).all()
            recent = now - policy.recheck_window
            recheck = session.scalars(
                select(Page)
                .where(
                    Page.outlet_id == outlet_id,
                    Page.article_id.is_not(None),
                    Page.last_fetched_at < now - policy.recheck_interval,
                    or_(
                        Page.listed_at >= recent,
                        and_(Page.listed_at.is_(None), Page.last_success_at >= recent),
                    ),
                )
                .order_by(Page.last_fetched_at)
                .limit(limit)
            ).all()
        retry = [
            p
            for p in failed
            if p.last_fetched_at is not None
            and p.last_fetched_at <= now - policy.retry_failed * 2 ** (p.consecutive_failures - 1)
        ]
        due = [DuePage(p.url) for p in fresh]
        due += [DuePage(p.url) for p in retry]
        due += [DuePage(p.url, p.etag, p.last_modified, recheck=True) for p in recheck]
        return due[:limit]

    def mark_not_modified(self, url: str, status: int, at: datetime) -> None:
        """A re-check answered 304: the page's current article was seen again, nothing else changes."""
        with self.archive.transaction() as session:
            page = session.scalar(select(Page).where(Page.url == url))
            if page is None:
                return
            page.last_fetched_at, page.last_status = at, status
            sighting = session.scalar(
                select(Sighting).where(Sighting.article_id == page.article_id, Sighting.url == url)
            )
            if sighting is not None:
                sighting.last_seen_at = max(sighting.last_seen_at, at)
            session.add(
                FetchLog(
                    at=at,
                    url=url,
                    outlet_id=page.outlet_id,
                    outcome="unchanged",
                    http_status=status,
                    article_id=page.article_id,
                )
            )

    def source_validators(self, url: str) -> tuple[str | None, str | None, str | None]:
        """(etag, last_modified, kind) of a feed or sitemap from its last read (Nones if never read)."""
        with self.archive.transaction() as session:
            source = session.scalar(select(Source).where(Source.url == url))
            if source is None:
                return None, None, None
            return source.etag, source.last_modified, source.kind

    def record_source(
        self,
        url: str,
        outlet_key: str,
        kind: str,
        *,
        at: datetime,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        urls_found: int | None = None,
        error: tuple[str, str] | None = None,
    ) -> None:
        """Record a read of a feed or sitemap: its validators on success, the reason on failure."""
        with self.archive.transaction() as session:
            source = session.scalar(select(Source).where(Source.url == url))
            if source is None:
                source = Source(
                    url=url, outlet_id=self.archive.outlet_id(session, outlet_key), kind=kind, urls_found=0
                )
                session.add(source)
            source.kind, source.last_fetched_at, source.last_status = kind, at, status
            if error is not None:
                source.last_error, source.last_error_message = error
                return
            source.last_success_at = at
            source.last_error = source.last_error_message = None
            if headers is not None and status != 304:
                source.etag, source.last_modified = headers.get("etag"), headers.get("last-modified")
            if urls_found is not None:
                source.urls_found = urls_found

    def start_run(self, outlets: list[str], at: datetime | None = None) -> int:
        with self.archive.transaction() as session:
            run = CrawlRun(started_at=at or utcnow(), outcome="running", outlets=outlets)
            session.add(run)
            session.flush()
            return run.id

    def finish_run(
        self, run_id: int, counts: Mapping[str, int], outcome: str, message: str | None = None
    ) -> None:
        with self.archive.transaction() as session:
            run = session.get(CrawlRun, run_id)
            if run is None:
                return
            run.finished_at, run.outcome, run.message = utcnow(), outcome, message
            for name in RUN_COUNTERS:
                setattr(run, name, counts.get(name, 0))
