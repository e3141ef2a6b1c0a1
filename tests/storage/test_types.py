"""The write path's shortcuts store exactly what the column types' own SQLAlchemy processors store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine

from storage.types import JSONText, UTCDateTime, dumps_json, sqlite_utc_text

SQLITE = create_engine("sqlite://", json_serializer=dumps_json).dialect


def _processed(value: datetime) -> str:
    process = UTCDateTime().dialect_impl(SQLITE).bind_processor(SQLITE)
    assert process is not None
    return str(process(value))


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 7, 16, 8, 46, 0, tzinfo=timezone(timedelta(hours=7))),
        datetime(2026, 1, 1, 3, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=7))),  # day before, in UTC
        datetime(2024, 2, 29, 23, 30, 5, 1, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
        datetime(2026, 3, 29, 2, 30, tzinfo=ZoneInfo("Europe/Paris")),  # a DST gap
        datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Paris")),
        datetime(999, 5, 6, 7, 8, 9, tzinfo=UTC),  # zero-padded year
        datetime(1, 1, 1, 0, 0, 0, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    ],
)
def test_sqlite_utc_text_is_what_the_type_stores(value: datetime) -> None:
    assert sqlite_utc_text(value) == _processed(value)


def test_sqlite_utc_text_refuses_a_naive_datetime_as_the_type_does() -> None:
    naive = datetime(2026, 7, 16, 8, 46)
    with pytest.raises(ValueError, match="naive datetime"):
        sqlite_utc_text(naive)
    with pytest.raises(ValueError, match="naive datetime"):
        _processed(naive)


@pytest.mark.parametrize(
    "value",
    [
        [],
        ["PV/VOV.VN", "Nguyễn Văn Đức"],
        ['"quoted" \\ back\tslash\n\x00\u2028 😀', ""],  # escapes, in a list of strings
        ["a", 1, None],  # not only strings: the encoder's own path
        [{"url": "https://a/b.jpg", "caption": "“Ảnh” \\ \n"}],
        {},
    ],
)
def test_dumps_json_is_json_dumps_with_the_archive_options(value: object) -> None:
    assert dumps_json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    process = JSONText.dialect_impl(SQLITE).bind_processor(SQLITE)
    assert process is not None and process(value) == dumps_json(value)


def test_sqlite_utc_text_of_the_same_value_again_and_after_another() -> None:
    first = datetime(2026, 7, 16, 8, 46, 0, tzinfo=timezone(timedelta(hours=7)))
    other = datetime(2026, 7, 16, 8, 46, 0, tzinfo=UTC)
    texts = [sqlite_utc_text(v) for v in (first, first, other, first, other, other)]
    assert texts == [_processed(v) for v in (first, first, other, first, other, other)]
    assert texts[:3] == ["2026-07-16 01:46:00", "2026-07-16 01:46:00", "2026-07-16 08:46:00"]
