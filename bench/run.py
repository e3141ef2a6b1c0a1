"""Run the benchmark suite and print one table (README "Benchmarks").

    .venv/bin/python -m bench                      # everything, full sizes (search over 1,000,000 articles)
    .venv/bin/python -m bench --quick              # tiny sizes: seconds, for CI and the smoke test
    .venv/bin/python -m bench --only crawl,memory  # some of: extraction, ingest, crawl, memory, search

Every figure is a median over repeated runs, every ratio one measured in the same run on the same input.
Extraction needs the reference pages (../shared/pages, or --pages) and is skipped without them; trafilatura
(the ``bench`` extra) is compared when installed. The search archive is built once per N in the cache
directory and reused.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench import crawl, extraction, ingest, search
from bench.common import DEFAULT_CACHE, PAGES, Row, Settings, table

PARTS = ("extraction", "ingest", "crawl", "memory", "search")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, one round: a check that it all runs"
    )
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"comma-separated parts (default all: {','.join(PARTS)})"
    )
    parser.add_argument(
        "--search-n", type=int, help="articles in the search archive (default 1,000,000; 1,000 with --quick)"
    )
    parser.add_argument("--ingest-n", type=int, help="articles per ingest run (default 2,000)")
    parser.add_argument("--crawl-n", type=int, help="pages per crawl speed run (default 2,000)")
    parser.add_argument("--memory-n", type=int, help="pages of the memory crawl (default 10,000)")
    parser.add_argument(
        "--pages", type=Path, default=PAGES, help="the reference pages (default ../shared/pages)"
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(os.environ.get("VNNEWS_BENCH_CACHE", DEFAULT_CACHE)),
        help="where search archives are built and kept (default ~/.cache/vnnews-bench, or $VNNEWS_BENCH_CACHE)",
    )
    args = parser.parse_args(argv)
    parts = [part.strip() for part in args.only.split(",") if part.strip()]
    if unknown := set(parts) - set(PARTS):
        parser.error(f"--only: unknown part(s) {', '.join(sorted(unknown))} (known: {', '.join(PARTS)})")
    quick = args.quick
    settings = (Settings.quick if quick else Settings)(pages=args.pages, cache_dir=args.cache_dir)
    sizes = {
        "ingest": args.ingest_n or (100 if quick else 2_000),
        "crawl": args.crawl_n or (60 if quick else 2_000),
        "memory": args.memory_n or (200 if quick else 10_000),
        "search": args.search_n or (1_000 if quick else 1_000_000),
    }
    rounds = 1 if quick else 3
    runs: dict[str, Callable[[], list[Row]]] = {
        "extraction": lambda: extraction.rows(settings),
        "ingest": lambda: ingest.rows(Settings(rounds=rounds), sizes["ingest"]),
        "crawl": lambda: crawl.speed_rows(Settings(rounds=rounds), sizes["crawl"]),
        "memory": lambda: crawl.memory_rows(sizes["memory"], max(1, sizes["memory"] // 10)),
        "search": lambda: search.rows(sizes["search"], args.cache_dir, 3 if quick else 20),
    }
    started = time.perf_counter()
    rows: list[Row] = []
    for part in parts:
        part_started = time.perf_counter()
        rows += runs[part]()
        print(f"[{part}: {time.perf_counter() - part_started:.0f}s]", file=sys.stderr, flush=True)
    print(
        f"vnnews benchmarks{' (--quick)' if quick else ''}: {os.cpu_count()} CPUs, Python"
        f" {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}, {time.perf_counter() - started:.0f} s"
    )
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
