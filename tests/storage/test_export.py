"""Export: every Article field survives a JSON-lines round trip; sightings, filters, CSV, flat memory."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scraper.article import Image
from storage.export import FIELDS, record_to_article, records, write_csv, write_jsonl
from storage.filters import Filters
from storage.readonly import readonly_engine
from tests.archive_factory import ICT, article, bulk_articles, fill_small, open_archive

FULL = article(
    "https://vov.vn/the-thao/argentina-post1315698.vov",
    "Argentina đối diện án phạt từ FIFA",
    ["Đoạn một: “trích dẫn”.", "Đoạn hai – kết."],
    canonical_url="https://vov.vn/the-thao/argentina-doi-dien-post1315698.vov",
    sapo="VOV.VN - Tóm tắt.",
    authors=("PV/VOV.VN", "Reuters"),
    published_at=datetime(2026, 7, 16, 8, 46, 5, tzinfo=ICT),
    updated_at=datetime(2026, 7, 16, 9, 0, tzinfo=ICT),
    section="Thể thao",
    tags=("Argentina", "FIFA"),
    images=(Image("https://media.vov.vn/a.jpg", "Chú thích (Ảnh: Reuters)."), Image("https://x/b.png")),
    language="vi",
    extractor="vov",
    extractor_version="2026.07",
)
BARE = article(
    "https://congluan.vn/x-post2.html", "Tin", ["Một đoạn."], outlet="congluan", sapo=None, published_at=None
)


def export_jsonl(path: Path, **options: object) -> list[dict[str, Any]]:  # JSON records
    engine = readonly_engine(path)
    out = io.StringIO()
    try:
        write_jsonl(records(engine, **options), out)  # type: ignore[arg-type]
    finally:
        engine.dispose()
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_every_article_field_survives_a_jsonl_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite3"
    with open_archive(path) as archive:
        archive.save(FULL, seen_at=datetime(2026, 7, 16, 2, tzinfo=UTC))
        archive.save(BARE)
    exported = export_jsonl(path)
    assert [list(record) for record in exported] == [list(FIELDS)] * 2
    assert [record_to_article(record) for record in exported] == [FULL, BARE]
    first = exported[0]
    assert first["published_at"] == "2026-07-16T01:46:05+00:00"  # UTC, offset kept
    assert first["sightings"] == [
        {
            "outlet": "vov",
            "url": FULL.canonical_url,
            "first_seen_at": "2026-07-16T02:00:00+00:00",
            "last_seen_at": "2026-07-16T02:00:00+00:00",
        }
    ]
    assert (first["id"], first["supersedes_id"], first["first_seen_at"]) == (
        1,
        None,
        "2026-07-16T02:00:00+00:00",
    )


def test_sightings_versions_and_filters(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite3"
    with open_archive(path) as archive:
        fill_small(archive)
    everything = export_jsonl(path)
    assert [r["title"] for r in everything] == [
        "Nhật Bản và Hàn Quốc đàm phán hàn gắn quan hệ",
        "Mưa lớn ở Đồng Nai",
        "Mưa lớn ở Đồng Nai",
        "Xuất khẩu tăng",
    ]
    assert [s["outlet"] for s in everything[0]["sightings"]] == ["vov", "congluan"]
    assert everything[2]["supersedes_id"] == everything[1]["id"]
    assert [r["id"] for r in export_jsonl(path, latest_only=True)] == [1, 3, 4]
    assert [r["outlet"] for r in export_jsonl(path, filters=Filters(outlets=("congluan",)))] == ["vov"]
    july_18 = datetime(2026, 7, 18, tzinfo=UTC)
    assert [r["title"] for r in export_jsonl(path, filters=Filters(since=july_18))] == ["Xuất khẩu tăng"]
    assert len(export_jsonl(path, filters=Filters(until=july_18))) == 3


def test_csv_has_a_header_and_one_row_per_article(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite3"
    with open_archive(path) as archive:
        archive.save(FULL)
    engine = readonly_engine(path)
    out = io.StringIO(newline="")
    assert write_csv(records(engine), out) == 1
    engine.dispose()
    (row,) = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert list(row) == list(FIELDS)
    assert row["body"] == "Đoạn một: “trích dẫn”.\nĐoạn hai – kết."
    assert json.loads(row["tags"]) == ["Argentina", "FIFA"]
    assert row["supersedes_id"] == ""


def test_memory_stays_flat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Memory is a few batches of rows whatever the archive's size; a small batch makes that visible.
    monkeypatch.setattr("storage.export.BATCH", 50)
    path = tmp_path / "big.sqlite3"
    paragraph = "Nội dung bài viết dài vừa phải để đo bộ nhớ khi xuất dữ liệu. " * 40
    with open_archive(path) as archive:
        bulk_articles(archive, ({"title": f"Bài {i}", "body": paragraph} for i in range(2000)))
    engine = readonly_engine(path)
    sink = _Counter()
    tracemalloc.start()
    try:
        count = write_jsonl(records(engine), sink)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        engine.dispose()
    assert count == 2000 and sink.size > 5_000_000
    assert peak < 1_500_000  # a few batches, never the 5+ MB written


class _Counter(io.TextIOBase):
    def __init__(self) -> None:
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text.encode())
        return len(text)
