"""Dedupe, sightings, versions, raw pages and failures, on a real SQLite file."""

import sqlite3
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from scraper.article import Article, Image
from scraper.errors import StorageError
from storage.archive import Archive, PackedRaw
from storage.compression import decompress
from storage.models import Article as ArticleRow
from storage.models import ArticleRevision, FetchLog, Page, RawPage, Sighting
from storage.search import FTS_TABLE, parse_query, search

ICT = timezone(timedelta(hours=7))
BODY = ("Thủy điện Hòa Bình vận hành an toàn.", "Đoạn thứ hai của bài.")


@dataclass(frozen=True)
class Body:
    url: str
    content: bytes
    status: int = 200
    final_url: str = ""
    encoding: str | None = "utf-8"
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "text/html", "etag": '"v1"'})
    fetched_at: datetime = datetime(2026, 7, 16, 2, 0, tzinfo=UTC)


def make_article(url: str, body: tuple[str, ...] = BODY, outlet: str = "vov", **extra: object) -> Article:
    fields: dict[str, object] = {
        "title": "Tiêu đề",
        "sapo": "VOV.VN - Tóm tắt.",
        "authors": ("PV/VOV.VN",),
        "published_at": datetime(2026, 7, 16, 8, 46, tzinfo=ICT),
        "section": "Thể thao",
        "tags": ("Argentina", "FIFA"),
        "images": (Image("https://media.vov.vn/a.jpg", "Chú thích (Ảnh: Reuters)."),),
    }
    fields.update(extra)
    return Article(
        url=url,
        canonical_url=url,
        outlet=outlet,
        body=body,
        extractor=outlet,
        extractor_version="1",
        **fields,  # type: ignore[arg-type]
    )


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "archive.sqlite3") as opened:
        opened.register_outlets([("vov", "VOV", ("vov.vn",)), ("congluan", "Công luận", ("congluan.vn",))])
        yield opened


def rows(archive: Archive, model: Any) -> list[Any]:
    with Session(archive.engine) as session:
        return list(session.scalars(select(model).order_by(model.id)))


def database(archive: Archive) -> str:
    """The path of the archive's SQLite file, for a plain sqlite3 connection."""
    path = archive.engine.url.database
    assert path is not None
    return path


def test_same_page_twice_is_one_article(archive: Archive) -> None:
    first = archive.save(make_article("https://vov.vn/a-post1.vov"))
    second = archive.save(make_article("https://vov.vn/a-post1.vov"))
    assert (first.outcome, second.outcome) == ("new", "unchanged")
    assert first.article_id == second.article_id
    assert archive.count(ArticleRow) == 1
    assert archive.count(Sighting) == 1


def test_same_body_elsewhere_is_one_article_two_sightings(archive: Archive) -> None:
    first = archive.save(make_article("https://vov.vn/a-post1.vov"))
    copy = archive.save(make_article("https://congluan.vn/copy-post9.html", outlet="congluan"))
    assert copy.outcome == "duplicate"
    assert copy.article_id == first.article_id
    assert copy.duplicate_of_url == "https://vov.vn/a-post1.vov"
    sightings = rows(archive, Sighting)
    assert [s.url for s in sightings] == ["https://vov.vn/a-post1.vov", "https://congluan.vn/copy-post9.html"]
    assert {s.article_id for s in sightings} == {first.article_id}
    assert archive.count(ArticleRow) == 1


def test_changed_body_at_same_url_is_a_new_version(archive: Archive) -> None:
    url = "https://vov.vn/a-post1.vov"
    first = archive.save(make_article(url), seen_at=datetime(2026, 7, 16, 2, tzinfo=UTC))
    updated = archive.save(
        make_article(url, (*BODY, "Cập nhật.")), seen_at=datetime(2026, 7, 16, 5, tzinfo=UTC)
    )
    assert updated.outcome == "version"
    assert updated.supersedes_id == first.article_id
    articles = rows(archive, ArticleRow)
    assert len(articles) == 2 and articles[0].body == "\n".join(BODY)  # nothing overwritten
    with sqlite3.connect(database(archive)) as connection:
        latest = connection.execute("SELECT id FROM latest_articles").fetchall()
        page = connection.execute("SELECT article_id FROM pages WHERE url = ?", (url,)).fetchone()
    assert latest == [(updated.article_id,)]
    assert page == (updated.article_id,)
    again = archive.save(make_article(url, (*BODY, "Cập nhật.")))
    assert again.outcome == "unchanged"


