from datetime import UTC, datetime, timedelta, timezone

import pytest

from scraper.dates import VIETNAM, parse_date, parse_iso, parse_vietnamese

ICT = timezone(timedelta(hours=7))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thứ sáu, 13/11/2020 09:53 AM", datetime(2020, 11, 13, 9, 53, tzinfo=ICT)),
        ("Thứ sáu, 13/11/2020 09:53 AM |", datetime(2020, 11, 13, 9, 53, tzinfo=ICT)),
        ("Thứ sáu, 13/11/2020 09:53 PM", datetime(2020, 11, 13, 21, 53, tzinfo=ICT)),
        ("12/01/2020 12:30 AM", datetime(2020, 1, 12, 0, 30, tzinfo=ICT)),
        ("12/01/2020 12:30 PM", datetime(2020, 1, 12, 12, 30, tzinfo=ICT)),
        ("08:52 | 06/11/2024", datetime(2024, 11, 6, 8, 52, tzinfo=ICT)),
        ("Thứ năm, 2/11/2023, 19:20 (GMT+7)", datetime(2023, 11, 2, 19, 20, tzinfo=ICT)),
        ("Thứ tư, 22/10/2025, 19:25 (GMT+7)", datetime(2025, 10, 22, 19, 25, tzinfo=ICT)),
        ("Chủ nhật, 13/2/2022, 16:08 (GMT+7)", datetime(2022, 2, 13, 16, 8, tzinfo=ICT)),
        ("Chủ nhật, 2/2/2025 05:01 (GMT+7)", datetime(2025, 2, 2, 5, 1, tzinfo=ICT)),
        ("Thứ Năm, 08:46, 16/07/2026", datetime(2026, 7, 16, 8, 46, tzinfo=ICT)),
        ("Chủ Nhật, 04/08/2024 - 07:54", datetime(2024, 8, 4, 7, 54, tzinfo=ICT)),
        ("07:12 ngày 24/03/2024", datetime(2024, 3, 24, 7, 12, tzinfo=ICT)),
        ("29/12/2025 22:32 GMT+7", datetime(2025, 12, 29, 22, 32, tzinfo=ICT)),
        ("20/07/2026 07:00", datetime(2026, 7, 20, 7, 0, tzinfo=ICT)),
        ("10:15 - 05/10/2020", datetime(2020, 10, 5, 10, 15, tzinfo=ICT)),
        ("05/10/2020, 10:15", datetime(2020, 10, 5, 10, 15, tzinfo=ICT)),
        ("16/07/2026", datetime(2026, 7, 16, 0, 0, tzinfo=ICT)),
        ("10:00 01/01/2024 (GMT+0)", datetime(2024, 1, 1, 10, 0, tzinfo=UTC)),
    ],
)
def test_visible_formats(text: str, expected: datetime) -> None:
    parsed = parse_date(text)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-07-16T08:46:00+07:00", datetime(2026, 7, 16, 8, 46, tzinfo=ICT)),
        (
            "2024-08-04T07:54:29.000 +07:00",
            datetime(2024, 8, 4, 7, 54, 29, tzinfo=ICT),
        ),  # space before offset
        ("2025-02-02T05:01:08.000+07:00", datetime(2025, 2, 2, 5, 1, 8, tzinfo=ICT)),
        ("2025-10-22T19:25:52+0700", datetime(2025, 10, 22, 19, 25, 52, tzinfo=ICT)),
        ("2026-07-20T07:00:00", datetime(2026, 7, 20, 7, 0, tzinfo=ICT)),  # no offset: Vietnam time
        ("2020-01-01T00:00:00Z", datetime(2020, 1, 1, tzinfo=UTC)),
        ("2020-01-01", datetime(2020, 1, 1, tzinfo=ICT)),
    ],
)
def test_iso_formats(text: str, expected: datetime) -> None:
    parsed = parse_iso(text)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == expected.utcoffset()


def test_us_metadata_month_first() -> None:
    # Bongdaplus <meta dateCreated>: M/D/Y with AM/PM.
    assert parse_vietnamese("3/24/2024 6:53:30 AM", month_first=True) == datetime(
        2024, 3, 24, 6, 53, 30, tzinfo=ICT
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        None,
        "không có ngày",
        "31/02/2024 10:00",
        "2024-13-01T00:00:00",
        "2024-01-01T10:00:00+25:00",
    ],
)
def test_unparseable_is_none(text: str | None) -> None:
    assert parse_date(text) is None


def test_vietnam_zone() -> None:
    assert VIETNAM.utcoffset(None) == timedelta(hours=7)
