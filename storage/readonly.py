"""Read-only access to an SQLite archive: `vnnews sql`, and the readers of search, export and stats.

Three locks on the door, because each alone leaks: ``mode=ro`` (the file is opened read-only) still
lets ATTACH create a new database file; ``PRAGMA query_only`` can be switched off by the next
statement; an authorizer refuses writes, ATTACH/DETACH and PRAGMA assignments *before* they run, and
names what was refused, so the user gets one clear line instead of "attempt to write a readonly database".

Reads here never take the write lock: the archive's own engine begins every transaction with
BEGIN IMMEDIATE (storage.db), which would make a long export block the crawl.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from scraper.errors import QueryError, StorageError
from storage.db import database_url, make_engine

MMAP_BYTES = 1 << 31  # SQLite's default build caps mmap at 2 GB anyway
CACHE_KIB = 256 * 1024
# PRAGMAs that only read, even with an argument (a table or index name); any other PRAGMA given a value
# is a setting change and is refused.
_READ_PRAGMAS_WITH_ARGUMENT = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "foreign_key_check",
        "integrity_check",
        "quick_check",
    }
)
# PRAGMAs that change the file even without a value.
_WRITING_PRAGMAS = frozenset({"optimize", "wal_checkpoint", "incremental_vacuum", "shrink_memory"})
_ALLOWED_ACTIONS = frozenset(
    {
        sqlite3.SQLITE_SELECT,
        sqlite3.SQLITE_READ,
        sqlite3.SQLITE_FUNCTION,
        sqlite3.SQLITE_RECURSIVE,
        sqlite3.SQLITE_TRANSACTION,
        sqlite3.SQLITE_SAVEPOINT,
    }
)
_ACTIONS = [
    "CREATE_INDEX",
    "CREATE_TABLE",
    "CREATE_TEMP_INDEX",
    "CREATE_TEMP_TABLE",
    "CREATE_TEMP_TRIGGER",
    "CREATE_TEMP_VIEW",
    "CREATE_TRIGGER",
    "CREATE_VIEW",
    "DELETE",
    "DROP_INDEX",
    "DROP_TABLE",
    "DROP_TEMP_INDEX",
    "DROP_TEMP_TABLE",
    "DROP_TEMP_TRIGGER",
    "DROP_TEMP_VIEW",
    "DROP_TRIGGER",
    "DROP_VIEW",
    "INSERT",
    "PRAGMA",
    "READ",
    "SELECT",
    "TRANSACTION",
    "UPDATE",
    "ATTACH",
    "DETACH",
    "ALTER_TABLE",
    "REINDEX",
    "ANALYZE",
    "CREATE_VTABLE",
    "DROP_VTABLE",
    "FUNCTION",
    "SAVEPOINT",
    "RECURSIVE",
]
_ACTION_NAMES = {getattr(sqlite3, f"SQLITE_{name}"): name.replace("_", " ") for name in _ACTIONS}


def sqlite_path(target: str | Path) -> Path | None:
    """The file of an SQLite archive (path or sqlite:/// URL); None for another database."""
    url = make_url(database_url(target))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def connect(path: Path) -> sqlite3.Connection:
    """A read-only (``mode=ro``, ``query_only``) connection to an existing archive file."""
    if not path.is_file():
        raise StorageError(f"no archive at {path}")
    try:
        connection = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        connection.execute("PRAGMA query_only = 1")
        connection.execute("PRAGMA busy_timeout = 30000")
        # A search reads the doclists of every query term from the index (tens of MB on a large archive):
        # through SQLite's default 2 MB page cache that is a read() per page on every search, and it was
        # half the search time at 1M articles (bench/search.py). Memory-mapped pages cost no copy and are
        # shared with the OS cache; the page cache is a cap, allocated only as pages are read.
        connection.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    except sqlite3.Error as exc:
        raise StorageError(f"cannot open the archive at {path}: {exc}") from None
    return connection


class SQLRunner:
    """`vnnews sql`: one statement at a time on a read-only connection guarded by an authorizer."""

    def __init__(self, path: Path) -> None:
        self.connection = connect(path)
        self.guard = _Guard()
        self.connection.set_authorizer(self.guard)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> SQLRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, sql: str) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
        """Column names and a row iterator; a write, or SQL SQLite rejects, raises QueryError."""
        self.guard.refused = None
        try:
            cursor = self.connection.execute(sql)
        except (sqlite3.Error, sqlite3.Warning) as exc:
            raise QueryError(self._message(exc)) from None
        return [d[0] for d in cursor.description or ()], self._rows(cursor)

    def _rows(self, cursor: sqlite3.Cursor) -> Iterator[tuple[Any, ...]]:
        try:
            yield from cursor
        except sqlite3.Error as exc:
            raise QueryError(self._message(exc)) from None

    def _message(self, exc: Exception) -> str:
        if self.guard.refused is not None:
            return f"vnnews sql is read-only: {self.guard.refused} refused; nothing was changed"
        text = str(exc)
        if "readonly" in text or "read-only" in text:
            return f"vnnews sql is read-only: {text}; nothing was changed"
        return f"SQL error: {text}"


_SCHEMA_TABLES = frozenset({"sqlite_master", "sqlite_temp_master"})
_ROW_WRITES = frozenset({sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE})


class _Guard:
    """A sqlite3 authorizer that lets reads through and remembers the first thing it refused."""

    def __init__(self) -> None:
        self.refused: str | None = None

    def __call__(self, action: int, arg1: str | None, arg2: str | None, db: str | None, _: str | None) -> int:
        if action in _ALLOWED_ACTIONS or (action == sqlite3.SQLITE_PRAGMA and _reads(arg1, arg2)):
            return sqlite3.SQLITE_OK
        if action in _ROW_WRITES and arg1 in _SCHEMA_TABLES:
            # SQLite asks about its schema table before the statement's own action (DROP TABLE deletes
            # from sqlite_master first), and when it loads a virtual table (FTS5, pragma_*()); let the
            # statement's own action be judged and named. mode=ro and query_only stop a real write.
            return sqlite3.SQLITE_OK
        what = _ACTION_NAMES.get(action, f"action {action}")
        if action == sqlite3.SQLITE_PRAGMA:
            what = f"PRAGMA {arg1}" + (f" = {arg2}" if arg2 is not None else "")
        elif action == sqlite3.SQLITE_ALTER_TABLE:
            what += f" {arg2}"  # arg1 is the database's name there
        elif arg1:
            what += f" {arg1}"
        self.refused = self.refused or what
        return sqlite3.SQLITE_DENY


def _reads(name: str | None, value: str | None) -> bool:
    name = (name or "").lower()
    if name in _WRITING_PRAGMAS:
        return False
    return value is None or name in _READ_PRAGMAS_WITH_ARGUMENT


def readonly_engine(target: str | Path) -> Engine:
    """An engine for reading the archive: read-only connections for SQLite, the usual engine otherwise."""
    path = sqlite_path(target)
    if path is None:
        return make_engine(target)
    if not path.is_file():
        raise StorageError(f"no archive at {path}")
    # No authorizer here: mode=ro and query_only are enough for our own queries.
    return create_engine("sqlite://", creator=lambda: connect(path))
