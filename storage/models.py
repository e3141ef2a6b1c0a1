"""SQLAlchemy models. The schema is an interface (README "Schema"): change it only by a migration."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import JSONText, UTCDateTime

# Named constraints let Alembic's SQLite batch mode alter tables later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class Outlet(Base):
    """A news outlet vnnews has an extractor for."""

    __tablename__ = "outlets"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    domains: Mapped[list[str]] = mapped_column(JSONText)


class Article(Base):
    """One story, unique by the hash of its normalized body; each changed page is a new row."""

    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_published_at", "published_at"),
        Index("ix_articles_outlet_id", "outlet_id"),
        Index("ix_articles_supersedes_id", "supersedes_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"))
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    sapo: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSONText)
    published_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    section: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSONText)
    images: Mapped[list[dict[str, Any]]] = mapped_column(JSONText)
    language: Mapped[str] = mapped_column(String(16))
    extractor: Mapped[str] = mapped_column(String(40))
    extractor_version: Mapped[str] = mapped_column(String(40))
    first_seen_at: Mapped[datetime]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))


class ArticleRevision(Base):
    """What an article row said before a re-extraction or re-fetch of its page changed its metadata.

    The body (and so the content hash) was the same, so no new version: the row's title, sapo, authors,
    dates, section, tags and images were replaced, and their earlier values are kept here (DESIGN rule 4).
    """

    __tablename__ = "article_revisions"
    __table_args__ = (Index("ix_article_revisions_article_id", "article_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    replaced_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(20))  # what replaced them: fetch or reextract
    title: Mapped[str] = mapped_column(Text)
    sapo: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSONText)
    published_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    section: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSONText)
    images: Mapped[list[dict[str, Any]]] = mapped_column(JSONText)
    extractor: Mapped[str] = mapped_column(String(40))
    extractor_version: Mapped[str] = mapped_column(String(40))


class Sighting(Base):
    """An article seen at a URL: the same story at several URLs or outlets has several sightings."""

    __tablename__ = "sightings"
    __table_args__ = (
        UniqueConstraint("article_id", "url", name="uq_sightings_article_id_url"),
        Index("ix_sightings_url", "url"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"))
    url: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class Page(Base):
    """What is known of one URL: its last fetch, validators for conditional GET, its current article."""

    __tablename__ = "pages"
    __table_args__ = (
        Index("ix_pages_outlet_id_last_fetched_at", "outlet_id", "last_fetched_at"),
        Index("ix_pages_article_id", "article_id"),  # which articles are current (latest_articles)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    last_fetched_at: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(40))
    last_error_message: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The crawl frontier: a URL discovered in a feed or sitemap and not fetched yet has last_fetched_at NULL.
    discovered_at: Mapped[datetime | None]
    listed_at: Mapped[datetime | None]  # the publication / lastmod date the feed or sitemap gave, if any


class RawPage(Base):
    """A fetched body, compressed (``compression`` names the codec: storage.compression), kept so
    `reextract` can rebuild the archive offline."""

    __tablename__ = "raw_pages"
    __table_args__ = (UniqueConstraint("url", "content_sha256", name="uq_raw_pages_url_content_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str] = mapped_column(Text)
    status: Mapped[int] = mapped_column(Integer)
    headers: Mapped[dict[str, str]] = mapped_column(JSONText)
    encoding: Mapped[str | None] = mapped_column(String(40))
    content_sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    fetched_at: Mapped[datetime]
    # Rows from before migration 0006 are zlib; new rows name their codec (storage.compression.CODEC).
    compression: Mapped[str] = mapped_column(String(8), server_default="zlib")


class FetchLog(Base):
    """One row per URL processed: what came of it. Failures are data (DESIGN rule 8)."""

    __tablename__ = "fetch_log"
    __table_args__ = (
        Index("ix_fetch_log_outlet_id_at", "outlet_id", "at"),
        Index("ix_fetch_log_url", "url"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    url: Mapped[str] = mapped_column(Text)
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id"))
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    raw_page_id: Mapped[int | None] = mapped_column(ForeignKey("raw_pages.id"))
    # "fetch" (crawl, import) or "reextract" (a stored raw page extracted again, no network): stats and
    # success rates count fetches only.
    source: Mapped[str] = mapped_column(String(20), default="fetch", server_default="fetch")


class Source(Base):
    """A feed or sitemap the crawl reads: validators for conditional GET, and how its last read went."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"))
    kind: Mapped[str] = mapped_column(String(20))  # feed, sitemap, sitemap-index, listing
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_fetched_at: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(40))
    last_error_message: Mapped[str | None] = mapped_column(Text)
    urls_found: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class CrawlRun(Base):
    """One `vnnews crawl`: when, what it did, how it ended (stats show the history)."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    # running, ok, interrupted, nothing-fetched, error; a run killed outright stays "running".
    outcome: Mapped[str] = mapped_column(String(20))
    outlets: Mapped[list[str]] = mapped_column(JSONText)
    discovered: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    fetched: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    new: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    duplicate: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    versions: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    unchanged: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    message: Mapped[str | None] = mapped_column(Text)
