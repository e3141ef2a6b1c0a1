from datetime import UTC, datetime, timedelta, timezone

import pytest

from scraper.article import ARTICLE_FIELDS, Article


def make(**extra: object) -> Article:
    return Article(
        url="https://vov.vn/a-post1.vov",
        canonical_url="https://vov.vn/a-post1.vov",
        outlet="vov",
        title="T",
        body=("Đoạn một.",),
        extractor="vov",
        extractor_version="1",
        **extra,  # type: ignore[arg-type]
    )


def test_article_fields_are_the_to_dict_keys() -> None:
    assert tuple(make(published_at=datetime(2026, 1, 1, tzinfo=UTC)).to_dict()) == ARTICLE_FIELDS


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make(published_at=datetime(2026, 1, 1))


def test_to_dict_keeps_the_offset() -> None:
    ict = timezone(timedelta(hours=7))
    assert make(published_at=datetime(2026, 7, 16, 8, 46, tzinfo=ict)).to_dict()["published_at"] == (
        "2026-07-16T08:46:00+07:00"
    )
