"""The Article dataclass: the one contract between extractors and storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scraper.text import content_hash

# The keys of Article.to_dict(), in order: JSON output and export columns follow it.
ARTICLE_FIELDS = (
    "url",
    "canonical_url",
    "outlet",
    "title",
    "sapo",
    "body",
    "authors",
    "published_at",
    "updated_at",
    "section",
    "tags",
    "images",
    "language",
    "extractor",
    "extractor_version",
    "content_hash",
)


@dataclass(frozen=True, slots=True)
class Image:
    """An image of the article, with its caption (credit included, as published)."""

    url: str
    caption: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "caption": self.caption}


@dataclass(frozen=True, slots=True)
class Article:
    """What an extractor returns for one page. Text fields are normalized (text.normalize).

    ``url`` is the canonicalized address the page was fetched from; ``canonical_url`` is the page's
    own ``<link rel=canonical>`` when it stays on the outlet, else ``url``. Datetimes are aware.
    """

    url: str
    canonical_url: str
    outlet: str
    title: str
    body: tuple[str, ...]
    extractor: str
    extractor_version: str
    sapo: str | None = None
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None
    updated_at: datetime | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    images: tuple[Image, ...] = ()
    language: str = "vi"
    content_hash: str = field(init=False)

    def __post_init__(self) -> None:
        for name in ("published_at", "updated_at"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise ValueError(f"Article.{name} must be timezone-aware, got {value!r}")
        object.__setattr__(self, "content_hash", content_hash(self.body))

    def to_dict(self) -> dict[str, Any]:
        """Every field, JSON-ready (datetimes as ISO 8601 with their offset)."""
        return {
            "url": self.url,
            "canonical_url": self.canonical_url,
            "outlet": self.outlet,
            "title": self.title,
            "sapo": self.sapo,
            "body": list(self.body),
            "authors": list(self.authors),
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "section": self.section,
            "tags": list(self.tags),
            "images": [image.to_dict() for image in self.images],
            "language": self.language,
            "extractor": self.extractor,
            "extractor_version": self.extractor_version,
            "content_hash": self.content_hash,
        }
