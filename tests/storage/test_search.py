"""Full-text search: folding, query syntax, filters, ranking, highlights, and the index kept in sync."""

from __future__ import annotations

import random
import sqlite3
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from scraper.errors import QueryError
from storage.archive import Archive
from storage.db import make_engine, upgrade
from storage.filters import Filters
from storage.highlight import find_terms, snippet
from storage.search import FTS_TABLE, fold_for_search, parse_query, rebuild_index, search
from tests.archive_factory import article, bulk_articles, fill_small, open_archive


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    # Shared by the module's tests: none of them changes what is archived.
    with open_archive(tmp_path_factory.mktemp("search") / "archive.sqlite3") as opened:
        fill_small(opened)
        yield opened


def titles(archive: Archive, query: str, **options: object) -> list[str]:
    return [m.title for m in search(archive.engine, parse_query(query), **options)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "folded"),
    [
        ("Đàm phán", "dam phan"),
        ("ĐỒNG NAI", "dong nai"),
        (unicodedata.normalize("NFD", "Đồng Nai đàm phán"), "dong nai dam phan"),
        ("hoà bình", "hoa binh"),  # old tone placement
        ("hòa bình", "hoa binh"),  # new tone placement: the same
        ("Thuỷ điện / thủy điện", "thuy dien / thuy dien"),
        ("Ưu tiên Ơn Ấn Độ", "uu tien on an do"),
        ("COVID-19, 5,2%", "covid-19, 5,2%"),
        ("İstanbul", "istanbul"),
    ],
)
def test_fold_for_search(value: str, folded: str) -> None:
    assert fold_for_search(value) == folded


def test_fold_keeps_one_character_for_one() -> None:
    sample = "Nhật Bản – Hàn Quốc: đàm phán “hàn gắn” quan hệ, Thuỷ điện Hoà Bình. ĐẮK LẮK İ"
    assert len(fold_for_search(sample)) == len(sample)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dam phan", {"Nhật Bản và Hàn Quốc đàm phán hàn gắn quan hệ"}),  # without diacritics
        ("ĐÀM PHÁN", {"Nhật Bản và Hàn Quốc đàm phán hàn gắn quan hệ"}),  # upper case
        ("Dong Nai", {"Mưa lớn ở Đồng Nai"}),  # đ typed as d
        (unicodedata.normalize("NFD", "Đồng Nai"), {"Mưa lớn ở Đồng Nai"}),  # NFD input
        ("Hàn Quốc", {"Nhật Bản và Hàn Quốc đàm phán hàn gắn quan hệ", "Xuất khẩu tăng"}),  # both ways
        ('"han gan"', {"Nhật Bản và Hàn Quốc đàm phán hàn gắn quan hệ"}),  # phrase
        ('"gan han"', set()),  # a phrase keeps its word order
        ("seoul OR xuat", {"Nhật Bản và Hàn Quốc đàm phán hàn gắn quan hệ", "Xuất khẩu tăng"}),
        ("han -seoul", {"Xuất khẩu tăng"}),  # exclusion with -
        ("han NOT seoul", {"Xuất khẩu tăng"}),  # and with NOT
        ('han -"dam phan"', {"Xuất khẩu tăng"}),  # an excluded phrase
        ('title:"mua lon"', {"Mưa lớn ở Đồng Nai"}),  # a phrase in one field
        ("title:xuat", {"Xuất khẩu tăng"}),
        ("body:xuat", {"Xuất khẩu tăng"}),
        ("title:seoul", set()),
        ("khau*", {"Xuất khẩu tăng"}),  # prefix
        ("COVID-19", set()),  # punctuation is not FTS syntax
    ],
)
def test_matching(archive: Archive, query: str, expected: set[str]) -> None:
    assert set(titles(archive, query)) == expected


def test_a_copy_at_another_outlet_is_one_result(archive: Archive) -> None:
    assert titles(archive, "seoul") == ["Nhật Bản và Hàn Quốc đàm phán hàn gắn quan hệ"]


def test_filters(archive: Archive) -> None:
    story = "Nhật Bản và Hàn Quốc đàm phán hàn gắn quan hệ"
    # The story was first seen at vov, and copied by congluan: both outlet filters find it.
    assert titles(archive, "seoul", filters=Filters(outlets=("congluan",))) == [story]
    assert titles(archive, "han", filters=Filters(outlets=("haiquan",))) == ["Xuất khẩu tăng"]
    july_17 = datetime(2026, 7, 17, tzinfo=UTC)
    assert titles(archive, "han", filters=Filters(since=july_17)) == ["Xuất khẩu tăng"]  # 07-18
    assert titles(archive, "han", filters=Filters(until=july_17)) == [story]  # 07-16
    with pytest.raises(QueryError, match="unknown outlet 'nope'"):
        search(archive.engine, parse_query("han"), Filters(outlets=("nope",)))


