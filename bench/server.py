"""A fast local stand-in for vov.vn: asyncio, raw HTTP/1.1 with keep-alive, synthetic pages.

Serves robots.txt (everything allowed), VOV's feeds (home.rss lists the newest 50 articles, the others are
empty), its sitemap index (empty) and this month's sitemap listing ``--articles`` article URLs, and each
article page (``bench.synthetic.VovPages``, ~130 KB). Anything else is 404. Every answer has a
Content-Length and keeps the connection open. Run it in its own process, so that its CPU is not the
crawl's: it prints its port on the first line of stdout, then serves until stdin closes or it is killed.

    .venv/bin/python -m bench.server --articles 10000
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections.abc import Callable

from bench.synthetic import VovPages, rss, urlset, vov_article_url

_ARTICLE = re.compile(r"^/xa-hoi/bai-tong-hop-so-(\d+)-post\d+\.vov$")
_REASONS = {200: "OK", 404: "Not Found"}


class Site:
    """Path → (status, content type, body)."""

    def __init__(self, articles: int) -> None:
        self.articles = articles
        self.pages = VovPages()
        urls = [vov_article_url(n) for n in range(articles)]
        self.fixed: dict[str, tuple[int, str, bytes]] = {
            "/robots.txt": (200, "text/plain", b"User-agent: *\nAllow: /\n"),
            "/rss/home.rss": (200, "application/rss+xml; charset=utf-8", rss(urls[-50:])),
            "/sitemap.xml": (200, "application/xml", _empty_index()),
        }
        self.sitemap = urlset(urls)
        self.empty_feed = rss([])

    def answer(self, path: str) -> tuple[int, str, bytes]:
        if path in self.fixed:
            return self.fixed[path]
        if path.startswith("/sitemaps/"):
            return 200, "application/xml", self.sitemap
        if path.startswith("/rss/"):
            return 200, "application/rss+xml; charset=utf-8", self.empty_feed
        match = _ARTICLE.match(path)
        if match and int(match.group(1)) < self.articles:
            return 200, "text/html; charset=utf-8", self.pages.page(int(match.group(1)))
        return 404, "text/plain", b"not found"


def _empty_index() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></sitemapindex>'
    )


class Connection(asyncio.Protocol):
    def __init__(self, answer: Callable[[str], tuple[int, str, bytes]]) -> None:
        self.answer = answer
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
            parts = request_line.split(" ")
            path = parts[1].split("?", 1)[0] if len(parts) > 1 else "/"
            status, content_type, body = self.answer(path)
            header = (
                f"HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
            ).encode("latin-1")
            assert self.transport is not None
            self.transport.write(header + body)


async def serve(articles: int, port: int) -> None:
    site = Site(articles)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Connection(site.answer), "127.0.0.1", port, backlog=256)
    print(server.sockets[0].getsockname()[1], flush=True)
    # Serve until the parent closes our stdin (or kills us).
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=1_000, help="article URLs listed in the sitemap")
    parser.add_argument("--port", type=int, default=0, help="0: any free port (printed)")
    args = parser.parse_args()
    asyncio.run(serve(args.articles, args.port))


if __name__ == "__main__":
    main()
