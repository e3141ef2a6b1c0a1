"""The crawl: discover from feeds and sitemaps, fetch what is due politely, archive through the importer."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from scraper.article import Article
from scraper.config import Config
from scraper.discover import Discovered, Link, parse_any, parse_listing
from scraper.errors import (
    DiscoveryError,
    ExtractionError,
    FetchError,
    HTTPStatusError,
    VnnewsError,
)
from scraper.fetch import FetchedPage, Fetcher, conditional_headers
from scraper.importer import Importer, extract
from scraper.outlets.base import Outlet
from scraper.politeness import ROBOTS_MAX_BYTES, HostGate, Robots, origin
from storage.archive import Archive, PackedRaw
from storage.frontier import DuePage, DuePolicy, Frontier

log = logging.getLogger("vnnews.crawl")
T = TypeVar("T")


SITEMAP_MAX_BYTES = 50_000_000  # the sitemaps.org limit for one (uncompressed) sitemap
MAX_SITEMAP_CHILDREN = 3  # newest children of a sitemap index read per run; older months change rarely
# The archive's open batch is committed when no fetch has come back for this long: a slow or polite crawl
# stores each page about as it arrives; a fast one commits once per batch (Archive.batch), not per page.
IDLE_COMMIT_SECONDS = 0.1
COUNTERS = ("discovered", "fetched", "new", "duplicate", "versions", "unchanged", "failed")


@dataclass
class OutletTally:
    """What one crawl did for one outlet."""

    discovered: int = 0
    fetched: int = 0
    new: int = 0
    duplicate: int = 0
    versions: int = 0
    unchanged: int = 0
    failed: int = 0
    responses: int = 0  # fetches (feeds, sitemaps, pages) that got an HTTP answer: the network works
    attempts: int = 0

    def count(self, outcome: str) -> None:
        # A metadata update of the same text counts as a version: the page's article changed.
        name = {"version": "versions", "updated": "versions", "extracted": "new"}.get(outcome, outcome)
        setattr(self, name, getattr(self, name) + 1)


@dataclass
class CrawlSummary:
    tallies: dict[str, OutletTally]
    elapsed: float
    interrupted: bool = False

    def total(self, name: str) -> int:
        return sum(getattr(t, name) for t in self.tallies.values())

    @property
    def nothing_fetched(self) -> bool:
        """Every request failed without an HTTP answer (or with 5xx): the network or the outlets are down."""
        return self.total("attempts") > 0 and self.total("responses") == 0

    @property
    def outcome(self) -> str:
        if self.interrupted:
            return "interrupted"
        return "nothing-fetched" if self.nothing_fetched else "ok"

    def line(self) -> str:
        counts = ", ".join(f"{self.total(name)} {name}" for name in COUNTERS)
        return (
            f"crawl {self.outcome}: {', '.join(self.tallies) or 'no outlet'}: {counts} in {self.elapsed:.1f}s"
        )


class Crawler:
    """One crawl run over the given outlets (see DESIGN.md "Crawl rules")."""

    def __init__(
        self,
        config: Config,
        archive: Archive,
        fetcher: Fetcher,
        outlets: Sequence[Outlet],
        *,
        max_pages: int | None = None,
        since: datetime | None = None,
        stop: threading.Event | None = None,
        progress: CrawlProgress | None = None,
    ) -> None:
        self.config = config
        self.archive = archive
        self.fetcher = fetcher
        self.outlets = list(outlets)
        self.max_pages = max_pages or config.crawl.max_pages
        self.since = since
        self.stop = stop or threading.Event()
        self.progress = progress or CrawlProgress()
        self.importer = Importer(archive)
        self.frontier = Frontier(archive)
        self.tallies = {outlet.key: OutletTally() for outlet in self.outlets}
        self._gates: dict[str, HostGate] = {}
        self._gates_lock = threading.Lock()
        self.robots = Robots(self._fetch_robots, enabled=config.crawl.obey_robots)

    def run(self) -> CrawlSummary:
        started = time.monotonic()
        run_id = self.frontier.start_run([outlet.key for outlet in self.outlets])
        summary = CrawlSummary(self.tallies, 0.0)
        try:
            for outlet in self.outlets:
                if not self.stop.is_set():
                    self._discover(outlet)
            self._fetch_due()
        finally:
            summary.interrupted = self.stop.is_set()
            summary.elapsed = time.monotonic() - started
            totals = {name: summary.total(name) for name in COUNTERS}
            self.frontier.finish_run(run_id, totals, summary.outcome, summary.line())
        return summary

    # Discovery -------------------------------------------------------------------------------------

    def _discover(self, outlet: Outlet) -> None:
        now = datetime.now(UTC)
        queue = list(outlet.discovery_urls(now))
        seen: set[str] = set()
        found: dict[str, datetime | None] = {}
        while queue and not self.stop.is_set():
            source = queue.pop(0)
            if source in seen:
                continue
            seen.add(source)
            discovered = self._read_source(outlet, source)
            if discovered is None:
                continue
            if discovered.kind == "sitemap-index":
                queue.extend(self._newest_children(discovered.links))
                continue
            for link in discovered.links:
                url = outlet.canonicalize_url(link.url)
                if outlet.is_article_url(url) and self._wanted(link.published) and url not in found:
                    found[url] = link.published
        added = self.frontier.add_discovered(outlet.key, found.items())
        self.tallies[outlet.key].discovered += added
        log.info("%s: %d article URLs listed, %d new", outlet.key, len(found), added)

    def _wanted(self, published: datetime | None) -> bool:
        return self.since is None or published is None or published >= self.since

    @staticmethod
    def _newest_children(links: Sequence[Link]) -> list[str]:
        dated = sorted(
            enumerate(links), key=lambda item: (item[1].published is not None, item[1].published, item[0])
        )
        return [link.url for _, link in reversed(dated[-MAX_SITEMAP_CHILDREN:])]

    def _read_source(self, outlet: Outlet, url: str) -> Discovered | None:
        """Fetch a feed or sitemap (conditional GET) and parse it; None when unchanged or failed."""
        etag, last_modified, known_kind = self.frontier.source_validators(url)
        kind = (
            "listing" if url in outlet.listings else known_kind or ("sitemap" if "sitemap" in url else "feed")
        )
        # A sitemap index is read in full every run: its children can change while it stays the same.
        headers = {} if kind == "sitemap-index" else conditional_headers(etag, last_modified)
        tally = self.tallies[outlet.key]
        tally.attempts += 1
        if not self.robots.allowed(url):
            if self.robots.unreachable(url):
                # Already said once per host by politeness.Robots; one line per source would be noise.
                message = f"robots.txt of {origin(url)} cannot be read: not crawling it this run"
                log.info("%s: not reading %s: %s", outlet.key, url, message)
            else:
                tally.responses += 1  # robots.txt answered: the network works
                message = f"robots.txt disallows {url}"
                log.warning("%s: not reading %s: %s", outlet.key, url, message)
            self.frontier.record_source(
                url, outlet.key, kind, at=datetime.now(UTC), error=("robots", message)
            )
            return None
        try:
            if kind == "listing":  # an HTML page, as capped as an article page
                page = self._polite_fetch(url, headers=headers)
            else:
                page = self._polite_fetch(
                    url, headers=headers, accept_non_html=True, max_bytes=SITEMAP_MAX_BYTES
                )
            if page is None:
                return None
            tally.responses += 1
            if page.status == 304:
                self.frontier.record_source(url, outlet.key, kind, at=page.fetched_at, status=304)
                return None
            if kind == "listing":
                discovered = parse_listing(page.content, page.final_url)
            else:
                discovered = parse_any(page.content, page.final_url)
        except (FetchError, DiscoveryError) as exc:
            if isinstance(exc, HTTPStatusError) and exc.status < 500:
                tally.responses += 1
            log.warning("%s: cannot read %s: %s", outlet.key, url, exc)
            self.frontier.record_source(
                url, outlet.key, kind, at=datetime.now(UTC), error=(exc.reason, str(exc))
            )
            return None
        self.frontier.record_source(
            url,
            outlet.key,
            discovered.kind,
            at=page.fetched_at,
            status=page.status,
            headers=page.headers,
            urls_found=len(discovered.links),
        )
        return discovered

    # Fetching --------------------------------------------------------------------------------------

    def _fetch_due(self) -> None:
        policy = DuePolicy(
            recheck_window=timedelta(hours=self.config.crawl.recheck_window_hours),
            recheck_interval=timedelta(minutes=self.config.crawl.recheck_interval_minutes),
            retry_failed=timedelta(minutes=self.config.crawl.retry_failed_minutes),
            max_failures=self.config.crawl.max_page_failures,
        )
        per_outlet = {o.key: self.frontier.due_pages(o.key, policy, self.max_pages) for o in self.outlets}
        for outlet in self.outlets:
            self.progress.start(outlet.key, len(per_outlet[outlet.key]))
        jobs = iter(_round_robin([[(o, due) for due in per_outlet[o.key]] for o in self.outlets]))
        workers = self.config.crawl.workers
        # A bounded window of fetches ahead of the archiver: submitting every page at once kept each fetched
        # body (and its future) alive until the end of the run, and fetches outrun archiving, so memory grew
        # with the crawl (bench/crawl.py: ~0.4 MB per page). Twice the workers keeps every worker busy.
        window = 2 * workers
        with (
            self.archive.batch(),
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool,
        ):
            pending: set[Future[Fetched]] = set()
            try:
                while True:
                    while len(pending) < window and not self.stop.is_set():
                        job = next(jobs, None)
                        if job is None:
                            break
                        pending.add(pool.submit(self._fetch_page, *job))
                    if not pending:
                        break
                    done, pending = wait(pending, timeout=IDLE_COMMIT_SECONDS, return_when=FIRST_COMPLETED)
                    if not done:
                        # Nothing to archive until the network answers: commit what is written meanwhile.
                        self.archive.commit_batch()
                        done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        self._archive(*future.result())
            except BaseException:
                self.stop.set()  # in-flight fetches see it at their next wait; queued ones are dropped
                raise
            finally:
                for future in pending:
                    future.cancel()
        for outlet in self.outlets:
            self.progress.finish(outlet.key)

    def _fetch_page(self, outlet: Outlet, due: DuePage) -> Fetched:
        """Worker thread: robots check, polite fetch, and extraction of a page received (the main thread
        only archives: extracting here puts the parse, which releases the GIL, on another core). The
        outcome is None when the crawl is stopping."""
        if self.stop.is_set():
            return outlet, due, None, None, None
        if not self.robots.allowed(due.url):
            if self.robots.unreachable(due.url):
                # Left alone this run (RFC 9309): stays due, no failure counted.
                return outlet, due, None, None, None
            return outlet, due, RobotsDisallowed(f"robots.txt disallows {due.url}"), None, None
        try:
            page = self._polite_fetch(due.url, headers=conditional_headers(due.etag, due.last_modified))
        except FetchError as exc:
            return outlet, due, exc, None, None
        if page is None or page.status == 304:
            return outlet, due, page, None, None
        # Both here, not in the archiving thread: the parse, compression and sha256 release the GIL.
        return outlet, due, page, extract(outlet, due.url, page), PackedRaw.of(page)

    def _archive(
        self,
        outlet: Outlet,
        due: DuePage,
        outcome: FetchedPage | VnnewsError | None,
        extracted: Article | ExtractionError | None,
        packed: PackedRaw | None,
    ) -> None:
        """Main thread: every archive write happens here, in the batch ``_fetch_due`` opened."""
        if outcome is None or isinstance(outcome, Interrupted):
            return  # stopped before an answer: the page stays due for the next run
        tally = self.tallies[outlet.key]
        if not isinstance(outcome, RobotsDisallowed):
            tally.attempts += 1
        if isinstance(outcome, VnnewsError):
            if isinstance(outcome, HTTPStatusError) and outcome.status < 500:
                tally.responses += 1
            status = outcome.status if isinstance(outcome, HTTPStatusError) else None
            self.archive.record_failure(
                due.url,
                reason=outcome.reason,
                message=str(outcome),
                outlet_key=outlet.key,
                http_status=status,
            )
            tally.failed += 1
        elif outcome.status == 304:
            tally.responses += 1
            self.frontier.mark_not_modified(
                due.url, outcome.status, outcome.fetched_at.replace(microsecond=0)
            )
            tally.unchanged += 1
        else:
            tally.responses += 1
            tally.fetched += 1
            if extracted is None:  # not extracted by the worker (cannot happen for a page received)
                extracted = extract(outlet, due.url, outcome)
            tally.count(self.importer.store(outlet, due.url, outcome, extracted, packed).outcome)
        self.progress.advance(outlet.key)

    def _gate(self, url: str) -> HostGate:
        host = urlsplit(url).hostname or ""
        with self._gates_lock:
            if host not in self._gates:
                owner = next((o for o in self.outlets if o.answers_for(host)), None)
                concurrency, delay = self.config.host_limits(owner.key if owner else "")
                self._gates[host] = HostGate(concurrency, delay)
            return self._gates[host]

    def _polite_fetch(self, url: str, **kwargs: Any) -> FetchedPage | None:
        gate = self._gate(url)
        crawl_delay = self.robots.crawl_delay(url) if not url.endswith("/robots.txt") else None
        if crawl_delay is not None and crawl_delay > gate.min_delay:
            gate.min_delay = crawl_delay  # robots.txt Crawl-delay only ever slows us down
        with gate.slot(self.stop) as go, _pacing_by(gate):
            return self.fetcher.fetch(url, **kwargs) if go else None

    def _fetch_robots(self, url: str) -> str:
        gate = self._gate(url)
        with gate.slot(self.stop) as go, _pacing_by(gate):
            if not go:
                return ""
            return self.fetcher.fetch(url, accept_non_html=True, max_bytes=ROBOTS_MAX_BYTES).text


# What a fetch thread hands the main thread: the page (or why there is none), what extracting it gave, and
# the page packed for raw_pages.
Fetched = tuple[
    Outlet, DuePage, FetchedPage | VnnewsError | None, Article | ExtractionError | None, PackedRaw | None
]


class Interrupted(FetchError):
    """A fetch given up because the crawl is stopping (Ctrl-C, SIGTERM); nothing is recorded for it."""

    reason = "interrupted"


# The HostGate whose slot the current thread holds while it fetches, so a retry keeps the host's spacing.
_pacing = threading.local()


@contextmanager
def _pacing_by(gate: HostGate) -> Iterator[None]:
    _pacing.gate = gate
    try:
        yield
    finally:
        _pacing.gate = None


def interruptible_sleep(stop: threading.Event) -> Callable[[float], None]:
    """A sleep for the fetcher's retry waits: ends the fetch at once when ``stop`` is set, and in a crawl
    also waits for the host's next start (``min_delay``, Crawl-delay), since a retry is a request too."""

    def sleep(seconds: float) -> None:
        gate: HostGate | None = getattr(_pacing, "gate", None)
        if stop.wait(seconds) or (gate is not None and not gate.pace(stop)):
            raise Interrupted("crawl stopping", "")

    return sleep


class RobotsDisallowed(FetchError):
    """Not fetched: robots.txt disallows the URL for vnnews."""

    reason = "robots"

    def __init__(self, message: str) -> None:
        super().__init__(message, message.rsplit(" ", 1)[-1])


def _round_robin(queues: Sequence[Sequence[T]]) -> list[T]:
    """Interleave per-outlet queues so one slow host does not hold every worker."""
    merged: list[T] = []
    for index in range(max((len(q) for q in queues), default=0)):
        merged.extend(q[index] for q in queues if index < len(q))
    return merged


class CrawlProgress:
    """Progress callbacks; the default does nothing (under cron), cli.py shows bars on a terminal."""

    def start(self, key: str, total: int) -> None: ...
    def advance(self, key: str) -> None: ...
    def finish(self, key: str) -> None: ...
