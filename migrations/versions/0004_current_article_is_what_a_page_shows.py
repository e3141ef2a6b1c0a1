"""The current text of a story is what some page shows now, not "no later version supersedes it".

A page that changed A → B → A shows A again, but B supersedes A: the old rule listed B as current and
hid A. A story also seen at a second URL stays current there after the first page moved on. So
``latest_articles`` and ``article_sightings.is_latest`` now ask ``pages.article_id`` (indexed here).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 08:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT = "EXISTS (SELECT 1 FROM pages AS p WHERE p.article_id = a.id)"
SUPERSEDED_NOT = "NOT EXISTS (SELECT 1 FROM articles AS b WHERE b.supersedes_id = a.id)"


def _views(is_current: str) -> dict[str, str]:
    return {
        "latest_articles": f"SELECT a.* FROM articles AS a WHERE {is_current}",
        "article_sightings": f"""
        SELECT s.article_id, o.key AS outlet, s.url, s.first_seen_at, s.last_seen_at,
               a.title, a.published_at,
               {is_current} AS is_latest
        FROM sightings AS s
        JOIN articles AS a ON a.id = s.article_id
        JOIN outlets AS o ON o.id = s.outlet_id""",
    }


def _replace_views(is_current: str) -> None:
    for name, select in _views(is_current).items():
        op.execute(f"DROP VIEW IF EXISTS {name}")
        op.execute(f"CREATE VIEW {name} AS {select.strip()}")


def upgrade() -> None:
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.create_index("ix_pages_article_id", ["article_id"], unique=False)
    _replace_views(CURRENT)


def downgrade() -> None:
    _replace_views(SUPERSEDED_NOT)
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_index("ix_pages_article_id")
