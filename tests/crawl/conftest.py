"""A stand-in for the three seed outlets on one ScriptedServer, and ways to crawl it.

``Site`` serves vov.vn, congluan.vn and haiquanonline.com.vn (all mapped to the server through
``[fetch.connect_to]``, so requests arrive with the outlet's Host header): robots.txt per host, RSS feeds and
VOV's sitemaps (answering 304 to a matching If-None-Match), and article pages built from the saved pages in
../shared/pages, each made distinct by a "Bài số N:" marker in its body. ``CrawlEnv`` runs `vnnews crawl`
through the installed entry point, or a ``Crawler`` in-process, against it.
"""

from __future__ import annotations

import html as html_lib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from scraper.config import Config, parse_config
from scraper.crawl import Crawler, CrawlSummary, interruptible_sleep
from scraper.dates import VIETNAM
from scraper.fetch import Fetcher
from scraper.outlets import all_outlets, get_outlet
from storage.archive import Archive
from tests.conftest import SHARED_PAGES
from tests.httpserver import RecordedRequest, Reply, ScriptedServer

VNNEWS = Path(sys.executable).with_name("vnnews")
VOV, CONGLUAN, HAIQUAN = "vov.vn", "congluan.vn", "haiquanonline.com.vn"
HOSTS = (VOV, CONGLUAN, HAIQUAN)
KEYS = ("vov", "congluan", "haiquan")
HOST_OF = dict(zip(KEYS, HOSTS, strict=True))


@dataclass(frozen=True)
class Template:
    file: str
    url: str  # the page's own address, which its <link rel=canonical> (and og:url) name
    phrase: str  # opens a body paragraph; "Bài số N: " goes in front of it


TEMPLATES = {
    "vov": Template(
        "vov.vn/article-2026-07-16-argentina-fifa-post1315698.html",
        "https://vov.vn/the-thao/argentina-doi-dien-an-phat-tu-fifa-sau-khi-vao-chung-ket-world-cup-2026-post1315698.vov",
        "Mối duyên nợ giữa Argentina",
    ),
    "congluan": Template(
        "congluan.vn/nhat-ban-han-quoc-dam-phan-han-gan-quan-he-post-reconstructed.html",
        "https://congluan.vn/nhat-ban-va-han-quoc-dam-phan-han-gan-quan-he-song-phuong-post116742.html",
        "Các cuộc đàm phán được tổ chức",
    ),
    "haiquan": Template(
        "haiquanonline.com.vn/nhat-ban-va-han-quoc-tham-van-an-ninh-lan-dau-tien-sau-5-nam-reconstructed.html",
        "https://haiquanonline.com.vn/nhat-ban-va-han-quoc-tham-van-an-ninh-lan-dau-tien-sau-5-nam-170462.html",
        "Các cuộc tham vấn an ninh song phương",
    ),
}
_META_CHARSET = re.compile(r"<meta charset=\"utf-8\"\s*/?>")
_HAIQUAN_BODY = re.compile(r'(<div id="__MB_MASTERCMS_EL_3">).*?(</div>)', re.DOTALL)


def pages_dir() -> Path:
    if not SHARED_PAGES.is_dir():
        pytest.skip(f"reference pages not found at {SHARED_PAGES}; ../shared is present in CI")
    return SHARED_PAGES


@cache
def _template_text(key: str) -> str:
    return (pages_dir() / TEMPLATES[key].file).read_text(encoding="utf-8")


def article_url(key: str, number: int, section: str = "bai") -> str:
    """A URL matching outlet ``key``'s article pattern."""
    slug = f"{section}/bai-kiem-thu-so-{number}"
    return {
        "vov": f"https://vov.vn/{slug}-post{9_100_000 + number}.vov",
        "congluan": f"https://congluan.vn/{slug}-post{200_000 + number}.html",
        "haiquan": f"https://haiquanonline.com.vn/{slug}-{300_000 + number}.html",
    }[key]


def article_html(key: str, marker: str, url: str, *, charset_meta: bool = True) -> str:
    """The saved page of outlet ``key`` served at ``url``: its canonical URL moved there, ``marker`` in its body."""
    template = TEMPLATES[key]
    text = _template_text(key)
    assert text.count(template.phrase) == 1
    text = text.replace(template.url, url).replace(template.phrase, f"{marker} {template.phrase}")
    if not charset_meta:
        text, found = _META_CHARSET.subn("", text)
        assert found == 1
    return text


