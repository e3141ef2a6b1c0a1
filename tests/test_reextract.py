"""`reextract`: stored raw pages through today's extractor and Importer.process, with no network."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from scraper.article import Article
from scraper.errors import NoArticleError, QueryError
from scraper.fetch import FetchedPage
from scraper.importer import Importer
from scraper.outlets import get_outlet
from scraper.reextract import latest_raw_pages, reextract
from storage.archive import Archive
from storage.models import Article as ArticleRow
from storage.models import ArticleRevision, FetchLog, Page
from storage.search import parse_query, search

URL = "https://haiquanonline.com.vn/xuat-khau-tang-170462.html"
T1, T2, T3 = (datetime(2026, 7, day, 2, tzinfo=UTC) for day in (16, 17, 18))


def html(*paragraphs: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<html><body><h1 class="article-detail-title">Xuất khẩu tăng</h1>
    <div class="article-detail-desc">Sapo.</div><span class="article-date">08:30 | 18/04/2023</span>
    <div class="__MASTERCMS_CONTENT">{body}</div></body></html>"""


A = html("Kim ngạch xuất khẩu tăng.", "Đoạn hai.")
B = html("Kim ngạch xuất khẩu tăng mạnh.", "Đoạn hai.")


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "archive.sqlite3") as opened:
        yield opened


def fetch(archive: Archive, page: str, at: datetime) -> str:
    """Archive ``page`` as if the crawl had fetched it from URL at ``at``; the outcome."""
    content = page.encode()
    fetched = FetchedPage(
        URL, URL, 200, {"content-type": "text/html; charset=utf-8"}, content, page, "utf-8", at
    )
    return Importer(archive).process(get_outlet("haiquan"), URL, fetched).outcome


def improved_extractor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today's haiquan extractor keeps one more paragraph than the one that archived the pages."""
    outlet = get_outlet("haiquan")
    original = outlet.extract

    def extract(page: str | bytes, url: str) -> Article:
        article = original(page, url)
        return dataclasses.replace(article, body=(*article.body, "Ảnh: chú thích."), extractor_version="v2")

    monkeypatch.setattr(outlet, "extract", extract)


def rows(archive: Archive) -> list[tuple[int, int | None, str]]:
    with Session(archive.engine) as session:
        return [
            (a.id, a.supersedes_id, a.extractor_version)
            for a in session.scalars(select(ArticleRow).order_by(ArticleRow.id))
        ]


def page_state(archive: Archive) -> tuple[object, ...]:
    with Session(archive.engine) as session:
        page = session.scalars(select(Page)).one()
        return page.article_id, page.last_fetched_at, page.last_success_at, page.last_error, page.etag


def logs(archive: Archive) -> list[tuple[str, str, str | None]]:
    with Session(archive.engine) as session:
        return [
            (f.source, f.outcome, f.reason) for f in session.scalars(select(FetchLog).order_by(FetchLog.id))
        ]


def run(archive: Archive) -> dict[str, int]:
    return dict(reextract(archive, latest_raw_pages(archive)).counts)


def test_same_extraction_changes_nothing_and_is_logged_as_reextract(archive: Archive) -> None:
    assert fetch(archive, A, T1) == "new"
    before = page_state(archive)
    assert run(archive) == {"unchanged": 1}
    assert rows(archive) == [(1, None, get_outlet("haiquan").version)]
    assert page_state(archive) == before  # a re-extraction is not a fetch
    assert logs(archive) == [("fetch", "new", None), ("reextract", "unchanged", None)]
    with Session(archive.engine) as session:
        logged = session.scalars(select(FetchLog.at).order_by(FetchLog.id)).all()
    assert logged[0] == T1 and logged[1] > T1  # dated when it ran, not when the page was fetched


