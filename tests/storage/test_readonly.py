"""`vnnews sql`'s read-only runner: reads work, every kind of write is refused and changes nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from scraper.errors import QueryError, StorageError
from storage.readonly import SQLRunner, readonly_engine, sqlite_path
from tests.archive_factory import fill_small, open_archive


@pytest.fixture(scope="module")
def path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("readonly") / "archive.sqlite3"
    with open_archive(target) as archive:
        fill_small(archive)
    return target


@pytest.fixture
def runner(path: Path) -> Iterator[SQLRunner]:
    with SQLRunner(path) as opened:
        yield opened


def digest(path: Path) -> str:
    """The database and its write-ahead log (the -shm index changes on every read: not content)."""
    wal = path.with_name(path.name + "-wal")
    return hashlib.sha256(path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")).hexdigest()


def test_reads(runner: SQLRunner) -> None:
    columns, rows = runner.run("SELECT key FROM outlets ORDER BY key")
    assert (columns, list(rows)) == (["key"], [("congluan",), ("haiquan",), ("vov",)])
    _, rows = runner.run("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'dong nai'")
    assert list(rows) == [(2,)]  # both versions of the story
    assert next(iter(runner.run("PRAGMA table_info(articles)")[1]))[1] == "id"
    assert list(runner.run("SELECT name FROM pragma_table_info('outlets') LIMIT 1")[1]) == [("id",)]
    assert list(runner.run("PRAGMA journal_mode")[1]) == [("wal",)]


@pytest.mark.parametrize(
    ("sql", "refused"),
    [
        ("INSERT INTO outlets (key, name, domains) VALUES ('x', 'x', '[]')", "INSERT outlets"),
        ("UPDATE articles SET title = 'x'", "UPDATE articles"),
        ("DELETE FROM articles", "DELETE articles"),
        ("REPLACE INTO outlets (id, key, name, domains) VALUES (1, 'x', 'x', '[]')", "INSERT outlets"),
        ("DROP TABLE articles", "DROP TABLE articles"),
        ("DROP VIEW latest_articles", "DROP VIEW latest_articles"),
        ("CREATE TABLE t (x)", "CREATE TABLE t"),
        ("CREATE TEMP TABLE t (x)", "CREATE TEMP TABLE t"),
        ("CREATE INDEX i ON articles (title)", "CREATE INDEX i"),
        ("ALTER TABLE articles ADD COLUMN x", "ALTER TABLE articles"),
        ("ATTACH DATABASE '{dir}/other.sqlite3' AS other", "ATTACH {dir}/other.sqlite3"),
        ("VACUUM INTO '{dir}/copy.sqlite3'", "ATTACH {dir}/copy.sqlite3"),
        ("PRAGMA query_only = 0", "PRAGMA query_only = 0"),
        ("PRAGMA journal_mode = DELETE", "PRAGMA journal_mode = DELETE"),
        ("PRAGMA user_version = 7", "PRAGMA user_version = 7"),
        ("PRAGMA optimize", "PRAGMA optimize"),
        ("INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')", "INSERT articles_fts"),
        ("ANALYZE", "CREATE TABLE sqlite_stat1"),
    ],
)
def test_writes_are_refused_and_change_nothing(path: Path, runner: SQLRunner, sql: str, refused: str) -> None:
    before = digest(path)
    with pytest.raises(QueryError) as error:
        runner.run(sql.format(dir=path.parent))
    expected = refused.format(dir=path.parent)
    assert str(error.value) == f"vnnews sql is read-only: {expected} refused; nothing was changed"
    assert digest(path) == before
    assert sorted(p.name for p in path.parent.iterdir() if not p.name.startswith(path.name)) == []
    assert list(runner.run("SELECT count(*) FROM articles")[1]) == [(4,)]  # still usable


def test_bad_sql_is_a_query_error(runner: SQLRunner) -> None:
    with pytest.raises(QueryError, match=r"^SQL error: no such table: nope$"):
        runner.run("SELECT * FROM nope")
    with pytest.raises(QueryError, match="one statement at a time"):
        runner.run("SELECT 1; SELECT 2")


def test_missing_archive(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no archive at"):
        SQLRunner(tmp_path / "none.sqlite3")
    with pytest.raises(StorageError, match="no archive at"):
        readonly_engine(tmp_path / "none.sqlite3")


def test_sqlite_path() -> None:
    assert sqlite_path("/data/a.sqlite3") == Path("/data/a.sqlite3")
    assert sqlite_path("sqlite:////data/a.sqlite3") == Path("/data/a.sqlite3")
    assert sqlite_path("postgresql://u@h/db") is None