def test_unicode_and_tone_variants_are_one_story(archive: Archive) -> None:
    archive.save(make_article("https://vov.vn/a-post1.vov"))
    nfd = tuple(unicodedata.normalize("NFD", p) for p in BODY)
    old_tones = ("Thuỷ điện Hoà Bình vận hành an toàn.", "Đoạn thứ hai của bài.")
    assert archive.save(make_article("https://vov.vn/b-post2.vov", nfd)).outcome == "duplicate"
    assert archive.save(make_article("https://vov.vn/c-post3.vov", old_tones)).outcome == "duplicate"
    assert archive.count(ArticleRow) == 1
    assert archive.count(Sighting) == 3


def test_fields_round_trip_with_utc_times(archive: Archive) -> None:
    archive.save(make_article("https://vov.vn/a-post1.vov"))
    (row,) = rows(archive, ArticleRow)
    assert row.published_at == datetime(2026, 7, 16, 1, 46, tzinfo=UTC)
    assert row.authors == ["PV/VOV.VN"] and row.tags == ["Argentina", "FIFA"]
    assert row.images == [{"url": "https://media.vov.vn/a.jpg", "caption": "Chú thích (Ảnh: Reuters)."}]
    with sqlite3.connect(database(archive)) as connection:
        stored = connection.execute("SELECT published_at, tags FROM articles").fetchone()
    assert stored == ("2026-07-16 01:46:00", '["Argentina","FIFA"]')  # readable from plain sqlite3


def test_raw_page_kept_compressed_and_deduplicated(archive: Archive) -> None:
    html = "<html><body><p>Xin chào</p></body></html>".encode() * 50
    raw = Body("https://vov.vn/a-post1.vov", html, final_url="https://vov.vn/a-post1.vov")
    archive.save(make_article(raw.url), raw=raw)
    archive.save(make_article(raw.url), raw=raw)
    (stored,) = rows(archive, RawPage)
    assert decompress(stored.content, stored.compression) == html
    assert len(stored.content) < len(html)
    assert stored.headers == {"content-type": "text/html", "etag": '"v1"'}
    (page,) = rows(archive, Page)
    assert page.etag == '"v1"' and page.last_status == 200


def test_failure_is_recorded_and_touches_nothing_stored(archive: Archive) -> None:
    url = "https://vov.vn/a-post1.vov"
    saved = archive.save(make_article(url))
    archive.record_failure(
        url, reason="http-503", message="HTTP 503 for " + url, outlet_key="vov", http_status=503
    )
    archive.record_failure(url, reason="timeout", message="timed out", outlet_key="vov")
    (page,) = rows(archive, Page)
    assert page.article_id == saved.article_id  # the last good article stays current
    assert (page.last_error, page.consecutive_failures) == ("timeout", 2)
    assert [(log.outcome, log.reason) for log in rows(archive, FetchLog)] == [
        ("new", None),
        ("failed", "http-503"),
        ("failed", "timeout"),
    ]
    assert archive.count(ArticleRow) == 1
    archive.save(make_article(url))
    (page,) = rows(archive, Page)
    assert (page.last_error, page.consecutive_failures) == (None, 0)


def test_reopening_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite3"
    with Archive.open(path) as first:
        first.save(make_article("https://vov.vn/a-post1.vov"))
    with Archive.open(path) as second:
        assert second.save(make_article("https://vov.vn/a-post1.vov")).outcome == "unchanged"
        assert second.count(ArticleRow) == 1


