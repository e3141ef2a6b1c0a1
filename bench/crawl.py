"""Crawl engine speed and memory against a local stand-in for vov.vn (bench/server.py, its own process).

Speed: a whole ``Crawler.run()`` in a fresh process and archive — discovery from this month's sitemap of N
article URLs (and the feeds), then fetch + extract + archive of every article page — with politeness
delays off (``[crawl] min_delay = 0``, ``workers = per_host_concurrency = 8``). Against plain httpx GETs
of the same URLs (robots.txt, feeds, sitemaps and every article page) from 8 threads sharing one
``httpx.Client``, in a fresh process too. Pages/s count article pages over the whole run; CPU ms per page
is the process's CPU time (user + system, all threads) over the run divided by the article pages.

Memory: one crawl of 10,000 pages, VmRSS read every 1,000 archived pages (the crawl's progress hook) and
the process's peak (VmHWM) at the end.

    .venv/bin/python -m bench.crawl [--quick] [--articles N] [--memory-articles N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.common import REPO, Row, Settings, median, peak_rss_mb, per_second, percent, rss_mb, table

WORKERS = 8
SPEED_TARGET = 0.5  # the crawl at least half as fast as plain GETs of the same URLs
RSS_LIMIT_MB = 150.0
FLAT_GROWTH = 1.2  # "flat": the last sample at most 20 % above the first one


# --- the processes ----------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }


@contextmanager
def server(articles: int) -> Iterator[int]:
    """bench.server in its own process; yields its port."""
    command = [sys.executable, "-m", "bench.server", "--articles", str(articles)]
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=REPO, env=_env(), text=True
    ) as process:
        assert process.stdin is not None and process.stdout is not None
        try:
            yield int(process.stdout.readline())
        finally:
            process.stdin.close()  # the server stops when its stdin closes
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def child(mode: str, port: int, articles: int, sample_every: int = 0) -> dict[str, Any]:
    """Run one measurement in a fresh process (clean CPU time and RSS); its JSON report."""
    command = [sys.executable, "-m", "bench.crawl", "--child", mode, "--port", str(port)]
    command += ["--articles", str(articles), "--sample-every", str(sample_every)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=_env(), check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench.crawl --child {mode} failed:\n{done.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


# --- inside the child --------------------------------------------------------------------------------


def config_text(port: int, workers: int = WORKERS) -> str:
    return f"""
[fetch]
timeout = 30.0
connect_to = {{ "vov.vn" = "http://127.0.0.1:{port}" }}

[crawl]
workers = {workers}
per_host_concurrency = {workers}
min_delay = 0
max_pages = 1000000
"""


def crawl_once(port: int, articles: int, sample_every: int) -> dict[str, Any]:
    """One ``Crawler.run()`` of the vov outlet into a fresh archive."""
    from scraper.config import parse_config
    from scraper.crawl import Crawler, CrawlProgress, interruptible_sleep
    from scraper.fetch import Fetcher
    from scraper.importer import outlet_rows
    from scraper.outlets import all_outlets, get_outlet
    from storage.archive import Archive

    class Sampler(CrawlProgress):
        def __init__(self) -> None:
            self.pages = 0
            self.samples: list[tuple[int, float]] = []

        def advance(self, key: str) -> None:
            self.pages += 1
            if sample_every and self.pages % sample_every == 0:
                self.samples.append((self.pages, rss_mb()))

    with tempfile.TemporaryDirectory(prefix="vnnews-bench-crawl-") as tmp:
        config = parse_config(config_text(port), base_dir=Path(tmp))
        archive = Archive.open(Path(tmp, "archive.sqlite3"))
        archive.register_outlets(outlet_rows(all_outlets()))
        stop = threading.Event()
        sampler = Sampler()
        with Fetcher(config.fetch, sleep=interruptible_sleep(stop)) as fetcher:
            crawler = Crawler(config, archive, fetcher, [get_outlet("vov")], stop=stop, progress=sampler)
            start_rss = rss_mb()
            cpu, started = time.process_time(), time.perf_counter()
            summary = crawler.run()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        archive.close()
    return {
        "pages": summary.total("fetched"),
        "new": summary.total("new"),
        "failed": summary.total("failed"),
        "seconds": elapsed,
        "cpu": cpu,
        "start_rss": start_rss,
        "samples": sampler.samples,
        "peak_rss": peak_rss_mb(),
    }


def plain_once(port: int, articles: int) -> dict[str, Any]:
    """Plain GETs of the URLs the crawl fetches, from as many threads as the crawl's workers."""
    import httpx

    from bench.synthetic import vov_article_url
    from scraper.outlets import get_outlet

    vov = get_outlet("vov")
    from datetime import UTC, datetime

    sources = ["https://vov.vn/robots.txt", *vov.discovery_urls(datetime.now(UTC))]
    urls = sources + [vov_article_url(n) for n in range(articles)]
    local = [f"http://127.0.0.1:{port}{urlsplit(url).path}" for url in urls]
    with httpx.Client(headers={"Host": "vov.vn"}, timeout=30.0) as client:

        def get(url: str) -> int:
            response = client.get(url)
            return len(response.content)

        cpu, started = time.process_time(), time.perf_counter()
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            sizes = list(pool.map(get, local))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"pages": articles, "bytes": sum(sizes), "seconds": elapsed, "cpu": cpu, "peak_rss": peak_rss_mb()}


