"""Vietnamese date strings → aware datetimes (DESIGN rule 6: no offset given means Vietnam time, UTC+7).

Formats met on the outlets (outlets.md): "Thứ sáu, 13/11/2020 09:53 AM", "08:52 | 06/11/2024",
"Thứ năm, 2/11/2023, 19:20 (GMT+7)", "Thứ Năm, 08:46, 16/07/2026", "Chủ Nhật, 04/08/2024 - 07:54",
"07:12 ngày 24/03/2024", "29/12/2025 22:32 GMT+7", ISO 8601 from meta / JSON-LD (also with a space before
the offset: "2024-08-04T07:54:29.000 +07:00"), and the US "3/24/2024 6:53:30 AM" of Bongdaplus meta.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7), "ICT")

# Case-insensitive by hand: re.IGNORECASE makes the engine fold every character it compares.
_ISO_RE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*([Zz]|[+-]\d{2}:?\d{2})?\s*$"
)
_DATE = r"(\d{1,2})/(\d{1,2})/(\d{4})"
_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?"
_DATE_THEN_TIME = re.compile(_DATE + r"\D{0,6}?" + _TIME)
_TIME_THEN_DATE = re.compile(_TIME + r"\D{0,12}?" + _DATE)
_DATE_ONLY = re.compile(_DATE)
_OFFSET_RE = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)


def parse_iso(text: str) -> datetime | None:
    """ISO 8601 as found in meta tags and JSON-LD; None when it is not one."""
    match = _ISO_RE.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        # A group that took part holds digits: "or 0" stands for one that did not.
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=_offset(offset),
        )
    except ValueError:
        return None


@functools.lru_cache(maxsize=64)
def _offset(text: str | None) -> timezone:
    # A handful of spellings ("+07:00", "Z", "+0700") recur on every page of a site.
    if text is None:
        return VIETNAM
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))


def _to_24h(hour: int, meridiem: str | None) -> int:
    if meridiem is None:
        return hour
    if meridiem.lower() == "pm":
        return hour if hour == 12 else hour + 12
    return 0 if hour == 12 else hour


def parse_vietnamese(text: str, *, month_first: bool = False) -> datetime | None:
    """A visible date such as "Thứ năm, 2/11/2023, 19:20 (GMT+7)"; None when no date is found.

    Day comes before month unless ``month_first`` (US-style metadata).
    """
    match = _DATE_THEN_TIME.search(text)
    if match:
        d1, d2, year, hour, minute, second, meridiem = match.groups()
    else:
        match = _TIME_THEN_DATE.search(text)
        if match:
            hour, minute, second, meridiem, d1, d2, year = match.groups()
        else:
            match = _DATE_ONLY.search(text)
            if not match:
                return None
            d1, d2, year = match.groups()
            hour = minute = second = meridiem = None
    day, month = (d2, d1) if month_first else (d1, d2)
    zone = VIETNAM
    offset = _OFFSET_RE.search(text)
    if offset:
        sign, hours, minutes = offset.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        zone = timezone(-delta if sign == "-" else delta)
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            _to_24h(int(hour or 0), meridiem),
            int(minute or 0),
            int(second or 0),
            tzinfo=zone,
        )
    except ValueError:
        return None


def parse_date(text: str | None) -> datetime | None:
    """Any of the formats above, ISO first; None for empty or unparseable text."""
    if not text or not text.strip():
        return None
    return parse_iso(text) or parse_vietnamese(text)
