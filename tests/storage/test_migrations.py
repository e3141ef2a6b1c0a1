"""Real Alembic upgrades on a real SQLite file; models and migrations must agree."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from storage.db import SCHEMA_REVISION, current_revision, ensure_current, head_revision, make_engine, upgrade
from storage.models import Base
from storage.search import include_name


def test_upgrade_empty_database_matches_models(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "archive.sqlite3")
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        diff = compare_metadata(
            # include_name as in migrations/env.py: the FTS5 tables are not in the models.
            MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name}),
            Base.metadata,
        )
    assert diff == []
    engine.dispose()


def test_sqlite_settings(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "nested" / "dir" / "archive.sqlite3")
    ensure_current(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    engine.dispose()


def test_ensure_current_is_idempotent_and_creates_views(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "archive.sqlite3")
    ensure_current(engine)
    ensure_current(engine)
    names = set(inspect(engine).get_table_names())
    assert {"outlets", "articles", "sightings", "pages", "raw_pages", "fetch_log"} <= names
    assert "latest_articles" in inspect(engine).get_view_names()
    engine.dispose()


def test_downgrade_to_base_and_back(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "archive.sqlite3")
    upgrade(engine)
    from alembic import command

    from storage.db import alembic_config

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert current_revision(engine) is None
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM latest_articles")).scalar() == 0
    engine.dispose()


def test_schema_revision_constant_is_the_newest_migration() -> None:
    # ensure_current trusts SCHEMA_REVISION to skip Alembic: a new migration must move it too.
    assert head_revision() == SCHEMA_REVISION