def haiquan_copy_of(paragraphs: Sequence[str], url: str) -> str:
    """A haiquan page whose body is ``paragraphs``: another outlet's story republished."""
    body = "".join(f"<p>{html_lib.escape(p, quote=False)}</p>" for p in paragraphs)
    text = _template_text("haiquan").replace(TEMPLATES["haiquan"].url, url)
    text, found = _HAIQUAN_BODY.subn(lambda m: m.group(1) + body + m.group(2), text)
    assert found == 1
    return text


def content_hash_of(key: str, page: str, url: str) -> str:
    return get_outlet(key).extract(page, url).content_hash


def rss(items: Sequence[tuple[str, datetime | None]]) -> bytes:
    entries = "".join(
        f"<item><title>Tin {n}</title><link>{html_lib.escape(url)}</link>"
        + (f"<pubDate>{format_datetime(when)}</pubDate>" if when else "")
        + "</item>"
        for n, (url, when) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin mới</title>'
        f"<link>https://example.invalid/</link><description>Tin</description>{entries}</channel></rss>"
    ).encode()


def sitemap_index(children: Sequence[tuple[str, datetime]]) -> bytes:
    entries = "".join(
        f"<sitemap><loc>{url}</loc><lastmod>{when.isoformat()}</lastmod></sitemap>" for url, when in children
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
    ).encode()


def urlset(items: Sequence[tuple[str, datetime]]) -> bytes:
    entries = "".join(
        f"<url><loc>{url}</loc><news:news><news:publication_date>{when.isoformat()}"
        "</news:publication_date></news:news></url>"
        for url, when in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{entries}</urlset>'
    ).encode()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b']>\n<rss version="2.0"><channel><title>&lol9;</title><item><link>https://vov.vn/x-post1.vov</link>'
    b"</item></channel></rss>"
)
MALFORMED_FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><item><link>https://vov.vn/a/b-post1.vov</link></ite'
)


def months_back(now: datetime, count: int) -> list[tuple[int, int]]:
    """(year, month) of the ``count`` months before the current one in Vietnam, newest first."""
    today = now.astimezone(VIETNAM)
    year, month, out = today.year, today.month, []
    for _ in range(count):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        out.append((year, month))
    return out


Route = list[Reply] | Callable[[RecordedRequest], Reply]


