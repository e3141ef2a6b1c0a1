"""article_revisions: the metadata an article row had before a same-body re-extraction changed it.

An extractor fixed for a date or a title, re-run by `vnnews reextract`, could not reach the archive:
articles are unique by their body's hash, so the same body was "unchanged" and the fix was dropped.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 08:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _outlet_daily(versions: str) -> str:
    # As in 0003, but for what counts as a version.
    return f"""
        CREATE VIEW outlet_daily AS
        SELECT o.key AS outlet, date(f.at, '+7 hours') AS day, count(*) AS pages,
               sum(f.outcome = 'new') AS new, sum(f.outcome = 'duplicate') AS duplicate,
               sum({versions}) AS versions, sum(f.outcome = 'unchanged') AS unchanged,
               sum(f.outcome = 'failed') AS failed,
               sum(f.outcome = 'failed' AND f.reason IN ('no-article', 'extraction')) AS no_article
        FROM fetch_log AS f
        JOIN outlets AS o ON o.id = f.outlet_id
        WHERE f.source = 'fetch'
        GROUP BY o.key, date(f.at, '+7 hours')"""


def upgrade() -> None:
    op.create_table(
        "article_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("replaced_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("sapo", sa.Text(), nullable=True),
        sa.Column("authors", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("published_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("section", sa.Text(), nullable=True),
        sa.Column("tags", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("images", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("extractor", sa.String(length=40), nullable=False),
        sa.Column("extractor_version", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_article_revisions_article_id_articles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_revisions")),
    )
    with op.batch_alter_table("article_revisions", schema=None) as batch_op:
        batch_op.create_index("ix_article_revisions_article_id", ["article_id"], unique=False)
    # A metadata update is a change of the page's article, as the crawl's summary counts it.
    op.execute("DROP VIEW outlet_daily")
    op.execute(_outlet_daily("f.outcome IN ('version', 'updated')"))


def downgrade() -> None:
    op.execute("DROP VIEW outlet_daily")
    op.execute(_outlet_daily("f.outcome = 'version'"))
    with op.batch_alter_table("article_revisions", schema=None) as batch_op:
        batch_op.drop_index("ix_article_revisions_article_id")
    op.drop_table("article_revisions")
