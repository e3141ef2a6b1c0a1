"""Save extracted articles: dedupe by content hash, sightings, versions, raw pages, failures as data."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import Any, Literal, NamedTuple, Protocol

from sqlalchemy import Dialect, Engine, bindparam, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from scraper.article import Article
from scraper.errors import StorageError
from storage import compression
from storage.db import ensure_current, make_engine
from storage.models import Article as ArticleRow
from storage.models import ArticleRevision, FetchLog, Outlet, Page, RawPage, Sighting
from storage.prepared import DBAPICursor, Prepared, driver_cursor
from storage.search import index_rows, unindex_rows

Outcome = Literal["new", "duplicate", "version", "updated", "unchanged"]
Source = Literal["fetch", "reextract"]  # fetch_log.source
# Headers worth keeping with a raw page: enough to redo charset decoding and conditional GET.
KEPT_HEADERS = ("content-type", "content-length", "etag", "last-modified", "date", "cache-control")
# An open batch (Archive.batch) commits after this many writes or this many seconds, whichever comes first:
# bounds what a crash can cost (the pages of one batch are fetched again by the next run) and how long
# another writer (a `vnnews import` beside a crawl) waits for the write lock.
BATCH_WRITES = 200
BATCH_SECONDS = 2.0


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
    """The archive of one database. Every public method is one transaction, or a part of the open batch's
    (``batch``)."""

    def __init__(self, engine: Engine, *, source: Source = "fetch") -> None:
        self.engine = engine
        self.source = source
        self._outlet_ids: dict[str, int] = {}
        self._batch: _Batch | None = None
        self._sql: _Statements | None = None

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
        self,
        article: Article,
        *,
        raw: FetchedBody | PackedRaw | None = None,
        seen_at: datetime | None = None,
    ) -> SaveResult:
        """Archive ``article`` seen at ``article.url``: new, duplicate, new version, or unchanged."""
        fetched = raw.page if isinstance(raw, PackedRaw) else raw
        now = seen_at or (fetched.fetched_at if fetched else utcnow())
        sql = self._statements()
        with self.transaction() as session, closing(driver_cursor(session.connection())) as cursor:
            outlet_id = self.outlet_id(session, article.outlet)
            raw_id = sql.store_raw(cursor, raw) if raw else None
            page = sql.page(cursor, article.url)
            previous = page.article_id if page is not None else None
            result, inserted = sql.place(
                cursor, article, previous, outlet_id, now, _index_queue(session), self.source
            )
            sql.sight(cursor, result.article_id, outlet_id, article.canonical_url, now, inserted=inserted)
            values: dict[str, object] = {"outlet_id": outlet_id, "article_id": result.article_id}
            if self.source == "fetch":
                values.update(
                    _fetched_values(page, fetched, now),
                    last_success_at=now,
                    last_error=None,
                    last_error_message=None,
                    consecutive_failures=0,
                )
            sql.write_page(cursor, article.url, page, values)
            sql.log(
                cursor,
                at=self._log_time(now),
                url=article.url,
                outlet_id=outlet_id,
                outcome=result.outcome,
                reason=None,
                message=None,
                http_status=fetched.status if fetched else None,
                article_id=result.article_id,
                raw_page_id=raw_id,
                source=self.source,
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
        raw: FetchedBody | PackedRaw | None = None,
        at: datetime | None = None,
    ) -> None:
        """Record that ``url`` yielded no article, and why; nothing already stored is touched."""
        fetched = raw.page if isinstance(raw, PackedRaw) else raw
        now = at or (fetched.fetched_at if fetched else utcnow())
        sql = self._statements()
        with self.transaction() as session, closing(driver_cursor(session.connection())) as cursor:
            outlet_id = self.outlet_id(session, outlet_key) if outlet_key else None
            raw_id = sql.store_raw(cursor, raw) if raw else None
            page = sql.page(cursor, url)
            values: dict[str, object] = {} if outlet_id is None else {"outlet_id": outlet_id}
            if self.source == "fetch":
                values.update(
                    _fetched_values(page, fetched, now),
                    last_error=reason,
                    last_error_message=message,
                    consecutive_failures=(page.consecutive_failures if page else 0) + 1,
                )
                if http_status is not None:
                    values["last_status"] = http_status
            sql.write_page(cursor, url, page, values)
            sql.log(
                cursor,
                at=self._log_time(now),
                url=url,
                outlet_id=outlet_id,
                outcome="failed",
                reason=reason,
                message=message,
                http_status=http_status if http_status is not None else (fetched.status if fetched else None),
                article_id=None,
                raw_page_id=raw_id,
                source=self.source,
            )

    def count(self, table: type[ArticleRow] | type[Sighting] | type[RawPage] | type[FetchLog]) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(table)) or 0

    def _log_time(self, seen_at: datetime) -> datetime:
        # A fetch is logged when the page was fetched; a re-extraction when it ran.
        return seen_at if self.source == "fetch" else utcnow()

    def transaction(self) -> _Transaction | _BatchedTransaction:
        """A session in one transaction (commit on success), for the crawl state in storage.frontier; in
        the thread that opened a batch, the batch's transaction, committed when the batch is."""
        batch = self._batch
        if batch is not None and batch.owner == threading.get_ident():
            return _BatchedTransaction(batch)
        return _Transaction(self.engine)

    @contextmanager
    def batch(self, *, max_writes: int = BATCH_WRITES, max_seconds: float = BATCH_SECONDS) -> Iterator[None]:
        """Group this thread's writes into fewer transactions until the block ends (the crawl, reextract).

        One commit per article cost more than the rest of storing it: a commit, and the full-text segment
        it flushes, per page (bench/ingest.py). Inside the block every write (``save``, ``record_failure``,
        the frontier's) joins an open transaction that commits after ``max_writes`` writes or
        ``max_seconds``, at ``commit_batch`` and at the end, also when the block ends with an exception
        raised outside a write (Ctrl-C). Each write is whole, so a commit never stores half of one; a crash
        loses the uncommitted writes, whose pages stay due and are fetched again. A write that fails rolls
        back the whole open batch (StorageError, and every later write in the block is refused): the
        archive is not writable, and the caller stops.
        """
        if self._batch is not None:
            raise RuntimeError("Archive.batch is already open")
        batch = _Batch(self.engine, max_writes, max_seconds)
        self._batch = batch
        try:
            yield
        except BaseException:
            # Ctrl-C, or an error outside any write: every write in the batch is whole, so keep them.
            if not batch.broken:
                with suppress(StorageError):  # the exception on its way out says more than this would
                    batch.commit()
            raise
        else:
            batch.commit()
        finally:
            self._batch = None
            batch.close()
            if batch.broken:  # ids of outlet rows the batch created, then rolled back, are no more
                self._outlet_ids.clear()

    def commit_batch(self) -> None:
        """Commit what the open batch holds now (the crawl does when it would otherwise wait for the network:
        written pages should not sit uncommitted while nothing else happens)."""
        if self._batch is not None and self._batch.owner == threading.get_ident():
            self._batch.commit()

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

    def _statements(self) -> _Statements:
        if self._sql is None:
            self._sql = _Statements(self.engine.dialect)
        return self._sql


