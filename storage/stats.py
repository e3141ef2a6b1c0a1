"""Per-outlet health from the archive, the last crawl runs, and the alarm that catches a layout change.

The alarm (README "vnnews stats"). Over an outlet's fetches (fetch_log rows with source "fetch"), an
*extraction attempt* is a page that was received: any success (new, duplicate, version, unchanged —
except 304 re-checks, which extract nothing) or a failure whose reason is an extraction one (no-article,
extraction). Fetch failures (HTTP errors, timeouts) are not counted: they say the site or the network
is down, not that the extractor is broken. With at least ``MIN_ATTEMPTS`` attempts in the last 24 hours,
an alarm is raised when

  (a) not one of them yielded an article, or
  (b) under ``ALARM_RATE`` of them did, while the 7 days before had at least ``MIN_ATTEMPTS`` attempts
      and a success rate of at least ``HEALTHY_RATE``.

(a) keeps alarming for a break left unfixed (its bad days would otherwise become the "normal" week);
(b) catches a partial break (one of two layouts gone) against the outlet's own normal, so an outlet
whose URLs often are not articles does not alarm every day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, case, func, or_, select
from sqlalchemy.orm import Session

from storage.archive import utcnow
from storage.models import Article, CrawlRun, FetchLog, Outlet, Sighting

MIN_ATTEMPTS = 10
ALARM_RATE = 0.5
HEALTHY_RATE = 0.8
EXTRACTION_FAILURES = ("no-article", "extraction")
DAY = timedelta(days=1)
WEEK = timedelta(days=7)
TOP_REASONS = 3


@dataclass(frozen=True)
class Window:
    """Extraction attempts in a time window and how many yielded an article."""

    attempts: int = 0
    extracted: int = 0

    @property
    def rate(self) -> float | None:
        return self.extracted / self.attempts if self.attempts else None


@dataclass(frozen=True)
class OutletStats:
    key: str
    name: str
    articles: int  # articles first seen at this outlet (every version)
    versions: int  # of which later versions of a story
    sightings: int  # URLs of this outlet where an article was seen
    last_success_at: datetime | None  # last fetch that yielded an article
    failed_day: int  # failed fetches, any reason, last 24 h
    failed_week: int  # and last 7 days
    top_reasons: tuple[tuple[str, int], ...]  # the commonest failure reasons of the last 7 days
    day: Window  # extraction, last 24 h
    previous_week: Window  # extraction, the 7 days before that
    alarm: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "outlet": self.key,
            "name": self.name,
            "articles": self.articles,
            "versions": self.versions,
            "sightings": self.sightings,
            "last_success_at": _iso(self.last_success_at),
            "failed_last_day": self.failed_day,
            "failed_last_week": self.failed_week,
            "top_reasons": dict(self.top_reasons),
            "extraction_last_day": {"attempts": self.day.attempts, "extracted": self.day.extracted},
            "extraction_previous_week": {
                "attempts": self.previous_week.attempts,
                "extracted": self.previous_week.extracted,
            },
            "alarm": self.alarm,
        }


@dataclass(frozen=True)
class RunStats:
    id: int
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    fetched: int
    new: int
    versions: int
    failed: int

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "started_at": _iso(self.started_at), "finished_at": _iso(self.finished_at)}


@dataclass(frozen=True)
class Stats:
    at: datetime
    outlets: list[OutletStats]
    runs: list[RunStats]

    @property
    def alarms(self) -> list[OutletStats]:
        return [outlet for outlet in self.outlets if outlet.alarm]

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": _iso(self.at),
            "outlets": [o.to_dict() for o in self.outlets],
            "crawl_runs": [r.to_dict() for r in self.runs],
            "alarms": {o.key: o.alarm for o in self.alarms},
        }


def alarm(day: Window, previous_week: Window) -> str | None:
    """The alarm rule of the module docstring; the message says what was seen."""
    if day.attempts < MIN_ATTEMPTS or day.rate is None:
        return None
    if day.extracted == 0:
        return f"no article extracted from {day.attempts} pages in the last 24 h"
    week_rate = previous_week.rate
    if (
        day.rate < ALARM_RATE
        and previous_week.attempts >= MIN_ATTEMPTS
        and week_rate is not None
        and week_rate >= HEALTHY_RATE
    ):
        return (
            f"extraction success {day.rate:.0%} in the last 24 h ({day.extracted}/{day.attempts} pages), "
            f"{week_rate:.0%} in the 7 days before"
        )
    return None


def collect(engine: Engine, now: datetime | None = None, runs: int = 5) -> Stats:
    """Stats of every outlet with anything archived or logged, and the last ``runs`` crawl runs."""
    now = now or utcnow()
    with Session(engine) as session:
        # dict(result) would take a Result for a mapping (it has keys()): build the dicts from rows.
        names = {key: name for key, name in session.execute(select(Outlet.key, Outlet.name))}
        ids = {id_: key for id_, key in session.execute(select(Outlet.id, Outlet.key))}
        articles = _by_outlet(session, select(Article.outlet_id, func.count()).group_by(Article.outlet_id))
        versions = _by_outlet(
            session,
            select(Article.outlet_id, func.count())
            .where(Article.supersedes_id.is_not(None))
            .group_by(Article.outlet_id),
        )
        sightings = _by_outlet(session, select(Sighting.outlet_id, func.count()).group_by(Sighting.outlet_id))
        last_success = {
            outlet_id: at
            for outlet_id, at in session.execute(
                select(FetchLog.outlet_id, func.max(FetchLog.at))
                .where(FetchLog.source == "fetch", FetchLog.outcome != "failed")
                .group_by(FetchLog.outlet_id)
            )
        }
        windows = _windows(session, now)
        reasons = _top_reasons(session, now)
        run_rows = session.scalars(select(CrawlRun).order_by(CrawlRun.started_at.desc()).limit(runs)).all()
    active = set(articles) | set(sightings) | set(windows)
    outlets = []
    for outlet_id in sorted(active, key=lambda i: ids.get(i, "")):
        counts = windows.get(outlet_id, {})
        day = Window(counts.get("day_attempts", 0), counts.get("day_extracted", 0))
        week = Window(counts.get("prev_attempts", 0), counts.get("prev_extracted", 0))
        key = ids.get(outlet_id, "?")
        outlets.append(
            OutletStats(
                key=key,
                name=names.get(key, key),
                articles=articles.get(outlet_id, 0),
                versions=versions.get(outlet_id, 0),
                sightings=sightings.get(outlet_id, 0),
                last_success_at=last_success.get(outlet_id),
                failed_day=counts.get("failed_day", 0),
                failed_week=counts.get("failed_week", 0),
                top_reasons=tuple(reasons.get(outlet_id, ())),
                day=day,
                previous_week=week,
                alarm=alarm(day, week),
            )
        )
    return Stats(now, outlets, [_run(row) for row in run_rows])


def _by_outlet(session: Session, query: Any) -> dict[int, int]:
    return {outlet_id: count for outlet_id, count in session.execute(query) if outlet_id is not None}


def _windows(session: Session, now: datetime) -> dict[int, dict[str, int]]:
    """Per outlet: failures of the last day and week, extraction attempts/successes of the two windows."""
    failed = FetchLog.outcome == "failed"
    attempt = or_(
        and_(~failed, or_(FetchLog.http_status.is_(None), FetchLog.http_status != 304)),
        and_(failed, FetchLog.reason.in_(EXTRACTION_FAILURES)),
    )
    last_day = FetchLog.at >= now - DAY
    previous = and_(FetchLog.at >= now - DAY - WEEK, FetchLog.at < now - DAY)
    columns: dict[str, ColumnElement[bool]] = {
        "failed_day": and_(failed, last_day),
        "failed_week": and_(failed, FetchLog.at >= now - WEEK),
        "day_attempts": and_(attempt, last_day),
        "day_extracted": and_(attempt, ~failed, last_day),
        "prev_attempts": and_(attempt, previous),
        "prev_extracted": and_(attempt, ~failed, previous),
    }
    query = (
        select(FetchLog.outlet_id, *(func.sum(case((c, 1), else_=0)) for c in columns.values()))
        .where(FetchLog.source == "fetch", FetchLog.at >= now - DAY - WEEK, FetchLog.outlet_id.is_not(None))
        .group_by(FetchLog.outlet_id)
    )
    return {row[0]: dict(zip(columns, map(int, row[1:]), strict=True)) for row in session.execute(query)}


def _top_reasons(session: Session, now: datetime) -> dict[int, list[tuple[str, int]]]:
    count = func.count()
    query = (
        select(FetchLog.outlet_id, FetchLog.reason, count)
        .where(FetchLog.source == "fetch", FetchLog.outcome == "failed", FetchLog.at >= now - WEEK)
        .group_by(FetchLog.outlet_id, FetchLog.reason)
        .order_by(count.desc(), FetchLog.reason)
    )
    reasons: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for outlet_id, reason, n in session.execute(query):
        if outlet_id is not None and len(reasons[outlet_id]) < TOP_REASONS:
            reasons[outlet_id].append((reason or "?", n))
    return reasons


def _run(row: CrawlRun) -> RunStats:
    return RunStats(
        row.id, row.started_at, row.finished_at, row.outcome, row.fetched, row.new, row.versions, row.failed
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
