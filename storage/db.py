"""Engine setup (SQLite: WAL, foreign keys, busy timeout) and Alembic upgrades."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError

import migrations
from scraper.errors import StorageError
from storage.types import dumps_json

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

BUSY_TIMEOUT_MS = 30_000
# The newest migration in migrations/versions (a test keeps them equal). An archive at this revision is
# opened without importing Alembic: a third of the start-up time of every command.
SCHEMA_REVISION = "0006"


def database_url(target: str | Path) -> str:
    """An SQLAlchemy URL: a path becomes an SQLite URL; a URL (postgresql://…) is kept."""
    text = str(target)
    return text if "://" in text else f"sqlite:///{Path(text).expanduser()}"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Take over transaction control from pysqlite so BEGIN IMMEDIATE below is what runs.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: two writers then queue on busy_timeout instead of
        # one failing with "database is locked" when it upgrades a read lock.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(target: str | Path) -> Engine:
    """An engine for the archive at ``target`` (a file path or a database URL)."""
    url = database_url(target)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the archive directory {path.parent}: {exc}") from None
    engine = create_engine(url, json_serializer=dumps_json)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def alembic_config(engine: Engine | None = None) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The archive's schema revision (None: no schema yet), read as Alembic stores it."""
    with engine.connect() as connection:
        if "alembic_version" not in connection.dialect.get_table_names(connection):
            return None
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return str(revision) if revision is not None else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations up to ``revision`` on the archive."""
    from alembic import command

    config = alembic_config(engine)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except SQLAlchemyError as exc:
        raise StorageError(
            f"cannot migrate the archive at {engine.url}: {exc.__class__.__name__}: {exc}"
        ) from None


def ensure_current(engine: Engine) -> None:
    """Create or upgrade the archive on first use; a database newer than this vnnews is an error."""
    try:
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot open the archive at {engine.url}: {exc}") from None
    if current == SCHEMA_REVISION:
        return
    from alembic.script import ScriptDirectory

    known = {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current is not None and current not in known:
        raise StorageError(
            f"the archive at {engine.url} is at schema revision {current}, "
            "which this vnnews does not know: upgrade vnnews"
        )
    upgrade(engine)