class PageState(NamedTuple):
    """What the archive knows of a page before a fetch of it is recorded."""

    id: int
    article_id: int | None
    etag: str | None
    last_modified: str | None
    consecutive_failures: int


@dataclass(frozen=True)
class PackedRaw:
    """A fetched page made ready for ``raw_pages``: its digest and compressed bytes.

    The crawl packs pages in its fetch threads, beside the archiving thread: compressing is the largest
    cost of archiving a page (storage.compression).
    """

    page: FetchedBody
    sha256: str
    compressed: bytes

    @classmethod
    def of(cls, page: FetchedBody) -> PackedRaw:
        return cls(page, hashlib.sha256(page.content).hexdigest(), compression.compress(page.content))


def _columns(table: type[Any], *skip: str) -> dict[str, Any]:
    return {
        column.name: bindparam(column.name) for column in table.__table__.columns if column.name not in skip
    }


def _returning(dialect: Dialect) -> bool:
    """Whether a new row's id is read with RETURNING: where the database has it (PostgreSQL), but not on
    SQLite, whose driver's lastrowid is exact for a one-row INSERT and free (RETURNING costs a fetch)."""
    return dialect.insert_returning and dialect.name != "sqlite"


def _insert(table: type[Any], dialect: Dialect) -> Prepared:
    statement = insert(table).values(_columns(table, "id"))
    return Prepared(statement.returning(table.id) if _returning(dialect) else statement, dialect)


