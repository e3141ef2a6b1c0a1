"""An outlet with no feed or sitemap (Soha) crawled from its home page's article links."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from scraper.config import parse_config
from scraper.crawl import Crawler, CrawlSummary, interruptible_sleep
from scraper.fetch import Fetcher
from scraper.outlets import all_outlets, get_outlet
from storage.archive import Archive
from tests.httpserver import Reply, ScriptedServer

SAVED = "soha.vn/article-2026-07-20-oto-boc-chay-via-he-tphcm-198260720023243246.html"
SAVED_URL = "https://soha.vn/clip-o-to-bat-ngo-boc-chay-tren-via-he-tphcm-198260720023243246.htm"
FIRST_WORDS = "V&agrave;o kho&#7843;ng 18h"  # opens the body (as entities): each copy gets its own text
HTML = {"Content-Type": "text/html; charset=utf-8"}
ARTICLES = [f"/bai-kiem-thu-so-{n}-19826072000000000{n}.htm" for n in (1, 2)]


def home_page() -> bytes:
    links = [
        *(f'<a href="{path}">Bài {n}</a>' for n, path in enumerate(ARTICLES, 1)),
        f'<a href="https://soha.vn{ARTICLES[0]}#binh-luan">the first again, to its comments</a>',
        '<a href="/video.htm">a section</a>',
        '<a href="https://genk.vn/mot-bai-165260716163514059.chn">another outlet</a>',
    ]
    return f"<html><body><h1>Soha</h1>{''.join(links)}</body></html>".encode()


def crawl(config_path: Path, db: Path) -> CrawlSummary:
    config = parse_config(config_path.read_text(encoding="utf-8"), config_path.parent)
    stop = threading.Event()
    archive = Archive.open(db)
    try:
        with Fetcher(config.fetch, sleep=interruptible_sleep(stop)) as fetcher:
            return Crawler(config, archive, fetcher, [get_outlet("soha")], stop=stop).run()
    finally:
        archive.close()


def test_home_page_links_are_discovered_and_archived(
    http_server: ScriptedServer, shared_pages: Path, tmp_path: Path
) -> None:
    saved = (shared_pages / SAVED).read_text(encoding="utf-8")
    for n, path in enumerate(ARTICLES, 1):
        assert saved.count(FIRST_WORDS) == 1
        page = saved.replace(SAVED_URL, f"https://soha.vn{path}").replace(
            FIRST_WORDS, f"Bài số {n}: {FIRST_WORDS}"
        )
        http_server.route(path, Reply(body=page.encode(), headers=HTML))
    http_server.route("/", Reply(body=home_page(), headers=HTML))
    http_server.route("/robots.txt", Reply(status=404))
    disabled = "".join(f"[outlets.{o.key}]\nenabled = false\n" for o in all_outlets() if o.key != "soha")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[fetch]\ntimeout = 2.0\n[fetch.connect_to]\n"soha.vn" = "{http_server.url("/").rstrip("/")}"\n'
        f"[crawl]\nmin_delay = 0.0\n[outlets.soha]\nenabled = true\n{disabled}"
    )
    db = tmp_path / "archive.sqlite3"

    first = crawl(config, db)
    assert (first.total("discovered"), first.total("new"), first.total("failed")) == (2, 2, 0)
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT url, kind, urls_found FROM sources").fetchall() == [
            ("https://soha.vn/", "listing", 4)  # its distinct links; the article-URL pattern keeps two
        ]
        urls = {url for (url,) in connection.execute("SELECT url FROM sightings")}
    assert urls == {f"https://soha.vn{path}" for path in ARTICLES}

    second = crawl(config, db)  # the home page is read again; its links are known and not fetched again
    assert (second.total("discovered"), second.total("fetched")) == (0, 0)
    assert len(http_server.requests_to("/")) == 2
    assert all(len(http_server.requests_to(path)) == 1 for path in ARTICLES)