def test_past_the_candidates_the_newest_matches_are_ranked(archive: Archive) -> None:
    query = parse_query("han")  # the first story (title and body) and the last one (body)
    assert [m.article_id for m in search(archive.engine, query, limit=1)] == [1]
    assert [m.article_id for m in search(archive.engine, query, limit=1, candidates=1)] == [4]
    # Too few results in the window (limit 2): the older matches follow it, ranked the same way.
    assert [m.article_id for m in search(archive.engine, query, limit=2, candidates=1)] == [4, 1]
    assert [m.score for m in search(archive.engine, query, limit=2)] == [1.0, 3.0]  # title, then body


def test_filters_that_empty_the_window_still_find_older_matches(archive: Archive) -> None:
    query = parse_query("han")
    # The window (newest match: #4, at haiquan) has nothing from vov: ranking goes past it to story #1.
    found = search(archive.engine, query, Filters(outlets=("vov",)), limit=1, candidates=1)
    assert [m.article_id for m in found] == [1]
    # A window that covers every match needs no second pass and gives the same answer.
    assert search(archive.engine, query, Filters(outlets=("vov",)), limit=1, candidates=100) == found


def test_limit_and_newest_sort(archive: Archive) -> None:
    assert len(titles(archive, "han", limit=1)) == 1
    newest = search(archive.engine, parse_query("han"), sort="newest")
    assert [m.article_id for m in newest] == sorted((m.article_id for m in newest), reverse=True)


@pytest.mark.parametrize("query", ["-seoul", "NOT seoul", "…", '""', "   "])
def test_a_query_with_nothing_to_find_is_an_error(query: str) -> None:
    with pytest.raises(QueryError, match="nothing to search for"):
        parse_query(query)


def test_versions_and_duplicates_keep_the_index_in_sync(archive: Archive) -> None:
    with archive.engine.connect() as connection:
        indexed = connection.execute(text(f"SELECT count(*) FROM {FTS_TABLE}_docsize")).scalar()
        articles = connection.execute(text("SELECT count(*) FROM articles")).scalar()
    assert indexed == articles == 4  # the congluan copy is a sighting, not a row to index
    # The current version is found by its new words; the old text only with all_versions.
    assert titles(archive, '"nuoc da rut"') == ["Mưa lớn ở Đồng Nai"]
    assert len(titles(archive, "dong nai")) == 1
    assert len(titles(archive, "dong nai", all_versions=True)) == 2


def test_rebuild_gives_the_same_index(archive: Archive) -> None:
    before = [(m.article_id, m.score) for m in search(archive.engine, parse_query("han"))]
    with archive.engine.begin() as connection:
        assert rebuild_index(connection) == 4
    assert [(m.article_id, m.score) for m in search(archive.engine, parse_query("han"))] == before


def test_title_match_ranks_above_body_only_match(tmp_path: Path) -> None:
    rng = random.Random(4)
    words = [
        "kinh tế",
        "xã hội",
        "giáo dục",
        "thể thao",
        "văn hóa",
        "du lịch",
        "nông nghiệp",
        "công nghệ",
        "y tế",
    ]
    filler = [" ".join(rng.choices(words, k=60)) for _ in range(50)]
    rows = [{"title": f"Tin số {i}", "body": filler[i % 50]} for i in range(3000)]
    rows[1000] = {"title": "Bài về lạm phát", "body": filler[0]}
    rows[2000] = {"title": "Tin kinh tế", "body": filler[1] + " Lạm phát tăng nhẹ trong tháng."}
    for i in range(2500, 2510):  # the word several times in a body still does not beat the title
        rows[i] = {"title": f"Tin {i}", "body": filler[2] + " lạm phát" * 3}
    with open_archive(tmp_path / "big.sqlite3") as archive:
        bulk_articles(archive, rows)
        hits = search(archive.engine, parse_query("lam phat"), limit=5)
    assert hits[0].title == "Bài về lạm phát"
    assert len(search(archive.engine, parse_query("lam phat"), limit=50)) == 12


def test_highlights_show_the_original_text(archive: Archive) -> None:
    query = parse_query('dong nai "nuoc da"')
    marked = find_terms("Tỉnh Đồng Nai có mưa lớn. Cập nhật: nước đã rút.", query)
    assert [marked.text[s:e] for s, e in marked.spans] == ["Đồng", "Nai", "nước đã"]
    assert marked.markup() == "Tỉnh **Đồng** **Nai** có mưa lớn. Cập nhật: **nước đã** rút."
    nfd = find_terms(unicodedata.normalize("NFD", "Đàm phán"), parse_query("dam"))
    assert nfd.markup() == "**Đàm** phán"


