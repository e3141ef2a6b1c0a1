"""Column types whose stored form is part of the archive's interface (README "Schema")."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.sqlite import DATETIME as SQLITE_DATETIME
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

# Whole seconds, ISO-like: what sqlite3's own date functions read, and what sorts as time.
_SQLITE_UTC = SQLITE_DATETIME(  # type: ignore[no-untyped-call]
    storage_format="%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d",
    regexp=r"(\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+)",
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored in UTC ("2026-07-16 01:46:00" in SQLite), read back aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(_SQLITE_UTC)
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored: the offset is unknown")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def sqlite_utc_text(value: datetime) -> str:
    """What ``UTCDateTime`` stores in SQLite for ``value``, in one step (storage.prepared's write path).

    The same text as the type's two processors (to UTC, then ``_SQLITE_UTC``'s format: zero-padded, whole
    seconds, microseconds dropped) at half their cost; tests/storage/test_types.py compares them."""
    global _last_utc_text
    last = _last_utc_text
    if value is last[0]:  # a save stores its one "now" in five or six columns: converted once
        return last[1]
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r} cannot be stored: the offset is unknown")
    text = value.astimezone(UTC).isoformat(" ", "seconds")[:19]  # "YYYY-MM-DD HH:MM:SS", "+00:00" cut
    _last_utc_text = (value, text)  # one tuple, swapped whole: safe across threads
    return text


# The last value sqlite_utc_text converted (kept referenced, so ``is`` cannot match a new object).
_last_utc_text: tuple[datetime | None, str] = (None, "")


# One encoder for every call: json.dumps with options builds a new JSONEncoder each time.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# The string encoder _JSON itself uses (ensure_ascii=False): C, escaping only quotes, backslashes and
# control characters.
_json_string = json.encoder.encode_basestring


def dumps_json(value: Any) -> str:
    """JSON as SQL users read it: Vietnamese text unescaped."""
    if type(value) is list and all(type(item) is str for item in value):
        # An article's authors and tags (and its often empty images): the encoder's own text, at a fifth
        # of its cost, which is mostly setting up its iteration (three lists per saved article).
        return "[" + ",".join(map(_json_string, value)) + "]"
    return _JSON.encode(value)


JSONText = JSON(none_as_null=True)
