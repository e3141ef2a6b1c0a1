"""`vnnews crawl` end to end on the stand-in: signals, the lock, options, exit codes, politeness, re-checks."""

from __future__ import annotations

import itertools
import math
import signal
import socket
import time
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.crawl.conftest import CONGLUAN, HAIQUAN, HOSTS, VOV, CrawlEnv, Site, article_html, config_text
from tests.httpserver import RecordedRequest, Reply, html

ARTICLES = "SELECT count(*) FROM articles"
ALL_STORIES = 12  # 13 article pages on the stand-in, one of them another outlet's story


def test_crawl_killed_midway_then_rerun_equals_an_uninterrupted_crawl(
    crawl_env: CrawlEnv, site: Site, tmp_path: Path
) -> None:
    site.article_delay = 0.15
    killed = crawl_env.start("crawl")
    crawl_env.wait_until(ARTICLES, lambda n: n >= 3)
    killed.send_signal(signal.SIGKILL)
    assert crawl_env.finish(killed).code == -signal.SIGKILL
    stored = crawl_env.scalar(ARTICLES)
    assert stored < ALL_STORIES, "the crawl ended before it was killed: slow the stand-in down"
    done_before = {url for (url,) in crawl_env.query("SELECT url FROM pages WHERE article_id IS NOT NULL")}
    assert crawl_env.query("SELECT outcome, finished_at FROM crawl_runs") == [("running", None)]

    site.article_delay = 0.0
    rerun = crawl_env.run("crawl")
    assert rerun.code == 0, rerun.err
    assert rerun.out.startswith("crawl ok: ")

    other = tmp_path / "uninterrupted.sqlite3"
    assert crawl_env.run("crawl", db=other).code == 0
    assert crawl_env.hashes() == crawl_env.hashes(other) == set(site.expected.values())
    assert len(crawl_env.hashes()) == ALL_STORIES
    assert crawl_env.query("PRAGMA integrity_check") == [("ok",)]
    assert crawl_env.query("SELECT count(*), count(DISTINCT url) FROM sightings") == [(13, 13)]
    assert crawl_env.query("SELECT outcome FROM crawl_runs ORDER BY id") == [("running",), ("ok",)]
    # What the killed run had stored was not fetched again.
    for url in done_before:
        assert len(site.requests(url)) == 2, url  # once per archive


def test_second_crawl_is_refused_and_sigterm_stops_cleanly(crawl_env: CrawlEnv, site: Site) -> None:
    crawl_env.configure({"per_host_concurrency": 1})
    site.article_delay = 0.8  # 5 VOV pages one at a time: 4 s, while a second `vnnews` starts and leaves
    first = crawl_env.start("crawl")
    crawl_env.wait_until("SELECT count(*) FROM crawl_runs WHERE outcome = 'running'", lambda n: n == 1)

    second = crawl_env.run("crawl")
    assert second.code == 0 and second.out == ""
    assert "another crawl" in second.err and second.elapsed < 10
    assert first.poll() is None, "the first crawl should still be running"

    crawl_env.wait_until(ARTICLES, lambda n: n >= 1)
    first.send_signal(signal.SIGTERM)
    done = crawl_env.finish(first)
    assert done.code == 130, done.err
    assert done.out.startswith("crawl interrupted: congluan, haiquan, vov: ")
    ((outcome, new, duplicate, message),) = crawl_env.query(
        "SELECT outcome, new, duplicate, message FROM crawl_runs"
    )
    assert (outcome, message) == ("interrupted", done.out.strip())
    stored = crawl_env.scalar(ARTICLES)
    assert 1 <= stored < ALL_STORIES and new == stored  # everything counted was committed
    assert crawl_env.scalar("SELECT count(*) FROM fetch_log WHERE outcome IN ('new', 'duplicate')") == (
        new + duplicate
    )