class Site:
    """The three outlets on one server, routed by Host header and path."""

    def __init__(self, server: ScriptedServer, *, faults: bool = False) -> None:
        self.server = server
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.article_delay = 0.0  # seconds before every article page's reply (tests that need time)
        self.crawl_delay: float | None = None  # robots.txt Crawl-delay of congluan.vn
        self._routes: dict[tuple[str, str], Route] = {}
        self._lock = threading.Lock()
        self.pages: dict[str, str] = {}  # article URL → HTML served there
        self.expected: dict[str, str] = {}  # URL of a page that must be archived → its content hash
        self.old_urls: set[str] = set()  # listed with a date before ``since`` (for --since)
        self._build(faults)

    # --- content --------------------------------------------------------------------------------------

    def _build(self, faults: bool) -> None:
        recent = [self.now - timedelta(minutes=n) for n in range(10)]
        self.robots(VOV, "User-agent: *\nDisallow: /private/\n")
        self.route(CONGLUAN, "/robots.txt", self._congluan_robots)
        # haiquanonline.com.vn has no robots.txt (404): everything is allowed.

        vov = [self.article("vov", n) for n in range(1, 6)]
        self.vov_articles = vov
        self.feed(VOV, "/rss/home.rss", [(vov[0], recent[1]), (vov[1], recent[2]), (vov[2], recent[3])])
        months = months_back(self.now, 4)
        child = [f"https://vov.vn/sitemaps/{y}/{m}/article.xml" for y, m in months]
        self.xml(
            VOV,
            "/sitemap.xml",
            sitemap_index([(c, self.now - timedelta(days=31 * n)) for n, c in enumerate(child, 1)]),
        )
        self.xml(VOV, _path(child[0]), urlset([(vov[2], recent[3]), (vov[3], recent[4])]))
        self.xml(VOV, _path(child[1]), urlset([]))
        self.xml(VOV, _path(child[2]), urlset([]))
        self.never_listed = self.article("vov", 99)  # only in the oldest child, which is not read
        self.oldest_child = child[3]
        self.xml(VOV, _path(child[3]), urlset([(self.never_listed, self.now - timedelta(days=120))]))
        self.expected.pop(self.never_listed)
        today = self.now.astimezone(VIETNAM)
        self.current_month = f"https://vov.vn/sitemaps/{today.year}/{today.month}/article.xml"
        self.xml(VOV, _path(self.current_month), urlset([(vov[4], recent[5])]))

        congluan = [self.article("congluan", n) for n in range(1, 5)]
        self.congluan_articles = congluan
        old = self.now - timedelta(days=60)
        self.old_urls.add(congluan[2])
        self.feed(
            CONGLUAN,
            "/rss/kinh-te.rss",
            [(congluan[0], recent[1]), (congluan[1], recent[2]), (congluan[2], old), (congluan[3], None)],
        )

        haiquan = [self.article("haiquan", n) for n in range(1, 4)]
        self.haiquan_articles = haiquan
        self.feed(HAIQUAN, "/rss/home.rss", [(url, recent[n + 1]) for n, url in enumerate(haiquan)])
        # The first Công luận story republished by Hải quan: one article, two sightings.
        self.copy_url = article_url("haiquan", 50, "the-gioi")
        original = get_outlet("congluan").extract(self.pages[congluan[0]], congluan[0])
        self.serve_article(self.copy_url, haiquan_copy_of(original.body, self.copy_url), "haiquan")
        assert self.expected[self.copy_url] == self.expected[congluan[0]]
        self.feed(HAIQUAN, "/rss/hai-quan-c4.rss", [(self.copy_url, recent[2])])
        if faults:
            self._build_faults(recent[0])

    def _build_faults(self, when: datetime) -> None:
        """Every way a page can fail, each listed in VOV's /rss/the-thao.rss; two broken feeds."""
        page = self.fault_page
        self.recoverable = {
            "500": page(1, [Reply(status=500)]),
            "429": page(2, [Reply(status=429, headers={"Retry-After": "1"})]),
            "reset": page(3, [Reply(reset=True)]),
            # Cut short after 100 kB (announcing a length still under max_bytes), then whole.
            "truncated": page(4, lambda body: [Reply(body=body[:100_000], truncate=True, headers=_HTML)]),
            "wrong-charset": page(5, [], content_type="text/html; charset=iso-8859-1", charset_meta=False),
            "no-charset": page(6, [], content_type="text/html", charset_meta=False),
        }
        loop_a, loop_b = article_url("vov", 209, "loi"), article_url("vov", 210, "loi")
        self.failing = {
            "timeout": self.fault_url(7, [Reply(delay=1.6, body=b"<html></html>", headers=_HTML)]),
            "too-large": self.fault_url(8, [Reply(body=b"<html>" + b"x" * 500_000, headers=_HTML)]),
            "too-many-redirects": loop_a,
            "robots": "https://vov.vn/private/bai-mat-post9100211.vov",
            "http-404": self.fault_url(12, [Reply(status=404, body=b"not found")]),
        }
        self.route(VOV, _path(loop_a), [_redirect(loop_b)])
        self.route(VOV, _path(loop_b), [_redirect(loop_a)])
        self.route(VOV, _path(self.failing["robots"]), [Reply(body=b"<html></html>", headers=_HTML)])
        listed = [*self.recoverable.values(), *self.failing.values()]
        self.feed(VOV, "/rss/the-thao.rss", [(url, when) for url in listed])
        self.xml(VOV, "/rss/kinh-te.rss", MALFORMED_FEED)
        self.xml(VOV, "/rss/suc-khoe.rss", BILLION_LAUGHS)

    def fault_page(
        self,
        number: int,
        before: list[Reply] | Callable[[bytes], list[Reply]],
        *,
        content_type: str = "text/html; charset=utf-8",
        charset_meta: bool = True,
    ) -> str:
        """A VOV page that answers ``before`` first, then itself (archived once in the end)."""
        url = article_url("vov", 200 + number, "loi")
        text = article_html("vov", f"Bài số {200 + number}:", url, charset_meta=charset_meta)
        self.pages[url] = text
        self.expected[url] = content_hash_of("vov", text, url)
        body = text.encode()
        first = before(body) if callable(before) else before
        self.route(VOV, _path(url), [*first, Reply(body=body, headers={"Content-Type": content_type})])
        return url

    def fault_url(self, number: int, replies: list[Reply]) -> str:
        url = article_url("vov", 200 + number, "loi")
        self.route(VOV, _path(url), replies)
        return url

    def article(self, key: str, number: int) -> str:
        url = article_url(key, number)
        self.serve_article(url, article_html(key, f"Bài số {number}:", url), key)
        return url

    def serve_article(
        self, url: str, text: str, key: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> None:
        """Serve ``text`` at ``url`` after ``article_delay``; with validators, 304 to a conditional GET."""
        self.pages[url] = text
        self.expected[url] = content_hash_of(key, text, url)
        body = text.encode()
        validators = {
            name: value for name, value in (("ETag", etag), ("Last-Modified", last_modified)) if value
        }

        def answer(request: RecordedRequest) -> Reply:
            if (etag and request.headers.get("if-none-match") == etag) or (
                last_modified and request.headers.get("if-modified-since") == last_modified
            ):
                return Reply(status=304, headers=validators, delay=self.article_delay)
            return Reply(body=body, headers={**_HTML, **validators}, delay=self.article_delay)

        self.route(HOST_OF[key], _path(url), answer)

    def robots(self, host: str, text: str) -> None:
        self.route(host, "/robots.txt", [Reply(body=text.encode(), headers={"Content-Type": "text/plain"})])

    def _congluan_robots(self, request: RecordedRequest) -> Reply:
        delay = f"Crawl-delay: {self.crawl_delay}\n" if self.crawl_delay is not None else ""
        return Reply(
            body=f"User-agent: *\n{delay}Allow: /\n".encode(), headers={"Content-Type": "text/plain"}
        )

    def feed(self, host: str, path: str, items: Sequence[tuple[str, datetime | None]]) -> None:
        self.xml(host, path, rss(items), "application/rss+xml; charset=utf-8")

    def xml(self, host: str, path: str, body: bytes, content_type: str = "application/xml") -> None:
        """A feed or sitemap with an ETag, answering 304 Not Modified to a matching If-None-Match."""
        etag = f'"{abs(hash((host, path, body)))}"'

        def answer(request: RecordedRequest) -> Reply:
            if request.headers.get("if-none-match") == etag:
                return Reply(status=304, headers={"ETag": etag})
            return Reply(body=body, headers={"Content-Type": content_type, "ETag": etag})

        self.route(host, path, answer)

    # --- routing -------------------------------------------------------------------------------------

    def route(self, host: str, path: str, responses: Route) -> None:
        with self._lock:
            if not any(p == path for _, p in self._routes):
                self.server.route(path, self._dispatch)
            self._routes[(host, path)] = responses

    def _dispatch(self, request: RecordedRequest) -> Reply:
        with self._lock:
            script = self._routes.get((request.host, request.path.split("?", 1)[0]))
            if script is None:
                return Reply(status=404, body=b"not found", headers={"Content-Type": "text/plain"})
            if callable(script):
                responder = script
            else:
                return script.pop(0) if len(script) > 1 else script[0]
        return responder(request)

    # --- what the server saw --------------------------------------------------------------------------

    def requests(self, url: str) -> list[RecordedRequest]:
        """Requests for ``url`` (host and path)."""
        host, path = _host(url), _path(url)
        return [r for r in list(self.server.requests) if r.host == host and r.path.split("?", 1)[0] == path]

    def hosts_seen(self) -> set[str]:
        return {r.host for r in list(self.server.requests)}


_HTML = {"Content-Type": "text/html; charset=utf-8"}


def _redirect(location: str) -> Reply:
    return Reply(status=302, headers={"Location": location, "Content-Type": "text/html"})


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _host(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[0]


# --- configuration and running ---------------------------------------------------------------------------


def config_text(origin: str, crawl: dict[str, Any] | None = None, outlets: str = "") -> str:
    """A config.toml: tiny timeouts, the three hosts mapped to ``origin``, every other outlet disabled."""
    settings = {"workers": 8, "per_host_concurrency": 2, "min_delay": 0.0, **(crawl or {})}
    others = "".join(f"[outlets.{o.key}]\nenabled = false\n" for o in all_outlets() if o.key not in KEYS)
    return (
        "[fetch]\ntimeout = 1.0\nconnect_timeout = 1.0\nattempts = 3\nbackoff_initial = 0.01\n"
        "backoff_max = 0.05\nretry_after_max = 5.0\nmax_bytes = 400000\n"
        'contact = "tests@vnnews.invalid"\n'
        "[fetch.connect_to]\n"
        + "".join(f'"{host}" = "{origin}"\n' for host in HOSTS)
        + "[crawl]\n"
        + "".join(f"{key} = {_toml(value)}\n" for key, value in settings.items())
        + others
        + outlets
    )


def _toml(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else repr(value)


@dataclass
class Run:
    code: int
    out: str
    err: str
    elapsed: float


@dataclass
class CrawlEnv:
    """One archive, one config, one stand-in server."""

    site: Site
    config_path: Path
    db: Path
    _procs: list[subprocess.Popen[str]] = field(default_factory=list)

    @property
    def server(self) -> ScriptedServer:
        return self.site.server

    def configure(self, crawl: dict[str, Any] | None = None, outlets: str = "") -> None:
        self.config_path.write_text(config_text(self.site.server.url("/").rstrip("/"), crawl, outlets))

    @property
    def config(self) -> Config:
        return parse_config(self.config_path.read_text(encoding="utf-8"), self.config_path.parent)

    def command(self, *args: str, db: Path | None = None) -> list[str]:
        return [str(VNNEWS), "--config", str(self.config_path), "--db", str(db or self.db), *args]

    def run(self, *args: str, db: Path | None = None, timeout: float = 60) -> Run:
        started = time.monotonic()
        done = subprocess.run(
            self.command(*args, db=db), capture_output=True, text=True, env=_env(), timeout=timeout
        )
        return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - started)

    def start(self, *args: str, db: Path | None = None) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            self.command(*args, db=db),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        self._procs.append(proc)
        return proc

    def finish(self, proc: subprocess.Popen[str], timeout: float = 30) -> Run:
        started = time.monotonic()
        out, err = proc.communicate(timeout=timeout)
        return Run(proc.returncode, out, err, time.monotonic() - started)

    def crawl(self, keys: Sequence[str] = KEYS, **kwargs: Any) -> CrawlSummary:
        """A crawl in this process (Crawler directly, wired as cli.py does), on this env's archive."""
        config, stop = self.config, threading.Event()
        outlets = [get_outlet(key) for key in keys]
        archive = Archive.open(str(self.db))
        try:
            with Fetcher(config.fetch, sleep=interruptible_sleep(stop)) as fetcher:
                return Crawler(config, archive, fetcher, outlets, stop=stop, **kwargs).run()
        finally:
            archive.close()

    def query(self, sql: str, db: Path | None = None) -> list[tuple[Any, ...]]:
        connection = sqlite3.connect(db or self.db, timeout=10)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    def scalar(self, sql: str, db: Path | None = None) -> Any:
        return self.query(sql, db)[0][0]

    def wait_until(self, sql: str, predicate: Callable[[Any], bool], timeout: float = 20) -> Any:
        """Poll ``sql`` (a scalar) until ``predicate`` holds; the archive may not exist yet."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = self.scalar(sql) if self.db.exists() else None
            except sqlite3.OperationalError:  # no tables yet, or locked for a moment
                value = None
            if value is not None and predicate(value):
                return value
            time.sleep(0.01)
        raise AssertionError(f"timed out waiting on {sql!r}")

    def hashes(self, db: Path | None = None) -> set[str]:
        return {h for (h,) in self.query("SELECT content_hash FROM articles", db)}

    def close(self) -> None:
        for proc in self._procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.communicate()


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("VNNEWS_")}


@pytest.fixture
def site(http_server: ScriptedServer) -> Site:
    pages_dir()
    return Site(http_server)


@pytest.fixture
def crawl_env(site: Site, tmp_path: Path) -> Iterator[CrawlEnv]:
    env = CrawlEnv(site, tmp_path / "config.toml", tmp_path / "archive.sqlite3")
    env.configure()
    yield env
    env.close()
