"""Stats: per-outlet counts, failures by reason, crawl runs, and the alarm on a simulated layout break."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.archive import Archive
from storage.stats import Window, alarm, collect
from tests.archive_factory import fill_small, log_fetches, open_archive

NOW = datetime(2026, 8, 1, 12, tzinfo=UTC)


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with open_archive(tmp_path / "archive.sqlite3") as opened:
        yield opened


def healthy_week(archive: Archive, outlet: str = "vov") -> None:
    for day in range(2, 8):
        log_fetches(archive, outlet, NOW - timedelta(days=day), 20)
        log_fetches(archive, outlet, NOW - timedelta(days=day), 1, outcome="failed", reason="no-article")


@pytest.mark.parametrize(
    ("day", "week", "raised"),
    [
        (Window(20, 0), Window(0, 0), "no article extracted from 20 pages in the last 24 h"),
        (Window(20, 0), Window(100, 10), "no article extracted"),  # a break left unfixed still alarms
        (Window(20, 5), Window(100, 95), "extraction success 25% in the last 24 h (5/20 pages), 95% in"),
        (Window(20, 5), Window(100, 60), None),  # the outlet is often like this
        (Window(20, 5), Window(9, 9), None),  # too little history to call it a drop
        (Window(9, 0), Window(100, 100), None),  # too few pages today to tell
        (Window(20, 10), Window(100, 100), None),  # 50 % is not under 50 %
        (Window(0, 0), Window(0, 0), None),
    ],
)
def test_alarm_rule(day: Window, week: Window, raised: str | None) -> None:
    message = alarm(day, week)
    assert message == raised if raised is None else (message or "").startswith(raised)


def test_a_day_of_no_article_failures_after_a_healthy_week_raises_the_alarm(archive: Archive) -> None:
    healthy_week(archive)
    healthy_week(archive, "congluan")
    log_fetches(archive, "vov", NOW - timedelta(hours=3), 15, outcome="failed", reason="no-article")
    log_fetches(archive, "congluan", NOW - timedelta(hours=3), 15)
    stats = collect(archive.engine, now=NOW)
    by_key = {o.key: o for o in stats.outlets}
    assert [o.key for o in stats.alarms] == ["vov"]
    assert by_key["vov"].alarm == "no article extracted from 15 pages in the last 24 h"
    assert (by_key["vov"].day, by_key["vov"].previous_week) == (Window(15, 0), Window(126, 120))
    assert (by_key["vov"].failed_day, by_key["vov"].failed_week) == (15, 21)
    assert by_key["vov"].top_reasons == (("no-article", 21),)
    assert stats.to_dict()["alarms"] == {"vov": by_key["vov"].alarm}


def test_a_partial_break_raises_the_alarm(archive: Archive) -> None:
    healthy_week(archive)
    log_fetches(archive, "vov", NOW - timedelta(hours=1), 4)
    log_fetches(archive, "vov", NOW - timedelta(hours=1), 12, outcome="failed", reason="no-article")
    (vov,) = collect(archive.engine, now=NOW).outlets
    assert vov.alarm is not None and vov.alarm.startswith("extraction success 25% in the last 24 h (4/16")


def test_fetch_failures_304s_and_reextractions_are_not_extraction_attempts(archive: Archive) -> None:
    healthy_week(archive)
    hour_ago = NOW - timedelta(hours=1)
    log_fetches(archive, "vov", hour_ago, 30, outcome="failed", reason="http-503", http_status=503)
    log_fetches(archive, "vov", hour_ago, 30, outcome="failed", reason="timeout", http_status=None)
    log_fetches(archive, "vov", hour_ago, 30, outcome="unchanged", http_status=304)
    log_fetches(archive, "vov", hour_ago, 30, outcome="failed", reason="no-article", source="reextract")
    log_fetches(archive, "vov", hour_ago, 2)
    log_fetches(archive, "vov", hour_ago, 7, outcome="failed", reason="no-article")
    (vov,) = collect(archive.engine, now=NOW).outlets
    assert vov.day == Window(9, 2)  # 7 failures + 2 successes: one short of MIN_ATTEMPTS
    assert vov.alarm is None
    assert vov.failed_day == 67  # fetch failures are counted as failures, not against extraction
    assert vov.top_reasons == (("http-503", 30), ("timeout", 30), ("no-article", 13))


def test_counts_and_crawl_runs(archive: Archive) -> None:
    fill_small(archive)
    stats = collect(archive.engine, now=datetime(2026, 7, 18, 12, tzinfo=UTC))
    rows = {o.key: (o.articles, o.versions, o.sightings) for o in stats.outlets}
    # vov: the story, and two versions of another at one URL (a sighting per version).
    assert rows == {"vov": (3, 1, 3), "congluan": (0, 0, 1), "haiquan": (1, 0, 1)}
    (run,) = stats.runs
    assert (run.outcome, run.fetched, run.new, run.versions, run.failed) == ("ok", 5, 3, 1, 2)
    assert stats.to_dict()["crawl_runs"][0]["started_at"] == "2026-07-18T01:00:00+00:00"