def committed_articles(archive: Archive) -> int:
    """Articles another connection sees: what a crash at this moment would leave."""
    with sqlite3.connect(database(archive)) as connection:
        return int(connection.execute("SELECT count(*) FROM articles").fetchone()[0])


def test_batch_commits_every_max_writes_and_at_the_end(archive: Archive) -> None:
    committed = []
    with archive.batch(max_writes=3, max_seconds=3600):
        for n in range(1, 5):
            archive.save(make_article(f"https://vov.vn/a-post{n}.vov", body=(f"Bài số {n}.",)))
            committed.append(committed_articles(archive))
        # The batch's own uncommitted rows are seen inside it: dedupe works across a batch.
        duplicate = archive.save(make_article("https://vov.vn/b-post4.vov", body=("Bài số 4.",)))
        assert duplicate.outcome == "duplicate"
        archive.commit_batch()
        committed.append(committed_articles(archive))
        archive.record_failure("https://vov.vn/c-post1.vov", reason="timeout", message="timed out")
    assert committed == [0, 0, 3, 3, 4]
    assert [log.outcome for log in rows(archive, FetchLog)][-1] == "failed"  # committed at the end
    assert archive.count(Sighting) == 5


def test_batch_commits_after_max_seconds(archive: Archive) -> None:
    with archive.batch(max_writes=1000, max_seconds=0):
        archive.save(make_article("https://vov.vn/a-post1.vov"))
        assert committed_articles(archive) == 1


def test_failed_write_rolls_back_the_open_batch_and_refuses_more(archive: Archive) -> None:
    archive.save(make_article("https://vov.vn/a-post1.vov"))
    with pytest.raises(StorageError, match="cannot write the archive"), archive.batch(max_writes=100):
        archive.save(make_article("https://vov.vn/a-post2.vov", body=("Bài hai.",)))
        with archive.transaction() as session:  # a write that breaks a constraint half-way
            session.add(Page(url="https://vov.vn/a-post1.vov", consecutive_failures=0))
        archive.save(make_article("https://vov.vn/a-post3.vov", body=("Bài ba.",)))
    assert committed_articles(archive) == 1  # the batch's earlier write went with it; nothing before did
    archive.save(make_article("https://vov.vn/a-post3.vov", body=("Bài ba.",)))  # no batch: writable again
    assert committed_articles(archive) == 2


@pytest.mark.parametrize("in_batch", [False, True])
def test_a_driver_error_in_the_compiled_write_path_is_a_storage_error(
    archive: Archive, in_batch: bool
) -> None:
    # Archive.save runs its statements on the driver's cursor (storage.prepared): what the driver
    # raises there must reach the caller as the archive's one error, and take the half-made write with it.
    archive.save(make_article("https://vov.vn/a-post1.vov"))
    with sqlite3.connect(database(archive)) as connection:
        connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON fetch_log BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
        )
    with pytest.raises(StorageError, match=r"cannot write the archive: IntegrityError: .*disk says no"):
        if in_batch:
            with archive.batch(max_writes=100):
                archive.save(make_article("https://vov.vn/a-post2.vov", body=("Bài hai.",)))
        else:
            archive.save(make_article("https://vov.vn/a-post2.vov", body=("Bài hai.",)))
    assert committed_articles(archive) == 1
    assert [page.url for page in rows(archive, Page)] == ["https://vov.vn/a-post1.vov"]


def test_packed_raw_page_is_stored_like_a_fetched_one(archive: Archive) -> None:
    html = "<html><body><p>Xin chào</p></body></html>".encode() * 50
    raw = Body("https://vov.vn/a-post1.vov", html, final_url="https://vov.vn/a-post1.vov")
    archive.save(make_article(raw.url), raw=PackedRaw.of(raw))
    archive.save(make_article(raw.url), raw=raw)  # the same bytes, not packed: the same row
    (stored,) = rows(archive, RawPage)
    assert decompress(stored.content, stored.compression) == html and stored.size == len(html)
    assert [log.raw_page_id for log in rows(archive, FetchLog)] == [stored.id, stored.id]


