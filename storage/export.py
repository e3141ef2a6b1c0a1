"""`vnnews export`: every article with its sightings, streamed as JSON lines or CSV in constant memory.

Two cursors walk ``articles`` and ``sightings`` in article-id order side by side (a merge join), so
neither the articles nor the sightings are ever held in a list, and there is no query per article.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Generator, Iterator
from datetime import datetime
from itertools import groupby
from typing import Any, Protocol, TypeVarTuple

from sqlalchemy import Connection, Engine, Row, RowMapping, Select, select

from scraper.article import ARTICLE_FIELDS, Article, Image
from storage.filters import Filters, article_conditions, check_outlets, is_current
from storage.models import Article as ArticleRow
from storage.models import Outlet, Sighting

Ts = TypeVarTuple("Ts")


class Writable(Protocol):
    """Where an export goes: stdout, a file, anything with ``write``."""

    def write(self, text: str, /) -> int: ...


BATCH = 500  # rows fetched from SQLite at a time
# The Article fields (Article.to_dict order), then what the archive adds.
FIELDS = ("id", *ARTICLE_FIELDS, "first_seen_at", "supersedes_id", "sightings")


def records(
    engine: Engine, filters: Filters | None = None, *, latest_only: bool = False
) -> Generator[dict[str, Any]]:
    """One JSON-ready dict per article (oldest first), with ``sightings``: where it was seen."""
    filters = filters or Filters()
    conditions = article_conditions(filters)
    if latest_only:
        conditions.append(is_current())
    articles = (
        select(ArticleRow.__table__, Outlet.key.label("outlet_key"))
        .join(Outlet, Outlet.id == ArticleRow.outlet_id)
        .where(*conditions)
        .order_by(ArticleRow.id)
    )
    sightings = (
        select(Sighting.article_id, Outlet.key, Sighting.url, Sighting.first_seen_at, Sighting.last_seen_at)
        .join(Outlet, Outlet.id == Sighting.outlet_id)
        .where(Sighting.article_id.in_(select(ArticleRow.id).where(*conditions)))
        .order_by(Sighting.article_id, Sighting.id)
    )
    with engine.connect() as connection:
        check_outlets(connection, filters.outlets)
        yield from _merge(_stream(connection, articles), _stream(connection, sightings))


def _stream(connection: Connection, query: Select[*Ts]) -> Iterator[Row[*Ts]]:
    yield from connection.execution_options(yield_per=BATCH).execute(query)


def _merge(
    articles: Iterator[Row[*tuple[Any, ...]]],
    sightings: Iterator[Row[int, str, str, datetime, datetime]],
) -> Iterator[dict[str, Any]]:
    groups = groupby(sightings, key=lambda row: row[0])
    pending = next(groups, None)
    for article in articles:
        row = article._mapping
        seen: list[dict[str, Any]] = []
        while pending is not None and pending[0] <= row["id"]:
            if pending[0] == row["id"]:
                seen = [_sighting(sighting) for sighting in pending[1]]
            pending = next(groups, None)
        yield _record(row, seen)


def _sighting(row: Row[int, str, str, datetime, datetime]) -> dict[str, Any]:
    _, outlet, url, first, last = row
    return {"outlet": outlet, "url": url, "first_seen_at": _iso(first), "last_seen_at": _iso(last)}


def _record(row: RowMapping, sightings: list[dict[str, Any]]) -> dict[str, Any]:
    record = {name: row[name] for name in FIELDS if name not in {"outlet", "sightings"}}
    record["outlet"] = row["outlet_key"]
    record["body"] = row["body"].split("\n")
    for name in ("published_at", "updated_at", "first_seen_at"):
        record[name] = _iso(row[name])
    record["sightings"] = sightings
    return {name: record[name] for name in FIELDS}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def write_jsonl(rows: Iterator[dict[str, Any]], out: Writable) -> int:
    """One JSON object per line, Vietnamese unescaped; the number written."""
    count = 0
    for count, record in enumerate(rows, 1):  # noqa: B007 - the count is what is returned
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return count


def write_csv(rows: Iterator[dict[str, Any]], out: Writable) -> int:
    """A header and one row per article: body paragraphs joined by newlines, lists and objects as JSON."""
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    count = 0
    for count, record in enumerate(rows, 1):  # noqa: B007
        writer.writerow([_cell(name, record[name]) for name in FIELDS])
    return count


def _cell(name: str, value: Any) -> Any:
    if name == "body":
        return "\n".join(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def record_to_article(record: dict[str, Any]) -> Article:
    """The Article a JSON-lines record was exported from (its content hash is recomputed, and must agree)."""
    article = Article(
        url=record["url"],
        canonical_url=record["canonical_url"],
        outlet=record["outlet"],
        title=record["title"],
        body=tuple(record["body"]),
        extractor=record["extractor"],
        extractor_version=record["extractor_version"],
        sapo=record["sapo"],
        authors=tuple(record["authors"]),
        published_at=_datetime(record["published_at"]),
        updated_at=_datetime(record["updated_at"]),
        section=record["section"],
        tags=tuple(record["tags"]),
        images=tuple(Image(image["url"], image.get("caption")) for image in record["images"]),
        language=record["language"],
    )
    if article.content_hash != record["content_hash"]:
        raise ValueError(f"record {record.get('id')}: body does not match its content_hash")
    return article


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
