"""One `vnnews crawl` of the stand-in with every fault listed in a feed, then a rerun; one test per concern."""

from __future__ import annotations

import re
import resource
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.crawl.conftest import HOSTS, VOV, CrawlEnv, Run, Site, pages_dir
from tests.httpserver import ScriptedServer

SUMMARY = re.compile(
    r"^crawl ok: congluan, haiquan, vov: (\d+) discovered, (\d+) fetched, (\d+) new, (\d+) duplicate, "
    r"(\d+) versions, (\d+) unchanged, (\d+) failed in \d+\.\d+s$"
)


@dataclass
class FaultCrawl:
    env: CrawlEnv
    first: Run
    first_db: Path  # the archive as the first crawl left it
    first_requests: int  # how many requests the server had seen when the first crawl ended
    rerun: Run

    @property
    def site(self) -> Site:
        return self.env.site

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return self.env.query(sql, self.first_db)


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultCrawl]:
    pages_dir()
    tmp = tmp_path_factory.mktemp("faults")
    with ScriptedServer() as server:
        env = CrawlEnv(Site(server, faults=True), tmp / "config.toml", tmp / "archive.sqlite3")
        env.configure({"recheck_window_hours": 0.0})  # no re-checks: a rerun must fetch no article
        try:
            first = env.run("crawl")
            first_requests = len(server.requests)
            first_db = tmp / "first.sqlite3"
            source, copy = sqlite3.connect(env.db), sqlite3.connect(first_db)
            try:
                source.backup(copy)
            finally:
                source.close()
                copy.close()
            rerun = env.run("crawl")
            yield FaultCrawl(env, first, first_db, first_requests, rerun)
        finally:
            env.close()


def test_crawl_exits_0_with_one_summary_line_and_a_crawl_run(faults: FaultCrawl) -> None:
    assert faults.first.code == 0, faults.first.err
    match = SUMMARY.match(faults.first.out.strip())
    assert match, faults.first.out
    # 13 stand-in articles (one of them a copy) + 11 fault URLs; 19 pages answered with an article
    # (18 stories, 1 cross-outlet duplicate); 5 failed (timeout, too large, redirect loop, robots, 404).
    assert [int(n) for n in match.groups()] == [24, 19, 18, 1, 0, 0, 5]
    assert faults.first.out.count("\n") == 1
    assert faults.query(
        "SELECT outcome, discovered, fetched, new, duplicate, versions, unchanged, failed, "
        "finished_at IS NOT NULL, message FROM crawl_runs"
    ) == [("ok", 24, 19, 18, 1, 0, 0, 5, 1, faults.first.out.strip())]


def test_every_recoverable_page_is_archived_exactly_once(faults: FaultCrawl) -> None:
    site = faults.site
    assert {h for (h,) in faults.query("SELECT content_hash FROM articles")} == set(site.expected.values())
    assert faults.query("SELECT count(*) FROM articles") == [(18,)]
    for url, expected in site.expected.items():
        assert faults.query(
            f"SELECT a.content_hash FROM pages p JOIN articles a ON a.id = p.article_id WHERE p.url = '{url}'"
        ) == [(expected,)], url
        assert faults.query(f"SELECT outcome FROM fetch_log WHERE url = '{url}'") in (
            [("new",)],
            [("duplicate",)],
        )
    # One sighting per URL: 19 pages with an article.
    assert faults.query("SELECT count(*), count(DISTINCT url) FROM sightings") == [(19, 19)]


def test_a_story_republished_by_another_outlet_is_one_article_seen_twice(faults: FaultCrawl) -> None:
    site = faults.site
    original, copy = site.congluan_articles[0], site.copy_url
    rows = faults.query(
        "SELECT s.url, o.key FROM sightings s JOIN outlets o ON o.id = s.outlet_id "
        f"WHERE s.article_id = (SELECT article_id FROM pages WHERE url = '{original}') ORDER BY o.key"
    )
    assert rows == [(original, "congluan"), (copy, "haiquan")]
    # Whichever was fetched first is new, the other a duplicate.
    assert faults.query(
        f"SELECT outcome FROM fetch_log WHERE url IN ('{original}', '{copy}') ORDER BY outcome"
    ) == [("duplicate",), ("new",)]


def test_transient_failures_are_retried_then_archived(faults: FaultCrawl) -> None:
    site = faults.site
    for fault in ("500", "429", "reset", "truncated", "wrong-charset", "no-charset"):
        url = site.recoverable[fault]
        expected_requests = 1 if "charset" in fault else 2
        assert len(site.requests(url)) == expected_requests, fault
    first, second = site.requests(site.recoverable["429"])
    assert second.started - first.started >= 0.95  # Retry-After: 1 honoured