def test_batch_interrupted_between_writes_keeps_them(archive: Archive) -> None:
    with pytest.raises(KeyboardInterrupt), archive.batch(max_writes=100):
        archive.save(make_article("https://vov.vn/a-post1.vov"))
        raise KeyboardInterrupt
    assert committed_articles(archive) == 1


def latest_titles(archive: Archive) -> list[str]:
    with sqlite3.connect(database(archive)) as connection:
        return [title for (title,) in connection.execute("SELECT title FROM latest_articles ORDER BY id")]


def test_latest_articles_is_what_the_pages_show_after_a_revert(archive: Archive) -> None:
    url = "https://vov.vn/a-post1.vov"
    archive.save(make_article(url, body=("Bản đầu.",), title="A"))
    archive.save(make_article(url, body=("Bản sửa.",), title="B"))
    assert latest_titles(archive) == ["B"]
    reverted = archive.save(make_article(url, body=("Bản đầu.",), title="A"))
    assert reverted.outcome == "version"  # back to the first text: no new row, the page shows it again
    assert latest_titles(archive) == ["A"]
    with sqlite3.connect(database(archive)) as connection:
        flags = dict(connection.execute("SELECT title, is_latest FROM article_sightings"))
    assert flags == {"A": 1, "B": 0}


def test_story_stays_current_where_it_is_still_shown(archive: Archive) -> None:
    archive.save(make_article("https://vov.vn/a-post1.vov", body=("Chung.",), title="Chung"))
    archive.save(make_article("https://congluan.vn/b-post2.html", body=("Chung.",), outlet="congluan"))
    archive.save(make_article("https://vov.vn/a-post1.vov", body=("Mới.",), title="Mới"))
    assert latest_titles(archive) == ["Chung", "Mới"]  # congluan still shows the shared story


def test_same_text_new_title_replaces_the_metadata_and_the_index_follows(archive: Archive) -> None:
    url = "https://vov.vn/a-post1.vov"
    with archive.batch(max_writes=100):  # in one batch: the index removal must follow its addition
        archive.save(make_article(url, title="Bão số ba đổ bộ"))
        assert archive.save(make_article(url, title="Siêu bão Yagi đổ bộ")).outcome == "updated"
    (row,) = rows(archive, ArticleRow)
    (revision,) = rows(archive, ArticleRevision)
    assert (row.title, revision.title, revision.article_id) == (
        "Siêu bão Yagi đổ bộ",
        "Bão số ba đổ bộ",
        row.id,
    )
    assert [m.title for m in search(archive.engine, parse_query("yagi"))] == ["Siêu bão Yagi đổ bộ"]
    assert search(archive.engine, parse_query('"bao so ba"')) == []  # the old title's words are gone
    with sqlite3.connect(database(archive)) as connection:
        assert connection.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('integrity-check')")


def test_only_a_new_updated_at_is_no_change(archive: Archive) -> None:
    url = "https://vov.vn/a-post1.vov"
    archive.save(make_article(url, updated_at=datetime(2026, 7, 16, 9, 0, tzinfo=ICT)))
    later = make_article(url, updated_at=datetime(2026, 7, 16, 10, 0, tzinfo=ICT))
    assert archive.save(later).outcome == "unchanged"
    assert rows(archive, ArticleRevision) == []


def test_a_copy_with_another_title_elsewhere_changes_nothing(archive: Archive) -> None:
    archive.save(make_article("https://vov.vn/a-post1.vov", title="Tiêu đề VOV"))
    copy = make_article("https://congluan.vn/b-post2.html", outlet="congluan", title="Tiêu đề Công luận")
    assert archive.save(copy).outcome == "duplicate"  # another page's title is not this article's
    assert [row.title for row in rows(archive, ArticleRow)] == ["Tiêu đề VOV"]