def test_snippet_is_the_passage_with_the_matches() -> None:
    body = "\n".join([f"Đoạn mở đầu số {i} không liên quan." for i in range(20)] + ["Giá xăng tăng mạnh."])
    cut = snippet("Tóm tắt.", body, parse_query("gia xang"), width=80)
    assert cut.text.startswith("…") and cut.text.rstrip("…").endswith("Giá xăng tăng mạnh.")
    assert [cut.text[s:e] for s, e in cut.spans] == ["Giá", "xăng"]
    assert len(cut.text) <= 82
    lead = snippet("Tóm tắt ngắn.", body, parse_query("zzz"), width=80)
    assert lead.text == "Tóm tắt ngắn." and lead.spans == ()
    sapo_only = snippet("Sapo nói về xăng.", "Thân bài.", parse_query("xang"))
    assert sapo_only.markup() == "Sapo nói về **xăng**."


def test_migration_indexes_an_existing_archive(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = make_engine(path)
    upgrade(engine, "0002")
    engine.dispose()
    with sqlite3.connect(path) as connection:  # an archive written by vnnews before the index existed
        connection.execute("INSERT INTO outlets (id, key, name, domains) VALUES (1, 'vov', 'VOV', '[]')")
        connection.execute(
            "INSERT INTO articles (content_hash, outlet_id, url, canonical_url, title, body, authors, "
            "tags, images, language, extractor, extractor_version, first_seen_at) VALUES ('h', 1, 'u', "
            "'u', 'Đàm phán', 'Đồng Nai', '[]', '[]', '[]', 'vi', 'vov', '1', '2026-07-01 00:00:00')"
        )
        connection.execute(
            "INSERT INTO pages (url, outlet_id, article_id, consecutive_failures) VALUES ('u', 1, 1, 0)"
        )
    with Archive.open(path) as archive:
        assert titles(archive, "dam phan dong nai") == ["Đàm phán"]
        archive.save(article("https://vov.vn/x-post5.vov", "Tin mới", ["Đắk Lắk."]))
        assert titles(archive, "dak lak") == ["Tin mới"]


def test_a_page_reverted_to_its_first_text_is_found_by_that_text(tmp_path: Path) -> None:
    url = "https://vov.vn/a-post9.vov"
    with open_archive(tmp_path / "revert.sqlite3") as archive:
        archive.save(article(url, "Bão số 3", ["Bão đổ bộ vào Quảng Ninh."]))
        archive.save(article(url, "Bão số 3", ["Bão đổ bộ vào Hải Phòng."]))
        archive.save(article(url, "Bão số 3", ["Bão đổ bộ vào Quảng Ninh."]))  # the edit undone
        assert titles(archive, "quang ninh") == ["Bão số 3"]
        assert titles(archive, "hai phong") == []  # no page shows that text any more
        assert titles(archive, "hai phong", all_versions=True) == ["Bão số 3"]


def test_rank_tiers_title_then_sapo_then_body_newest_first_within(tmp_path: Path) -> None:
    rows = [
        {"title": "Giá xăng giảm", "sapo": "Tin ngắn.", "body": "Giá xăng giảm 500 đồng."},  # 1: title
        {"title": "Thị trường", "sapo": "Giá xăng giảm.", "body": "Nội dung."},  # 2: sapo
        {"title": "Kinh tế", "sapo": "Tóm tắt.", "body": "Hôm nay giá xăng giảm."},  # 3: body
        {"title": "Giá xăng tăng", "sapo": "Tin ngắn.", "body": "Giá xăng tăng."},  # 4: title, newer
        {"title": "Giá xăng", "sapo": "Tin ngắn.", "body": "Giá xăng và dầu diesel."},  # 5: excluded below
    ]
    with open_archive(tmp_path / "tiers.sqlite3") as archive:
        bulk_articles(archive, rows)
        found = search(archive.engine, parse_query('"gia xang"'))
        assert [(m.article_id, m.score) for m in found] == [(5, 1.0), (4, 1.0), (1, 1.0), (2, 2.0), (3, 3.0)]
        # Exclusions apply to every tier; a field the query names stays the only field searched.
        assert [m.article_id for m in search(archive.engine, parse_query('"gia xang" -diesel'))] == [
            4,
            1,
            2,
            3,
        ]
        assert [m.article_id for m in search(archive.engine, parse_query('sapo:"gia xang"'))] == [2]
        # Enough title matches among the newest matches: the answer without finding the window's end ...
        assert [m.article_id for m in search(archive.engine, parse_query('"gia xang"'), limit=2)] == [5, 4]
        # ... and when the newest title matches lie past the window, the window's own matches come first.
        narrow = search(archive.engine, parse_query("giam"), limit=2, candidates=1)
        assert [(m.article_id, m.score) for m in narrow] == [(3, 3.0), (1, 1.0)]
