"""The --outlet / --since / --until filters that search and export share, as SQL conditions on articles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, exists, func, select

from scraper.errors import QueryError
from storage.models import Article, Outlet, Page, Sighting


@dataclass(frozen=True)
class Filters:
    """Articles seen at any of ``outlets`` (all when empty), dated in [since, until)."""

    outlets: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None


def article_date() -> ColumnElement[datetime]:
    """The date filters compare: publication time, or first sight when the page gave none."""
    return func.coalesce(Article.published_at, Article.first_seen_at)


def is_current() -> ColumnElement[bool]:
    """The article is what some page shows now: the current text of its story (view latest_articles).

    Not "no later version supersedes it": a page that changed A → B → A shows A again, and a story seen
    at a second URL stays current there after the first page moved on (migration 0004).
    """
    return exists().where(Page.article_id == Article.id)


def article_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.since is not None:
        conditions.append(article_date() >= filters.since)
    if filters.until is not None:
        conditions.append(article_date() < filters.until)
    if filters.outlets:
        # A story first seen at one outlet and copied by another belongs to both: filter on sightings.
        outlet_ids = select(Outlet.id).where(Outlet.key.in_(filters.outlets))
        sighted = exists().where(Sighting.article_id == Article.id, Sighting.outlet_id.in_(outlet_ids))
        # Correlate to articles only, even inside a query over sightings (storage.export).
        conditions.append(sighted.correlate_except(Sighting))
    return conditions


def check_outlets(connection: Connection, keys: Sequence[str]) -> None:
    """Raise QueryError naming an outlet key the archive does not know (a typo filters out everything)."""
    if not keys:
        return
    known = set(connection.scalars(select(Outlet.key)))
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise QueryError(
            f"unknown outlet {', '.join(map(repr, unknown))}; the archive knows: {', '.join(sorted(known))}"
        )