# --- the figures -------------------------------------------------------------------------------------


@dataclass
class Speed:
    crawl: list[dict[str, Any]]
    plain: list[dict[str, Any]]


def measure_speed(rounds: int, articles: int) -> Speed:
    speed = Speed([], [])
    with server(articles) as port:
        for _ in range(rounds):
            speed.crawl.append(child("crawl", port, articles))
            speed.plain.append(child("plain", port, articles))
    return speed


def speed_rows(settings: Settings, articles: int) -> list[Row]:
    speed = measure_speed(settings.rounds, articles)
    crawl_rates = [r["pages"] / r["seconds"] for r in speed.crawl]
    plain_rates = [r["pages"] / r["seconds"] for r in speed.plain]
    ratio = median([c / p for c, p in zip(crawl_rates, plain_rates, strict=True)])
    crawl_cpu = median([r["cpu"] / r["pages"] * 1000 for r in speed.crawl])
    plain_cpu = median([r["cpu"] / r["pages"] * 1000 for r in speed.plain])
    failed = max(r["failed"] for r in speed.crawl)
    incomplete = [r["pages"] for r in speed.crawl if r["new"] != articles]
    notes = [
        f"crawl: {articles:,} article pages of ~130 KB per run, workers = per_host_concurrency = {WORKERS},"
        " min_delay 0, server in its own process; CPU = the measuring process's user + system time."
    ]
    if failed or incomplete:
        notes.append(
            f"crawl: WARNING: {failed} pages failed, runs archiving fewer than {articles}: {incomplete}"
        )
    return [
        Row(
            f"crawl, {articles:,} pages",
            per_second(median(crawl_rates), "pages"),
            f"plain httpx GETs {per_second(median(plain_rates))}",
            percent(ratio),
            f"≥ {percent(SPEED_TARGET)}",
            ratio >= SPEED_TARGET,
        ),
        Row(
            "", f"{crawl_cpu:.2f} ms CPU/page", f"plain GETs {plain_cpu:.2f} ms CPU/page", "", "", None, notes
        ),
    ]


def memory_rows(articles: int, sample_every: int) -> list[Row]:
    with server(articles) as port:
        report = child("crawl", port, articles, sample_every)
    samples: list[tuple[int, float]] = [(int(pages), float(rss)) for pages, rss in report["samples"]]
    peak = report["peak_rss"]
    first, last = samples[0][1], samples[-1][1]
    flat = last <= first * FLAT_GROWTH
    trace = ", ".join(f"{pages:,} {rss:.0f}" for pages, rss in samples)
    return [
        Row(
            f"memory, {articles:,}-page crawl",
            f"peak RSS {peak:.0f} MB",
            f"{report['start_rss']:.0f} MB before the crawl",
            "",
            f"< {RSS_LIMIT_MB:.0f} MB",
            peak < RSS_LIMIT_MB,
        ),
        Row(
            "",
            f"RSS {first:.0f} → {last:.0f} MB",
            "",
            f"{last / first:.2f}×",
            "flat",
            flat,
            notes=[f"memory: VmRSS (MB) after every {sample_every:,} pages archived: {trace}"],
        ),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="one round of 100 pages; memory over 300")
    parser.add_argument("--articles", type=int, help="pages per speed run (default 2,000)")
    parser.add_argument("--memory-articles", type=int, help="pages of the memory run (default 10,000)")
    parser.add_argument("--child", choices=("crawl", "plain"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--sample-every", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "crawl":
        print(json.dumps(crawl_once(args.port, args.articles, args.sample_every)))
        return
    if args.child == "plain":
        print(json.dumps(plain_once(args.port, args.articles)))
        return
    settings = Settings.quick() if args.quick else Settings(rounds=3)
    articles = args.articles or (100 if args.quick else 2_000)
    memory = args.memory_articles or (300 if args.quick else 10_000)
    print(table(speed_rows(settings, articles) + memory_rows(memory, max(1, memory // 10))))


if __name__ == "__main__":
    main()
