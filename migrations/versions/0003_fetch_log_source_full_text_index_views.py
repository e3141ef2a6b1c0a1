"""The archive as an interface: fetch_log.source, the full-text index, views for common questions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 06:10:16.280335
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# The index holds folded text that only Python computes (storage.search explains why); the migration
# fills it with the same function Archive.save uses. A later change to the folding is a new migration
# that calls rebuild_index again.
from storage.search import FTS_TABLE, RANK_CONFIG, rebuild_index

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite only: FTS5, date(x, '+7 hours') and group_concat are SQLite's. The PostgreSQL path gets its
# own index and views when it is exercised.
VIEWS = {
    # One row per URL where a story was seen, with the outlet's key and whether that text is current.
    "article_sightings": """
        SELECT s.article_id, o.key AS outlet, s.url, s.first_seen_at, s.last_seen_at,
               a.title, a.published_at,
               NOT EXISTS (SELECT 1 FROM articles AS b WHERE b.supersedes_id = a.id) AS is_latest
        FROM sightings AS s
        JOIN articles AS a ON a.id = s.article_id
        JOIN outlets AS o ON o.id = s.outlet_id""",
    # Stories seen at two outlets or more: the same text republished elsewhere.
    "multi_outlet_stories": """
        SELECT a.id AS article_id, a.title, a.published_at,
               count(DISTINCT s.outlet_id) AS outlet_count, count(*) AS url_count,
               group_concat(DISTINCT o.key) AS outlets, min(s.first_seen_at) AS first_seen_at
        FROM articles AS a
        JOIN sightings AS s ON s.article_id = a.id
        JOIN outlets AS o ON o.id = s.outlet_id
        GROUP BY a.id
        HAVING count(DISTINCT s.outlet_id) > 1""",
    # Per outlet and Vietnam-time day: what the fetches gave. no_article counts pages fetched fine that
    # yielded no article: the sign of a layout change.
    "outlet_daily": """
        SELECT o.key AS outlet, date(f.at, '+7 hours') AS day, count(*) AS pages,
               sum(f.outcome = 'new') AS new, sum(f.outcome = 'duplicate') AS duplicate,
               sum(f.outcome = 'version') AS versions, sum(f.outcome = 'unchanged') AS unchanged,
               sum(f.outcome = 'failed') AS failed,
               sum(f.outcome = 'failed' AND f.reason IN ('no-article', 'extraction')) AS no_article
        FROM fetch_log AS f
        JOIN outlets AS o ON o.id = f.outlet_id
        WHERE f.source = 'fetch'
        GROUP BY o.key, date(f.at, '+7 hours')""",
}


def upgrade() -> None:
    with op.batch_alter_table("fetch_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=20), server_default="fetch", nullable=False))

    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    op.execute(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
        "title, sapo, body, content='', tokenize='unicode61 remove_diacritics 2')"
    )
    # The default ranking, so `ORDER BY rank` in the sqlite3 shell weighs the title as vnnews does.
    op.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('rank', '{RANK_CONFIG}')")
    rebuild_index(connection)
    for name, select in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {select.strip()}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in reversed(VIEWS):
            op.execute(f"DROP VIEW {name}")
        op.execute(f"DROP TABLE {FTS_TABLE}")
    with op.batch_alter_table("fetch_log", schema=None) as batch_op:
        batch_op.drop_column("source")