def test_outlet_max_pages_and_since(crawl_env: CrawlEnv, site: Site) -> None:
    since = (site.now - timedelta(days=10)).date().isoformat()
    result = crawl_env.run("crawl", "--outlet", "congluan", "--max-pages", "2", "--since", since)
    assert result.code == 0, result.err
    assert result.out.startswith("crawl ok: congluan: 3 discovered, 2 fetched, 2 new, 0 duplicate, ")
    assert site.hosts_seen() == {CONGLUAN}
    c1, c2, c3, c4 = site.congluan_articles
    # The newest two are fetched, the undated one waits for the next run, the old one is not queued.
    pages = dict(crawl_env.query("SELECT url, last_fetched_at IS NOT NULL FROM pages"))
    assert pages == {c1: 1, c2: 1, c4: 0}
    assert site.requests(c3) == [] and site.requests(c4) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--outlet", "nosuch"), "unknown outlet 'nosuch'"),
        (("--since", "someday"), "--since: cannot read a date in 'someday'"),
    ],
)
def test_usage_errors_exit_2(crawl_env: CrawlEnv, args: tuple[str, ...], message: str) -> None:
    result = crawl_env.run("crawl", *args)
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("vnnews: error: ") and message in result.err
    assert crawl_env.server.requests == []


def test_unwritable_archive_exits_3(crawl_env: CrawlEnv, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = crawl_env.run("crawl", db=blocker / "archive.sqlite3")
    assert result.code == 3, result.err
    assert result.err.startswith("vnnews: error: ") and "Traceback" not in result.err


def test_nothing_fetched_exits_4(crawl_env: CrawlEnv, tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    crawl_env.config_path.write_text(config_text(closed))
    result = crawl_env.run("crawl")
    assert result.code == 4, result.err
    assert result.out.startswith("crawl nothing-fetched: congluan, haiquan, vov: 0 discovered, 0 fetched, ")
    assert crawl_env.query("SELECT outcome FROM crawl_runs") == [("nothing-fetched",)]


# In-process crawls (Crawler directly): quicker where no signal or lock is involved.


def peak_in_flight(requests: list[RecordedRequest], slack: float = 0.05) -> int:
    """Most requests overlapping in time, each taken to end ``slack`` s before the server noted its end.

    The server counts a request in flight until its handler thread has written the reply and noted it; in
    this process the crawler's threads compete with it for the GIL, and the client can read the reply and
    send its next request before that thread runs again: ``max_in_flight`` then overcounts by one.
    """
    events = []
    for request in requests:
        end = (request.ended or request.started) - slack
        if end > request.started:
            events += [(request.started, 1), (end, -1)]
    peak = current = 0
    for _, change in sorted(events):  # at equal times an end (-1) sorts before a start
        current += change
        peak = max(peak, current)
    return peak


def test_per_host_concurrency_is_a_per_host_limit(crawl_env: CrawlEnv, site: Site) -> None:
    site.article_delay = 0.2
    summary = crawl_env.crawl()
    assert (summary.total("new"), summary.total("duplicate")) == (ALL_STORIES, 1)
    peaks = {host: peak_in_flight([r for r in crawl_env.server.requests if r.host == host]) for host in HOSTS}
    assert peaks == {VOV: 2, CONGLUAN: 2, HAIQUAN: 2}  # the slots are used, never more than 2 a host...
    assert crawl_env.server.max_in_flight() >= 3  # ...and several hosts are fetched at once


def test_min_delay_and_robots_crawl_delay_space_requests_retries_included(
    crawl_env: CrawlEnv, site: Site
) -> None:
    crawl_env.configure({"min_delay": 0.3})
    site.crawl_delay = 0.5  # congluan.vn's robots.txt
    first = site.congluan_articles[0]
    site.route(CONGLUAN, urlsplit(first).path, [Reply(status=500), html(site.pages[first])])
    summary = crawl_env.crawl(("congluan", "haiquan"), max_pages=2)
    assert summary.total("fetched") == 4
    starts = {
        host: [r.started for r in crawl_env.server.requests if r.host == host] for host in (CONGLUAN, HAIQUAN)
    }
    gaps = {host: [b - a for a, b in itertools.pairwise(times)] for host, times in starts.items()}
    assert len(gaps[HAIQUAN]) == 5 and min(gaps[HAIQUAN]) >= 0.28  # robots.txt, 3 feeds, 2 pages
    # robots.txt, then (its Crawl-delay now known) the feed, a page, its retry and a page, 0.5 s apart.
    assert len(site.requests(first)) == 2
    assert len(gaps[CONGLUAN]) == 4 and gaps[CONGLUAN][0] >= 0.28 and min(gaps[CONGLUAN][1:]) >= 0.48


def test_unreadable_robots_txt_leaves_the_host_alone_for_the_run(crawl_env: CrawlEnv, site: Site) -> None:
    assert crawl_env.crawl(("haiquan",), max_pages=1).total("new") == 1  # 3 more pages wait
    site.route(HAIQUAN, "/robots.txt", [Reply(status=503)])
    before = len(crawl_env.server.requests)
    summary = crawl_env.crawl(("haiquan", "congluan"))
    during = crawl_env.server.requests[before:]
    # Not even the feeds are read; the pages waiting are neither fetched nor counted as failures.
    assert {r.path for r in during if r.host == HAIQUAN} == {"/robots.txt"}
    assert (summary.tallies["haiquan"].fetched, summary.tallies["haiquan"].failed) == (0, 0)
    assert summary.tallies["congluan"].new == 4
    assert crawl_env.query(
        "SELECT count(*), sum(consecutive_failures) FROM pages WHERE url LIKE '%haiquan%' AND last_fetched_at IS NULL"
    ) == [(3, 0)]
    assert crawl_env.query("SELECT DISTINCT last_error FROM sources WHERE url LIKE '%haiquan%'") == [
        ("robots",)
    ]
    site.route(HAIQUAN, "/robots.txt", [Reply(status=404)])
    after = crawl_env.crawl(("haiquan",))  # the next run continues: 2 stories and the copy of congluan's
    assert (after.total("new"), after.total("duplicate"), after.total("failed")) == (2, 1, 0)


def test_recheck_makes_a_new_version_or_sees_no_change(crawl_env: CrawlEnv, site: Site) -> None:
    crawl_env.configure({"recheck_window_hours": 48.0, "recheck_interval_minutes": 0.001})
    changed, same, old = site.congluan_articles[1], site.congluan_articles[0], site.congluan_articles[2]
    stamp = format_datetime(site.now, usegmt=True)
    site.serve_article(changed, site.pages[changed], "congluan", etag='"v1"', last_modified=stamp)
    site.serve_article(same, site.pages[same], "congluan", etag='"same"')
    first = crawl_env.crawl(("congluan",))
    assert first.total("new") == 4
    # The archive keeps whole seconds (the fetch time and "now - interval" both truncated): a 0.06 s
    # interval has passed on its clock two seconds after the fetch's second began.
    time.sleep(math.floor(time.time()) + 2.05 - time.time())
    update = article_html("congluan", "Bài số 2 (cập nhật):", changed)
    site.serve_article(changed, update, "congluan", etag='"v2"')

    second = crawl_env.crawl(("congluan",))
    assert (second.total("versions"), second.total("unchanged"), second.total("new")) == (1, 2, 0)
    recheck = site.requests(changed)[-1]
    assert recheck.headers["if-none-match"] == '"v1"' and recheck.headers["if-modified-since"] == stamp
    ((new_id, old_id),) = crawl_env.query(
        "SELECT id, supersedes_id FROM articles WHERE supersedes_id IS NOT NULL"
    )
    assert crawl_env.query(f"SELECT article_id FROM pages WHERE url = '{changed}'") == [(new_id,)]
    latest = {i for (i,) in crawl_env.query("SELECT id FROM latest_articles")}
    assert new_id in latest and old_id not in latest
    outcomes = crawl_env.query(f"SELECT outcome, http_status FROM fetch_log WHERE url = '{same}' ORDER BY id")
    assert outcomes == [("new", 200), ("unchanged", 304)]
    assert len(site.requests(old)) == 1  # listed two months ago: outside the re-check window
