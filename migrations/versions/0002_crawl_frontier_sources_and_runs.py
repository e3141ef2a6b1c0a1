"""Crawl: the frontier columns of pages, feed/sitemap sources, and the record of each crawl run.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 06:03:11.540757
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("outlets", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("discovered", sa.Integer(), server_default="0", nullable=False),
        sa.Column("fetched", sa.Integer(), server_default="0", nullable=False),
        sa.Column("new", sa.Integer(), server_default="0", nullable=False),
        sa.Column("duplicate", sa.Integer(), server_default="0", nullable=False),
        sa.Column("versions", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unchanged", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("last_fetched_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_success_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=40), nullable=True),
        sa.Column("last_error_message", sa.Text(), nullable=True),
        sa.Column("urls_found", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["outlet_id"], ["outlets.id"], name=op.f("fk_sources_outlet_id_outlets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("url", name=op.f("uq_sources_url")),
    )
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("discovered_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("listed_at", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_pages_outlet_id_last_fetched_at", ["outlet_id", "last_fetched_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_index("ix_pages_outlet_id_last_fetched_at")
        batch_op.drop_column("listed_at")
        batch_op.drop_column("discovered_at")

    op.drop_table("sources")
    op.drop_table("crawl_runs")
