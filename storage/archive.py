"""Save extracted articles: dedupe by content hash, sightings, versions, raw pages, failures as data."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from sqlalchemy import Connection, CursorResult, Engine, Row, bindparam, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from scraper.article import Article
from scraper.errors import StorageError
from storage.db import ensure_current, make_engine
from storage.models import Article as ArticleRow
from storage.models import FetchLog, Outlet, Page, RawPage, Sighting
from storage.search import index_rows

Outcome = Literal["new", "duplicate", "version", "unchanged"]
Source = Literal["fetch", "reextract"]  # fetch_log.source
# Headers worth keeping with a raw page: enough to redo charset decoding and conditional GET.
KEPT_HEADERS = ("content-type", "content-length", "etag", "last-modified", "date", "cache-control")
# zlib level of raw pages. 1, not 6: on the reference pages 2.5x less CPU (1.3 vs 3.2 ms for a 165 KB page,
# the largest cost of archiving a fetched page) for 20 % more bytes (4.3 vs 5.2 times smaller).
RAW_COMPRESSION = 1


class FetchedBody(Protocol):
    """What the archive needs of a fetched page (scraper.fetch.FetchedPage satisfies it)."""

    @property
    def url(self) -> str: ...
    @property
    def final_url(self) -> str: ...
    @property
    def status(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def content(self) -> bytes: ...
    @property
    def encoding(self) -> str | None: ...
    @property
    def fetched_at(self) -> datetime: ...


@dataclass(frozen=True)
class SaveResult:
    """What became of one article: ``duplicate_of_url`` is where a duplicate was first seen."""

    outcome: Outcome
    article_id: int
    duplicate_of_url: str | None = None
    supersedes_id: int | None = None


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class Archive:
    """The archive of one database. Every public method is one transaction."""

    def __init__(self, engine: Engine, *, source: Source = "fetch") -> None:
        self.engine = engine
        self.source = source
        self._outlet_ids: dict[str, int] = {}

    @classmethod
    def open(cls, target: str | Path) -> Archive:
        """Open (creating and migrating on first use) the archive at a path or database URL."""
        engine = make_engine(target)
        ensure_current(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def reextracting(self) -> Archive:
        """This archive (same engine, not to be closed) as `vnnews reextract` writes it.

        Its fetch_log rows say source "reextract" and are dated now, and a page's fetch state (last fetch,
        status, validators, errors) is left alone: nothing was fetched, so stats must not count it.
        """
        return Archive(self.engine, source="reextract")

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def register_outlets(self, outlets: Iterable[tuple[str, str, Sequence[str]]]) -> None:
        """Insert or refresh (key, name, domains) rows so SQL users can join on outlet names."""
        with self.transaction() as session:
            for key, name, domains in outlets:
                row = session.scalar(select(Outlet).where(Outlet.key == key))
                if row is None:
                    session.add(Outlet(key=key, name=name, domains=list(domains)))
                elif (row.name, row.domains) != (name, list(domains)):
                    row.name, row.domains = name, list(domains)

    def save(
        self, article: Article, *, raw: FetchedBody | None = None, seen_at: datetime | None = None
    ) -> SaveResult:
        """Archive ``article`` seen at ``article.url``: new, duplicate, new version, or unchanged."""
        now = seen_at or (raw.fetched_at if raw else utcnow())
        # Core statements, not ORM objects: on this path the unit of work cost three times the SQL it ran
        # (bench/ingest.py). The rows written are the same.
        with self.transaction() as session:
            connection = session.connection()
            outlet_id = self.outlet_id(session, article.outlet)
            raw_id = self._store_raw(session, raw) if raw else None
            page = connection.execute(_PAGE_BY_URL, {"url": article.url}).first()
            previous = page.article_id if page is not None else None
            result = self._place(connection, article, previous, outlet_id, now)
            self._sight(connection, result.article_id, outlet_id, article.canonical_url, now)
            values: dict[str, object] = {"outlet_id": outlet_id, "article_id": result.article_id}
            if self.source == "fetch":
                values.update(
                    _fetched_values(page, raw, now),
                    last_success_at=now,
                    last_error=None,
                    last_error_message=None,
                    consecutive_failures=0,
                )
            _write_page(connection, article.url, page, values)
            connection.execute(
                insert(FetchLog),
                {
                    "at": self._log_time(now),
                    "url": article.url,
                    "outlet_id": outlet_id,
                    "outcome": result.outcome,
                    "reason": None,
                    "message": None,
                    "http_status": raw.status if raw else None,
                    "article_id": result.article_id,
                    "raw_page_id": raw_id,
                    "source": self.source,
                },
            )
            return result

    def record_failure(
        self,
        url: str,
        *,
        reason: str,
        message: str,
        outlet_key: str | None = None,
        http_status: int | None = None,
        raw: FetchedBody | None = None,
        at: datetime | None = None,
    ) -> None:
        """Record that ``url`` yielded no article, and why; nothing already stored is touched."""
        now = at or (raw.fetched_at if raw else utcnow())
        with self.transaction() as session:
            connection = session.connection()
            outlet_id = self.outlet_id(session, outlet_key) if outlet_key else None
            raw_id = self._store_raw(session, raw) if raw else None
            page = connection.execute(_PAGE_BY_URL, {"url": url}).first()
            values: dict[str, object] = {} if outlet_id is None else {"outlet_id": outlet_id}
            if self.source == "fetch":
                values.update(
                    _fetched_values(page, raw, now),
                    last_error=reason,
                    last_error_message=message,
                    consecutive_failures=(page.consecutive_failures if page else 0) + 1,
                )
                if http_status is not None:
                    values["last_status"] = http_status
            _write_page(connection, url, page, values)
            session.add(
                FetchLog(
                    at=self._log_time(now),
                    url=url,
                    outlet_id=outlet_id,
                    outcome="failed",
                    reason=reason,
                    message=message,
                    http_status=http_status if http_status is not None else (raw.status if raw else None),
                    raw_page_id=raw_id,
                    source=self.source,
                )
            )

    def count(self, table: type[ArticleRow] | type[Sighting] | type[RawPage] | type[FetchLog]) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(table)) or 0

    def _log_time(self, seen_at: datetime) -> datetime:
        # A fetch is logged when the page was fetched; a re-extraction when it ran.
        return seen_at if self.source == "fetch" else utcnow()

    def transaction(self) -> _Transaction:
        """A session in one transaction (commit on success), for the crawl state in storage.frontier."""
        return _Transaction(self.engine)

    def outlet_id(self, session: Session, key: str) -> int:
        """The id of outlet ``key``, creating its row if it is new (a generic-extractor host, say)."""
        if key in self._outlet_ids:
            return self._outlet_ids[key]
        row = session.scalar(select(Outlet).where(Outlet.key == key))
        if row is None:
            # Not cached yet: the transaction creating the row may still roll back.
            row = Outlet(key=key, name=key, domains=[])
            session.add(row)
            session.flush()
            return row.id
        self._outlet_ids[key] = row.id
        return row.id

    @staticmethod
    def _place(
        connection: Connection, article: Article, previous: int | None, outlet_id: int, now: datetime
    ) -> SaveResult:
        """Dedupe by content hash against ``previous``, the article the page showed so far (None: none)."""
        existing = connection.execute(_ARTICLE_BY_HASH, {"content_hash": article.content_hash}).first()
        if existing is not None:
            if existing.id == previous:
                return SaveResult("unchanged", existing.id)
            if previous is not None:  # the page changed back to, or into, a story already archived
                return SaveResult("version", existing.id, existing.url, previous)
            return SaveResult("duplicate", existing.id, existing.url)
        values = _article_values(article, outlet_id, now, supersedes_id=previous)
        article_id = _new_id(connection.execute(insert(ArticleRow), values))
        # In this transaction: a new row is searchable exactly when it is committed (storage.search).
        index_rows(connection, [(article_id, values["title"], values["sapo"], values["body"])])
        return SaveResult("new" if previous is None else "version", article_id, supersedes_id=previous)

    @staticmethod
    def _sight(connection: Connection, article_id: int, outlet_id: int, url: str, now: datetime) -> None:
        sighting = connection.execute(_SIGHTING, {"article_id": article_id, "url": url}).first()
        if sighting is None:
            connection.execute(
                insert(Sighting),
                {
                    "article_id": article_id,
                    "outlet_id": outlet_id,
                    "url": url,
                    "first_seen_at": now,
                    "last_seen_at": now,
                },
            )
        elif now > sighting.last_seen_at:
            connection.execute(update(Sighting).where(Sighting.id == sighting.id), {"last_seen_at": now})

    @staticmethod
    def _store_raw(session: Session, raw: FetchedBody) -> int:
        digest = hashlib.sha256(raw.content).hexdigest()
        connection = session.connection()
        existing = connection.execute(_RAW_BY_DIGEST, {"url": raw.url, "content_sha256": digest}).scalar()
        if existing is not None:
            return int(existing)
        values = {
            "url": raw.url,
            "final_url": raw.final_url,
            "status": raw.status,
            "encoding": raw.encoding,
            "headers": {k: v for k, v in raw.headers.items() if k.lower() in KEPT_HEADERS},
            "content_sha256": digest,
            "size": len(raw.content),
            "content": zlib.compress(raw.content, RAW_COMPRESSION),
            "fetched_at": raw.fetched_at,
        }
        return _new_id(connection.execute(insert(RawPage), values))


# Built once: a statement built per call costs SQLAlchemy a cache-key computation every time.
_PAGE_BY_URL = select(
    Page.id, Page.article_id, Page.etag, Page.last_modified, Page.consecutive_failures
).where(Page.url == bindparam("url"))

# (id, article_id, etag, last_modified, consecutive_failures) of _PAGE_BY_URL.
_PageRow = Row[int, int | None, str | None, str | None, int]


def _fetched_values(page: _PageRow | None, raw: FetchedBody | None, now: datetime) -> dict[str, object]:
    """What every fetch records on its page, success or failure: when, the status, and the validators
    for the next conditional GET (a response without them keeps the ones the page had)."""
    values: dict[str, object] = {"last_fetched_at": now}
    if raw is not None:
        values.update(
            last_status=raw.status,
            etag=raw.headers.get("etag") or (page.etag if page else None),
            last_modified=raw.headers.get("last-modified") or (page.last_modified if page else None),
        )
    return values


def _write_page(connection: Connection, url: str, page: _PageRow | None, values: dict[str, object]) -> None:
    if page is None:
        connection.execute(insert(Page), {"url": url, "consecutive_failures": 0, **values})
    elif values:
        connection.execute(update(Page).where(Page.id == page.id), values)


_ARTICLE_BY_HASH = select(ArticleRow.id, ArticleRow.url).where(
    ArticleRow.content_hash == bindparam("content_hash")
)
_SIGHTING = select(Sighting.id, Sighting.last_seen_at).where(
    Sighting.article_id == bindparam("article_id"), Sighting.url == bindparam("url")
)
_RAW_BY_DIGEST = select(RawPage.id).where(
    RawPage.url == bindparam("url"), RawPage.content_sha256 == bindparam("content_sha256")
)


def _article_values(
    article: Article, outlet_id: int, now: datetime, supersedes_id: int | None
) -> dict[str, Any]:
    """The ``articles`` row of ``article``."""
    return {
        "content_hash": article.content_hash,
        "outlet_id": outlet_id,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "title": article.title,
        "sapo": article.sapo,
        "body": "\n".join(article.body),
        "authors": list(article.authors),
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "section": article.section,
        "tags": list(article.tags),
        "images": [image.to_dict() for image in article.images],
        "language": article.language,
        "extractor": article.extractor,
        "extractor_version": article.extractor_version,
        "first_seen_at": now,
        "supersedes_id": supersedes_id,
    }


def _new_id(result: CursorResult[Any]) -> int:
    """The primary key of the row an INSERT added."""
    key = result.inserted_primary_key
    if key is None:  # only for statements that insert no single row
        raise StorageError("the archive did not return the id of a new row")
    return int(key[0])


def decompress(content: bytes) -> bytes:
    """The original bytes of a ``raw_pages.content`` value."""
    return zlib.decompress(content)


class _Transaction:
    """A session in one transaction; SQLAlchemy errors become StorageError with the cause named."""

    def __init__(self, engine: Engine) -> None:
        self.session = Session(engine, expire_on_commit=False)

    def __enter__(self) -> Session:
        self.session.begin()
        return self.session

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        try:
            if exc_type is None:
                self.session.commit()
            else:
                self.session.rollback()
        except SQLAlchemyError as error:
            self.session.rollback()
            raise StorageError(f"cannot write the archive: {error.__class__.__name__}: {error}") from None
        finally:
            self.session.close()
        if isinstance(exc, SQLAlchemyError):
            raise StorageError(f"cannot write the archive: {exc.__class__.__name__}: {exc}") from None
