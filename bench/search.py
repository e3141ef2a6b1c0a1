"""Search latency and export memory on a synthetic archive of N Vietnamese-like articles.

    .venv/bin/python -m bench.search 100000      # builds the archive once (in the cache dir), then measures

The archive (``bench.synthetic.Corpus``: ~5 KB bodies, topic words found in realistic shares of the
articles) is built once per N in the cache directory (``--cache-dir``, default ~/.cache/vnnews-bench) and
reused: rows are inserted in bulk, with their full-text index rows, into an archive created by the
migrations. Prints, per query: matches, and the median time of ``search()`` (top 20) by rank and by newest;
p50 / p95 per kind of query (what ``python -m bench`` reports); then the indexing cost per article through
Archive.save, and the peak Python memory of a full export.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sqlite3
import time
import tracemalloc
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text

from bench.common import DEFAULT_CACHE, Row, median, percentile, table
from bench.synthetic import BACKGROUND, Corpus
from scraper.article import Article
from storage.archive import Archive
from storage.export import records, write_jsonl
from storage.readonly import readonly_engine
from storage.search import FTS_TABLE, Sort, parse_query, search

# Typical queries, by kind: what a reader types (diacritics or not), over topics of every frequency.
QUERIES: dict[str, tuple[str, ...]] = {
    "one word": ("bão", "cháy", "gạo", "điện", "lương", "Huế"),
    "two words, no diacritics": ("kinh te", "dam phan", "gia vang", "bong da", "hang khong", "ngan hang"),
    "a phrase": ('"giá xăng"', '"Hà Nội"', '"thị trường"', '"biến đổi khí hậu"', '"trí tuệ nhân tạo"'),
}
P95_TARGET_MS = 50.0
TARGET_N = 1_000_000
BUILD_BATCH = 5_000
BUILD_VERSION = 2  # bump when the corpus changes: the cached archives are rebuilt
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def archive_path(cache_dir: Path, n: int) -> Path:
    return cache_dir / f"search-{n}-v{BUILD_VERSION}.sqlite3"


def ensure_built(cache_dir: Path, n: int) -> tuple[Path, float | None]:
    """The archive of ``n`` articles, built if it is not cached yet; the build time when it was built."""
    path = archive_path(cache_dir, n)
    if path.exists():
        return path, None
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in cache_dir.glob(partial.name + "*"):
        leftover.unlink()
    started = time.perf_counter()
    build(partial, n)
    elapsed = time.perf_counter() - started
    partial.rename(path)  # only a finished build is ever reused
    return path, elapsed


def build(path: Path, n: int) -> None:
    """``n`` articles and their index rows, in bulk, into a new archive at ``path``."""
    Archive.open(path).close()  # schema, indexes, FTS table and views of a real archive
    # Smaller sentence pools for a small archive (the smoke test): building the pools is most of its time.
    corpus = Corpus() if n >= 100_000 else Corpus(per_topic=20, neutral=2_000)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous=OFF")  # a cache: a crash mid-build leaves a .partial file
    connection.execute("PRAGMA cache_size=-262144")
    connection.execute(
        "INSERT INTO outlets (id, key, name, domains) VALUES (1, 'vov', 'VOV', '[\"vov.vn\"]')"
    )
    insert = (
        "INSERT INTO articles (id, content_hash, outlet_id, url, canonical_url, title, sapo, body, authors,"
        " published_at, tags, images, language, extractor, extractor_version, first_seen_at)"
        " VALUES (?, ?, 1, ?, ?, ?, ?, ?, '[]', ?, '[]', '[]', 'vi', 'vov', 'bench', ?)"
    )
    index = f"INSERT INTO {FTS_TABLE} (rowid, title, sapo, body) VALUES (?, ?, ?, ?)"
    # Every article shown by its page, as a crawl leaves it: the current text (storage.filters.is_current).
    page = "INSERT INTO pages (url, outlet_id, article_id, consecutive_failures) VALUES (?, 1, ?, 0)"
    for start in range(1, n + 1, BUILD_BATCH):
        rows, folded, pages = [], [], []
        for article_id in range(start, min(n, start + BUILD_BATCH - 1) + 1):
            (title, sapo, body), fold = corpus.article()
            url = f"https://vov.vn/xa-hoi/bai-{article_id}-post{article_id}.vov"
            when = (EPOCH + timedelta(minutes=3 * article_id)).strftime("%Y-%m-%d %H:%M:%S")
            rows.append((article_id, f"{article_id:064x}", url, url, title, sapo, body, when, when))
            folded.append((article_id, *fold))
            pages.append((url, article_id))
        connection.execute("BEGIN")
        connection.executemany(insert, rows)
        connection.executemany(index, folded)
        connection.executemany(page, pages)
        connection.execute("COMMIT")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def matches(engine: Engine, query: str) -> int:
    with engine.connect() as connection:
        count = connection.execute(
            text(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q"),
            {"q": parse_query(query).expression},
        ).scalar()
    return int(count or 0)


def timings(engine: Engine, query: str, sort: Sort, repeat: int) -> list[float]:
    """Milliseconds of ``repeat`` searches (top 20) for ``query``, after one untimed warm-up."""
    parsed = parse_query(query)
    search(engine, parsed, sort=sort)
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        search(engine, parsed, sort=sort)
        out.append((time.perf_counter() - started) * 1000)
    return out


def latencies(path: Path, repeat: int) -> dict[str, tuple[list[float], list[int]]]:
    """Kind of query → (every timing in ms, by rank, the default sort), (matches of each query)."""
    engine = readonly_engine(path)
    try:
        return {
            kind: (
                [ms for query in queries for ms in timings(engine, query, "rank", repeat)],
                [matches(engine, query) for query in queries],
            )
            for kind, queries in QUERIES.items()
        }
    finally:
        engine.dispose()


def rows(n: int, cache_dir: Path, repeat: int) -> list[Row]:
    path, built = ensure_built(cache_dir, n)
    out: list[Row] = []
    for kind, (times, counts) in latencies(path, repeat).items():
        p95 = percentile(times, 0.95)
        goal = n >= TARGET_N
        out.append(
            Row(
                f"search {kind}" if out else f"search, N = {n:,}: {kind}",
                f"p50 {median(times):.1f} ms, p95 {p95:.1f} ms",
                f"{min(counts):,}–{max(counts):,} matches",
                "",
                f"p95 < {P95_TARGET_MS:.0f} ms" + ("" if goal else " (at 1 M)"),
                p95 < P95_TARGET_MS if goal else None,
            )
        )
    size = path.stat().st_size / 1e9
    how = f"built in {built:.0f} s" if built is not None else "cached"
    out[-1].notes.append(
        f"search: {n:,} synthetic articles of ~5 KB ({size:.1f} GB, {how}: {path}); search() top 20 by"
        f" rank (the default), {repeat} warm runs per query; queries: "
        + "; ".join(f"{kind}: {', '.join(queries)}" for kind, queries in QUERIES.items())
    )
    return out


# --- the details (python -m bench.search N) -----------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("n", type=int, nargs="?", default=5_000, help="articles in the archive")
    parser.add_argument(
        "--cache-dir", type=Path, default=Path(os.environ.get("VNNEWS_BENCH_CACHE", DEFAULT_CACHE))
    )
    args = parser.parse_args(argv)
    path, built = ensure_built(args.cache_dir, args.n)
    if built is not None:
        print(f"built {args.n} articles in {built:.1f}s ({path.stat().st_size / 1e6:.0f} MB)")
    engine = readonly_engine(path)
    for query in (q for queries in QUERIES.values() for q in queries):
        print(
            f"{query!r:22} {matches(engine, query):>7} matches"
            f"  rank {median(timings(engine, query, 'rank', 7)):7.1f} ms"
            f"  newest {median(timings(engine, query, 'newest', 7)):6.1f} ms"
        )
    print(table(rows(args.n, args.cache_dir, 10)))
    tracemalloc.start()
    started = time.perf_counter()
    count = write_jsonl(records(engine), _Null())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"export: {count} articles in {time.perf_counter() - started:.1f}s, peak Python memory {peak / 1e6:.1f} MB"
    )
    engine.dispose()
    save_cost(args.cache_dir / "search-save.sqlite3")


def save_cost(path: Path) -> None:
    """Archive.save per article (5 KB bodies), which includes folding and indexing."""
    path.unlink(missing_ok=True)
    rng = random.Random(2)
    with Archive.open(path) as archive:
        articles = [
            Article(
                url=f"https://vov.vn/x-post{i}.vov",
                canonical_url=f"https://vov.vn/x-post{i}.vov",
                outlet="vov",
                title=" ".join(rng.choices(BACKGROUND, k=10)),
                body=tuple(" ".join(rng.choices(BACKGROUND, k=80)) for _ in range(12)),
                extractor="vov",
                extractor_version="1",
            )
            for i in range(500)
        ]
        started = time.perf_counter()
        for article in articles:
            archive.save(article)
        print(f"Archive.save: {(time.perf_counter() - started) / len(articles) * 1000:.2f} ms per article")


class _Null(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


if __name__ == "__main__":
    main()