# What a same-body re-extraction may change, compared to tell (updated_at is not: see _revise) ...
_COMPARED = ("title", "sapo", "authors", "published_at", "section", "tags", "images")
# ... and what it replaces, the earlier values kept in article_revisions. Read on every unchanged
# re-fetch to compare; the body is read only when a revision re-indexes the row.
_REVISED = (*_COMPARED, "updated_at", "extractor", "extractor_version")


class _Statements:
    """The write path of ``Archive.save`` and ``record_failure``, compiled once for one dialect
    (storage.prepared: the SQLAlchemy per-execute cost was most of the cost of storing an article)."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._returning = _returning(dialect)
        self._page_by_url = Prepared(
            select(Page.id, Page.article_id, Page.etag, Page.last_modified, Page.consecutive_failures).where(
                Page.url == bindparam("url")
            ),
            dialect,
        )
        self._article_by_hash = Prepared(
            select(ArticleRow.id, ArticleRow.url).where(ArticleRow.content_hash == bindparam("content_hash")),
            dialect,
        )
        self._sighting = Prepared(
            select(Sighting.id, Sighting.last_seen_at).where(
                Sighting.article_id == bindparam("article_id"), Sighting.url == bindparam("url")
            ),
            dialect,
        )
        self._seen_again = Prepared(
            update(Sighting)
            .where(Sighting.id == bindparam("sighting_id"))
            .values(last_seen_at=bindparam("at")),
            dialect,
        )
        self._raw_by_digest = Prepared(
            select(RawPage.id).where(
                RawPage.url == bindparam("url"), RawPage.content_sha256 == bindparam("content_sha256")
            ),
            dialect,
        )
        self._insert = {
            table: _insert(table, dialect)
            for table in (ArticleRow, Sighting, RawPage, FetchLog, ArticleRevision)
        }
        self._metadata = Prepared(
            select(*(ArticleRow.__table__.c[name] for name in _REVISED)).where(
                ArticleRow.id == bindparam("article_id")
            ),
            dialect,
        )
        self._body = Prepared(
            select(ArticleRow.body).where(ArticleRow.id == bindparam("article_id")), dialect
        )
        self._revise_row = Prepared(
            update(ArticleRow)
            .where(ArticleRow.id == bindparam("article_id"))
            .values({name: bindparam(name) for name in _REVISED}),
            dialect,
        )
        # A page's row is written with the columns a fetch, a failure or a re-extraction sets: one
        # statement per set of columns, compiled when first needed.
        self._page_writes: dict[tuple[bool, tuple[str, ...]], Prepared] = {}

    def page(self, cursor: DBAPICursor, url: str) -> PageState | None:
        row = self._page_by_url.first(cursor, {"url": url})
        return PageState(*row) if row is not None else None

    def place(
        self,
        cursor: DBAPICursor,
        article: Article,
        previous: int | None,
        outlet_id: int,
        now: datetime,
        index_queue: list[IndexChange],
        source: Source,
    ) -> tuple[SaveResult, bool]:
        """Dedupe by content hash against ``previous``, the article the page showed so far (None: none);
        and whether the article row is new (inserted by this call)."""
        existing = self._article_by_hash.first(cursor, {"content_hash": article.content_hash})
        if existing is not None:
            existing_id, existing_url = existing
            if existing_id == previous:
                revised = self._revise(cursor, existing_id, article, now, index_queue, source)
                return SaveResult("updated" if revised else "unchanged", existing_id), False
            if previous is not None:  # the page changed back to, or into, a story already archived
                return SaveResult("version", existing_id, existing_url, previous), False
            return SaveResult("duplicate", existing_id, existing_url), False
        values = _article_values(article, outlet_id, now, supersedes_id=previous)
        article_id = self._new_row(cursor, ArticleRow, values)
        index_queue.append(("add", (article_id, values["title"], values["sapo"], values["body"])))
        return SaveResult("new" if previous is None else "version", article_id, supersedes_id=previous), True

    def _revise(
        self,
        cursor: DBAPICursor,
        article_id: int,
        article: Article,
        now: datetime,
        index_queue: list[IndexChange],
        source: Source,
    ) -> bool:
        """Replace the metadata of the page's unchanged article when the extraction differs, keeping the
        earlier values in ``article_revisions``; whether it did. A fixed extractor re-run by `reextract`
        reaches the archive this way (the body, and so the hash, is the same: no new version)."""
        stored = self._metadata.first(cursor, {"article_id": article_id})
        if stored is None:  # cannot happen: the page's article row exists
            raise StorageError(f"article #{article_id} is missing from the archive")
        before = dict(zip(_REVISED, stored, strict=True))
        after = _article_values(article, 0, now, None)
        # updated_at alone is no change: some CMSs restamp dateModified whenever a page is rendered.
        if all(before[name] == after[name] for name in _COMPARED):
            return False
        self._new_row(
            cursor,
            ArticleRevision,
            {
                "article_id": article_id,
                "replaced_at": now,
                "source": source,
                **{n: before[n] for n in _REVISED},
            },
        )
        self._revise_row.execute(cursor, {"article_id": article_id, **{n: after[n] for n in _REVISED}})
        body = self._body.scalar(cursor, {"article_id": article_id})
        index_queue.append(("remove", (article_id, before["title"], before["sapo"], body)))
        index_queue.append(("add", (article_id, after["title"], after["sapo"], body)))
        return True

    def sight(
        self,
        cursor: DBAPICursor,
        article_id: int,
        outlet_id: int,
        url: str,
        now: datetime,
        *,
        inserted: bool,
    ) -> None:
        """Record that ``article_id`` was seen at ``url``; ``inserted``: its row is new, so no sighting of it
        can exist yet and none is looked up."""
        sighting = None if inserted else self._sighting.first(cursor, {"article_id": article_id, "url": url})
        if sighting is None:
            values = {
                "article_id": article_id,
                "outlet_id": outlet_id,
                "url": url,
                "first_seen_at": now,
                "last_seen_at": now,
            }
            self._new_row(cursor, Sighting, values)
        elif now > sighting[1]:
            self._seen_again.execute(cursor, {"sighting_id": sighting[0], "at": now})

    def store_raw(self, cursor: DBAPICursor, raw: FetchedBody | PackedRaw) -> int:
        page = raw.page if isinstance(raw, PackedRaw) else raw
        digest = raw.sha256 if isinstance(raw, PackedRaw) else hashlib.sha256(page.content).hexdigest()
        existing = self._raw_by_digest.scalar(cursor, {"url": page.url, "content_sha256": digest})
        if existing is not None:
            return int(existing)
        values = {
            "url": page.url,
            "final_url": page.final_url,
            "status": page.status,
            "encoding": page.encoding,
            "headers": {k: v for k, v in page.headers.items() if k.lower() in KEPT_HEADERS},
            "content_sha256": digest,
            "size": len(page.content),
            "content": raw.compressed if isinstance(raw, PackedRaw) else compression.compress(page.content),
            "compression": compression.CODEC,
            "fetched_at": page.fetched_at,
        }
        return self._new_row(cursor, RawPage, values)

    def write_page(
        self, cursor: DBAPICursor, url: str, page: PageState | None, values: dict[str, object]
    ) -> None:
        if page is None:
            values = {"url": url, "consecutive_failures": 0, **values}
        elif not values:
            return
        else:
            values = {**values, "page_id": page.id}
        key = (page is None, tuple(sorted(values)))
        statement = self._page_writes.get(key)
        if statement is None:
            if page is None:
                core: Any = insert(Page).values({name: bindparam(name) for name in key[1]})
            else:
                changed: dict[str, Any] = {name: bindparam(name) for name in key[1] if name != "page_id"}
                core = update(Page).where(Page.id == bindparam("page_id")).values(changed)
            statement = self._page_writes[key] = Prepared(core, self.dialect)
        statement.execute(cursor, values)

    def log(self, cursor: DBAPICursor, **values: object) -> None:
        self._new_row(cursor, FetchLog, values)

    def _new_row(self, cursor: DBAPICursor, table: type[Any], values: Mapping[str, object]) -> int:
        """Insert a row; its primary key."""
        self._insert[table].execute(cursor, values)
        if self._returning:
            returned = cursor.fetchone()
            new_id = returned[0] if returned is not None else None
        else:
            new_id = cursor.lastrowid
        if new_id is None:
            raise StorageError("the archive did not return the id of a new row")
        return int(new_id)


def _fetched_values(page: PageState | None, raw: FetchedBody | None, now: datetime) -> dict[str, object]:
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


IndexRow = tuple[int, str, str | None, str]  # (article id, title, sapo, body) for storage.search.index_rows
IndexChange = tuple[Literal["add", "remove"], IndexRow]


def _index_queue(session: Session) -> list[IndexChange]:
    """The full-text rows of the articles this transaction added, written just before it commits.

    Last, not as each article is inserted: FTS5 writes its pending terms to disk at every statement that
    opens a statement savepoint (an INSERT with a UNIQUE or foreign key, say), so an index row written
    mid-page cost a segment flush per article, three times the indexing itself. Written in the same
    transaction, a new article is still searchable exactly when it is committed (storage.search).
    """
    queue: list[IndexChange] = session.info.setdefault("vnnews_index_queue", [])
    return queue


def _commit(session: Session) -> None:
    queue: list[IndexChange] = session.info.pop("vnnews_index_queue", None) or []
    # In order, a run of one kind at a time: a row's removal must follow the addition it undoes.
    for kind, run in groupby(queue, key=lambda change: change[0]):
        rows = [row for _, row in run]
        (index_rows if kind == "add" else unindex_rows)(session.connection(), rows)
    session.commit()


def _rollback(session: Session) -> None:
    session.info.pop("vnnews_index_queue", None)
    session.rollback()


def _storage_error(error: BaseException) -> StorageError:
    return StorageError(f"cannot write the archive: {error.__class__.__name__}: {error}")


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
                _commit(self.session)
            else:
                _rollback(self.session)
        except SQLAlchemyError as error:
            _rollback(self.session)
            raise _storage_error(error) from None
        finally:
            self.session.close()
        if isinstance(exc, SQLAlchemyError):
            raise _storage_error(exc) from None


class _Batch:
    """The open transaction of ``Archive.batch``: one session, begun at its first write."""

    def __init__(self, engine: Engine, max_writes: int, max_seconds: float) -> None:
        self.owner = threading.get_ident()  # a Session is not shared across threads
        self.session = Session(engine, expire_on_commit=False)
        self.max_writes = max_writes
        self.max_seconds = max_seconds
        self.writes = 0
        self.opened_at = 0.0
        self.broken = False

    def enter(self) -> Session:
        if self.broken:  # a caller that went on after a failed write would lose the writes rolled back
            raise StorageError("cannot write the archive: an earlier write of this batch failed")
        if not self.session.in_transaction():
            self.session.begin()
            self.opened_at = time.monotonic()
        return self.session

    def done(self) -> None:
        """One write finished whole: commit when the batch is full or old enough."""
        self.writes += 1
        if self.writes >= self.max_writes or time.monotonic() - self.opened_at >= self.max_seconds:
            self.commit()

    def commit(self) -> None:
        if not self.session.in_transaction():
            return
        self.writes = 0
        try:
            _commit(self.session)
        except SQLAlchemyError as error:
            self.rollback()
            raise _storage_error(error) from None

    def rollback(self) -> None:
        self.writes = 0
        self.broken = True
        _rollback(self.session)

    def close(self) -> None:
        _rollback(self.session)  # what was not committed: the block ended with a failed write
        self.session.close()


class _BatchedTransaction:
    """``Archive.transaction`` inside a batch: the batch's session; no commit of its own."""

    def __init__(self, batch: _Batch) -> None:
        self.batch = batch

    def __enter__(self) -> Session:
        return self.batch.enter()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if exc_type is None:
            try:
                # The ORM's pending rows go out now: later writes run on the driver's cursor, past the
                # session's autoflush, and a failing write must fail here, as itself.
                self.batch.session.flush()
            except SQLAlchemyError as error:
                self.batch.rollback()
                raise _storage_error(error) from None
            self.batch.done()
            return
        # Half a write cannot be committed and a transaction cannot be partly undone: the batch goes.
        self.batch.rollback()
        if isinstance(exc, SQLAlchemyError):
            raise _storage_error(exc) from None
