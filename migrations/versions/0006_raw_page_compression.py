"""raw_pages.compression: the codec of each stored body; new bodies are Zstandard, older ones stay zlib.

Compressing the fetched page was the largest single cost of archiving it (zlib level 1, ~1.1–2 ms for a
165 KB page); Zstandard level 1 takes a third of that and stores fewer bytes. Existing rows are not
rewritten: they are marked 'zlib' and read as before.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 10:10:00.000000
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "raw_pages",
        sa.Column("compression", sa.String(length=8), server_default="zlib", nullable=False),
    )


def downgrade() -> None:
    # Before 0006 every body was zlib: recompress the Zstandard ones so the older code can read them.
    if sys.version_info >= (3, 14):
        from compression import zstd
    else:
        from backports import zstd

    connection = op.get_bind()
    select = sa.text(
        "SELECT id, content FROM raw_pages WHERE compression = 'zstd' AND id > :after ORDER BY id LIMIT 500"
    )
    update = sa.text("UPDATE raw_pages SET content = :content WHERE id = :id")
    after = 0
    while rows := connection.execute(select, {"after": after}).fetchall():  # in chunks: bodies are large
        for raw_id, content in rows:
            connection.execute(update, {"content": zlib.compress(zstd.decompress(content), 1), "id": raw_id})
        after = rows[-1][0]
    # A plain DROP COLUMN (SQLite >= 3.35): batch mode's copy-and-rename of raw_pages would break the
    # foreign keys of fetch_log that point at it.
    op.drop_column("raw_pages", "compression")
