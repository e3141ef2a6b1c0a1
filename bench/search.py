"""Search latency and export memory on a synthetic archive of N Vietnamese-like articles.

    .venv/bin/python bench/search.py 100000      # builds /tmp/vnnews-bench-100000.sqlite3 once, then measures

Prints, per query: matches, and the median time of `search()` (top 20) by rank and by newest; then the
indexing cost per article through Archive.save, and the peak Python memory of a full export.
"""

from __future__ import annotations

import io
import random
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, insert, text

from scraper.article import Article
from storage.archive import Archive
from storage.export import records, write_jsonl
from storage.models import Article as ArticleRow
from storage.readonly import readonly_engine
from storage.search import FTS_TABLE, Sort, index_rows, parse_query, search

SYLLABLES = [
    "kinh",
    "tế",
    "xã",
    "hội",
    "giáo",
    "dục",
    "thể",
    "thao",
    "văn",
    "hóa",
    "du",
    "lịch",
    "nông",
    "nghiệp",
    "công",
    "nghệ",
    "y",
    "tế",
    "chính",
    "phủ",
    "quốc",
    "hội",
    "thành",
    "phố",
    "Hà",
    "Nội",
    "Đà",
    "Nẵng",
    "Hồ",
    "Chí",
    "Minh",
    "Đồng",
    "Nai",
    "Cần",
    "Thơ",
    "bóng",
    "đá",
    "giá",
    "xăng",
    "lãi",
    "suất",
    "ngân",
    "hàng",
    "xuất",
    "khẩu",
    "đầu",
    "tư",
    "doanh",
    "nghiệp",
    "người",
    "dân",
    "mưa",
    "lũ",
    "bão",
    "học",
    "sinh",
    "bệnh",
    "viện",
    "đường",
    "sắt",
    "cao",
    "tốc",
    "hợp",
    "tác",
    "quốc",
    "tế",
]
QUERIES = ("dam phan", "kinh te", "dong nai bao", '"gia xang"', "xuat khau -ngan")


def build(path: Path, n: int) -> None:
    rng = random.Random(1)
    with Archive.open(path) as archive:
        archive.register_outlets([("vov", "VOV", ("vov.vn",))])
        batch = 5000
        for start in range(0, n, batch):
            rows = []
            for i in range(start, min(n, start + batch)):
                title = " ".join(rng.choices(SYLLABLES, k=10))
                if i % 1000 == 0:
                    title += " đàm phán"
                body = "\n".join(" ".join(rng.choices(SYLLABLES, k=60)) for _ in range(12))
                rows.append({"title": title, "body": body, "content_hash": f"{i:064x}", "url": f"u{i}"})
            _bulk(archive, rows)


def _bulk(archive: Archive, rows: list[dict[str, str]]) -> None:
    # Appends each batch to the index (tests' bulk_articles rebuilds the whole index each time).
    with archive.transaction() as session:
        outlet_id = archive.outlet_id(session, "vov")
        now = datetime(2026, 7, 1, tzinfo=UTC)
        values = [
            {
                **row,
                "outlet_id": outlet_id,
                "canonical_url": row["url"],
                "authors": [],
                "tags": [],
                "images": [],
                "language": "vi",
                "extractor": "vov",
                "extractor_version": "1",
                "first_seen_at": now,
                "published_at": now,
            }
            for row in rows
        ]
        session.execute(insert(ArticleRow), values)
        ids = session.execute(
            text("SELECT id, title, sapo, body FROM articles ORDER BY id DESC LIMIT :n"), {"n": len(rows)}
        ).all()
        index_rows(session.connection(), [(r[0], r[1], r[2], r[3]) for r in ids])


def timed(engine: Engine, query: str, sort: Sort) -> float:
    parsed = parse_query(query)
    times = []
    for _ in range(7):
        started = time.perf_counter()
        search(engine, parsed, sort=sort)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main(n: int) -> None:
    path = Path(f"/tmp/vnnews-bench-{n}.sqlite3")
    if not path.exists():
        started = time.perf_counter()
        build(path, n)
        print(
            f"built {n} articles in {time.perf_counter() - started:.1f}s ({path.stat().st_size / 1e6:.0f} MB)"
        )
    engine = readonly_engine(path)
    with engine.connect() as connection:
        for query in QUERIES:
            matches = connection.execute(
                text(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q"),
                {"q": parse_query(query).expression},
            ).scalar()
            print(
                f"{query!r:22} {matches:>7} matches  rank {timed(engine, query, 'rank'):7.1f} ms"
                f"  newest {timed(engine, query, 'newest'):6.1f} ms"
            )
    tracemalloc.start()
    started = time.perf_counter()
    count = write_jsonl(records(engine), _Null())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"export: {count} articles in {time.perf_counter() - started:.1f}s, peak Python memory {peak / 1e6:.1f} MB"
    )
    engine.dispose()
    save_cost(Path(f"/tmp/vnnews-bench-save-{n}.sqlite3"))


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
                title=" ".join(rng.choices(SYLLABLES, k=10)),
                body=tuple(" ".join(rng.choices(SYLLABLES, k=80)) for _ in range(12)),
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
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