def test_a_mislabelled_or_unlabelled_charset_still_gives_the_right_text(faults: FaultCrawl) -> None:
    for fault, number in (("wrong-charset", 205), ("no-charset", 206)):
        url = faults.site.recoverable[fault]
        ((title, body),) = faults.query(
            f"SELECT a.title, a.body FROM articles a JOIN pages p ON p.article_id = a.id WHERE p.url = '{url}'"
        )
        assert title == "Argentina đối diện án phạt từ FIFA sau khi vào chung kết World Cup 2026", fault
        assert f"Bài số {number}: Mối duyên nợ giữa Argentina và Anh" in str(body), fault


def test_every_other_page_is_recorded_with_its_reason(faults: FaultCrawl) -> None:
    site = faults.site
    for reason, url in site.failing.items():
        assert faults.query(
            f"SELECT last_error, article_id, consecutive_failures FROM pages WHERE url = '{url}'"
        ) == [(reason, None, 1)], reason
        assert faults.query(f"SELECT outcome, reason FROM fetch_log WHERE url = '{url}'") == [
            ("failed", reason)
        ], reason
    assert len(site.requests(site.failing["timeout"])) == 3  # fetch.attempts
    assert len(site.requests(site.failing["too-large"])) == 1  # not worth retrying
    assert len(site.requests(site.failing["http-404"])) == 1
    assert faults.query(f"SELECT last_status FROM pages WHERE url = '{site.failing['http-404']}'") == [(404,)]
    assert site.requests(site.failing["robots"]) == []  # never asked for, robots.txt disallows it


def test_broken_feeds_are_recorded_and_the_crawl_goes_on(faults: FaultCrawl) -> None:
    sources = dict(faults.query("SELECT url, last_error FROM sources"))
    assert sources["https://vov.vn/rss/kinh-te.rss"] == "bad-feed"  # malformed XML
    assert sources["https://vov.vn/rss/suc-khoe.rss"] == "bad-feed"  # billion laughs
    assert faults.query("SELECT last_error_message FROM sources WHERE url LIKE '%suc-khoe%'")[0][0].endswith(
        "declares entities; refused"
    )
    assert sources["https://vov.vn/rss/vov.rss"] == "http-404"  # not served
    assert (
        sources["https://vov.vn/rss/home.rss"] is None and sources["https://vov.vn/rss/the-thao.rss"] is None
    )
    # The entity expansion never happened: no crawl process grew anywhere near its size.
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 400_000  # KiB


def test_sitemaps_newest_three_children_and_the_current_month(faults: FaultCrawl) -> None:
    site = faults.site
    kinds = dict(faults.query("SELECT url, kind FROM sources WHERE url LIKE '%sitemap%'"))
    assert kinds.pop("https://vov.vn/sitemap.xml") == "sitemap-index"
    assert site.current_month in kinds and site.oldest_child not in kinds
    assert set(kinds.values()) == {"sitemap"} and len(kinds) == 4
    assert site.requests(site.oldest_child) == []
    assert site.requests(site.never_listed) == []
    assert faults.query(f"SELECT count(*) FROM pages WHERE url = '{site.never_listed}'") == [(0,)]
    for url in site.vov_articles:  # from the feed, the newest child and the current month's sitemap
        assert len(site.requests(url)) == 1


def test_requests_name_vnnews_and_the_contact(faults: FaultCrawl) -> None:
    agents = {r.user_agent for r in faults.env.server.requests}
    assert len(agents) == 1
    (agent,) = agents
    assert agent.startswith("vnnews/") and "tests@vnnews.invalid" in agent
    assert faults.site.hosts_seen() == set(HOSTS)


def test_rerun_adds_nothing_and_asks_feeds_conditionally(faults: FaultCrawl) -> None:
    env, site = faults.env, faults.site
    assert faults.rerun.code == 0, faults.rerun.err
    match = SUMMARY.match(faults.rerun.out.strip())
    assert match and [int(n) for n in match.groups()] == [0, 0, 0, 0, 0, 0, 0]
    assert env.hashes() == set(site.expected.values())
    assert env.scalar("SELECT count(*) FROM sightings") == 19
    second = env.server.requests[faults.first_requests :]
    assert second, "the rerun made no request at all"
    article_urls = set(site.pages) | set(site.failing.values())
    for request in second:
        url = f"https://{request.host}{request.path}"
        assert url not in article_urls, f"{url} fetched again"
        if request.path not in ("/robots.txt", "/sitemap.xml"):
            assert (
                "if-none-match" in request.headers
                or not faults.query(f"SELECT etag FROM sources WHERE url = '{url}'")[0][0]
            ), url
    # The sitemap index is read in full every run (its children can change while it stays the same); every
    # other feed and sitemap, its children included, is asked conditionally and answered 304.
    index = f"https://{VOV}/sitemap.xml"
    statuses = dict(env.query("SELECT url, last_status FROM sources WHERE last_error IS NULL"))
    children = {url for url in statuses if "/sitemaps/" in url and url != site.current_month}
    assert len(statuses) == 10 and len(children) == 3
    assert statuses.pop(index) == 200
    assert statuses == dict.fromkeys(statuses, 304)
    assert all(len(site.requests(url)) == 2 for url in children)
    assert sum(r.path == "/robots.txt" and r.host == VOV for r in second) == 1  # once per host per run
