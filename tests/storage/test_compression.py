"""Raw-page codecs: Zstandard for new bodies, zlib for those stored before migration 0006."""

import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from scraper.errors import StorageError
from scraper.fetch import FetchedPage
from scraper.reextract import stored_page
from storage import compression
from storage.archive import Archive
from storage.db import alembic_config, make_engine, upgrade

HTML = "<html><body><h1>Giá xăng giảm</h1><p>Nội dung bài viết.</p></body></html>".encode() * 50


def _page(url: str) -> FetchedPage:
    return FetchedPage(
        url=url,
        final_url=url,
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        content=HTML,
        text=HTML.decode(),
        encoding="utf-8",
        fetched_at=datetime(2026, 11, 23, 3, 0, tzinfo=UTC),
    )


def test_new_bodies_are_zstd_and_read_back() -> None:
    packed = compression.compress(HTML)
    assert compression.CODEC == "zstd" and packed.startswith(b"\x28\xb5\x2f\xfd")  # a Zstandard frame
    assert len(packed) < len(HTML) // 10
    assert compression.decompress(packed, "zstd") == HTML


def test_zlib_bodies_still_read() -> None:
    assert compression.decompress(zlib.compress(HTML, 1), "zlib") == HTML


def test_unknown_codec_and_corrupt_content_are_storage_errors() -> None:
    with pytest.raises(StorageError, match=r"compressed with 'lz4', which this version cannot read"):
        compression.decompress(b"...", "lz4")
    with pytest.raises(StorageError, match=r"a raw page's zstd content is corrupt"):
        compression.decompress(b"\x28\xb5\x2f\xfd" + b"\0" * 20, "zstd")
    with pytest.raises(StorageError, match=r"a raw page's zlib content is corrupt"):
        compression.decompress(b"not zlib", "zlib")


def test_archive_stores_the_codec_with_the_body(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        archive.record_failure(
            "https://vov.vn/a.vov", reason="no-article", message="…", raw=_page("https://vov.vn/a.vov")
        )
        with archive.engine.connect() as connection:
            stored = connection.execute(text("SELECT compression, content, size FROM raw_pages")).one()
        assert stored.compression == "zstd" and stored.size == len(HTML)
        assert stored_page(archive, 1).content == HTML


def test_migration_keeps_zlib_rows_readable_and_downgrade_recompresses(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite3"
    engine = make_engine(path)
    upgrade(engine, "0005")
    with engine.begin() as connection:  # a body stored by a vnnews from before 0006
        connection.execute(
            text(
                "INSERT INTO raw_pages (url, final_url, status, headers, encoding, content_sha256, size,"
                " content, fetched_at) VALUES ('https://vov.vn/old.vov', 'https://vov.vn/old.vov', 200,"
                " '{}', 'utf-8', 'x', :size, :content, '2026-01-01 00:00:00')"
            ),
            {"size": len(HTML), "content": zlib.compress(HTML, 1)},
        )
    upgrade(engine)
    with Archive(engine) as archive:
        assert stored_page(archive, 1).content == HTML
        archive.record_failure(
            "https://vov.vn/new.vov", reason="no-article", message="…", raw=_page("https://vov.vn/new.vov")
        )
        assert stored_page(archive, 2).content == HTML
    with engine.connect() as connection:
        codecs = connection.execute(text("SELECT compression FROM raw_pages ORDER BY id")).scalars().all()
    assert codecs == ["zlib", "zstd"]

    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    with engine.connect() as connection:
        bodies = connection.execute(text("SELECT content FROM raw_pages ORDER BY id")).scalars().all()
    assert [zlib.decompress(body) for body in bodies] == [HTML, HTML]  # what the older code reads
    engine.dispose()
