"""Small archives for the tests of search, sql, export, stats and the README's SQL: real SQLite files."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from scraper.article import Article, Image
from storage.archive import Archive
from storage.models import Article as ArticleRow
from storage.models import CrawlRun, FetchLog
from storage.search import rebuild_index

ICT = timezone(timedelta(hours=7))
OUTLETS = [
    ("vov", "VOV", ("vov.vn",)),
    ("congluan", "Công luận", ("congluan.vn",)),
    ("haiquan", "Hải quan", ("haiquanonline.com.vn",)),
]


def article(
    url: str,
    title: str,
    body: Iterable[str],
    *,
    outlet: str = "vov",
    sapo: str | None = "Tóm tắt.",
    published_at: datetime | None = datetime(2026, 7, 16, 8, 46, tzinfo=ICT),
    **extra: Any,
) -> Article:
    return Article(
        url=url,
        canonical_url=extra.pop("canonical_url", url),
        outlet=outlet,
        title=title,
        body=tuple(body),
        extractor=extra.pop("extractor", outlet),
        extractor_version=extra.pop("extractor_version", "1"),
        sapo=sapo,
        published_at=published_at,
        **extra,
    )


def open_archive(path: Path) -> Archive:
    archive = Archive.open(path)
    archive.register_outlets(OUTLETS)
    return archive


def fill_small(archive: Archive) -> None:
    """A few stories: one copied by a second outlet, one with two versions, failures in fetch_log, a run."""
    archive.save(
        article(
            "https://vov.vn/nhat-han-post1.vov",
            "Nhật Bản và Hàn Quốc đàm phán hàn gắn quan hệ",
            ["Hai nước đàm phán tại Seoul.", "Quan hệ song phương được cải thiện."],
            authors=("PV/VOV.VN",),
            tags=("Nhật Bản", "Hàn Quốc"),
            images=(Image("https://media.vov.vn/1.jpg", "Hội đàm (Ảnh: Reuters)."),),
            section="Thế giới",
        ),
        seen_at=datetime(2026, 7, 16, 2, tzinfo=UTC),
    )
    archive.save(
        article(
            "https://congluan.vn/nhat-han-post9.html",
            "Nhật - Hàn đàm phán",
            ["Hai nước đàm phán tại Seoul.", "Quan hệ song phương được cải thiện."],
            outlet="congluan",
        ),
        seen_at=datetime(2026, 7, 16, 3, tzinfo=UTC),
    )
    url = "https://vov.vn/mua-lon-dong-nai-post2.vov"
    archive.save(
        article(url, "Mưa lớn ở Đồng Nai", ["Tỉnh Đồng Nai có mưa lớn."]),
        seen_at=datetime(2026, 7, 17, 1, tzinfo=UTC),
    )
    archive.save(
        article(url, "Mưa lớn ở Đồng Nai", ["Tỉnh Đồng Nai có mưa lớn.", "Cập nhật: nước đã rút."]),
        seen_at=datetime(2026, 7, 17, 5, tzinfo=UTC),
    )
    archive.save(
        article(
            "https://haiquanonline.com.vn/xuat-khau-170462.html",
            "Xuất khẩu tăng",
            ["Han Quoc la thi truong lon.", "Kim ngạch xuất khẩu tăng."],
            outlet="haiquan",
            sapo=None,
            published_at=datetime(2026, 7, 18, 8, 0, tzinfo=ICT),
        ),
        seen_at=datetime(2026, 7, 18, 1, tzinfo=UTC),
    )
    archive.record_failure(
        "https://vov.vn/missing-post3.vov", reason="http-404", message="HTTP 404", outlet_key="vov"
    )
    archive.record_failure(
        "https://vov.vn/video-post4.vov", reason="no-article", message="no article", outlet_key="vov"
    )
    with archive.transaction() as session:
        session.add(
            CrawlRun(
                started_at=datetime(2026, 7, 18, 1, tzinfo=UTC),
                finished_at=datetime(2026, 7, 18, 1, 5, tzinfo=UTC),
                outcome="ok",
                outlets=["vov", "congluan", "haiquan"],
                fetched=5,
                new=3,
                versions=1,
                failed=2,
            )
        )


def log_fetches(
    archive: Archive,
    outlet: str,
    at: datetime,
    count: int,
    *,
    outcome: str = "new",
    reason: str | None = None,
    http_status: int | None = 200,
    source: str = "fetch",
) -> None:
    """``count`` fetch_log rows for ``outlet`` at ``at`` (a synthetic crawl history)."""
    with archive.transaction() as session:
        outlet_id = archive.outlet_id(session, outlet)
        session.add_all(
            FetchLog(
                at=at,
                url=f"https://{outlet}.example/{at:%Y%m%d%H}-{outcome}-{i}",
                outlet_id=outlet_id,
                outcome=outcome,
                reason=reason,
                http_status=http_status,
                source=source,
            )
            for i in range(count)
        )


def bulk_articles(archive: Archive, rows: Iterable[dict[str, Any]]) -> None:
    """Insert article rows in one transaction and rebuild the index once (fast, for big synthetic sets)."""
    with archive.transaction() as session:
        outlet_id = archive.outlet_id(session, "vov")
        now = datetime(2026, 7, 1, tzinfo=UTC)
        values = [
            {
                "content_hash": f"{i:064x}",
                "outlet_id": outlet_id,
                "url": f"https://vov.vn/synthetic-post{i}.vov",
                "canonical_url": f"https://vov.vn/synthetic-post{i}.vov",
                "sapo": None,
                "authors": [],
                "tags": [],
                "images": [],
                "language": "vi",
                "extractor": "vov",
                "extractor_version": "1",
                "first_seen_at": now,
                "published_at": now,
                **row,
            }
            for i, row in enumerate(rows, 1)
        ]
        session.execute(insert(ArticleRow), values)
        # Each shown by its page, as Archive.save leaves it: a current article (storage.filters.is_current).
        session.execute(
            text(
                "INSERT INTO pages (url, outlet_id, article_id, consecutive_failures)"
                " SELECT url, outlet_id, id, 0 FROM articles"
                " WHERE NOT EXISTS (SELECT 1 FROM pages WHERE pages.url = articles.url)"
            )
        )
        rebuild_index(session.connection())