def test_a_changed_extraction_is_a_new_version_and_the_old_one_is_kept(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetch(archive, A, T1)
    old_version = get_outlet("haiquan").version
    improved_extractor(monkeypatch)
    assert run(archive) == {"version": 1}
    assert rows(archive) == [(1, None, old_version), (2, 1, "v2")]
    assert page_state(archive)[0] == 2
    # The index follows: the new text is found, and it is the current version.
    assert [m.article_id for m in search(archive.engine, parse_query("chu thich"))] == [2]
    assert [m.article_id for m in search(archive.engine, parse_query("kim ngach"))] == [2]
    assert run(archive) == {"unchanged": 1}  # stable: running it again changes nothing
    assert len(rows(archive)) == 2


def test_only_the_latest_fetch_of_a_url_counts(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    assert (fetch(archive, A, T1), fetch(archive, B, T2)) == ("new", "version")
    improved_extractor(monkeypatch)
    assert run(archive) == {"version": 1}  # one page: B's body, not A's
    assert [r[:2] for r in rows(archive)] == [(1, None), (2, 1), (3, 2)]
    assert page_state(archive)[0] == 3
    assert run(archive) == {"unchanged": 1}  # no flip back to A and forward again
    assert page_state(archive)[0] == 3


def test_a_page_that_changed_back_is_reextracted_from_what_it_shows_now(archive: Archive) -> None:
    assert [fetch(archive, A, T1), fetch(archive, B, T2), fetch(archive, A, T3)] == [
        "new",
        "version",
        "version",
    ]
    (only,) = latest_raw_pages(archive)
    with Session(archive.engine) as session:
        first_raw = session.scalars(select(FetchLog.raw_page_id).order_by(FetchLog.id)).first()
    assert only == (URL, first_raw)  # body A, stored once at T1, is what the page shows since T3
    assert run(archive) == {"unchanged": 1}
    assert page_state(archive)[0] == 1


def test_a_page_the_layout_change_broke_is_recovered(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetch(archive, A, T1)
    broken = B.replace("article-detail-title", "headline-v2")  # the site changed its markup
    assert fetch(archive, broken, T2) == "failed"
    outlet = get_outlet("haiquan")
    original = outlet.extract
    monkeypatch.setattr(
        outlet,
        "extract",
        lambda page, url: original(str(page).replace("headline-v2", "article-detail-title"), url),
    )
    assert run(archive) == {"version": 1}
    assert page_state(archive)[0] == 2
    assert page_state(archive)[3] == "no-article"  # the last *fetch* still failed; reextract fetches nothing


def test_a_failure_is_recorded_and_touches_nothing(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    fetch(archive, A, T1)
    before = page_state(archive)

    def fail(page: str | bytes, url: str) -> Article:
        raise NoArticleError("haiquan: no article layout matched")

    monkeypatch.setattr(get_outlet("haiquan"), "extract", fail)
    summary = reextract(archive, latest_raw_pages(archive))
    assert dict(summary.counts) == {"failed": 1}
    assert (
        summary.line()
        == "reextracted 1 pages: 0 changed (0 version, 0 updated, 0 new, 0 duplicate, 0 unchanged, 1 failed)"
    )
    assert page_state(archive) == before
    assert logs(archive)[-1] == ("reextract", "failed", "no-article")
    assert len(rows(archive)) == 1


def test_filters(archive: Archive) -> None:
    fetch(archive, A, T1)
    assert latest_raw_pages(archive, ("haiquan",)) != []
    assert latest_raw_pages(archive, ("vov",)) == []
    assert latest_raw_pages(archive, since=T2) == []
    assert latest_raw_pages(archive, since=T1) != []
    with pytest.raises(QueryError, match="unknown outlet 'nope'"):
        latest_raw_pages(archive, ("nope",))


def test_a_metadata_only_fix_replaces_the_metadata_and_keeps_the_old(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetch(archive, A, T1)
    outlet = get_outlet("haiquan")
    original = outlet.extract

    def fixed(page: str | bytes, url: str) -> Article:  # the date was read an hour off; the body is right
        article = original(page, url)
        assert article.published_at is not None
        return dataclasses.replace(
            article, published_at=article.published_at - timedelta(hours=1), extractor_version="v2"
        )

    monkeypatch.setattr(outlet, "extract", fixed)
    assert run(archive) == {"updated": 1}
    assert run(archive) == {"unchanged": 1}  # the fix is in: running again changes nothing
    with Session(archive.engine) as session:
        (article,) = session.scalars(select(ArticleRow))
        (revision,) = session.scalars(select(ArticleRevision))
    assert (article.published_at, article.extractor_version) == (
        datetime(2023, 4, 18, 0, 30, tzinfo=UTC),
        "v2",
    )
    assert revision.article_id == article.id and revision.source == "reextract"
    assert revision.published_at == datetime(2023, 4, 18, 1, 30, tzinfo=UTC)  # 08:30 Vietnam time
    assert revision.extractor_version != "v2"
    assert [outcome for _, outcome, _ in logs(archive)] == ["new", "updated", "unchanged"]
