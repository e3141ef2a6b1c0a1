"""Ingest speed: extracted articles per second into an SQLite archive, against plain batched inserts.

vnnews: ``Archive.save(Article(**fields))`` for N synthetic articles (~6 KB of body each) into a fresh
archive: the Article's normalization and content hash, the dedupe lookup, the article, page, sighting and
fetch_log rows, and the full-text index entry (text folded in Python), inside ``Archive.batch`` as the
crawl and reextract write (a commit per ``BATCH_WRITES`` articles).

Baselines, on the same rows, in the same run, each into a fresh archive of the same schema (created by the
migrations, so the tables, indexes and PRAGMAs are those of a real archive), with ``executemany`` in
transactions of 500 rows through the sqlite3 module and every value prepared beforehand:

- "plain insert + FTS": the rows of ``articles`` (with its indexes: the rowid primary key, UNIQUE
  content_hash, published_at, outlet_id and supersedes_id) and their ``articles_fts`` rows (already folded).
  This is the baseline the target is judged against: the FTS index is an index of the article rows,
  written in the same transaction by vnnews, and the largest share of the cost of storing an article.
- "plain insert, no FTS": the ``articles`` rows alone, with the same B-tree indexes.

Neither baseline writes the page, sighting and fetch_log rows that vnnews writes with every article.

    .venv/bin/python -m bench.ingest [--quick] [--articles N]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import Row, Settings, median, per_second, percent, table
from bench.synthetic import article_fields
from scraper.article import Article
from storage.archive import BATCH_WRITES, Archive
from storage.db import BUSY_TIMEOUT_MS
from storage.models import Article as ArticleRow
from storage.search import FTS_TABLE, fold_for_search
from storage.types import dumps_json

TARGET = 0.5  # at least half the speed of the plain insert
BATCH = 500
# Every column of the archive's articles table but its rowid, as Archive.save fills them.
ARTICLE_COLUMNS = tuple(column.name for column in ArticleRow.__table__.columns if column.name != "id")


@dataclass
class Figures:
    save: list[float]
    plain_fts: list[float]
    plain: list[float]


def measure(settings: Settings, count: int) -> Figures:
    fields = list(article_fields(count))
    rows = [_row(Article(**f)) for f in fields]
    figures = Figures([], [], [])
    with tempfile.TemporaryDirectory(prefix="vnnews-bench-ingest-") as tmp:
        for round_ in range(settings.rounds):
            figures.save.append(_save(Path(tmp, f"save-{round_}.sqlite3"), fields))
            figures.plain_fts.append(_plain(Path(tmp, f"fts-{round_}.sqlite3"), rows, fts=True))
            figures.plain.append(_plain(Path(tmp, f"plain-{round_}.sqlite3"), rows, fts=False))
    return figures


def _save(path: Path, fields: list[dict[str, Any]]) -> float:
    with Archive.open(path) as archive:
        archive.register_outlets([("vov", "VOV", ("vov.vn",))])
        started = time.perf_counter()
        with archive.batch():
            for values in fields:
                archive.save(Article(**values))
        return len(fields) / (time.perf_counter() - started)


def _row(article: Article) -> tuple[Any, ...]:
    """The values Archive.save stores in ``articles`` for ``article`` (outlet 1, first version)."""
    now = _utc(datetime.now(UTC))
    return (
        article.content_hash,
        1,
        article.url,
        article.canonical_url,
        article.title,
        article.sapo,
        "\n".join(article.body),
        dumps_json(list(article.authors)),
        _utc(article.published_at),
        _utc(article.updated_at),
        article.section,
        dumps_json(list(article.tags)),
        dumps_json([image.to_dict() for image in article.images]),
        article.language,
        article.extractor,
        article.extractor_version,
        now,
        None,
    )


def _utc(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if value is not None else None


def _plain(path: Path, rows: list[tuple[Any, ...]], *, fts: bool) -> float:
    Archive.open(path).close()  # the schema, indexes and FTS table of a real archive
    index_rows = [(fold_for_search(r[4]), fold_for_search(r[5] or ""), fold_for_search(r[6])) for r in rows]
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        f"busy_timeout={BUSY_TIMEOUT_MS}",
    ):
        connection.execute(f"PRAGMA {pragma}")
    connection.execute(
        "INSERT INTO outlets (id, key, name, domains) VALUES (1, 'vov', 'VOV', '[\"vov.vn\"]')"
    )
    insert = f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) VALUES ({', '.join('?' * len(ARTICLE_COLUMNS))})"
    index = f"INSERT INTO {FTS_TABLE} (rowid, title, sapo, body) VALUES (?, ?, ?, ?)"
    started = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(insert, rows[start : start + BATCH])
        if fts:
            first = start + 1  # rowids of a fresh table: 1, 2, ...
            connection.executemany(
                index, [(first + i, *values) for i, values in enumerate(index_rows[start : start + BATCH])]
            )
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return len(rows) / elapsed


def rows(settings: Settings, count: int) -> list[Row]:
    figures = measure(settings, count)
    vs_fts = median([s / p for s, p in zip(figures.save, figures.plain_fts, strict=True)])
    vs_plain = median([s / p for s, p in zip(figures.save, figures.plain, strict=True)])
    return [
        Row(
            f"ingest, {count:,} articles",
            per_second(median(figures.save), "articles"),
            f"plain insert + FTS {per_second(median(figures.plain_fts))}",
            percent(vs_fts),
            f"≥ {percent(TARGET)}",
            vs_fts >= TARGET,
        ),
        Row(
            "",
            "",
            f"plain insert, no FTS {per_second(median(figures.plain))}",
            percent(vs_plain),
            "(reference)",
            None,
            notes=[
                f"ingest: Archive.save in Archive.batch, a commit per {BATCH_WRITES} articles as the crawl"
                " writes (normalize, hash, dedupe, article + page + sighting + fetch_log rows, FTS) vs executemany of the same articles rows (500 per"
                " transaction) into a migrated archive: 'same indexes' = rowid PK, UNIQUE content_hash,"
                " published_at, outlet_id, supersedes_id, with and without the FTS5 index (pre-folded text)."
            ],
        ),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="one round of 200 articles")
    parser.add_argument("--articles", type=int, help="articles per run (default 2,000; 200 with --quick)")
    args = parser.parse_args(argv)
    settings = Settings.quick() if args.quick else Settings(rounds=3)
    print(table(rows(settings, args.articles or (200 if args.quick else 2_000))))


if __name__ == "__main__":
    main()
