"""Politeness: robots.txt (RFC 9309, via protego) and per-host concurrency and spacing of requests."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from protego import Protego

from scraper.errors import FetchError, HTTPStatusError

log = logging.getLogger("vnnews.politeness")

ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 asks crawlers to read at least 500 KiB
ROBOTS_TOKEN = "vnnews"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class HostGate:
    """At most ``concurrency`` requests in flight to one host, their starts ``min_delay`` seconds apart."""

    def __init__(
        self, concurrency: int, min_delay: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.min_delay = min_delay
        self._slots = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._clock = clock

    @contextmanager
    def slot(self, stop: threading.Event) -> Iterator[bool]:
        """Hold a request slot; yields False when ``stop`` was set while waiting (skip the request)."""
        while not self._slots.acquire(timeout=0.2):
            if stop.is_set():
                yield False
                return
        try:
            yield self.pace(stop)
        finally:
            self._slots.release()

    def pace(self, stop: threading.Event) -> bool:
        """Wait for this host's next request start (a slot holder's retry too); False when ``stop`` is set."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next_start)
            self._next_start = start + self.min_delay
        # Event.wait, not sleep: Ctrl-C / SIGTERM must not wait out a long Crawl-delay.
        return not (start > now and stop.wait(start - now)) and not stop.is_set()


class Robots:
    """robots.txt of every origin a crawl touches, read once per run through ``fetch``."""

    def __init__(self, fetch: Callable[[str], str], enabled: bool = True) -> None:
        self._fetch = fetch
        self._enabled = enabled
        self._rules: dict[str, Protego | None] = {}
        self._unreachable: set[str] = set()
        self._lock = threading.Lock()

    def allowed(self, url: str) -> bool:
        rules = self._for(url)
        return True if rules is None else bool(rules.can_fetch(url, ROBOTS_TOKEN))

    def crawl_delay(self, url: str) -> float | None:
        rules = self._for(url)
        delay = rules.crawl_delay(ROBOTS_TOKEN) if rules is not None else None
        return float(delay) if delay is not None else None

    def unreachable(self, url: str) -> bool:
        """True when the robots.txt of ``url``'s origin could not be read: its host is left alone this run."""
        self._for(url)
        with self._lock:
            return origin(url) in self._unreachable

    def _for(self, url: str) -> Protego | None:
        if not self._enabled:
            return None
        key = origin(url)
        with self._lock:  # one read per origin, even with many workers arriving at once
            if key not in self._rules:
                self._rules[key] = self._read(key)
            return self._rules[key]

    def _read(self, key: str) -> Protego | None:
        """Parsed rules; None means "allow all" (no robots.txt); unreachable means "disallow all"."""
        try:
            text = self._fetch(f"{key}/robots.txt")
        except HTTPStatusError as exc:
            if 400 <= exc.status < 500:  # RFC 9309 2.3.1.3: unavailable, crawl freely
                return None
            return self._unreachable_rules(key, exc)
        except FetchError as exc:  # RFC 9309 2.3.1.4: unreachable, assume complete disallow
            return self._unreachable_rules(key, exc)
        return Protego.parse(text)

    def _unreachable_rules(self, key: str, error: FetchError) -> Protego:
        log.warning("robots.txt of %s unreachable (%s): not crawling it this run", key, error)
        self._unreachable.add(key)  # the caller holds self._lock
        return Protego.parse("User-agent: *\nDisallow: /")
